/**
 * The broker's jars: resolved once with Maven from `scripts/kafka/pom.xml` into a cache dir outside
 * the repo; a marker file (pom hash + jar list) tells a complete resolution from a broken one.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POM_PATH = fileURLToPath(new URL('./pom.xml', import.meta.url));
const MARKER_FILE = '.tributary-resolved.json';

export interface ResolveOptions {
  /** Jar cache root; default `$TRIBUTARY_CACHE_DIR`, `$XDG_CACHE_HOME/tributary` or `~/.cache/tributary`. */
  readonly cacheDir?: string;
  readonly log?: (message: string) => void;
}

export function defaultCacheDir(): string {
  const fromEnv = process.env['TRIBUTARY_CACHE_DIR'];
  if (fromEnv) return fromEnv;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg || join(homedir(), '.cache'), 'tributary');
}

function pomInfo(): { version: string; hash: string } {
  const pom = readFileSync(POM_PATH, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new Error(`cannot find <kafka.version> in ${POM_PATH}`);
  return { version, hash: createHash('sha256').update(pom).digest('hex') };
}

interface Marker {
  readonly pomSha256: string;
  readonly jars: readonly string[];
}

function libsValid(libs: string, pomHash: string): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(libs, MARKER_FILE), 'utf8')) as Marker;
    if (marker.pomSha256 !== pomHash || marker.jars.length === 0) return false;
    return marker.jars.every((jar) => existsSync(join(libs, jar)));
  } catch {
    return false;
  }
}

function jarList(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jar'))
    .sort();
}

function sameJars(a: string, b: string): boolean {
  try {
    const ja = jarList(a);
    const jb = jarList(b);
    return ja.length === jb.length && ja.every((f, i) => f === jb[i] && statSync(join(a, f)).size === statSync(join(b, f)).size);
  } catch {
    return false;
  }
}

/**
 * Returns the directory holding the broker's jars, running Maven (`dependency:copy-dependencies`
 * on `scripts/kafka/pom.xml`) when it is missing, incomplete or resolved from a different pom.
 * Safe to call from parallel processes: each resolves into its own temp dir and swaps it in.
 */
export async function resolveKafkaJars(options: ResolveOptions = {}): Promise<string> {
  const log = options.log ?? (() => {});
  const { version, hash } = pomInfo();
  const base = join(options.cacheDir ?? defaultCacheDir(), `kafka-${version}`);
  const libs = join(base, 'libs');
  if (libsValid(libs, hash)) return libs;

  await mkdir(base, { recursive: true });
  const staging = join(base, `libs.resolving-${process.pid}-${randomBytes(4).toString('hex')}`);
  log(`resolving Kafka ${version} jars with Maven into ${libs}`);
  const started = Date.now();
  const mvn = spawnSync('mvn', ['-q', '-B', '-f', POM_PATH, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (mvn.error || mvn.status !== 0) {
    await rm(staging, { recursive: true, force: true });
    const why = mvn.error ? String(mvn.error) : `exit ${mvn.status}`;
    throw new Error(
      `Maven could not resolve the Kafka broker jars (${why}). Is 'mvn' installed and Maven Central reachable?\n` +
        `${mvn.stdout ?? ''}${mvn.stderr ?? ''}`.slice(-4000),
    );
  }
  const jars = jarList(staging);
  if (!jars.some((j) => j.startsWith(`kafka_2.13-${version}`))) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`Maven finished but ${staging} holds no kafka_2.13-${version} jar`);
  }
  const marker: Marker = { pomSha256: hash, jars };
  const markerText = JSON.stringify(marker, null, 2);

  if (existsSync(libs) && sameJars(staging, libs)) {
    // Same jars already in place (e.g. resolved before markers existed): keep the dir a running broker may use.
    await writeFile(join(libs, MARKER_FILE), markerText);
    await rm(staging, { recursive: true, force: true });
  } else {
    await writeFile(join(staging, MARKER_FILE), markerText);
    if (existsSync(libs) && !libsValid(libs, hash)) {
      const old = `${libs}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      await rename(libs, old).catch(() => {});
      await rm(old, { recursive: true, force: true });
    }
    try {
      await rename(staging, libs);
    } catch (err) {
      // Another process swapped its copy in first; use that one if it is complete.
      await rm(staging, { recursive: true, force: true });
      if (!libsValid(libs, hash)) throw err;
    }
  }
  log(`resolved ${jars.length} jars in ${Date.now() - started} ms`);
  return libs;
}
