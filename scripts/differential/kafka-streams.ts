/**
 * The Kafka Streams side of the differential suite (test/differential): resolves
 * `kafka-streams` + `kafka-streams-test-utils` 3.9.1 with Maven from
 * test/differential/kafka-streams/pom.xml and compiles its Java sources with javac, both into
 * `<cache>/differential/kafka-streams-<version>/` (never the repo), then
 * runs one long-lived JVM that answers batches of cases over stdin/stdout.
 *
 *   installKafkaStreamsRunner()   mvn dependency:copy-dependencies → jars-<pom hash>/ (once),
 *        │                        javac → classes-<pom + sources hash>/ (once per change)
 *   KafkaStreamsRunner.start()    java tributary.diff.DiffRunner (reads case lines until EOF)
 *        │
 *   run(cases) ─▶ writes one line per case, resolves when every case's `E id` line came back
 *   close()    ─▶ ends stdin; the JVM exits (it also exits when this process dies: stdin EOF)
 *
 * CLI: `tsx scripts/differential/kafka-streams.ts resolve` installs only (CI).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultCacheDir } from '../kafka/jars.js';
import { encodeCase, type Case, type CaseResult, type OutputRecord } from '../../test/differential/spec.js';

const JAVA_DIR = fileURLToPath(new URL('../../test/differential/kafka-streams/', import.meta.url));
const POM = join(JAVA_DIR, 'pom.xml');
const SOURCES = join(JAVA_DIR, 'src/main/java/tributary/diff');
const MARKER = '.installed';

function javaBin(name: string): string {
  const home = process.env['JAVA_HOME'];
  return home ? join(home, 'bin', name) : name;
}

function sourceFiles(): string[] {
  return readdirSync(SOURCES)
    .filter((f) => f.endsWith('.java'))
    .sort()
    .map((f) => join(SOURCES, f));
}

function kafkaVersion(pom: string): string {
  const v = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!v) throw new Error(`cannot find <kafka.version> in ${POM}`);
  return v;
}

export interface RunnerInstall {
  readonly classPath: string;
  readonly version: string;
}

/**
 * Resolves the jars (once per pom hash) and compiles the runner (once per pom + sources hash);
 * returns the class path. Each step works in a staging dir swapped in by rename, so parallel
 * callers cannot see half an install.
 */
export function installKafkaStreamsRunner(log: (m: string) => void = () => {}): RunnerInstall {
  const pom = readFileSync(POM, 'utf8');
  const version = kafkaVersion(pom);
  const pomDigest = createHash('sha256').update(pom).digest('hex').slice(0, 16);
  const hash = createHash('sha256').update(pom);
  for (const f of sourceFiles()) hash.update(f).update(readFileSync(f));
  const digest = hash.digest('hex').slice(0, 16);
  const root = join(defaultCacheDir(), 'differential', `kafka-streams-${version}`);
  const jars = join(root, `jars-${pomDigest}`);
  const classes = join(root, `classes-${digest}`);
  mkdirSync(root, { recursive: true });
  installDir(jars, (staging) => {
    log(`resolving Kafka Streams ${version} + test-utils with Maven into ${jars}`);
    run('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`]);
  });
  installDir(classes, (staging) => {
    log(`compiling the differential runner into ${classes}`);
    run(javaBin('javac'), ['-nowarn', '-d', staging, '-cp', `${jars}/*`, ...sourceFiles()]);
  });
  return { classPath: `${classes}:${jars}/*`, version };
}

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
    throw new Error(`${cmd} failed (exit ${r.status}); are a JDK and Maven installed, Maven Central reachable?\n${out.slice(-3000)}`);
  }
}

function installDir(dir: string, fill: (staging: string) => void): void {
  if (existsSync(join(dir, MARKER))) return;
  const staging = `${dir}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(staging, { recursive: true });
  try {
    fill(staging);
    writeFileSync(join(staging, MARKER), 'ok\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, MARKER))) throw err; // else a parallel install won the race
  }
}

interface Pending {
  readonly ids: Set<string>;
  readonly results: Map<string, CaseResult>;
  readonly resolve: (r: Map<string, CaseResult>) => void;
  readonly reject: (e: Error) => void;
}

/** One Kafka Streams JVM serving batches of cases, one batch at a time. */
export class KafkaStreamsRunner {
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private current: { outputs: OutputRecord[]; describe: string[]; error?: string } = { outputs: [], describe: [] };
  private exited: Error | null = null;
  private stderr = '';
  /** Cases run by this JVM so far. */
  casesRun = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (l) => this.onLine(l));
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`Kafka Streams runner exited (${code ?? signal}): ${this.stderr}`);
      this.pending?.reject(this.exited);
      this.pending = null;
    });
  }

  static start(install: RunnerInstall = installKafkaStreamsRunner()): KafkaStreamsRunner {
    const child = spawn(javaBin('java'), ['-Xmx512m', '-XX:+UseSerialGC', '-Xss4m', '-cp', install.classPath, 'tributary.diff.DiffRunner'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new KafkaStreamsRunner(child);
  }

  private onLine(line: string): void {
    const p = this.pending;
    if (!p) return;
    const f = line.split('\t');
    switch (f[0]) {
      case 'O':
        this.current.outputs.push({ topic: f[1]!, key: f[2] === '~' ? null : f[2]!, value: f[3] === '~' ? null : Number(f[3]), ts: Number(f[4]) });
        break;
      case 'T':
        this.current.describe.push(line.slice(2));
        break;
      case 'X':
        this.current.error = f.slice(2).join('\t');
        break;
      case 'E': {
        const id = f[1]!;
        const c = this.current;
        p.results.set(id, {
          outputs: c.outputs,
          ...(c.error === undefined ? {} : { error: c.error }),
          ...(c.describe.length ? { describe: c.describe.join('\n') } : {}),
        });
        this.current = { outputs: [], describe: [] };
        this.casesRun++;
        p.ids.delete(id);
        if (p.ids.size === 0) {
          this.pending = null;
          p.resolve(p.results);
        }
        break;
      }
      default:
        break;
    }
  }

  /** Runs the cases (ids must be unique within the batch); resolves with each case's result. */
  run(cases: readonly Case[]): Promise<Map<string, CaseResult>> {
    const next = this.queue.then(
      () =>
        new Promise<Map<string, CaseResult>>((resolve, reject) => {
          if (this.exited) return reject(this.exited);
          if (cases.length === 0) return resolve(new Map());
          this.pending = { ids: new Set(cases.map((c) => c.id)), results: new Map(), resolve, reject };
          this.child.stdin.write(cases.map((c) => `${encodeCase(c)}\n`).join(''));
        }),
    );
    this.queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    await done;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = Date.now();
  const install = installKafkaStreamsRunner((m) => console.log(m));
  console.log(`Kafka Streams ${install.version} differential runner ready in ${Date.now() - t0} ms: ${install.classPath}`);
}
