/**
 * bench:state — the state store stack under a realistic load, then restoration.
 *   - `update`:   1M read-modify-write updates (count per key) over 100k keys through
 *                 metered ▶ caching (10 MB) ▶ change-logging ▶ LevelDB, with a commit every 10k
 *                 records: flush the store while sending its changelog records in a transaction
 *                 on the embedded broker, then commit (as the runtime's commit does).
 *   - `raw-consume`: the changelog copied to the real broker (untimed), then read back through
 *                 the Kafka client (assign + poll, read_committed) — the client's raw rate.
 *   - `restore`:  the same changelog restored with `restoreStores` into an empty LevelDB store.
 * Targets: update ≥ 300k/s, restore ≥ 80% of raw-consume, peak RSS < 500 MB. Last line: JSON.
 *
 *   npm run bench:state                            # starts its own broker
 *   KAFKA_BOOTSTRAP_SERVERS=host:port npm run bench:state
 *   BENCH_UPDATES=1000000 BENCH_KEYS=100000 BENCH_COMMIT=10000 npm run bench:state
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient, EmbeddedKafka, type KafkaClient, type OutgoingRecord } from '../lib/kafka/index.js';
import { int64Serde, stringSerde } from '../lib/serde/primitive-serdes.js';
import { restoreStores } from '../lib/state/restore.js';
import { Stores } from '../lib/state/stores.js';
import type { ChangelogSink, StateStoreContext } from '../lib/state/types.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';

const UPDATES = Number(process.env['BENCH_UPDATES'] ?? 1_000_000);
const KEYS = Number(process.env['BENCH_KEYS'] ?? 100_000);
const COMMIT_EVERY = Number(process.env['BENCH_COMMIT'] ?? 10_000);
const TOPIC = `bench-state-counts-changelog-${Date.now().toString(36)}`;

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
  peakRssMb: number;
  [extra: string]: unknown;
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
  const clock = { t: 0 };
  const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), stringSerde, int64Serde).withCachingEnabled(10 * 1024 * 1024).build();
  await store.init(context(dir, sink, clock));
  const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
  let rnd = 42;
  let changelogRecords = 0;
  let commits = 0;
  const t0 = performance.now();
  for (let i = 0; i < UPDATES; i++) {
    rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
    const k = keys[rnd % KEYS]!;
    clock.t = i;
    store.put(k, (store.get(k) ?? 0) + 1);
    if ((i + 1) % COMMIT_EVERY === 0 || i + 1 === UPDATES) {
      // As the runtime's commit: the cache writes down as flush starts, so its changelog records
      // are sent while LevelDB applies the batch; the commit waits for both.
      const flushed = store.flush();
      flushed.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
      await producer.beginTransaction();
      const early = sink.records;
      sink.records = [];
      if (early.length > 0) await producer.send(early);
      await flushed;
      const late = sink.records;
      sink.records = [];
      if (late.length > 0) await producer.send(late);
      await producer.commitTransaction();
      changelogRecords += early.length + late.length;
      commits++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const m = store.metrics();
  await store.close();
  await producer.disconnect();
  return { case: 'update', records: UPDATES, seconds, recordsPerSec: Math.round(UPDATES / seconds), peakRssMb: peakMb(), keys: KEYS, commits, changelogRecords, flushAvgMs: +m.flushLatencyAvgMs.toFixed(2), flushMaxMs: +m.flushLatencyMaxMs.toFixed(2) };
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
    for (const b of await consumer.poll(100)) {
      if (b.records.length === 0) continue;
      for (let i = 0; i < b.records.length; i += 10_000) {
        const chunk = b.records.slice(i, i + 10_000);
        await producer.beginTransaction();
        await producer.send(chunk.map((r) => ({ topic: TOPIC, partition: 0, key: r.key, value: r.value, timestamp: r.timestamp })));
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
  const admin = real.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(TOPIC, { isolation: 'read_committed' });
  await admin.disconnect();
  const consumer = real.consumer({ groupId: `bench-raw-${TOPIC}` });
  await consumer.connect();
  await consumer.assign([{ topic: TOPIC, partition: 0 }]);
  consumer.seek({ topic: TOPIC, partition: 0 }, 0);
  let n = 0;
  let bytes = 0;
  const t0 = performance.now();
  while ((consumer.position({ topic: TOPIC, partition: 0 }) ?? 0) < end!.high) {
    for (const b of await consumer.poll(100)) {
      n += b.records.length;
      for (const r of b.records) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await consumer.close();
  return { case: 'raw-consume', records: n, seconds, recordsPerSec: Math.round(n / seconds), peakRssMb: peakMb(), bytes };
}

async function restoreCase(real: KafkaClient, dir: string, expected: number): Promise<CaseResult> {
  const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), stringSerde, int64Serde).build();
  await store.init(context(dir, null, { t: 0 }));
  let progressCalls = 0;
  const t0 = performance.now();
  const [res] = await restoreStores({ client: real, groupId: `bench-restore-${TOPIC}`, partitions: [{ topic: TOPIC, partition: 0, store }], onProgress: () => progressCalls++ });
  const seconds = (performance.now() - t0) / 1000;
  // The log cleaner may have compacted more between the two reads, never less.
  if (res!.restored > expected || res!.restored < expected * 0.9) throw new Error(`restore applied ${res!.restored} records, raw consume read ${expected}`);
  const entries = store.approximateNumEntries();
  await store.close();
  return { case: 'restore', records: res!.restored, seconds, recordsPerSec: Math.round(res!.restored / seconds), peakRssMb: peakMb(), entries, progressCalls };
}

async function main(): Promise<void> {
  let broker: RunningBroker | undefined;
  let bootstrap = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  const dirs = [mkdtempSync(join(tmpdir(), 'bench-state-')), mkdtempSync(join(tmpdir(), 'bench-restore-'))];
  try {
    const embedded = new EmbeddedKafka();
    const update = await updateCase(embedded, dirs[0]!);
    process.stdout.write(`update: ${update.recordsPerSec} updates/s (${update.changelogRecords} changelog records, ${update.commits} commits), peak RSS ${update.peakRssMb} MB\n`);
    if (!bootstrap) {
      process.stdout.write('starting a Kafka broker (scripts/kafka-broker.ts)...\n');
      broker = await startBroker();
      bootstrap = broker.bootstrapServers;
    }
    const real = createKafkaClient({ bootstrapServers: bootstrap });
    const copied = await copyChangelog(embedded, real);
    process.stdout.write(`copied ${copied} changelog records to ${bootstrap}\n`);
    const raw = await rawConsumeCase(real);
    process.stdout.write(`raw-consume: ${raw.recordsPerSec} records/s (${raw.records} records; ${copied - raw.records} removed by the log cleaner)\n`);
    const restore = await restoreCase(real, dirs[1]!, raw.records);
    restore['ratioToRawConsume'] = +(restore.recordsPerSec / raw.recordsPerSec).toFixed(3);
    process.stdout.write(`restore: ${restore.recordsPerSec} records/s (${restore['ratioToRawConsume']} of raw), ${restore['entries']} keys\n`);
    for (const r of [update, raw, restore]) r.seconds = +r.seconds.toFixed(3);
    process.stdout.write(`${JSON.stringify({ bench: 'state', results: [update, raw, restore] })}\n`);
  } finally {
    await broker?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
