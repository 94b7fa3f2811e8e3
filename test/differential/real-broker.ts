/**
 * The differential suite end to end on a real broker (`npm run diff:kafka-streams -- --real-broker`):
 * a few families run as applications — Kafka Streams 3.9.1 as a Java app
 * (kafka-streams/…/RealBrokerApp.java, same class path as the test-driver runner) and tributary
 * as a `TributaryApp` — both exactly-once, on the same input topics, each writing its own output
 * topic; their outputs are read back read_committed and compared.
 *
 *   create topics (inputs with `partitions` partitions, one output per engine)
 *   produce the backlog: generated records, then one flush record per input partition far in
 *     the future (every window, session and join window closes)
 *   start both apps ─▶ wait until both groups committed every input (and repartition) partition
 *     to its end and the outputs stayed quiet ─▶ stop both ─▶ read the outputs ─▶ compare per key
 *
 * Comparison per output key (`key@start/end` for windows), by what the input determines:
 * - windowed families (one input topic: each task reads one partition in offset order): the whole
 *   sequence of values per key, suppressed or not;
 * - `selectkey-count` (the count reads a repartition topic, whose interleaving of upstream tasks
 *   differs between runs): the last value per key;
 * - stream-stream joins (a task reads two partitions and tributary does not wait for an empty one,
 *   so the order across them differs): the multiset of results per key, with a grace longer than
 *   the input's span so that no window closes before the flush.
 *
 * Event times start two hours before now (a multiple of an hour, so that window alignment stays
 * that of the families' parameters): topic retention never deletes the backlog.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TributaryApp } from '../../lib/app/tributary-app.js';
import { createKafkaClient } from '../../lib/kafka/index.js';
import { fetchedBatches, outgoingBatch } from '../../lib/kafka/columns.js';
import type { Admin, KafkaClient, OutgoingRecord, TopicPartition } from '../../lib/kafka/types.js';
import { Serdes } from '../../lib/serde/serdes.js';
import type { RunnerInstall } from '../../scripts/differential/kafka-streams.js';
import { buildFamily } from './families.js';

type Compare = 'sequence' | 'last' | 'multiset';

export interface RealBrokerFamily {
  readonly family: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly compare: Compare;
  /** Timestamps never go back (stream-stream joins: see the module doc). */
  readonly inOrder?: boolean;
}

/** The families run on a real broker, by name (`--families` picks among them). */
export const REAL_BROKER_FAMILIES: Readonly<Record<string, RealBrokerFamily>> = {
  'tumbling-count': { family: 'tumbling-count', params: { mode: 'suppress', size: 60, grace: 30 }, compare: 'sequence' },
  'hopping-aggregate': { family: 'hopping-aggregate', params: { mode: 'plain', size: 60, advance: 20, grace: 15 }, compare: 'sequence' },
  'session-reduce': { family: 'session-reduce', params: { mode: 'plain', gap: 40, grace: 20 }, compare: 'sequence' },
  'ss-left': { family: 'ss-left', params: { diff: 20, grace: 600_000 }, compare: 'multiset', inOrder: true },
  'selectkey-count': { family: 'selectkey-count', params: {}, compare: 'last' },
};
export const DEFAULT_REAL_BROKER_FAMILIES = ['tumbling-count', 'session-reduce', 'ss-left', 'selectkey-count'];

export interface RealBrokerOptions {
  readonly bootstrapServers: string;
  readonly install: RunnerInstall;
  readonly families: readonly string[];
  /** Generated input records per family (before the flush records). */
  readonly records: number;
  readonly partitions: number;
  readonly seed: number;
  readonly timeoutMs?: number;
  readonly log?: (m: string) => void;
}

export interface KeyMismatch {
  readonly key: string;
  readonly kafkaStreams: readonly (number | null)[];
  readonly tributary: readonly (number | null)[];
}

export interface RealBrokerReport {
  readonly family: string;
  readonly params: string;
  readonly compare: Compare;
  readonly inputRecords: number;
  readonly outputs: { readonly kafkaStreams: number; readonly tributary: number };
  readonly keys: number;
  readonly mismatches: readonly KeyMismatch[];
  readonly seconds: number;
  /** Why the family could not be compared (an app failed, a timeout). */
  readonly error?: string;
}

interface Rec {
  readonly topic: string;
  readonly key: string | null;
  readonly value: number | null;
  readonly ts: number;
}

const HOUR = 3_600_000;
const FLUSH_AHEAD_MS = 1_000_000;
const i64 = Serdes.int64();

/** Generated input: 24 keys, some null keys and values, out-of-order, late and duplicate times unless `inOrder`. */
function generate(spec: RealBrokerFamily, n: number, seed: number): Rec[] {
  const twoSided = spec.family.startsWith('ss-');
  const step = spec.inOrder
    ? fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 12 }) }, { weight: 1, arbitrary: fc.constant(0) })
    : fc.oneof(
        { weight: 10, arbitrary: fc.integer({ min: 0, max: 12 }) },
        { weight: 4, arbitrary: fc.integer({ min: -40, max: -1 }) },
        { weight: 1, arbitrary: fc.integer({ min: -200, max: -41 }) },
      );
  const draft = fc.record({
    topic: fc.constantFrom(...(twoSided ? ['left', 'right'] : ['in'])),
    key: fc.oneof({ weight: 24, arbitrary: fc.integer({ min: 0, max: 23 }).map((k) => `k${k}`) }, { weight: 1, arbitrary: fc.constant(null) }),
    value: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.constant(null) }),
    step,
  });
  const [drafts] = fc.sample(fc.array(draft, { minLength: n, maxLength: n }), { numRuns: 1, seed });
  const base = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
  let cursor = 1000;
  return drafts!.map((d) => {
    // Out-of-order steps go back from the cursor without moving it; in-order steps move it.
    const t = d.step >= 0 ? (cursor += d.step) : Math.max(0, cursor + d.step);
    return { topic: d.topic, key: d.key, value: d.value, ts: base + t };
  });
}

/**
 * Whether the group has committed every partition of `topics` past its last record. The end of a
 * transactional (repartition) partition may be transaction markers, which Kafka Streams' commit
 * (the consumer position) passes and tributary's (last record + 1) does not: so the offset after
 * the last record is looked up (`RecordEnds`) when the committed offset is short of the end.
 */
async function caughtUp(admin: Admin, ends: RecordEnds, group: string, topics: readonly string[]): Promise<boolean> {
  if (topics.length === 0) return true;
  const committed = await admin.fetchCommittedOffsets(group, topics);
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' })) {
      const c = committed.find((o) => o.topic === topic && o.partition === p.partition)?.offset ?? -1;
      if (p.high <= p.low || c >= p.high) continue;
      if (c < (await ends.get(topic, p.partition, p.low, p.high))) return false;
    }
  }
  return true;
}

/** The offset after the last record (not control marker) below a partition's end, cached per end. */
class RecordEnds {
  private readonly cache = new Map<string, number>();
  constructor(private readonly client: KafkaClient) {}

  async get(topic: string, partition: number, low: number, high: number): Promise<number> {
    const id = `${topic}/${partition}/${high}`;
    const known = this.cache.get(id);
    if (known !== undefined) return known;
    // The last 64 offsets hold a record unless 64 markers follow it; else read the whole partition.
    let end = await this.scan({ topic, partition }, Math.max(low, high - 64), high);
    if (end < 0) end = Math.max(low, await this.scan({ topic, partition }, low, high));
    this.cache.set(id, end);
    return end;
  }

  /** Offset after the last record read from `from` to `high`; -1 when there is none. */
  private async scan(tp: TopicPartition, from: number, high: number): Promise<number> {
    const consumer = this.client.consumer({ groupId: `diff-ends-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    try {
      await consumer.assign([tp]);
      consumer.seek(tp, from);
      let end = -1;
      const deadline = Date.now() + 10_000;
      while ((consumer.position(tp) ?? -1) < high && Date.now() < deadline) {
        for (const b of fetchedBatches(await consumer.poll(200))) for (const r of b.records) end = Math.max(end, r.offset + 1);
      }
      return end;
    } finally {
      await consumer.close();
    }
  }
}

/** Reads every committed record of `topics` from the beginning. */
async function readAll(client: KafkaClient, admin: Admin, topics: readonly string[]): Promise<Map<string, (number | null)[]>> {
  const consumer = client.consumer({ groupId: `diff-reader-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  const ends = new Map<string, number>();
  const tps: TopicPartition[] = [];
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' })) {
      tps.push({ topic, partition: p.partition });
      ends.set(`${topic}/${p.partition}`, p.high);
    }
  }
  await consumer.assign(tps);
  for (const tp of tps) consumer.seek(tp, 0);
  const byKey = new Map<string, (number | null)[]>();
  const deadline = Date.now() + 60_000;
  const done = (): boolean => tps.every((tp) => (consumer.position(tp) ?? -1) >= ends.get(`${tp.topic}/${tp.partition}`)!);
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`reading ${topics.join(', ')}: not at the end after 60 s`);
    for (const batch of fetchedBatches(await consumer.poll(500))) {
      for (const r of batch.records) {
        const key = `${batch.topic.endsWith('out-b') ? 'out-b:' : ''}${r.key === null ? '~' : r.key.toString('utf8')}`;
        let seq = byKey.get(key);
        if (!seq) byKey.set(key, (seq = []));
        seq.push(r.value === null ? null : i64.deserialize(r.value, batch.topic));
      }
    }
  }
  await consumer.close();
  return byKey;
}

function compareOutputs(how: Compare, ks: Map<string, (number | null)[]>, ours: Map<string, (number | null)[]>): KeyMismatch[] {
  const canon = (seq: readonly (number | null)[]): string => {
    const vs = seq.map((v) => (v === null ? 'null' : String(v)));
    if (how === 'last') return vs[vs.length - 1] ?? '';
    if (how === 'multiset') return [...vs].sort().join(',');
    return vs.join(',');
  };
  const out: KeyMismatch[] = [];
  for (const key of [...new Set([...ks.keys(), ...ours.keys()])].sort()) {
    const a = ks.get(key) ?? [];
    const b = ours.get(key) ?? [];
    if (canon(a) !== canon(b)) out.push({ key, kafkaStreams: a, tributary: b });
  }
  return out;
}

function startKafkaStreams(
  install: RunnerInstall,
  spec: RealBrokerFamily,
  bootstrap: string,
  appId: string,
  prefix: string,
  stateDir: string,
  log: (m: string) => void,
): { child: ChildProcess; running: Promise<void> } {
  const params =
    Object.entries(spec.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '-';
  const java = process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';
  const child = spawn(
    java,
    ['-Xmx512m', '-XX:+UseSerialGC', '-cp', install.classPath, 'tributary.diff.RealBrokerApp', spec.family, params, bootstrap, appId, prefix, stateDir],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const running = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString('utf8').includes('RUNNING')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`Kafka Streams app exited (${code}): ${stderr}`)));
  });
  running.then(() => log(`Kafka Streams app ${appId} running`)).catch(() => {});
  return { child, running };
}

async function stopKafkaStreams(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.stdin!.end();
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}

async function runOne(options: RealBrokerOptions, spec: RealBrokerFamily, index: number): Promise<RealBrokerReport> {
  const log = options.log ?? (() => {});
  const t0 = Date.now();
  const id = randomBytes(3).toString('hex');
  const prefix = `diff-${spec.family}-${id}-`;
  const built = buildFamily(spec.family, spec.params);
  const inputs = built.inputs;
  const outputs = built.outputs;
  const topic = (t: string): string => `${prefix}${t}`;
  const ksOut = outputs.map((t) => `${prefix}ks-${t}`);
  const trOut = outputs.map((t) => `${prefix}tr-${t}`);
  const client = createKafkaClient({ bootstrapServers: options.bootstrapServers, clientId: `diff-${id}` });
  const admin = client.admin();
  await admin.connect();
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-diff-real-'));
  let ks: ReturnType<typeof startKafkaStreams> | null = null;
  let app: TributaryApp | null = null;
  try {
    await admin.createTopics([
      ...inputs.map((t) => ({ topic: topic(t), numPartitions: options.partitions })),
      ...[...ksOut, ...trOut].map((t) => ({ topic: t, numPartitions: options.partitions })),
    ]);
    // The backlog, then the flush records.
    const records = generate(spec, options.records, options.seed + index);
    const maxTs = Math.max(...records.map((r) => r.ts));
    // Not idempotent: kafkajs' idempotent producer failed a retried batch with OUT_OF_ORDER_SEQUENCE_NUMBER on
    // a loaded machine. A batch written twice is read by both engines alike (the report counts the topics).
    const producer = client.producer({ clientId: `diff-${id}-input`, idempotent: false });
    await producer.connect();
    const enc = (r: Rec): OutgoingRecord => ({
      topic: topic(r.topic),
      key: r.key === null ? null : Buffer.from(r.key, 'utf8'),
      value: r.value === null ? null : i64.serialize(r.value, topic(r.topic)),
      timestamp: r.ts,
    });
    for (let i = 0; i < records.length; i += 1000) await producer.send(outgoingBatch(records.slice(i, i + 1000).map(enc)));
    const flush: OutgoingRecord[] = inputs.flatMap((t) =>
      Array.from({ length: options.partitions }, (_, p) => ({ ...enc({ topic: t, key: '~flush', value: 0, ts: maxTs + FLUSH_AHEAD_MS }), partition: p })),
    );
    await producer.send(outgoingBatch(flush));
    await producer.disconnect();
    // What the apps will read (a retried batch may have been written twice).
    let inputRecords = 0;
    for (const t of inputs) for (const p of await admin.fetchTopicOffsets(topic(t))) inputRecords += p.high - p.low;
    log(
      `${spec.family}: produced ${records.length} records + ${flush.length} flush records to ${inputs.map(topic).join(', ')} (${options.partitions} partitions, ${inputRecords} records in the topics)`,
    );

    // Both engines, exactly-once.
    const ksApp = `${prefix}ks`;
    const trApp = `${prefix}tr`;
    ks = startKafkaStreams(options.install, spec, options.bootstrapServers, ksApp, prefix, join(stateDir, 'ks'), log);
    const trBuilt = buildFamily(spec.family, spec.params, (t) => (inputs.includes(t) ? topic(t) : `${prefix}tr-${t}`));
    app = new TributaryApp(trBuilt.topology, {
      applicationId: trApp,
      client: createKafkaClient({ bootstrapServers: options.bootstrapServers, clientId: trApp }),
      processingGuarantee: 'exactly_once',
      commitIntervalMs: 100,
      stateDir: join(stateDir, 'tr'),
      autoOffsetReset: 'earliest',
      cacheMaxBytes: 0,
      // As the Java side's StreamsConfig: default serdes String and Long.
      defaultKeySerde: Serdes.string() as never,
      defaultValueSerde: i64 as never,
      logger: (level, message) => {
        if (level === 'error') log(`tributary: ${message}`);
      },
    });
    let failed: string | null = null;
    app.onStateChange((next) => {
      if (next === 'ERROR') failed = 'tributary app failed (state ERROR)';
    });
    ks.child.once('exit', (code) => (failed ??= `Kafka Streams app exited (${code})`));
    await Promise.all([ks.running, app.start()]);

    // Done: every input and repartition partition committed to its end by both groups, outputs quiet.
    const deadline = Date.now() + (options.timeoutMs ?? 180_000);
    const internal = async (appId: string): Promise<string[]> =>
      (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) && t.endsWith('-repartition'));
    const ends = new RecordEnds(client);
    let quietSince = 0;
    let lastEnds = '';
    for (;;) {
      if (failed !== null) throw new Error(`${spec.family}: ${failed}`);
      if (Date.now() > deadline) throw new Error(`${spec.family}: the apps did not finish within ${(options.timeoutMs ?? 180_000) / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
      const outEnds = JSON.stringify(await Promise.all([...ksOut, ...trOut].map((t) => admin.fetchTopicOffsets(t))));
      const done =
        (await caughtUp(admin, ends, ksApp, [...inputs.map(topic), ...(await internal(ksApp))])) &&
        (await caughtUp(admin, ends, trApp, [...inputs.map(topic), ...(await internal(trApp))]));
      if (!done || outEnds !== lastEnds) {
        quietSince = Date.now();
        lastEnds = outEnds;
      } else if (Date.now() - quietSince >= 3000) break;
    }
    await Promise.all([stopKafkaStreams(ks.child), app.close()]);
    const ksOutputs = await readAll(client, admin, ksOut);
    const trOutputs = await readAll(client, admin, trOut);
    const count = (m: Map<string, unknown[]>): number => [...m.values()].reduce((n, s) => n + s.length, 0);
    const mismatches = compareOutputs(spec.compare, ksOutputs, trOutputs);
    return {
      family: spec.family,
      params: Object.entries(spec.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      compare: spec.compare,
      inputRecords,
      outputs: { kafkaStreams: count(ksOutputs), tributary: count(trOutputs) },
      keys: new Set([...ksOutputs.keys(), ...trOutputs.keys()]).size,
      mismatches,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    if (ks) await stopKafkaStreams(ks.child).catch(() => {});
    if (app) await app.close().catch(() => {});
    await admin.disconnect().catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Runs the families one after another; each report says whether the two engines' outputs agree. */
export async function runRealBroker(options: RealBrokerOptions): Promise<RealBrokerReport[]> {
  const reports: RealBrokerReport[] = [];
  for (const [i, name] of options.families.entries()) {
    const spec = REAL_BROKER_FAMILIES[name];
    if (!spec) throw new Error(`no real-broker family ${name} (have: ${Object.keys(REAL_BROKER_FAMILIES).join(', ')})`);
    const t0 = Date.now();
    try {
      reports.push(await runOne(options, spec, i));
    } catch (err) {
      const params = Object.entries(spec.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      reports.push({
        family: name,
        params,
        compare: spec.compare,
        inputRecords: 0,
        outputs: { kafkaStreams: 0, tributary: 0 },
        keys: 0,
        mismatches: [],
        seconds: (Date.now() - t0) / 1000,
        error: String(err instanceof Error ? err.message : err),
      });
    }
    const r = reports[reports.length - 1]!;
    options.log?.(`${name}: ${r.error ?? `${r.keys} keys, ${r.mismatches.length} differ`} (${r.seconds.toFixed(1)} s)`);
  }
  return reports;
}
