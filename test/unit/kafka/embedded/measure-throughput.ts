/**
 * Quick local measurement of the embedded broker through the `KafkaClient` seam (not a benchmark
 * of record; bench/kafka-adapter.ts owns those): produce N records with 1 KB values in batches,
 * then consume them all with a group consumer, and print records/s and peak RSS.
 *
 *   npx tsx test/unit/kafka/embedded/measure-throughput.ts [records=1000000] [partitions=4] [batch=1000] [txn=0]
 */
import { EmbeddedKafka } from '../../../../lib/kafka/embedded/index.js';
import type { OutgoingRecord } from '../../../../lib/kafka/types.js';
import { fetchedBatches, outgoingBatch } from '../../../../lib/kafka/columns.js';

const total = Number(process.argv[2] ?? 1_000_000);
const partitions = Number(process.argv[3] ?? 4);
const batchSize = Number(process.argv[4] ?? 1000);
const transactional = process.argv[5] === '1';

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const kafka = new EmbeddedKafka();
const admin = kafka.admin();
await admin.connect();
await admin.createTopics([{ topic: 'bench', numPartitions: partitions }]);
const producer = kafka.producer(transactional ? { transactionalId: 'bench-tx' } : {});
await producer.connect();
const consumer = kafka.consumer({ groupId: 'bench' });
await consumer.connect();
await consumer.subscribe(['bench']);

const value = Buffer.alloc(1024, 7);
const keys = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`key-${i}`));

async function produce(): Promise<void> {
  for (let sent = 0; sent < total; sent += batchSize) {
    const batch: OutgoingRecord[] = [];
    const n = Math.min(batchSize, total - sent);
    for (let i = 0; i < n; i++) batch.push({ topic: 'bench', key: keys[(sent + i) % keys.length]!, value });
    if (transactional) await producer.beginTransaction();
    await producer.send(outgoingBatch(batch));
    if (transactional) await producer.commitTransaction();
  }
}

async function consume(): Promise<number> {
  let got = 0;
  let bytes = 0;
  while (got < total) {
    for (const b of fetchedBatches(await consumer.poll(1000))) {
      got += b.records.length;
      for (const r of b.records) bytes += r.value!.length;
    }
  }
  return bytes;
}

const t0 = performance.now();
const [, bytes] = await Promise.all([produce(), consume()]);
const concurrentMs = performance.now() - t0;

// Second pass: a fresh group re-reads everything (consume-only throughput).
const reader = kafka.consumer({ groupId: 'bench-reread' });
await reader.connect();
await reader.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: 'bench', partition })));
const t1 = performance.now();
let reread = 0;
while (reread < total) for (const b of fetchedBatches(await reader.poll(1000))) reread += b.records.length;
const rereadMs = performance.now() - t1;

clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} records/s`;
console.log(
  JSON.stringify({
    records: total,
    partitions,
    batch: batchSize,
    transactional,
    valueBytes: value.length,
    consumedBytes: bytes,
    produceAndConsumeMs: Math.round(concurrentMs),
    produceAndConsume: rate(total, concurrentMs),
    consumeOnlyMs: Math.round(rereadMs),
    consumeOnly: rate(total, rereadMs),
    peakRssMb: Math.round(peakRss / 2 ** 20),
  }),
);
await consumer.close();
await reader.close();
await kafka.close();
