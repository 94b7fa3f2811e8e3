/**
 * A real Apache Kafka broker (KRaft, single combined node, loopback only) for tests and local runs.
 *
 * Lifecycle of `startBroker()`:
 *
 *   resolveKafkaJars()          Maven copies kafka_2.13 + reload4j into the cache dir (once; a
 *        │                      marker file records the pom hash and jar list)
 *   cleanStaleBrokerDirs()      removes temp dirs (and orphaned JVMs) of crashed earlier runs
 *        │
 *   attempt (≤ maxAttempts):    fresh temp dir ─ two free 127.0.0.1 ports ─ server.properties ─
 *        │                      log4j.properties (file only) ─ StorageTool format
 *        ▼
 *   spawn `sh` (own process group) ─▶ java kafka.Kafka   + a watchdog that kills the JVM when this
 *        │                                               Node process goes away (even on SIGKILL)
 *   poll describeCluster ─▶ ready   │  JVM exits first: bind conflict → next attempt with new ports,
 *                                   │  anything else → error with the tail of the broker log
 *   stopBroker(): SIGTERM/SIGKILL the whole group, wait until no member is alive, remove the dir.
 *
 * CLI: `npm run broker` prints the bootstrap address and runs until Ctrl-C;
 * `npm run broker -- resolve` only resolves the jars (CI).
 *
 * Env: `TRIBUTARY_CACHE_DIR` (jar cache, default `$XDG_CACHE_HOME/tributary` or `~/.cache/tributary`),
 * `JAVA_HOME` (else `java` on PATH), `TRIBUTARY_KEEP_BROKER_DIR=1` keeps the temp dir on stop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const POM_PATH = fileURLToPath(new URL('./kafka/pom.xml', import.meta.url));
const DIR_PREFIX = 'tributary-kafka-';
const OWNER_FILE = 'owner.json';
const MARKER_FILE = '.tributary-resolved.json';
/** A temp dir without an owner file younger than this may be mid-creation by another process. */
const UNOWNED_GRACE_MS = 10 * 60_000;

export interface BrokerOptions {
  /** Jar cache root; default `$TRIBUTARY_CACHE_DIR`, `$XDG_CACHE_HOME/tributary` or `~/.cache/tributary`. */
  readonly cacheDir?: string;
  /** Preferred PLAINTEXT port; another free port is used when it is taken. Default: any free port. */
  readonly port?: number;
  /** Probe that the chosen ports are free before launching (default true). When false, a conflict is only noticed when Kafka fails to bind, then retried. */
  readonly probePorts?: boolean;
  /** Launch attempts when the broker cannot bind its ports. Default 3. */
  readonly maxAttempts?: number;
  /** Give up waiting for readiness after this long. Default 120 s (2 shared cores). */
  readonly readyTimeoutMs?: number;
  /** JVM max heap in MB. Default 512. */
  readonly heapMb?: number;
  /** Extra / overriding `server.properties` entries. */
  readonly extraProperties?: Readonly<Record<string, string>>;
  /** Progress messages (default: silent). */
  readonly log?: (message: string) => void;
}

export interface RunningBroker {
  /** `127.0.0.1:<port>` — pass to clients as the bootstrap servers. */
  readonly bootstrapServers: string;
  readonly port: number;
  readonly controllerPort: number;
  /** Process group id of the broker (the `sh` wrapper's pid; the JVM and watchdog are in it). */
  readonly pgid: number;
  /** Fresh temp dir holding config, data and logs; removed by `stop()`. */
  readonly dir: string;
  /** log4j output of the broker. */
  readonly logFile: string;
  /** Milliseconds from the start of `startBroker` until the broker answered an admin call. */
  readonly readyMs: number;
  /** Launch attempts used (more than 1 after a port conflict). */
  readonly attempts: number;
  stop(): Promise<void>;
}

export class BrokerStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
    readonly bindConflict: boolean,
  ) {
    super(logTail ? `${message}\n--- broker log tail ---\n${logTail}` : message);
    this.name = 'BrokerStartError';
  }
}

// ---------------------------------------------------------------------------------------------
// Jars

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
export async function resolveKafkaJars(options: Pick<BrokerOptions, 'cacheDir' | 'log'> = {}): Promise<string> {
  const log = options.log ?? (() => {});
  const { version, hash } = pomInfo();
  const base = join(options.cacheDir ?? defaultCacheDir(), `kafka-${version}`);
  const libs = join(base, 'libs');
  if (libsValid(libs, hash)) return libs;

  await mkdir(base, { recursive: true });
  const staging = join(base, `libs.resolving-${process.pid}-${randomBytes(4).toString('hex')}`);
  log(`resolving Kafka ${version} jars with Maven into ${libs}`);
  const started = Date.now();
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', POM_PATH, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 },
  );
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

// ---------------------------------------------------------------------------------------------
// Processes

function javaBin(): string {
  const home = process.env['JAVA_HOME'];
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Start time (clock ticks since boot) of a live, non-zombie process, or undefined. Linux only. */
function procStat(pid: number): { state: string; pgrp: number; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] = state (field 3), fields[2] = pgrp (field 5), fields[19] = starttime (field 22)
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

const HAS_PROC = existsSync('/proc/self/stat');

function processAlive(pid: number, startTime?: string): boolean {
  if (HAS_PROC) {
    const st = procStat(pid);
    if (!st || st.state === 'Z') return false;
    return startTime === undefined || startTime === '' || st.start === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of live (non-zombie) members of a process group. */
function groupMembers(pgid: number): number[] {
  if (!HAS_PROC) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (st && st.pgrp === pgid && st.state !== 'Z') members.push(pid);
  }
  return members;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (groupMembers(pgid).length === 0) return true;
    await delay(25);
  }
  return groupMembers(pgid).length === 0;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Brokers started by this process, killed synchronously if it exits without stopping them. */
const live = new Map<number, string>();
let exitHookInstalled = false;
function trackLive(pgid: number, dir: string): void {
  live.set(pgid, dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [g, d] of live) {
      killGroup(g, 'SIGKILL');
      if (!process.env['TRIBUTARY_KEEP_BROKER_DIR']) rmSync(d, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Stale temp dirs

interface Owner {
  readonly ownerPid: number;
  readonly ownerStart: string;
  readonly createdAt: string;
  pgid?: number;
}

function ownerOfSelf(): Owner {
  return { ownerPid: process.pid, ownerStart: procStat(process.pid)?.start ?? '', createdAt: new Date().toISOString() };
}

/**
 * Removes `tributary-kafka-*` temp dirs left by crashed runs: those whose owning process is gone
 * (pid + start time, so a recycled pid is not mistaken for the owner). If such a run left its JVM
 * behind, that process group is killed first — but only when its command line names that very dir.
 * Dirs of live owners, and young dirs without an owner file, are left alone. Returns removed dirs.
 */
export async function cleanStaleBrokerDirs(root: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(root, name);
    let owner: Owner | undefined;
    try {
      owner = JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')) as Owner;
    } catch {
      owner = undefined;
    }
    if (owner) {
      if (processAlive(owner.ownerPid, owner.ownerStart)) continue;
      if (owner.pgid !== undefined) {
        const orphans = groupMembers(owner.pgid).filter((pid) => commandLine(pid).includes(dir));
        if (orphans.length > 0) {
          killGroup(owner.pgid, 'SIGKILL');
          await waitGroupGone(owner.pgid, 5_000);
        }
      }
    } else {
      try {
        if (Date.now() - (await stat(dir)).mtimeMs < UNOWNED_GRACE_MS) continue;
      } catch {
        continue;
      }
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Start / stop

async function freePort(preferred?: number): Promise<{ port: number; release: () => Promise<void> }> {
  const tryListen = (port: number) =>
    new Promise<{ port: number; release: () => Promise<void> } | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        const address = server.address();
        const actual = typeof address === 'object' && address ? address.port : port;
        resolve({ port: actual, release: () => new Promise<void>((r) => server.close(() => r())) });
      });
    });
  if (preferred !== undefined) {
    const got = await tryListen(preferred);
    if (got) return got;
  }
  const any = await tryListen(0);
  if (!any) throw new Error('no free loopback port');
  return any;
}

/** Two distinct free ports (held open together so they differ), released before returning. */
async function pickPorts(preferred: number | undefined, probe: boolean): Promise<[number, number]> {
  if (!probe && preferred !== undefined) {
    const c = await freePort();
    await c.release();
    return [preferred, c.port];
  }
  const a = await freePort(preferred);
  const b = await freePort();
  await Promise.all([a.release(), b.release()]);
  return [a.port, b.port];
}

/** A Kafka `Uuid` string (base64url of 16 random bytes), as `StorageTool random-uuid` prints. */
function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && !/^A+$/.test(id)) return id;
  }
}

function serverProperties(dir: string, port: number, controllerPort: number, extra: Readonly<Record<string, string>>): string {
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
    'log.cleaner.dedupe.buffer.size': String(32 * 1024 * 1024),
    ...extra,
  };
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v.replaceAll('\\', '\\\\')}`)
    .join('\n')
    .concat('\n');
}

function log4jProperties(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${logFile.replaceAll('\\', '\\\\')}`,
    'log4j.appender.file.Append=true',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.kafka.authorizer.logger=WARN',
    '',
  ].join('\n');
}

function tail(file: string, lines: number): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function logTail(dir: string): string {
  const parts: string[] = [];
  const jvm = tail(join(dir, 'jvm.out'), 30);
  const server = tail(join(dir, 'server.log'), 40);
  if (server) parts.push(`[server.log]\n${server}`);
  if (jvm) parts.push(`[jvm stdout/stderr]\n${jvm}`);
  return parts.join('\n');
}

const BIND_CONFLICT = /Address already in use|BindException/;

/**
 * Shell wrapper, group leader of the broker: runs the JVM in the background, plus a watchdog that
 * reads the wrapper's stdin (a pipe from this Node process) and kills the JVM at EOF, i.e. when
 * this process exits for any reason. Exits with the JVM's status.
 */
const WRAPPER = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'j=$!',
  '( cat <&3 >/dev/null; kill -KILL "$j" 2>/dev/null ) &',
  'exec 3<&-',
  'wait "$j"',
].join('\n');

async function formatStorage(java: string, libs: string, dir: string, propsFile: string, log4jFile: string): Promise<void> {
  const out = spawnSync(
    java,
    [
      '-Xmx256m',
      `-Dlog4j.configuration=${pathToFileURL(log4jFile).href}`,
      '-cp',
      join(libs, '*'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      kafkaClusterId(),
      '-c',
      propsFile,
      '--ignore-formatted',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  if (out.error) {
    throw new BrokerStartError(`cannot run '${java}' (${String(out.error)}); install a JDK 11+ or set JAVA_HOME`, '', false);
  }
  if (out.status !== 0) {
    throw new BrokerStartError(`kafka.tools.StorageTool format failed (exit ${out.status})`, `${out.stdout}${out.stderr}`.slice(-4000), false);
  }
}

async function probeReady(bootstrap: string): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'tributary-broker-probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.some((b) => b.nodeId === 1);
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

interface Launched {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

function launch(java: string, libs: string, dir: string, heapMb: number): Launched {
  const out = openSync(join(dir, 'jvm.out'), 'a');
  const child = spawn(
    'sh',
    [
      '-c',
      WRAPPER,
      'tributary-kafka',
      java,
      `-Xmx${heapMb}m`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      '-Djava.net.preferIPv4Stack=true',
      `-Dlog4j.configuration=${pathToFileURL(join(dir, 'log4j.properties')).href}`,
      `-Dkafka.logs.dir=${dir}`,
      '-cp',
      join(libs, '*'),
      'kafka.Kafka',
      join(dir, 'server.properties'),
    ],
    { cwd: dir, detached: true, stdio: ['pipe', out, out] },
  );
  closeSync(out);
  child.stdin?.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  return { child, exited };
}

async function stopGroup(pgid: number, exited: Promise<unknown>): Promise<void> {
  killGroup(pgid, 'SIGKILL');
  await exited;
  if (!(await waitGroupGone(pgid, 15_000))) {
    throw new Error(`broker process group ${pgid} still has live members: ${groupMembers(pgid).join(', ')}`);
  }
}

/**
 * Starts a fresh single-node Kafka broker and resolves once it answers an admin request.
 * Fails with a `BrokerStartError` carrying the tail of the broker log if it dies during start.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const libs = await resolveKafkaJars(options);
  const removed = await cleanStaleBrokerDirs();
  if (removed.length > 0) log(`removed ${removed.length} stale broker dir(s): ${removed.join(', ')}`);
  const java = javaBin();
  const maxAttempts = options.maxAttempts ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  let preferred = options.port;

  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    const owner = ownerOfSelf();
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
    const [port, controllerPort] = await pickPorts(preferred, options.probePorts ?? true);
    preferred = undefined;
    const propsFile = join(dir, 'server.properties');
    const log4jFile = join(dir, 'log4j.properties');
    const logFile = join(dir, 'server.log');
    writeFileSync(propsFile, serverProperties(dir, port, controllerPort, options.extraProperties ?? {}));
    writeFileSync(log4jFile, log4jProperties(logFile));

    let launched: Launched | undefined;
    try {
      await formatStorage(java, libs, dir, propsFile, log4jFile);
      launched = launch(java, libs, dir, options.heapMb ?? 512);
      const pgid = launched.child.pid;
      if (pgid === undefined) throw new BrokerStartError('could not spawn the broker process', logTail(dir), false);
      writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ ...owner, pgid }));
      trackLive(pgid, dir);
      log(`attempt ${attempt}: broker pid group ${pgid} on 127.0.0.1:${port} (controller ${controllerPort}), dir ${dir}`);

      const bootstrap = `127.0.0.1:${port}`;
      let exitCode: number | null | undefined;
      void launched.exited.then((code) => {
        exitCode = code;
      });
      const deadline = started + readyTimeoutMs;
      for (;;) {
        if (exitCode !== undefined) {
          const tailText = logTail(dir);
          throw new BrokerStartError(`Kafka broker exited during start (code ${exitCode})`, tailText, BIND_CONFLICT.test(tailText));
        }
        if (await probeReady(bootstrap)) break;
        if (Date.now() > deadline) {
          throw new BrokerStartError(`Kafka broker not ready after ${readyTimeoutMs} ms`, logTail(dir), false);
        }
        await delay(100);
      }
      const readyMs = Date.now() - started;
      const running = launched;
      let stopped: Promise<void> | undefined;
      const broker: RunningBroker = {
        bootstrapServers: bootstrap,
        port,
        controllerPort,
        pgid,
        dir,
        logFile,
        readyMs,
        attempts: attempt,
        stop: () => {
          stopped ??= (async () => {
            await stopGroup(pgid, running.exited);
            live.delete(pgid);
            if (!process.env['TRIBUTARY_KEEP_BROKER_DIR']) await rm(dir, { recursive: true, force: true });
          })();
          return stopped;
        },
      };
      return broker;
    } catch (err) {
      if (launched?.child.pid !== undefined) {
        await stopGroup(launched.child.pid, launched.exited).catch(() => {});
        live.delete(launched.child.pid);
      }
      await rm(dir, { recursive: true, force: true });
      if (err instanceof BrokerStartError && err.bindConflict && attempt < maxAttempts) {
        log(`attempt ${attempt}: port conflict on ${port}/${controllerPort}, retrying on other ports`);
        continue;
      }
      throw err;
    }
  }
}

/** Stops a broker: kills its process group, waits until no member is alive, removes its temp dir. */
export function stopBroker(broker: RunningBroker): Promise<void> {
  return broker.stop();
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv: readonly string[]): Promise<void> {
  const say = (m: string) => process.stderr.write(`[kafka-broker] ${m}\n`);
  if (argv[0] === 'resolve') {
    const libs = await resolveKafkaJars({ log: say });
    process.stdout.write(`${libs}\n`);
    return;
  }
  if (argv[0] === 'clean') {
    const removed = await cleanStaleBrokerDirs();
    process.stdout.write(`${removed.length} stale dir(s) removed\n`);
    return;
  }
  const portArg = argv.indexOf('--port');
  const port = portArg >= 0 ? Number(argv[portArg + 1]) : undefined;
  const broker = await startBroker({ ...(port !== undefined ? { port } : {}), log: say });
  say(`ready in ${broker.readyMs} ms; log: ${broker.logFile}`);
  process.stdout.write(`KAFKA_BOOTSTRAP_SERVERS=${broker.bootstrapServers}\n`);
  say('press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  say('stopping');
  await broker.stop();
  say('stopped');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`[kafka-broker] ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
