/**
 * bench:state — the state store stack under a realistic load, then restoration.
 *   - `update`:   1M read-modify-write updates (count per key) over 100k keys through
 *                 metered ▶ caching (10 MB) ▶ change-logging ▶ LevelDB, with a commit every 10k
 *                 records: flush the store while sending its changelog records in a transaction
 *                 on the embedded broker, then commit (as the runtime's commit does). The
 *                 changelog is then copied to the real broker (untimed).
 *   - `raw-consume`: the changelog read back through the Kafka client (assign + poll,
 *                 read_committed) — the client's raw rate, timed over the same steps as a
 *                 restore (end offset, connect, assign, read, close); the polling alone is
 *                 `pollOnlyRecordsPerSec`, and the restore's ratio to it `ratioToPollOnly`.
 *   - `restore`:  the same changelog restored with `restoreStores` into an empty LevelDB store,
 *                 timed until the store serves every restored key (its last batch of writes
 *                 reaches disk with the first commit, as it would in a running task).
 * Each case runs in its own child process, so its peak RSS is its own: a real restore happens in
 * a fresh process after the state was lost, not next to an embedded broker holding the changelog.
 * CPU seconds are the child's (main thread + LevelDB / libuv threads; the broker is another
 * process); `loadAvg1m` is the 1-minute load average when the case ended. `BENCH_ROUNDS` repeats
 * raw-consume + restore (alternating) on the same changelog.
 * Targets: update ≥ 300k/s, restore ≥ 80% of raw-consume, peak RSS < 500 MB. Last line: JSON.
 *
 *   npm run bench:state                            # starts its own broker
 *   KAFKA_BOOTSTRAP_SERVERS=host:port npm run bench:state
 *   BENCH_UPDATES=1000000 BENCH_KEYS=100000 BENCH_COMMIT=10000 BENCH_ROUNDS=3 npm run bench:state
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaClient, EmbeddedKafka, type KafkaClient, type OutgoingRecord } from '../lib/kafka/index.js';
import { int64Serde, stringSerde } from '../lib/serde/primitive-serdes.js';
import { restoreStores } from '../lib/state/restore.js';
import { Stores } from '../lib/state/stores.js';
import type { ChangelogSink, StateStoreContext } from '../lib/state/types.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';
import { fetchedBatches, outgoingBatch } from '../lib/kafka/columns.js';

const UPDATES = Number(process.env['BENCH_UPDATES'] ?? 1_000_000);
const KEYS = Number(process.env['BENCH_KEYS'] ?? 100_000);
const COMMIT_EVERY = Number(process.env['BENCH_COMMIT'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const TOPIC = args.get('topic') ?? `bench-state-counts-changelog-${Date.now().toString(36)}`;

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);
sampler.unref();
const peakMb = () => Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 1048576);

interface CaseResult {
  case: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
  cpuSeconds: number;
  recordsPerCpuSec: number;
  peakRssMb: number;
  loadAvg1m: number;
  [extra: string]: unknown;
}

/** Wall and CPU time of the measured section of a case. */
function startClock(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}

function result(name: string, records: number, clock: { seconds: number; cpuSeconds: number }, extra: Record<string, unknown>): CaseResult {
  return {
    case: name,
    records,
    seconds: +clock.seconds.toFixed(3),
    recordsPerSec: Math.round(records / clock.seconds),
    cpuSeconds: +clock.cpuSeconds.toFixed(3),
    recordsPerCpuSec: Math.round(records / clock.cpuSeconds),
    peakRssMb: peakMb(),
    loadAvg1m: +loadavg()[0]!.toFixed(2),
    ...extra,
  };
}

class BufferingSink implements ChangelogSink {
  records: OutgoingRecord[] = [];
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
  log(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.records.push({ topic: this.topic, partition: this.partition, key, value, timestamp });
  }
}

function context(taskDir: string, changelog: ChangelogSink | null, clock: { t: number }): StateStoreContext {
  return { applicationId: 'bench', taskId: '0_0', partition: 0, taskDir, changelog, currentTimestamp: () => clock.t, streamTime: () => clock.t };
}

async function createTopic(client: KafkaClient, topic: string): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([{ topic, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
  await admin.disconnect();
}

async function updateCase(embedded: EmbeddedKafka, dir: string): Promise<CaseResult> {
  await createTopic(embedded, TOPIC);
  const producer = embedded.producer({ transactionalId: 'bench-state-0_0' });
  await producer.connect();
  const sink = new BufferingSink(TOPIC, 0);
  const now = { t: 0 };
  const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), stringSerde, int64Serde)
    .withCachingEnabled(10 * 1024 * 1024)
    .build();
  await store.init(context(dir, sink, now));
  const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
  let rnd = 42;
  let changelogRecords = 0;
  let commits = 0;
  const stop = startClock();
  for (let i = 0; i < UPDATES; i++) {
    rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
    const k = keys[rnd % KEYS]!;
    now.t = i;
    store.put(k, (store.get(k) ?? 0) + 1);
    if ((i + 1) % COMMIT_EVERY === 0 || i + 1 === UPDATES) {
      // As the runtime's commit: the cache writes down as flush starts, so its changelog records
      // are sent while LevelDB applies the batch; the commit waits for both.
      const flushed = store.flush();
      flushed.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
      await producer.beginTransaction();
      const early = sink.records;
      sink.records = [];
      if (early.length > 0) await producer.send(outgoingBatch(early));
      await flushed;
      const late = sink.records;
      sink.records = [];
      if (late.length > 0) await producer.send(outgoingBatch(late));
      await producer.commitTransaction();
      changelogRecords += early.length + late.length;
      commits++;
    }
  }
  const clock = stop();
  const m = store.metrics();
  await store.close();
  await producer.disconnect();
  return result('update', UPDATES, clock, {
    keys: KEYS,
    commits,
    changelogRecords,
    flushAvgMs: +m.flushLatencyAvgMs.toFixed(2),
    flushMaxMs: +m.flushLatencyMaxMs.toFixed(2),
  });
}

/** Copies the changelog from the embedded broker to the real one, in transactions of 10k records (untimed). */
async function copyChangelog(embedded: EmbeddedKafka, real: KafkaClient): Promise<number> {
  await createTopic(real, TOPIC);
  const consumer = embedded.consumer({ groupId: 'bench-copy' });
  await consumer.connect();
  await consumer.assign([{ topic: TOPIC, partition: 0 }]);
  consumer.seek({ topic: TOPIC, partition: 0 }, 0);
  const producer = real.producer({ transactionalId: `bench-copy-${TOPIC}` });
  await producer.connect();
  const admin = embedded.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(TOPIC);
  await admin.disconnect();
  let copied = 0;
  let last = -1;
  while (last + 2 < end!.high) {
    for (const b of fetchedBatches(await consumer.poll(100))) {
      if (b.records.length === 0) continue;
      for (let i = 0; i < b.records.length; i += 10_000) {
        const chunk = b.records.slice(i, i + 10_000);
        await producer.beginTransaction();
        await producer.send(outgoingBatch(chunk.map((r) => ({ topic: TOPIC, partition: 0, key: r.key, value: r.value, timestamp: r.timestamp }))));
        await producer.commitTransaction();
      }
      copied += b.records.length;
      last = b.records[b.records.length - 1]!.offset;
    }
  }
  await producer.disconnect();
  await consumer.close();
  return copied;
}

/**
 * Reads the changelog to its end. The end is an offset (`position` reaching the read_committed end
 * offset), not a record count: the changelog is compacted, and its records carry 1970 timestamps
 * (the bench clock), so the broker rolls segments at once and its log cleaner may remove
 * superseded records before this runs — waiting for `copied` records then never ends.
 */
async function rawConsumeCase(real: KafkaClient): Promise<CaseResult> {
  // Timed like a restore, which reads its end offset, connects, assigns, reads and closes inside
  // its clock: the same steps here. The polling part alone is reported as `pollOnly`.
  const stop = startClock();
  const admin = real.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(TOPIC, { isolation: 'read_committed' });
  await admin.disconnect();
  const consumer = real.consumer({ groupId: `bench-raw-${TOPIC}-${Date.now().toString(36)}` });
  await consumer.connect();
  await consumer.assign([{ topic: TOPIC, partition: 0 }]);
  consumer.seek({ topic: TOPIC, partition: 0 }, 0);
  let n = 0;
  let bytes = 0;
  const stopPolling = startClock();
  while ((consumer.position({ topic: TOPIC, partition: 0 }) ?? 0) < end!.high) {
    for (const b of fetchedBatches(await consumer.poll(100))) {
      n += b.records.length;
      for (const r of b.records) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    }
  }
  const polling = stopPolling();
  await consumer.close();
  const clock = stop();
  return result('raw-consume', n, clock, {
    bytes,
    pollOnlySeconds: Math.round(polling.seconds * 1000) / 1000,
    pollOnlyRecordsPerSec: Math.round(n / polling.seconds),
  });
}

async function restoreCase(real: KafkaClient, dir: string, expected: number): Promise<CaseResult> {
  const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), stringSerde, int64Serde).build();
  await store.init(context(dir, null, { t: 0 }));
  let progressCalls = 0;
  const stop = startClock();
  const [res] = await restoreStores({
    client: real,
    groupId: `bench-restore-${TOPIC}-${Date.now().toString(36)}`,
    partitions: [{ topic: TOPIC, partition: 0, store }],
    onProgress: () => progressCalls++,
  });
  const clock = stop();
  // The log cleaner may have compacted more between the two reads, never less.
  if (res!.restored > expected || res!.restored < expected * 0.9) throw new Error(`restore applied ${res!.restored} records, raw consume read ${expected}`);
  const entries = store.approximateNumEntries();
  await store.close();
  return result('restore', res!.restored, clock, { entries, progressCalls });
}

/** Runs one case in this process (a child of the bench). */
async function runCase(name: string, bootstrap: string): Promise<CaseResult> {
  const real = createKafkaClient({ bootstrapServers: bootstrap });
  const dir = mkdtempSync(join(tmpdir(), `bench-state-${name}-`));
  try {
    if (name === 'update') {
      const embedded = new EmbeddedKafka();
      const update = await updateCase(embedded, dir);
      update['copied'] = await copyChangelog(embedded, real);
      return update;
    }
    if (name === 'raw-consume') return await rawConsumeCase(real);
    if (name === 'restore') return await restoreCase(real, dir, Number(args.get('expected')));
    throw new Error(`unknown case ${name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function child(name: string, bootstrap: string, extra: string[] = []): CaseResult {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [...process.execArgv, self, '--case', name, '--topic', TOPIC, '--bootstrap', bootstrap, ...extra], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
}

const perCpu = (r: CaseResult) => `${r.recordsPerSec} records/s (${r.recordsPerCpuSec} per CPU-s), peak RSS ${r.peakRssMb} MB, load ${r.loadAvg1m}`;

async function main(): Promise<void> {
  let broker: RunningBroker | undefined;
  let bootstrap = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  try {
    if (!bootstrap) {
      process.stdout.write('starting a Kafka broker (scripts/kafka-broker.ts)...\n');
      broker = await startBroker();
      bootstrap = broker.bootstrapServers;
    }
    const update = child('update', bootstrap);
    process.stdout.write(
      `update: ${update.recordsPerSec} updates/s (${update.recordsPerCpuSec} per CPU-s; ${update['changelogRecords']} changelog records, ${update['commits']} commits), peak RSS ${update.peakRssMb} MB, load ${update.loadAvg1m}\n`,
    );
    process.stdout.write(`copied ${update['copied']} changelog records to ${bootstrap}\n`);
    const results: CaseResult[] = [update];
    for (let round = 0; round < ROUNDS; round++) {
      const raw = child('raw-consume', bootstrap);
      process.stdout.write(`raw-consume: ${perCpu(raw)} (${raw.records} records; ${Number(update['copied']) - raw.records} removed by the log cleaner)\n`);
      const restore = child('restore', bootstrap, ['--expected', String(raw.records)]);
      restore['ratioToRawConsume'] = +(restore.recordsPerSec / raw.recordsPerSec).toFixed(3);
      restore['ratioToPollOnly'] = +(restore.recordsPerSec / Number(raw['pollOnlyRecordsPerSec'])).toFixed(3);
      process.stdout.write(
        `restore: ${perCpu(restore)}; ${restore['ratioToRawConsume']} of raw (${restore['ratioToPollOnly']} of its polling alone), ${restore['entries']} keys\n`,
      );
      results.push(raw, restore);
    }
    process.stdout.write(`${JSON.stringify({ bench: 'state', node: process.version, results })}\n`);
  } finally {
    await broker?.stop();
  }
}

const exit = (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
};
const caseName = args.get('case');
if (caseName !== undefined) {
  runCase(caseName, args.get('bootstrap')!).then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  }, exit);
} else {
  main().then(() => process.exit(0), exit);
}
