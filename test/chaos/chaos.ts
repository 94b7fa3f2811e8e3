/**
 * The chaos harness: runs the chaos workload (`workload.ts`) in 2–3 runner processes against a
 * broker of its own, SIGKILLs random runners at random moments (replacements reuse the dead
 * runner's state directory, so stale state without a checkpoint must be wiped), crash-restarts the
 * broker once, then reads the read_committed outputs and reconciles them with the model.
 *
 * ```
 *  produce input (paced, background) ─┐
 *  runners r0..rN ◀── SIGKILL + replace ├─▶ phase 1: group committed input offsets = input end
 *  broker ◀── crash-restart once ──────┘   phase 2: committed repartition offsets past the last
 *                                                   committed repartition record
 *                                          SIGTERM every runner (graceful close), then verify:
 *   repartition: every input id exactly once (EOS) / at least once (ALOS)
 *   output: last {c, s} per user+window = model (EOS) / c ≥ model, nothing missing (ALOS);
 *           emitted counts per window strictly increase (EOS: no duplicated update)
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClientProperties } from '../../lib/app/client-properties.js';
import { createKafkaClient } from '../../lib/kafka/index.js';
import type { Admin, IncomingRecord, KafkaClient } from '../../lib/kafka/types.js';
import { startBroker, type RunningBroker } from '../../scripts/kafka-broker.js';
import { startCluster, type RunningCluster } from '../../scripts/kafka/cluster.js';
import { aggregateSerde, chaosBase, GROUP_NAME, PARTITIONS, STORE_NAME, referenceModel, timestampOf, userOf, windowedKeySerde } from './workload.js';
import { fetchedBatches, outgoingBatch } from '../../lib/kafka/columns.js';

export interface ChaosOptions {
  readonly records: number;
  readonly runners: number;
  readonly kills: number;
  readonly guarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  /** Partitions of the input and output topics. Default 4 (`PARTITIONS`). */
  readonly partitions?: number;
  /** Spread of the input over time (the chaos happens meanwhile). */
  readonly produceOverMs: number;
  /** Gap between kills, uniformly random in [min, max]. */
  readonly killGapMs: readonly [number, number];
  readonly restartBroker: boolean;
  readonly commitIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  /** Give up waiting for completion after this long. */
  readonly completionTimeoutMs: number;
  readonly seed?: number;
  readonly log?: (message: string) => void;
  /** Use this broker instead of starting one (no restart then). */
  readonly bootstrapServers?: string;
  /** A client.properties (security settings) for the harness and every runner, e.g. SASL_SSL or mutual TLS. */
  readonly clientConfig?: string;
  /** The runners' Kafka client library (default: CHAOS_KAFKA_CLIENT, else the app's default). */
  readonly kafkaClient?: 'kafkajs' | 'platformatic' | undefined;
  /**
   * Run on a KRaft cluster of this many nodes (RF 3, min.insync.replicas 2) and, instead of a broker
   * restart, SIGKILL + restart `leaderKills` times the leader of a partition of the input, changelog
   * and repartition topics in turn.
   */
  readonly cluster?: { readonly brokers: number; readonly leaderKills: number; readonly downMs: readonly [number, number] };
}

export interface ChaosReport {
  readonly guarantee: string;
  readonly records: number;
  readonly kills: number;
  readonly brokerRestarts: number;
  readonly runnerStarts: number;
  readonly windows: number;
  /** Input ids seen more than once / never in the committed repartition topic. */
  readonly repartitionDuplicates: number;
  readonly repartitionMissing: number;
  /** Windows whose final aggregate is above / below / equal to the model. */
  readonly windowsOver: number;
  readonly windowsUnder: number;
  readonly windowsExact: number;
  readonly windowsMissing: number;
  /** Sum of final counts minus the number of input records (0 = every contribution counted once). */
  readonly countSurplus: number;
  /** Output updates of a window whose count did not increase over the previous committed one. */
  readonly nonIncreasingUpdates: number;
  readonly outputRecords: number;
  /** Input records read back, repartition records at verification (first read and re-read). */
  readonly inputRecords: number;
  readonly repartitionRecords: number;
  readonly repartitionReread: number;
  /** First ranges of input ids missing from the repartition topic. */
  readonly missingRanges: readonly string[];
  /** Fencing / recovery events the runners logged. */
  readonly migrationsLogged: number;
  readonly recoveriesLogged: number;
  /** Runners that did not exit within 60 s of SIGTERM once processing was complete (then SIGKILLed). */
  readonly closeTimeouts: number;
  readonly elapsedMs: number;
  readonly phaseMs: { readonly processing: number; readonly verify: number };
  /** Cluster runs: leader SIGKILLs, partitions (of input, changelog, repartition) whose leader moved, replica counts seen. */
  readonly leaderKills?: number;
  readonly leaderChanges?: number;
  readonly replicationFactors?: readonly number[];
}

const RUNNER = fileURLToPath(new URL('./runner.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export interface RunnerConfig {
  readonly bootstrap: string;
  readonly appId: string;
  readonly input: string;
  readonly output: string;
  readonly stateDir: string;
  readonly name: string;
  readonly guarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  readonly commitIntervalMs?: number | undefined;
  readonly sessionTimeoutMs?: number | undefined;
  readonly clientConfig?: string | undefined;
  /** The app's Kafka client library (default: CHAOS_KAFKA_CLIENT, else the app's default). */
  readonly kafkaClient?: 'kafkajs' | 'platformatic' | undefined;
}

/** Starts `runner.ts` as a child process; `onLine` sees each JSON line it prints. */
export function spawnRunner(c: RunnerConfig, onLine: (line: string) => void, log: (m: string) => void = () => {}): Runner {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
    env: {
      ...process.env,
      CHAOS_BOOTSTRAP: c.bootstrap,
      CHAOS_APP_ID: c.appId,
      CHAOS_INPUT: c.input,
      CHAOS_OUTPUT: c.output,
      CHAOS_STATE_DIR: c.stateDir,
      CHAOS_RUNNER: c.name,
      CHAOS_GUARANTEE: c.guarantee,
      CHAOS_COMMIT_MS: String(c.commitIntervalMs ?? (c.guarantee === 'at_least_once' ? 1000 : 100)),
      CHAOS_SESSION_MS: String(c.sessionTimeoutMs ?? 6000),
      CHAOS_CLIENT_CONFIG: c.clientConfig ?? '',
      // Default: the caller's CHAOS_KAFKA_CLIENT (so any chaos run can be repeated with platformatic).
      CHAOS_KAFKA_CLIENT: c.kafkaClient ?? process.env['CHAOS_KAFKA_CLIENT'] ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const r: Runner = {
    name: c.name,
    stateDir: c.stateDir,
    child,
    alive: true,
    exited: new Promise((resolve) =>
      child.once('exit', (code) => {
        r.alive = false;
        if (code !== 0 && code !== null) log(`${c.name} exited ${code}: ${stderr.slice(-1500)}`);
        resolve(code);
      }),
    ),
  };
  return r;
}

export interface Runner {
  readonly name: string;
  readonly stateDir: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  alive: boolean;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const random = rng(options.seed ?? Date.now());
  const started = Date.now();
  let broker: RunningBroker | undefined;
  let cluster: RunningCluster | undefined;
  const bootstrap =
    options.bootstrapServers ??
    (options.cluster
      ? (cluster = await startCluster({
          brokers: options.cluster.brokers,
          log,
          extraProperties: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000' },
        })).bootstrapServers
      : (broker = await startBroker({ extraProperties: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000' } })).bootstrapServers);
  log(`broker ${bootstrap}${broker ? ` (own, ready in ${broker.readyMs} ms)` : ''}`);
  const security = options.clientConfig ? loadClientProperties(options.clientConfig).security : undefined;
  // The harness (input producer, readers, admin) uses the runners' client when one is named.
  const harnessClient = options.kafkaClient ?? (process.env['CHAOS_KAFKA_CLIENT'] as 'kafkajs' | 'platformatic' | undefined) ?? undefined;
  const client = createKafkaClient({
    bootstrapServers: bootstrap,
    clientId: 'chaos-harness',
    ...(harnessClient ? { client: harnessClient } : {}),
    ...(security ? { security } : {}),
  });
  const admin = client.admin();
  await admin.connect();
  const suffix = `${Date.now().toString(36)}-${Math.floor(random() * 1e6)}`;
  const appId = `chaos-${options.guarantee === 'exactly_once' ? 'eos' : options.guarantee === 'exactly_once_v2' ? 'eos2' : 'alos'}-${suffix}`;
  const partitions = options.partitions ?? PARTITIONS;
  const input = `chaos-in-${suffix}`;
  const output = `chaos-out-${suffix}`;
  const repartition = `${appId}-${GROUP_NAME}-repartition`;
  await admin.createTopics([
    { topic: input, numPartitions: partitions },
    { topic: output, numPartitions: partitions },
  ]);
  const stateRoot = mkdtempSync(join(tmpdir(), 'tributary-chaos-'));
  const runners: Runner[] = [];
  let runnerStarts = 0;
  let migrationsLogged = 0;
  let recoveriesLogged = 0;
  let closeTimeouts = 0;

  const startRunner = (stateDir: string): Runner => {
    const r = spawnRunner(
      {
        bootstrap,
        appId,
        input,
        output,
        stateDir,
        name: `r${runnerStarts++}`,
        guarantee: options.guarantee,
        commitIntervalMs: options.commitIntervalMs,
        sessionTimeoutMs: options.sessionTimeoutMs,
        clientConfig: options.clientConfig,
        kafkaClient: options.kafkaClient,
      },
      (line) => {
        if (/migrated|fenced/i.test(line)) migrationsLogged++;
        if (/retriable failure/.test(line)) recoveriesLogged++;
        if (/"event":"(fatal|exit)"|"level":"error"|migrated/.test(line)) log(line.slice(0, 400));
      },
      log,
    );
    runners.push(r);
    log(`started ${r.name} (state ${stateDir})`);
    return r;
  };

  try {
    for (let i = 0; i < options.runners; i++) startRunner(mkdtempSync(join(stateRoot, `slot${i}-`)));

    const base = chaosBase(options.records);
    const producing = produceInput(client, input, options.records, options.produceOverMs, base, 0, partitions);
    // Cluster runs: SIGKILL the leader of an input / changelog / repartition partition, restart it.
    const changelog = `${appId}-${STORE_NAME}-changelog`;
    let leaderKills = 0;
    let leaderChanges = 0;
    if (cluster && options.cluster) {
      const c = cluster;
      const watched = [input, changelog, repartition];
      const snapshot = async () =>
        new Map((await Promise.all(watched.map(async (t) => (await c.leaders(t).catch(() => [])).map((l, p) => [`${t}/${p}`, l] as const)))).flat());
      await sleep(options.killGapMs[0]);
      while (leaderKills < options.cluster.leaderKills) {
        const topic = watched[leaderKills % watched.length]!;
        const leaders = await c.leaders(topic).catch(() => [] as number[]);
        const partition = Math.floor(random() * Math.max(1, leaders.length));
        const victim = leaders[partition];
        if (victim === undefined || victim < 0) {
          await sleep(500); // the topic is not created yet, or the partition has no leader right now
          continue;
        }
        const before = await snapshot();
        await c.kill(victim);
        leaderKills++;
        const [lo, hi] = options.cluster.downMs;
        const upAt = Date.now() + lo + Math.floor(random() * (hi - lo));
        // The node stays down until the metadata shows the partition's new leader (a kill that moved
        // no leader tests no failover; on a loaded machine the election can outlast the down time).
        const moveDeadline = Date.now() + Math.max(hi, 30_000);
        let moved = false;
        while (Date.now() < moveDeadline) {
          const now = (await c.leaders(topic).catch(() => [] as number[]))[partition];
          if (now !== undefined && now >= 0 && now !== victim) {
            moved = true;
            break;
          }
          await sleep(250);
        }
        const during = await snapshot();
        if (upAt > Date.now()) await sleep(upAt - Date.now());
        let changes = 0;
        for (const [k, l] of during) if (before.get(k) !== undefined && before.get(k) !== l) changes++;
        leaderChanges += Math.max(changes, moved ? 1 : 0);
        const r = await c.restart(victim);
        log(`leader kill ${leaderKills}/${options.cluster.leaderKills}: node ${victim} (leader of ${topic}/${partition}), back in ${r.readyMs} ms`);
        const [glo, ghi] = options.killGapMs;
        await sleep(glo + Math.floor(random() * (ghi - glo)));
      }
    }
    // The chaos: kills at random moments, the broker restart once in the middle.
    let kills = 0;
    let brokerRestarts = 0;
    const restartAt = broker && options.restartBroker ? Math.max(1, Math.floor(options.kills / 2)) : -1;
    await sleep(options.killGapMs[0]);
    while (kills < options.kills) {
      const live = runners.filter((r) => r.alive);
      const victim = live[Math.floor(random() * live.length)];
      if (victim !== undefined) {
        victim.child.kill('SIGKILL');
        await victim.exited;
        kills++;
        log(`kill ${kills}/${options.kills}: SIGKILL ${victim.name}`);
        await sleep(Math.floor(random() * 1500));
        startRunner(victim.stateDir);
      }
      if (kills === restartAt) {
        log('broker: crash-restart');
        const r = await broker!.restart({ downMs: 1000 });
        brokerRestarts++;
        log(`broker back in ${r.readyMs} ms`);
      }
      const [lo, hi] = options.killGapMs;
      await sleep(lo + Math.floor(random() * (hi - lo)));
    }
    await producing;
    log(`input produced (${options.records}); waiting for completion`);

    const deadline = Date.now() + options.completionTimeoutMs;
    await waitCommitted(admin, appId, input, options.records, deadline, log);
    const repartitionRecords = await readAll(client, repartition);
    const lastData = new Map<number, number>();
    for (const r of repartitionRecords) lastData.set(r.partition, Math.max(lastData.get(r.partition) ?? -1, r.offset));
    await waitRepartitionCommitted(admin, appId, repartition, lastData, deadline, log);
    const processingMs = Date.now() - started;
    log(`processing complete after ${processingMs} ms; closing runners gracefully`);
    for (const r of runners) if (r.alive) r.child.kill('SIGTERM');
    // A close that hangs is reported, then the runner is killed (the verification reads committed
    // data only, so it does not depend on a clean close).
    const codes = await Promise.all(
      runners
        .filter((r) => r.alive)
        .map(async (r) => {
          const code = await Promise.race([r.exited, sleep(60_000).then(() => 'close timed out' as const)]);
          if (code === 'close timed out') {
            closeTimeouts++;
            r.child.kill('SIGKILL');
            await r.exited;
          }
          return code;
        }),
    );
    if (codes.some((c) => c !== 0)) log(`graceful exits: ${codes.join(',')}`);

    const verifyStart = Date.now();
    const outputRecords = await readAll(client, output);
    const inputRecords = (await readAll(client, input)).length;
    const repartitionReread = (await readAll(client, repartition)).length;
    const report = verify({ records: options.records, base }, repartitionRecords, outputRecords);
    return {
      ...report,
      inputRecords,
      repartitionRecords: repartitionRecords.length,
      repartitionReread,
      guarantee: options.guarantee,
      records: options.records,
      kills,
      brokerRestarts,
      runnerStarts,
      migrationsLogged,
      recoveriesLogged,
      closeTimeouts,
      elapsedMs: Date.now() - started,
      phaseMs: { processing: processingMs, verify: Date.now() - verifyStart },
      ...(cluster
        ? {
            leaderKills,
            leaderChanges,
            replicationFactors: [...new Set((await Promise.all([input, output, changelog, repartition].map((t) => cluster!.replicas(t)))).flat())],
          }
        : {}),
    };
  } finally {
    for (const r of runners) if (r.alive) r.child.kill('SIGKILL');
    await Promise.all(runners.map((r) => r.exited));
    await admin.disconnect().catch(() => undefined);
    await broker?.stop();
    await cluster?.stop();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

/** Produces ids 0..n-1 (value `id|user`, timestamp from the id), paced evenly over `overMs`. */
export async function produceInput(
  client: KafkaClient,
  topic: string,
  n: number,
  overMs: number,
  base: number,
  from0 = 0,
  partitions = PARTITIONS,
): Promise<void> {
  // Transactional: a send kafkajs wrote twice while a leader moved (or half-sent before failing)
  // is aborted and sent again, so the input holds every id once (an idempotent producer alone
  // cannot undo such duplicates). A commit whose outcome is unknown is the one residual risk.
  const producer = client.producer({ clientId: 'chaos-input', transactionalId: `chaos-input-${topic}-${from0}` });
  // A node killed while the producer initializes its transactional id fails the connect: retry it.
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.connect();
      break;
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(500);
    }
  }
  const chunk = 2000;
  const started = Date.now();
  try {
    for (let from = from0; from < n; from += chunk) {
      const batch = [];
      for (let id = from; id < Math.min(n, from + chunk); id++) {
        batch.push({ topic, partition: id % partitions, key: null, value: Buffer.from(`${id}|${userOf(id)}`), timestamp: timestampOf(id, base) });
      }
      for (;;) {
        try {
          await producer.beginTransaction();
          await producer.send(outgoingBatch(batch));
          await producer.commitTransaction();
          break;
        } catch {
          if (producer.inTransaction) await producer.abortTransaction().catch(() => undefined);
          await sleep(500);
        }
      }
      const due = started + (overMs * (from - from0 + chunk)) / (n - from0);
      if (due > Date.now()) await sleep(due - Date.now());
    }
  } finally {
    await producer.disconnect();
  }
}

async function committedSum(admin: Admin, group: string, topic: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const o of await admin.fetchCommittedOffsets(group, [topic])) if (o.topic === topic) out.set(o.partition, o.offset);
  return out;
}

export async function waitCommitted(admin: Admin, group: string, topic: string, records: number, deadline: number, log: (m: string) => void): Promise<void> {
  let last = '';
  for (;;) {
    try {
      const committed = await committedSum(admin, group, topic);
      const sum = [...committed.values()].reduce((a, b) => a + b, 0);
      if (sum >= records) return;
      const line = `input committed ${sum}/${records}`;
      if (line !== last) log(line);
      last = line;
    } catch (error) {
      log(`waiting: ${String(error)}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out: input not fully committed (${last})`);
    await sleep(1000);
  }
}

export async function waitRepartitionCommitted(
  admin: Admin,
  group: string,
  topic: string,
  lastData: Map<number, number>,
  deadline: number,
  log: (m: string) => void,
): Promise<void> {
  for (;;) {
    const committed = await committedSum(admin, group, topic);
    const behind = [...lastData].filter(([p, off]) => (committed.get(p) ?? 0) <= off);
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out: repartition partitions ${behind.map(([p]) => p).join(',')} not fully committed`);
    log(`repartition behind on ${behind.length} partition(s)`);
    await sleep(1000);
  }
}

/** Every committed record of a topic (read_committed), once no transaction is open on it. */
export async function readAll(client: KafkaClient, topic: string): Promise<IncomingRecord[]> {
  const admin = client.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = client.consumer({ groupId: `chaos-verify-${Date.now()}-${Math.random().toString(36).slice(2)}`, autoOffsetReset: 'earliest' });
  await consumer.connect();
  const tps = ends.map((e) => ({ topic, partition: e.partition }));
  await consumer.assign(tps);
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      for (const b of fetchedBatches(await consumer.poll(200))) for (const r of b.records) out.push(r);
      if (ends.every((e) => (consumer.position({ topic, partition: e.partition }) ?? -1) >= e.high)) break;
      if (Date.now() > deadline) throw new Error(`reading ${topic}: did not reach the end offsets`);
    }
  } finally {
    await consumer.close();
  }
  return out;
}

export function verify(
  options: { readonly records: number; readonly base: number },
  repartitionRecords: readonly IncomingRecord[],
  outputRecords: readonly IncomingRecord[],
) {
  const seen = new Uint8Array(options.records);
  let repartitionDuplicates = 0;
  for (const r of repartitionRecords) {
    const v = r.value!.toString();
    const id = Number(v.slice(0, v.indexOf('|')));
    if (seen[id]! > 0) repartitionDuplicates++;
    seen[id] = Math.min(255, seen[id]! + 1);
  }
  let repartitionMissing = 0;
  const missingRanges: string[] = [];
  for (let i = 0; i < options.records; i++) {
    if (seen[i] !== 0) continue;
    repartitionMissing++;
    let j = i;
    while (j + 1 < options.records && seen[j + 1] === 0) j++;
    if (missingRanges.length < 10) missingRanges.push(`${i}-${j}`);
    repartitionMissing += j - i;
    i = j;
  }

  const model = referenceModel(options.records, options.base);
  const last = new Map<string, { c: number; s: number }>();
  let nonIncreasingUpdates = 0;
  // Per partition in offset order: the committed sequence of updates of each window.
  const byPartition = new Map<number, IncomingRecord[]>();
  for (const r of outputRecords) {
    let list = byPartition.get(r.partition);
    if (!list) byPartition.set(r.partition, (list = []));
    list.push(r);
  }
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.offset - b.offset);
    for (const r of list) {
      const key = windowedKeySerde.deserialize(r.key!, r.topic);
      const agg = aggregateSerde.deserialize(r.value!, r.topic);
      const k = `${key.key}@${key.window.start}`;
      const prev = last.get(k);
      if (prev !== undefined && agg.c <= prev.c) nonIncreasingUpdates++;
      last.set(k, agg);
    }
  }
  let windowsOver = 0;
  let windowsUnder = 0;
  let windowsExact = 0;
  let windowsMissing = 0;
  let countSurplus = -options.records;
  for (const [k, expected] of model) {
    const got = last.get(k);
    if (got === undefined) {
      windowsMissing++;
      continue;
    }
    countSurplus += got.c;
    if (got.c === expected.c && got.s === expected.s) windowsExact++;
    else if (got.c > expected.c || (got.c === expected.c && got.s > expected.s)) windowsOver++;
    else windowsUnder++;
  }
  for (const [k, got] of last) if (!model.has(k)) countSurplus += got.c;
  return {
    windows: model.size,
    repartitionDuplicates,
    repartitionMissing,
    windowsOver,
    windowsUnder,
    windowsExact,
    windowsMissing,
    countSurplus,
    nonIncreasingUpdates,
    outputRecords: outputRecords.length,
    missingRanges,
  };
}
