/**
 * Installs the peers of bench:peers into the cache dir (never the repo), once:
 *
 * - Kafka Streams 3.9.1: Maven resolves bench/peers/kafka-streams/pom.xml's dependencies into
 *   `<cache>/peers/kafka-streams/jars`, javac compiles PeerApp.java into `.../classes`. A marker
 *   (hash of pom + source) tells a complete install from a stale or broken one.
 * - Quix Streams 3.28.1: `python3 -m venv <cache>/peers/quix-3.28.1` + `pip install quixstreams==3.28.1`.
 * - Spark 4.2.0: pyspark in `<cache>/peers/spark-4.2.0/venv`, the Kafka connector jars from Maven.
 *
 * Each returns a ready engine description or the reason it could not be installed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '../../scripts/kafka-broker.js';

export const QUIX_VERSION = '3.28.1';
export const KAFKA_STREAMS_VERSION = '3.9.1';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
export const KS_POM = here('./kafka-streams/pom.xml');
export const KS_SOURCE = here('./kafka-streams/src/main/java/tributary/bench/PeerApp.java');
export const QUIX_APP = here('./quix/peer_app.py');
export const TRIBUTARY_RUNNER = here('./tributary-runner.ts');

export type Installed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function peersCacheDir(): string {
  const dir = join(defaultCacheDir(), 'peers');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function run(cmd: string, args: readonly string[], log: (m: string) => void, timeoutMs = 600_000): { ok: boolean; output: string } {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { ok: r.status === 0, output };
}

const tail = (s: string, n = 1200): string => (s.length > n ? `…${s.slice(-n)}` : s).trim();

export interface KafkaStreamsInstall {
  /** `java` class path: the compiled PeerApp and the resolved jars. */
  readonly classPath: string;
  readonly log4jConfig: string;
}

export function installKafkaStreams(log: (m: string) => void): Installed<KafkaStreamsInstall> {
  const base = join(peersCacheDir(), `kafka-streams-${KAFKA_STREAMS_VERSION}`);
  const jars = join(base, 'jars');
  const classes = join(base, 'classes');
  const marker = join(base, '.installed');
  const log4jConfig = join(base, 'log4j.properties');
  const hash = createHash('sha256').update(readFileSync(KS_POM)).update(readFileSync(KS_SOURCE)).digest('hex');
  const classPath = `${classes}:${jars}/*`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return { ok: true, value: { classPath, log4jConfig } };
  rmSync(base, { recursive: true, force: true });
  mkdirSync(classes, { recursive: true });
  const mvn = run('mvn', ['-q', '-B', '-f', KS_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${jars}`], log);
  if (!mvn.ok) return { ok: false, reason: `Maven could not resolve kafka-streams ${KAFKA_STREAMS_VERSION}: ${tail(mvn.output)}` };
  const javac = run('javac', ['-d', classes, '-cp', `${jars}/*`, KS_SOURCE], log);
  if (!javac.ok) return { ok: false, reason: `javac failed: ${tail(javac.output)}` };
  writeFileSync(
    log4jConfig,
    [
      'log4j.rootLogger=WARN, stderr',
      'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stderr.Target=System.err',
      'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %c{1}: %m%n',
      '',
    ].join('\n'),
  );
  writeFileSync(marker, hash);
  return { ok: true, value: { classPath, log4jConfig } };
}

export interface QuixInstall {
  readonly python: string;
}

export function installQuix(log: (m: string) => void): Installed<QuixInstall> {
  const venv = join(peersCacheDir(), `quix-${QUIX_VERSION}`);
  const python = join(venv, 'bin', 'python');
  const check = (): boolean =>
    existsSync(python) &&
    spawnSync(python, ['-c', 'import quixstreams, sys; sys.exit(0 if quixstreams.__version__ == sys.argv[1] else 1)', QUIX_VERSION]).status === 0;
  if (check()) return { ok: true, value: { python } };
  rmSync(venv, { recursive: true, force: true });
  const mk = run('python3', ['-m', 'venv', venv], log);
  if (!mk.ok) return { ok: false, reason: `python3 -m venv failed: ${tail(mk.output)}` };
  const pip = run(join(venv, 'bin', 'pip'), ['install', '-q', `quixstreams==${QUIX_VERSION}`], log);
  if (!pip.ok) return { ok: false, reason: `pip install quixstreams==${QUIX_VERSION} failed: ${tail(pip.output)}` };
  if (!check()) return { ok: false, reason: `quixstreams ${QUIX_VERSION} installed but does not import` };
  return { ok: true, value: { python } };
}

export const SPARK_VERSION = '4.2.0';
export const SPARK_POM = here('./spark/pom.xml');
export const SPARK_APP = here('./spark/peer_app.py');

export interface SparkInstall {
  readonly python: string;
  /** Comma-separated jars for `spark.jars`: the Kafka connector and what pyspark lacks of its dependencies. */
  readonly jars: string;
}

/**
 * pyspark from PyPI in its own venv, the Kafka connector (same Spark version; Maven Central
 * serves it up to 4.2.x, not 4.3) from bench/peers/spark/pom.xml.
 */
export function installSpark(log: (m: string) => void): Installed<SparkInstall> {
  const base = join(peersCacheDir(), `spark-${SPARK_VERSION}`);
  const venv = join(base, 'venv');
  const jarsDir = join(base, 'jars');
  const python = join(venv, 'bin', 'python');
  const marker = join(base, '.installed');
  const hash = createHash('sha256').update(readFileSync(SPARK_POM)).digest('hex');
  const wanted = ['spark-sql-kafka-0-10_2.13', 'spark-token-provider-kafka-0-10_2.13', 'kafka-clients', 'commons-pool2'];
  const pick = (): string =>
    readdirSync(jarsDir)
      .filter((f) => wanted.some((w) => f.startsWith(`${w}-`)))
      .map((f) => join(jarsDir, f))
      .join(',');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return { ok: true, value: { python, jars: pick() } };
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const mvn = run('mvn', ['-q', '-B', '-f', SPARK_POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${jarsDir}`], log);
  if (!mvn.ok) return { ok: false, reason: `Maven could not resolve spark-sql-kafka-0-10_2.13 ${SPARK_VERSION}: ${tail(mvn.output)}` };
  const mk = run('python3', ['-m', 'venv', venv], log);
  if (!mk.ok) return { ok: false, reason: `python3 -m venv failed: ${tail(mk.output)}` };
  const pip = run(join(venv, 'bin', 'pip'), ['install', '-q', `pyspark==${SPARK_VERSION}`], log, 1_200_000);
  if (!pip.ok) return { ok: false, reason: `pip install pyspark==${SPARK_VERSION} failed: ${tail(pip.output)}` };
  const jars = pick();
  if (jars.split(',').length !== wanted.length) return { ok: false, reason: `connector jars incomplete in ${jarsDir}: ${jars}` };
  writeFileSync(marker, hash);
  return { ok: true, value: { python, jars } };
}
