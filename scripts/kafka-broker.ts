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
 *   stopBroker(): SIGKILL the whole group, wait until no member is alive, remove the dir.
 *
 * Helpers live in scripts/kafka/: jars.ts (Maven), config.ts (server/log4j properties),
 * processes.ts (process groups, stale dirs), logs.ts (log tails).
 *
 * CLI: `npm run broker` prints the bootstrap address (and, unless `--plain`, `TRIBUTARY_SECURE_BROKER=<json>`
 * describing the SSL and SASL_SSL listeners) and runs until Ctrl-C;
 * `npm run broker -- --brokers 3` starts a three-node KRaft cluster instead (scripts/kafka/cluster.ts);
 * `npm run broker -- resolve` only resolves the jars (CI).
 *
 * Env: `TRIBUTARY_CACHE_DIR` (jar cache, default `$XDG_CACHE_HOME/tributary` or `~/.cache/tributary`),
 * `JAVA_HOME` (else `java` on PATH), `TRIBUTARY_KEEP_BROKER_DIR=1` keeps the temp dir on stop,
 * `TRIBUTARY_BROKER_JVM_OPTS` replaces the JVM tuning flags (e.g. `""` for the full JIT in benchmarks).
 */
import '../lib/kafka/kafkajs/aborted-filter.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaClusterId, log4jProperties, serverProperties } from './kafka/config.js';
import { resolveKafkaJars } from './kafka/jars.js';
import { makeCertificates, scramFormatArgs, secureListeners, secureServerProperties, type SecureListeners } from './kafka/secure.js';
import { BIND_CONFLICT, FATAL_START, LogFollower, logTail } from './kafka/logs.js';
import { cleanStaleBrokerDirs, delay, DIR_PREFIX, groupMembers, killGroup, OWNER_FILE, ownerOfSelf, waitGroupGone } from './kafka/processes.js';

export { cleanStaleBrokerDirs } from './kafka/processes.js';
export { defaultCacheDir, resolveKafkaJars } from './kafka/jars.js';
export type { SecureListeners } from './kafka/secure.js';

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
  /**
   * JVM tuning flags. Default `$TRIBUTARY_BROKER_JVM_OPTS` (space-separated) or
   * `-XX:+UseSerialGC -XX:TieredStopAtLevel=1`: C1 only halves time to ready (~1.5 s vs ~3.5 s
   * here) at some cost in peak broker throughput; benchmarks may pass `[]` for the full JIT.
   */
  readonly jvmOptions?: readonly string[];
  /**
   * Also open SSL (mutual TLS) and SASL_SSL (SCRAM-SHA-512/256, PLAIN) listeners with a CA and
   * certificates made by openssl at start, SCRAM users, and the StandardAuthorizer (see
   * scripts/kafka/secure.ts). Default false.
   */
  readonly secure?: boolean;
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
  /** The secured listeners and their certificates (with `secure: true`); also written to `<dir>/secure.json`. */
  readonly secure: SecureListeners | undefined;
  stop(): Promise<void>;
  /**
   * Crash-restarts the broker in place (chaos tests): SIGKILLs its process group, waits `downMs`,
   * relaunches the JVM on the same data dir and ports, and resolves once it answers again.
   * Clients keep their bootstrap address. `pgid` changes; `stop()` stops the current process.
   */
  restart(options?: { readonly downMs?: number; readonly readyTimeoutMs?: number }): Promise<{ readonly readyMs: number }>;
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
// Processes

export function javaBin(): string {
  const home = process.env['JAVA_HOME'];
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Brokers started by this process, killed synchronously if it exits without stopping them. */
const live = new Map<number, string>();
let exitHookInstalled = false;
export function untrackLive(pgid: number): void {
  live.delete(pgid);
}

export function trackLive(pgid: number, dir: string): void {
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

/** `count` distinct free ports (held open together so they differ), released before returning; the first is `preferred` if free. */
export async function pickPorts(preferred: number | undefined, probe: boolean, count = 2): Promise<number[]> {
  const held = [];
  if (!probe && preferred !== undefined) {
    for (let i = 1; i < count; i++) held.push(await freePort());
    await Promise.all(held.map((h) => h.release()));
    return [preferred, ...held.map((h) => h.port)];
  }
  held.push(await freePort(preferred));
  for (let i = 1; i < count; i++) held.push(await freePort());
  await Promise.all(held.map((h) => h.release()));
  return held.map((h) => h.port);
}

/**
 * Shell wrapper, group leader of the broker: runs the JVM in the background, plus a watchdog that
 * reads the wrapper's stdin (a pipe from this Node process) and kills the JVM at EOF, i.e. when
 * this process exits for any reason. Exits with the JVM's status.
 */
const WRAPPER = ['exec 3<&0', '"$@" </dev/null &', 'j=$!', '( cat <&3 >/dev/null; kill -KILL "$j" 2>/dev/null ) &', 'exec 3<&-', 'wait "$j"'].join('\n');

export async function formatStorage(
  java: string,
  libs: string,
  dir: string,
  propsFile: string,
  log4jFile: string,
  extraArgs: readonly string[] = [],
  clusterId = kafkaClusterId(),
): Promise<void> {
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
      clusterId,
      '-c',
      propsFile,
      '--ignore-formatted',
      ...extraArgs,
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

/**
 * One readiness probe: a metadata request answered by node 1. Bounded by `timeoutMs` even when
 * something accepts the connection but never answers (kafkajs may then wait indefinitely).
 */
export async function probeReady(bootstrap: string, timeoutMs: number, nodeId = 1): Promise<true | string> {
  const kafka = new Kafka({
    clientId: 'tributary-broker-probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    // below the outer bound, so kafkajs fails (and closes) its own connection first
    requestTimeout: Math.max(500, timeoutMs - 1_000),
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const probe = (async (): Promise<true | string> => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.some((b) => b.nodeId === nodeId) || `node ${nodeId} not in metadata yet`;
  })().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  try {
    return await Promise.race([probe, timedOut]);
  } finally {
    clearTimeout(timer);
    await Promise.race([admin.disconnect().catch(() => {}), delay(1_000)]);
  }
}

export interface Launched {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

const DEFAULT_JVM_OPTIONS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

export function jvmTuning(options: Pick<BrokerOptions, 'jvmOptions'>): readonly string[] {
  if (options.jvmOptions) return options.jvmOptions;
  const env = process.env['TRIBUTARY_BROKER_JVM_OPTS'];
  return env !== undefined ? env.split(/\s+/).filter(Boolean) : DEFAULT_JVM_OPTIONS;
}

export function launch(java: string, libs: string, dir: string, heapMb: number, tuning: readonly string[]): Launched {
  const out = openSync(join(dir, 'jvm.out'), 'a');
  const child = spawn(
    'sh',
    [
      '-c',
      WRAPPER,
      'tributary-kafka',
      java,
      `-Xmx${heapMb}m`,
      ...tuning,
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

export async function stopGroup(pgid: number, exited: Promise<unknown>): Promise<void> {
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
    const [port, controllerPort, sslPort, saslSslPort] = (await pickPorts(preferred, options.probePorts ?? true, options.secure ? 4 : 2)) as [
      number,
      number,
      number?,
      number?,
    ];
    preferred = undefined;
    const propsFile = join(dir, 'server.properties');
    const log4jFile = join(dir, 'log4j.properties');
    const logFile = join(dir, 'server.log');
    let secure: SecureListeners | undefined;
    let secureProps: Record<string, string> = {};
    if (options.secure) {
      const files = makeCertificates(dir);
      const ports = { plain: port, controller: controllerPort, ssl: sslPort!, saslSsl: saslSslPort! };
      secureProps = secureServerProperties(ports, files);
      secure = secureListeners(ports, files);
      writeFileSync(join(dir, 'secure.json'), JSON.stringify(secure, null, 2));
    }
    writeFileSync(propsFile, serverProperties(dir, port, controllerPort, { ...secureProps, ...(options.extraProperties ?? {}) }));
    writeFileSync(log4jFile, log4jProperties(logFile));

    let launched: Launched | undefined;
    try {
      await formatStorage(java, libs, dir, propsFile, log4jFile, options.secure ? scramFormatArgs() : []);
      launched = launch(java, libs, dir, options.heapMb ?? 512, jvmTuning(options));
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
      const serverLog = new LogFollower(logFile);
      const jvmOut = new LogFollower(join(dir, 'jvm.out'));
      let bindConflict = false;
      let lastReport = Date.now();
      for (;;) {
        const fresh = serverLog.read() + jvmOut.read();
        bindConflict ||= BIND_CONFLICT.test(fresh);
        if (exitCode !== undefined || FATAL_START.test(fresh)) {
          const how = exitCode !== undefined ? `exited during start (code ${exitCode})` : 'failed during start';
          throw new BrokerStartError(`Kafka broker ${how}`, logTail(dir), bindConflict);
        }
        const probe = await probeReady(bootstrap, 3_000);
        if (probe === true) break;
        if (Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          log(`attempt ${attempt}: waiting for ${bootstrap}: ${probe}`);
        }
        if (Date.now() > deadline) {
          throw new BrokerStartError(`Kafka broker not ready after ${readyTimeoutMs} ms`, logTail(dir), false);
        }
        await delay(100);
      }
      const readyMs = Date.now() - started;
      let running = launched;
      let currentPgid = pgid;
      let stopped: Promise<void> | undefined;
      const broker: RunningBroker = {
        bootstrapServers: bootstrap,
        port,
        controllerPort,
        get pgid() {
          return currentPgid;
        },
        dir,
        logFile,
        readyMs,
        attempts: attempt,
        secure,
        restart: async (restartOptions = {}) => {
          if (stopped) throw new Error('restart after stop');
          await stopGroup(currentPgid, running.exited);
          live.delete(currentPgid);
          await delay(restartOptions.downMs ?? 0);
          const t0 = Date.now();
          running = launch(java, libs, dir, options.heapMb ?? 512, jvmTuning(options));
          if (running.child.pid === undefined) throw new BrokerStartError('could not respawn the broker process', logTail(dir), false);
          currentPgid = running.child.pid;
          trackLive(currentPgid, dir);
          const deadline = t0 + (restartOptions.readyTimeoutMs ?? readyTimeoutMs);
          let exited = false;
          void running.exited.then(() => (exited = true));
          for (;;) {
            if ((await probeReady(bootstrap, 3_000)) === true) return { readyMs: Date.now() - t0 };
            if (exited) throw new BrokerStartError('Kafka broker exited during restart', logTail(dir), false);
            if (Date.now() > deadline) throw new BrokerStartError('Kafka broker not ready after restart', logTail(dir), false);
            await delay(100);
          }
        },
        stop: () => {
          stopped ??= (async () => {
            await stopGroup(currentPgid, running.exited);
            live.delete(currentPgid);
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
  const brokersArg = argv.indexOf('--brokers');
  const brokers = brokersArg >= 0 ? Number(argv[brokersArg + 1]) : 1;
  if (!(Number.isInteger(brokers) && brokers >= 1 && brokers <= 5)) throw new Error(`--brokers must be 1-5, got ${argv[brokersArg + 1]}`);
  if (brokers > 1) {
    const { startCluster } = await import('./kafka/cluster.js');
    const cluster = await startCluster({ brokers, log: say });
    say(
      `${brokers} nodes ready in ${cluster.readyMs} ms (replication factor ${Math.min(3, brokers)}, min.insync.replicas ${Math.min(2, brokers)}); logs under ${cluster.dir}`,
    );
    process.stdout.write(`KAFKA_BOOTSTRAP_SERVERS=${cluster.bootstrapServers}\n`);
    say('press Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await cluster.stop();
    say('stopped');
    return;
  }
  const portArg = argv.indexOf('--port');
  const port = portArg >= 0 ? Number(argv[portArg + 1]) : undefined;
  const secure = !argv.includes('--plain');
  const broker = await startBroker({ ...(port !== undefined ? { port } : {}), secure, log: say });
  say(`ready in ${broker.readyMs} ms; log: ${broker.logFile}`);
  process.stdout.write(`KAFKA_BOOTSTRAP_SERVERS=${broker.bootstrapServers}\n`);
  if (broker.secure) {
    say(`SSL (mutual TLS) ${broker.secure.sslBootstrap}, SASL_SSL ${broker.secure.saslSslBootstrap}; CA and client certificate in ${broker.dir}`);
    process.stdout.write(`TRIBUTARY_SECURE_BROKER=${join(broker.dir, 'secure.json')}\n`);
  }
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
