/**
 * bench:peers — tributary and its peers side by side, in the same run, on the same broker and the
 * same input topics: Kafka Streams 3.9.1 (Java, from Maven) and Quix Streams 3.28.1 (Python, from
 * PyPI). Each engine is its own child process (so its peak RSS is its own); see bench/peers/.
 * tributary runs once per Kafka client in `BENCH_KAFKA_CLIENT` (config `kafkaClient`; default
 * both: `tributary-kafkajs` and `tributary-platformatic` are two engines of the same run).
 *
 * Input (a fresh 4-partition topic per engine run, the same records every time): N records of the seed's transaction JSON
 * (~170 bytes, `TransactionGenerator`, no late or malformed ones), keyed by account id, record
 * timestamp = event time, 5 ms of event time apart (1M records span ~83 minutes; more apart for N < 200k).
 *
 * Cases (all exactly-once, 100 ms commit interval, read from the beginning):
 * - `stateless`: filter(amount > 0) ─▶ mapValues(+ amount_cents) ─▶ to(output). Expected output:
 *   one record per input with amount > 0 (all of them, in the seed's data).
 * - `windowed`: selectKey(merchant_id) ─▶ groupByKey (repartition) ─▶ 1-minute tumbling windows,
 *   grace G ─▶ count ─▶ suppress(untilWindowCloses) ─▶ to(output). Quix: group_by ─▶
 *   tumbling_window(...).count().final(closing_strategy="partition") (windows close on the
 *   partition's stream time, as in Kafka Streams). G (env `PEERS_GRACE_MS`, the same for every
 *   engine) is larger than the input's event-time span plus two windows, so no record can be late
 *   however the 4 upstream tasks interleave over the repartition topic (each downstream task has its
 *   own stream time). Once the engine's consumer group has committed the whole input, the harness
 *   produces closing tail records: merchant ids chosen so that murmur2 of the key puts at least one
 *   in every repartition partition (both of the raw string key — Kafka Streams, tributary — and of
 *   its JSON form — Quix's group_by default serializer), timestamp = max + G + window. They are
 *   behind every real record in each repartition partition and close every real window; their own
 *   windows stay open. Expected output: every (merchant, window) of the input with exactly the
 *   generator's count — deterministic, independent of partitioning and interleaving.
 *
 * Each engine's output is read back (read_committed) and must equal the expected output — count,
 * and for windows every (merchant, window) count — and must not grow past it within 1.5 s; a run
 * that drops or duplicates is reported invalid, not as a figure.
 *
 * records/s = N / (time the last expected output record was read − time the engine saw its first
 * input record; the engine prints `FIRST <epoch ms>`), so process start-up and the first rebalance
 * are left out (reported separately as startupMs). Windowed: the time the harness spends producing
 * the tail is subtracted (its ≤ 100 ms polling of the group's committed offsets is not). Peak RSS:
 * VmHWM of the engine's process (summed over its process tree: Spark's Python driver runs a JVM child).
 *
 * Spark Structured Streaming 4.2.0 (pyspark from PyPI + the Kafka connector from Maven) runs when
 * named in BENCH_PEERS_ENGINES, marked at-least-once: its Kafka sink has no transactions, so it does
 * less work per commit and its ratio is not like-for-like. Its FIRST is the query start.
 * Every case runs BENCH_ROUNDS rounds (default 3); a round runs every engine once, the engine order
 * rotated from round to round (interleaved, so drifting machine load hits every engine). The
 * headline per engine is the median of its valid rounds; ratios tributary/Kafka Streams and
 * tributary/Quix compare medians.
 *
 * Env: BENCH_RECORDS (50000; the issue's figures use 1000000), BENCH_ROUNDS (3), BENCH_PEERS_GUARANTEE
 * (tributary's: exactly_once, or exactly_once_v2 with BENCH_KAFKA_CLIENT=platformatic), BENCH_KAFKA_CLIENT
 * (kafkajs,platformatic), BENCH_PEERS_ENGINES (tributary,kafka-streams,quix; also spark),
 * BENCH_PEERS_CASES (stateless,windowed), BENCH_PEERS_TIMEOUT_S (600 per engine run),
 * KAFKA_BOOTSTRAP_SERVERS (else one broker is started from the Maven jars),
 * BENCH_PEERS_BROKER_MESSAGE_MAX_BYTES (the started broker's message.max.bytes; default Kafka's 1 MB),
 * BENCH_PEERS_HARNESS_CLIENT (the client library of the harness's producer and output reader: platformatic
 * by default, the cheaper per record, since it shares the machine's cores with the engine under test).
 * Every run also reports the CPU seconds of the engine's process tree, the broker and the harness
 * between the engine's first record and the last expected output, and input records per engine CPU-second.
 * Last line of stdout: one JSON object.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaClient, type KafkaClientKind } from '../lib/kafka/index.js';
import type { KafkaClient, OutgoingRecord } from '../lib/kafka/types.js';
import { TransactionGenerator } from '../lib/cli/produce/transactions.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';
import { installKafkaStreams, installQuix, installSpark, QUIX_APP, SPARK_APP, TRIBUTARY_RUNNER, type Installed } from './peers/setup.js';
import { fetchedBatches, outgoingBatch } from '../lib/kafka/columns.js';
import { partitionForKey } from '../lib/kafka/partitioner.js';

const PARTITIONS = 4;
const WINDOW_MS = 60_000;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

type Mode = 'stateless' | 'windowed';
type EngineName = 'tributary-kafkajs' | 'tributary-platformatic' | 'kafka-streams' | 'quix' | 'spark';

interface Engine {
  readonly name: EngineName;
  /** Spark's Kafka sink has no transactions: at-least-once. */
  readonly guarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  readonly env?: Readonly<Record<string, string>>;
  readonly command: (mode: Mode, bootstrap: string, input: string, output: string, appId: string, stateDir: string) => { cmd: string; args: string[] };
}

const log = (m: string): void => void process.stderr.write(`[peers] ${m}\n`);
const envInt = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const envList = (name: string, fallback: string): string[] =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

// ---------------------------------------------------------------------------------------------
// Input and expected output

interface Expected {
  readonly stateless: number;
  /** `<merchant>@<window start>` → count: every window of the input (the tail closes them all). */
  readonly windows: Map<string, number>;
  readonly maxTimestamp: number;
  /** Grace of the windowed case: > event-time span + 2 windows, so no record is ever late. */
  readonly graceMs: number;
}

/** Event time between records: 5 ms (200k records span ~17 minutes), more for small N so windows still close. */
function spacingFor(records: number): number {
  return Math.max(5, Math.ceil(1_000_000 / records));
}

/**
 * Event times end two spans (+ 1 h) before now, so the tail (max + grace + window, grace ≈ span)
 * is still in the past, and recent enough that no topic's time-based retention (7 days by default,
 * judged by record timestamps) deletes the input, a repartition topic or an output mid-run.
 */
function startTimeFor(records: number): number {
  const span = (records - 1) * spacingFor(records);
  return Math.floor((Date.now() - 2 * span - 3_600_000) / WINDOW_MS) * WINDOW_MS + 30_000;
}

/**
 * Merchant ids of the closing tail: enough that every repartition partition gets one, whether the
 * engine serializes the key as the raw string (Kafka Streams, tributary) or as JSON (Quix's
 * group_by default), both partitioned by murmur2 (Java's default partitioner; Quix sets librdkafka's
 * `murmur2`).
 */
function tailMerchants(partitions: number): string[] {
  const raw = new Set<number>();
  const json = new Set<number>();
  const out: string[] = [];
  for (let i = 0; raw.size < partitions || json.size < partitions; i++) {
    const id = `TAIL${i}`;
    const r = partitionForKey(Buffer.from(id), partitions);
    const j = partitionForKey(Buffer.from(JSON.stringify(id)), partitions);
    if (!raw.has(r) || !json.has(j)) {
      raw.add(r);
      json.add(j);
      out.push(id);
    }
  }
  return out;
}

/** Produces the closing tail (see the header) to the input topic. */
async function produceTail(client: KafkaClient, topic: string, expected: Expected): Promise<void> {
  const ts = expected.maxTimestamp + expected.graceMs + WINDOW_MS;
  const producer = client.producer({ clientId: 'peers-tail' });
  await producer.connect();
  try {
    const records: OutgoingRecord[] = tailMerchants(PARTITIONS).map((m) => ({
      topic,
      key: Buffer.from(m),
      value: Buffer.from(JSON.stringify({ account_id: m, merchant_id: m, amount: 1 })),
      timestamp: ts,
    }));
    await producer.send(outgoingBatch(records));
  } finally {
    await producer.disconnect();
  }
}

async function produceInput(client: KafkaClient, topic: string, records: number, startTime: number): Promise<Expected> {
  const gen = new TransactionGenerator({ seed: 42, startTime, spacingMs: spacingFor(records), lateShare: 0, malformedShare: 0 });
  const producer = client.producer({ clientId: 'peers-input' });
  await producer.connect();
  let stateless = 0;
  let maxTimestamp = -Infinity;
  let minTimestamp = Infinity;
  const perWindow = new Map<string, number>();
  let bytes = 0;
  const t0 = Date.now();
  const chunk = 5000;
  for (let i = 0; i < records; i += chunk) {
    const batch: OutgoingRecord[] = [];
    for (let j = i; j < Math.min(records, i + chunk); j++) {
      const t = gen.next();
      if (t.event.amount > 0) stateless++;
      if (t.eventTime > maxTimestamp) maxTimestamp = t.eventTime;
      if (t.eventTime < minTimestamp) minTimestamp = t.eventTime;
      const w = `${t.event.merchant_id}@${t.eventTime - (t.eventTime % WINDOW_MS)}`;
      perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
      const value = Buffer.from(t.value);
      bytes += value.length;
      batch.push({ topic, key: Buffer.from(t.key), value, timestamp: t.eventTime });
    }
    await producer.send(outgoingBatch(batch));
  }
  await producer.disconnect();
  // No record can be late: window end + grace > max timestamp for every window of the input.
  const graceMs = Math.ceil((maxTimestamp - minTimestamp + 2 * WINDOW_MS) / WINDOW_MS) * WINDOW_MS;
  log(
    `produced ${records} records (${Math.round(bytes / records)} B avg value) to ${topic} in ${Date.now() - t0} ms; ` +
      `${perWindow.size} (merchant, window) pairs; event-time span ${maxTimestamp - minTimestamp} ms, grace ${graceMs} ms`,
  );
  return { stateless, windows: perWindow, maxTimestamp, graceMs };
}

// ---------------------------------------------------------------------------------------------
// One engine run

interface RunResult {
  readonly engine: EngineName;
  readonly guarantee: Engine['guarantee'];
  readonly run: number;
  readonly valid: boolean;
  readonly problem?: string;
  readonly recordsPerSec: number | null;
  readonly elapsedMs: number | null;
  readonly startupMs: number | null;
  /** Windowed: first record → the group had committed the whole input (before the tail). */
  readonly inputCommittedMs?: number | null;
  readonly peakRssMb: number | null;
  /** CPU seconds of the engine's process tree from its first record to the last expected output. */
  readonly engineCpuS?: number | null;
  /** Input records per engine CPU-second (the figure that does not depend on the machine's load). */
  readonly recordsPerCpuSec?: number | null;
  /** CPU seconds of the broker (when the bench started it) and of this harness over the same span. */
  readonly brokerCpuS?: number | null;
  readonly harnessCpuS?: number | null;
  readonly outputRecords: number;
  readonly expectedOutputs: number;
  readonly loadAvg1m: readonly [number, number];
}

/** The pid and its descendants (from /proc/<pid>/stat's ppid). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      let l = children.get(ppid);
      if (!l) children.set(ppid, (l = []));
      l.push(Number(d));
    } catch {
      /* exited */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** Peak resident set of one process (kB). */
function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) of one process so far, from /proc/<pid>/stat (null: gone). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU seconds of a process tree, per pid (a child that exited keeps its last reading in `into`). */
function treeCpu(root: number, into: Map<number, number>): number {
  for (const pid of processTree(root)) {
    const s = cpuSeconds(pid);
    if (s !== null) into.set(pid, s);
  }
  let sum = 0;
  for (const s of into.values()) sum += s;
  return sum;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface CpuSnapshot {
  readonly engine: number;
  readonly broker: number | null;
  readonly harness: number;
}

/** The CPU figures of a run, from the snapshots at its first record and at its last expected output. */
function cpuFigures(valid: boolean, records: number, first: CpuSnapshot | null, end: CpuSnapshot | null): Partial<RunResult> {
  if (first === null || end === null) return {};
  const engineCpuS = Math.round((end.engine - first.engine) * 100) / 100;
  return {
    engineCpuS,
    recordsPerCpuSec: valid && engineCpuS > 0 ? Math.round(records / engineCpuS) : null,
    brokerCpuS: end.broker !== null && first.broker !== null ? Math.round((end.broker - first.broker) * 100) / 100 : null,
    harnessCpuS: Math.round((end.harness - first.harness) * 100) / 100,
  };
}

async function runEngine(
  client: KafkaClient,
  bootstrap: string,
  engine: Engine,
  mode: Mode,
  input: string,
  records: number,
  expected: Expected,
  run: number,
  brokerPid: number | null,
): Promise<RunResult> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  const output = `peers-${mode}-${engine.name}-out-${suffix}`;
  const appId = `peers-${mode}-${engine.name}-${suffix}`;
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([{ topic: output, numPartitions: PARTITIONS, configs: { 'retention.ms': '-1' } }]);
  const inputEnds = new Map((await admin.fetchTopicOffsets(input)).map((p) => [p.partition, p.high]));
  const expectedOutputs = mode === 'stateless' ? expected.stateless : expected.windows.size;
  const load0 = loadavg()[0]!;

  // Reader of the output (read_committed), counting and checking as records arrive.
  const reader = client.consumer({ groupId: `peers-reader-${suffix}`, autoOffsetReset: 'earliest' });
  await reader.connect();
  await reader.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: output, partition })));
  let count = 0;
  let reachedAt: number | null = null;
  let sample: string | null = null;
  const seen = new Map<string, number>();
  const problems: string[] = [];
  let reading = true;
  const readLoop = (async () => {
    while (reading) {
      for (const b of fetchedBatches(await reader.poll(50))) {
        for (const r of b.records) {
          count++;
          const value = r.value?.toString('utf8') ?? '';
          if (mode === 'stateless') {
            sample ??= value;
          } else {
            let window = r.key?.toString('utf8') ?? '';
            let n = Number(value);
            if (value.startsWith('{')) {
              const o = JSON.parse(value) as { window: string; count: number };
              window = o.window;
              n = o.count;
            }
            if (seen.has(window) && problems.length < 5) problems.push(`duplicate window ${window}`);
            seen.set(window, n);
          }
        }
        if (reachedAt === null && count >= expectedOutputs) reachedAt = Date.now();
      }
    }
  })();

  const stateDir = mkdtempSync(join(tmpdir(), `peers-${engine.name}-`));
  const logFile = join(stateDir, '..', `${appId}.log`);
  const logStream = createWriteStream(logFile);
  const { cmd, args } = engine.command(mode, bootstrap, input, output, appId, join(stateDir, 'state'));
  const spawnedAt = Date.now();
  // Own process group (Spark's Python driver starts a JVM): stopped as a group at the end.
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...engine.env, PYTHONUNBUFFERED: '1', PEERS_GRACE_MS: String(expected.graceMs) },
  });
  let firstAt: number | null = null;
  let exited: string | null = null;
  const engineCpu = new Map<number, number>();
  const brokerCpu = new Map<number, number>();
  const snapshotCpu = (): CpuSnapshot => {
    const u = process.cpuUsage();
    return {
      engine: treeCpu(child.pid!, engineCpu),
      broker: brokerPid === null ? null : treeCpu(brokerPid, brokerCpu),
      harness: (u.user + u.system) / 1e6,
    };
  };
  let cpuAtFirst: CpuSnapshot | null = null;
  let cpuAtEnd: CpuSnapshot | null = null;
  let stdoutBuf = '';
  child.stdout.on('data', (d: Buffer) => {
    stdoutBuf += d.toString('utf8');
    let nl: number;
    while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
      const line = stdoutBuf.slice(0, nl);
      stdoutBuf = stdoutBuf.slice(nl + 1);
      const m = /^FIRST (\d+)/.exec(line);
      if (m) {
        firstAt = Number(m[1]);
        cpuAtFirst = snapshotCpu();
      } else logStream.write(`${line}\n`);
    }
  });
  child.stderr.pipe(logStream);
  child.on('exit', (code, signal) => void (exited = `exited with ${code ?? signal}`));
  const hwm = new Map<number, number>();
  let peakKb = 0;
  const sampleRss = (): void => {
    for (const pid of processTree(child.pid!)) {
      const kb = vmHwmKb(pid);
      if (kb !== null) hwm.set(pid, kb);
    }
    let sum = 0;
    for (const kb of hwm.values()) sum += kb;
    if (sum > peakKb) peakKb = sum;
  };
  const sampler = setInterval(sampleRss, 200);

  const deadline = Date.now() + envInt('BENCH_PEERS_TIMEOUT_S', 600) * 1000;
  let lastLog = Date.now();
  // Windowed: the tail goes out once the engine's group has committed the whole input.
  let inputCommittedAt: number | null = null;
  let tailMs = 0;
  let lastCheck = 0;
  const inputCommitted = async (): Promise<boolean> => {
    const committed = await admin.fetchCommittedOffsets(appId, [input]);
    const byPartition = new Map(committed.filter((c) => c.topic === input).map((c) => [c.partition, c.offset]));
    for (const [p, end] of inputEnds) if ((byPartition.get(p) ?? -1) < end) return false;
    return true;
  };
  while (reachedAt === null && exited === null && Date.now() < deadline) {
    await sleep(50);
    if (mode === 'windowed' && inputCommittedAt === null && Date.now() - lastCheck >= 100) {
      lastCheck = Date.now();
      if (await inputCommitted()) {
        inputCommittedAt = Date.now();
        await produceTail(client, input, expected);
        tailMs = Date.now() - inputCommittedAt;
        log(
          `  ${mode}/${engine.name} run ${run}: input committed ${firstAt !== null ? inputCommittedAt - firstAt : '?'} ms after the first record; tail produced in ${tailMs} ms`,
        );
      }
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${mode}/${engine.name} run ${run}: ${count}/${expectedOutputs} outputs, rss peak ${Math.round(peakKb / 1024)} MB`);
    }
  }
  const endAt = reachedAt as number | null;
  if (endAt !== null) cpuAtEnd = snapshotCpu();
  sampleRss();
  const load1 = loadavg()[0]!;
  if (endAt !== null) await sleep(1500); // anything past the expected count is a duplicate
  reading = false;
  await readLoop;
  await reader.close();
  clearInterval(sampler);
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* group gone */
    }
  };
  if (exited === null) {
    signalGroup('SIGTERM');
    const killAt = Date.now() + 20_000;
    while (exited === null && Date.now() < killAt) await sleep(50);
    if (exited === null) signalGroup('SIGKILL');
    while (exited === null) await sleep(50);
    signalGroup('SIGKILL'); // stragglers of the group (Spark's JVM)
  } else {
    signalGroup('SIGKILL');
    problems.push(`engine ${exited} before the expected output (log: ${logFile})`);
  }
  await admin.disconnect();
  logStream.end();
  rmSync(stateDir, { recursive: true, force: true });

  if (endAt === null && exited === null) problems.push(`timed out with ${count}/${expectedOutputs} outputs`);
  if (firstAt === null) problems.push('engine never reported its first record');
  if (count !== expectedOutputs) problems.push(`${count} output records, expected ${expectedOutputs}`);
  if (mode === 'stateless') {
    if (sample !== null && !/"amount_cents":\d+/.test(sample)) problems.push(`output lacks amount_cents: ${sample}`);
  } else {
    const wrong: string[] = [];
    for (const [w, n] of expected.windows) if (seen.get(w) !== n) wrong.push(`${w}: ${seen.get(w) ?? 'missing'} (expected ${n})`);
    for (const [w, n] of seen) if (!expected.windows.has(w)) wrong.push(`${w}: ${n} (not expected)`);
    if (wrong.length > 0) problems.push(`${wrong.length} windows missing, extra or with a wrong count, e.g. ${wrong.slice(0, 3).join(', ')}`);
  }
  const valid = problems.length === 0;
  const elapsedMs = endAt !== null && firstAt !== null ? endAt - firstAt - tailMs : null;
  const result: RunResult = {
    engine: engine.name,
    guarantee: engine.guarantee,
    run,
    valid,
    ...(valid ? {} : { problem: problems.join('; ') }),
    recordsPerSec: valid && elapsedMs !== null ? Math.round(records / (elapsedMs / 1000)) : null,
    elapsedMs,
    startupMs: firstAt !== null ? firstAt - spawnedAt : null,
    ...(mode === 'windowed' ? { inputCommittedMs: inputCommittedAt !== null && firstAt !== null ? inputCommittedAt - firstAt : null } : {}),
    peakRssMb: peakKb > 0 ? Math.round(peakKb / 1024) : null,
    ...cpuFigures(valid, records, cpuAtFirst as CpuSnapshot | null, cpuAtEnd as CpuSnapshot | null),
    outputRecords: count,
    expectedOutputs,
    loadAvg1m: [Math.round(load0 * 100) / 100, Math.round(load1 * 100) / 100],
  };
  log(`  ${mode}/${engine.name} run ${run}: ${JSON.stringify(result)}${valid ? '' : ` (engine log: ${logFile})`}`);
  if (valid) rmSync(logFile, { force: true });
  return result;
}

// ---------------------------------------------------------------------------------------------

function engines(skipped: Map<EngineName, string>): Engine[] {
  const wanted = envList('BENCH_PEERS_ENGINES', 'tributary,kafka-streams,quix');
  const out: Engine[] = [];
  for (const name of wanted) {
    if (name === 'tributary') {
      for (const kafkaClient of envList('BENCH_KAFKA_CLIENT', 'kafkajs,platformatic')) {
        if (kafkaClient !== 'kafkajs' && kafkaClient !== 'platformatic')
          throw new Error(`BENCH_KAFKA_CLIENT: unknown client ${kafkaClient} (kafkajs, platformatic)`);
        out.push({
          name: `tributary-${kafkaClient}`,
          guarantee: process.env['BENCH_PEERS_GUARANTEE'] === 'exactly_once_v2' ? 'exactly_once_v2' : 'exactly_once',
          env: { BENCH_KAFKA_CLIENT: kafkaClient },
          command: (...a) => ({ cmd: process.execPath, args: ['--import', 'tsx', TRIBUTARY_RUNNER, ...a] }),
        });
      }
    } else if (name === 'kafka-streams') {
      const ks = installKafkaStreams(log);
      if (!ks.ok) skipped.set(name, ks.reason);
      else
        out.push({
          name,
          guarantee: 'exactly_once_v2',
          command: (...a) => ({
            cmd: 'java',
            args: ['-cp', ks.value.classPath, `-Dlog4j.configuration=file:${ks.value.log4jConfig}`, 'tributary.bench.PeerApp', ...a],
          }),
        });
    } else if (name === 'quix') {
      const q: Installed<{ python: string }> = installQuix(log);
      if (!q.ok) skipped.set(name, q.reason);
      else out.push({ name, guarantee: 'exactly_once', command: (...a) => ({ cmd: q.value.python, args: [QUIX_APP, ...a] }) });
    } else if (name === 'spark') {
      const sp = installSpark(log);
      if (!sp.ok) skipped.set(name, sp.reason);
      else
        out.push({
          name,
          guarantee: 'at_least_once',
          env: { SPARK_KAFKA_JARS: sp.value.jars },
          command: (...a) => ({ cmd: sp.value.python, args: [SPARK_APP, ...a] }),
        });
    } else {
      throw new Error(`unknown engine ${String(name)} in BENCH_PEERS_ENGINES`);
    }
  }
  return out;
}

/** The started broker's settings beyond scripts/kafka-broker.ts' (none unless asked for). */
function brokerProperties(): Record<string, string> {
  const max = process.env['BENCH_PEERS_BROKER_MESSAGE_MAX_BYTES'];
  return max ? { 'message.max.bytes': max } : {};
}

interface Headline {
  readonly case: string;
  /** Median of the valid rounds. */
  readonly recordsPerSec: number | null;
  readonly validRounds: number;
  /** Max over the rounds. */
  readonly peakRssMb: number | null;
  /** Median over the valid rounds of input records per engine CPU-second. */
  readonly recordsPerCpuSec: number | null;
  readonly ratioVsKafkaStreams: number | null;
  readonly ratioVsQuix: number | null;
  readonly guarantee?: Engine['guarantee'];
  readonly runs: readonly RunResult[];
  readonly skipped?: string;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null ? Math.round((a / b) * 100) / 100 : null);

async function main(): Promise<void> {
  const records = envInt('BENCH_RECORDS', 50_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const cases = envList('BENCH_PEERS_CASES', 'stateless,windowed') as Mode[];
  const skipped = new Map<EngineName, string>();
  const list = engines(skipped);
  for (const [name, why] of skipped) log(`${name} skipped: ${why}`);
  let broker: RunningBroker | undefined;
  const bootstrap =
    process.env['KAFKA_BOOTSTRAP_SERVERS'] ??
    (broker = await startBroker({ jvmOptions: [], heapMb: 1024, extraProperties: brokerProperties() })).bootstrapServers;
  log(
    `broker ${bootstrap}${broker ? ` (started, ready in ${broker.readyMs} ms, extra properties ${JSON.stringify(brokerProperties())})` : ''}; ${records} records, ${rounds} round(s), engines ${list.map((e) => e.name).join(', ')}`,
  );
  // The harness's own client (input, tail, output reader) shares the machine's cores with the
  // engines: the cheaper one per record by default.
  const harnessClient = (process.env['BENCH_PEERS_HARNESS_CLIENT'] ?? 'platformatic') as KafkaClientKind;
  const client = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'peers-bench', client: harnessClient });
  const headlines: Headline[] = [];
  const started = Date.now();
  try {
    for (const mode of cases) {
      // Every engine run gets its own input topic (same seed and start time, so the same records):
      // a run's closing tail must not reach the next run, where it would sit in the middle of the
      // input's interleaving and make real records late.
      const startTime = startTimeFor(records);
      const freshInput = async (): Promise<{ input: string; expected: Expected }> => {
        const input = `peers-${mode}-in-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
        const admin = client.admin();
        await admin.connect();
        await admin.createTopics([{ topic: input, numPartitions: PARTITIONS, configs: { 'retention.ms': '-1' } }]);
        await admin.disconnect();
        return { input, expected: await produceInput(client, input, records, startTime) };
      };
      const byEngine = new Map<EngineName, RunResult[]>(list.map((e) => [e.name, []]));
      for (let round = 1; round <= rounds; round++) {
        // Rotate the order so that every engine runs first, second, ... in turn.
        const shift = (round - 1) % list.length;
        const order = [...list.slice(shift), ...list.slice(0, shift)];
        for (const engine of order) {
          const { input, expected } = await freshInput();
          byEngine.get(engine.name)!.push(await runEngine(client, bootstrap, engine, mode, input, records, expected, round, broker?.pgid ?? null));
        }
      }
      const med = (name: EngineName): number | null =>
        median((byEngine.get(name) ?? []).filter((r) => r.valid && r.recordsPerSec !== null).map((r) => r.recordsPerSec!));
      const ks = med('kafka-streams');
      const quix = med('quix');
      for (const engine of list) {
        const rs = byEngine.get(engine.name)!;
        const m = med(engine.name);
        const rss = rs.map((r) => r.peakRssMb).filter((x): x is number => x !== null);
        headlines.push({
          case: `${mode}/${engine.name}`,
          recordsPerSec: m,
          recordsPerCpuSec: median(rs.filter((r) => r.valid && typeof r.recordsPerCpuSec === 'number').map((r) => r.recordsPerCpuSec!)),
          validRounds: rs.filter((r) => r.valid).length,
          peakRssMb: rss.length ? Math.max(...rss) : null,
          ratioVsKafkaStreams: engine.name === 'kafka-streams' ? null : ratio(m, ks),
          ratioVsQuix: engine.name === 'quix' ? null : ratio(m, quix),
          guarantee: engine.guarantee,
          runs: rs,
        });
      }
      for (const [name, why] of skipped) {
        headlines.push({
          case: `${mode}/${name}`,
          recordsPerSec: null,
          recordsPerCpuSec: null,
          validRounds: 0,
          peakRssMb: null,
          ratioVsKafkaStreams: null,
          ratioVsQuix: null,
          runs: [],
          skipped: why,
        });
      }
    }
  } finally {
    await broker?.stop();
  }

  const pad = (s: string, n: number): string => s.padEnd(n);
  const lines = [
    `bench:peers — ${records} records, 4 partitions, exactly-once, 100 ms commits, ${rounds} round(s), node ${process.version}, ${Math.round((Date.now() - started) / 1000)} s; ` +
      'records/s = input / (last expected output read − first record seen)',
    `${pad('case', 34)}${pad('round', 7)}${pad('records/s', 11)}${pad('rec/CPU-s', 11)}${pad('CPU s (engine/broker/harness)', 31)}${pad('peak RSS', 10)}${pad('startup', 9)}${pad('outputs', 16)}load 1m (start→end)`,
  ];
  for (const h of headlines) {
    if (h.skipped) {
      lines.push(`${pad(h.case, 34)}skipped: ${h.skipped.split('\n')[0]}`);
      continue;
    }
    for (const r of h.runs) {
      lines.push(
        `${pad(h.case, 34)}${pad(String(r.run), 7)}${pad(r.valid ? String(r.recordsPerSec) : 'INVALID', 11)}` +
          `${pad(String(r.recordsPerCpuSec ?? '-'), 11)}${pad(`${r.engineCpuS ?? '-'} / ${r.brokerCpuS ?? '-'} / ${r.harnessCpuS ?? '-'}`, 31)}` +
          `${pad(r.peakRssMb !== null ? `${r.peakRssMb} MB` : '-', 10)}${pad(r.startupMs !== null ? `${(r.startupMs / 1000).toFixed(1)} s` : '-', 9)}` +
          `${pad(`${r.outputRecords}/${r.expectedOutputs}`, 16)}${r.loadAvg1m[0]}→${r.loadAvg1m[1]}${r.problem ? `  ${r.problem}` : ''}`,
      );
    }
    lines.push(
      `${pad(h.case, 34)}${pad('median', 7)}${pad(String(h.recordsPerSec ?? '-'), 11)}${pad(String(h.recordsPerCpuSec ?? '-'), 11)}${pad('', 31)}${pad(`${h.peakRssMb ?? '-'} MB`, 10)}(max RSS; ${h.validRounds}/${h.runs.length} valid)` +
        `${h.ratioVsKafkaStreams !== null ? `  ×KS ${h.ratioVsKafkaStreams}` : ''}${h.ratioVsQuix !== null ? `  ×Quix ${h.ratioVsQuix}` : ''}` +
        `${h.guarantee === 'at_least_once' ? '  AT-LEAST-ONCE (no transactional Kafka sink)' : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const brokerExtra = broker ? brokerProperties() : 'external';
  process.stdout.write(`${JSON.stringify({ bench: 'peers', node: process.version, records, rounds, broker: brokerExtra, results: headlines })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
