/**
 * bench:adapter — what the `lib/kafka` seam costs. Produces then consumes 1 KB values:
 *   - `kafkajs-raw`:   kafkajs used directly (sendBatch + eachBatch), no seam;
 *   - `seam-kafkajs`:  the same work through `KafkaClient` (send + poll) on the same broker;
 *   - `seam-embedded`: the same work through the embedded in-process broker.
 * Same record count, batch size, keys and partition count for raw and seam. Prints records/s for
 * produce, consume and produce+consume, the peak RSS sampled during each case, and seam/raw ratios.
 * The last line is one JSON object.
 *
 *   npm run bench:adapter                          # starts its own broker (scripts/kafka-broker.ts)
 *   KAFKA_BOOTSTRAP_SERVERS=host:port npm run bench:adapter
 *   BENCH_RECORDS=200000 BENCH_EMBEDDED_RECORDS=1000000 BENCH_BATCH=2000 npm run bench:adapter
 */
import '../lib/kafka/kafkajs/aborted-filter.js';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { createKafkaClient, EmbeddedKafka, type KafkaClient, type OutgoingRecord } from '../lib/kafka/index.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';
import { fetchedBatches, outgoingBatch } from '../lib/kafka/columns.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 200_000);
const EMBEDDED_RECORDS = Number(process.env['BENCH_EMBEDDED_RECORDS'] ?? 1_000_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 2_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 4);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 20_000);
const VALUE = randomBytes(1024);

interface Phase {
  readonly seconds: number;
  readonly peakRssMb: number;
}
interface CaseResult {
  case: string;
  records: number;
  produceRecordsPerSec: number;
  consumeRecordsPerSec: number;
  recordsPerSec: number;
  peakRssMb: number;
  [extra: string]: unknown;
}

/** Runs `fn` while sampling RSS every 20 ms; returns its duration and the peak RSS seen. */
async function measured(fn: () => Promise<void>): Promise<Phase> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds, peakRssMb: Math.round(peak / 1048576) };
}

const keys = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`key-${i}`));
const topicName = (tag: string): string => `bench-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** Producing and consuming through the seam. */
async function seamCase(client: KafkaClient, n: number, tag: string): Promise<{ produce: Phase; consume: Phase }> {
  const admin = client.admin();
  await admin.connect();
  const topic = topicName(tag);
  await admin.createTopics([{ topic, numPartitions: PARTITIONS }]);
  const ks = keys(n);
  const producer = client.producer();
  await producer.connect();
  const produce = await measured(async () => {
    for (let i = 0; i < n; i += BATCH) {
      const end = Math.min(n, i + BATCH);
      const batch: OutgoingRecord[] = new Array(end - i);
      for (let j = i; j < end; j++) batch[j - i] = { topic, key: ks[j]!, value: VALUE };
      await producer.send(outgoingBatch(batch));
    }
  });
  await producer.disconnect();
  const consumer = client.consumer({ groupId: topicName('group') });
  await consumer.connect();
  await consumer.subscribe([topic]);
  let bytes = 0;
  const consume = await measured(async () => {
    let count = 0;
    while (count < n) {
      for (const b of fetchedBatches(await consumer.poll(1000))) {
        const rs = b.records;
        for (let i = 0; i < rs.length; i++) bytes += rs[i]!.value!.length + rs[i]!.offset * 0;
        count += rs.length;
      }
    }
  });
  if (bytes !== n * VALUE.length) throw new Error(`seam consumed ${bytes} bytes, expected ${n * VALUE.length}`);
  await consumer.close();
  await admin.deleteTopics([topic]);
  await admin.disconnect();
  return { produce, consume };
}

/** The same work with kafkajs directly: same batches, same keys, same fetch settings. */
async function rawCase(bootstrap: string, n: number): Promise<{ produce: Phase; consume: Phase }> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), clientId: 'bench-raw', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = topicName('raw');
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  const ks = keys(n);
  const { Partitioners } = await import('kafkajs');
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const produce = await measured(async () => {
    for (let i = 0; i < n; i += BATCH) {
      const end = Math.min(n, i + BATCH);
      const messages: Message[] = new Array(end - i);
      for (let j = i; j < end; j++) messages[j - i] = { key: ks[j]!, value: VALUE };
      await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
    }
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: topicName('group'), maxWaitTimeInMs: 500, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let bytes = 0;
  const consume = await measured(async () => {
    await new Promise<void>((resolve, reject) => {
      let count = 0;
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: PARTITIONS,
          eachBatch: async ({ batch, resolveOffset }) => {
            const ms = batch.messages;
            for (let i = 0; i < ms.length; i++) bytes += ms[i]!.value!.length + Number(ms[i]!.offset) * 0;
            count += ms.length;
            resolveOffset(batch.lastOffset());
            if (count >= n) resolve();
          },
        })
        .catch(reject);
    });
  });
  if (bytes !== n * VALUE.length) throw new Error(`raw consumed ${bytes} bytes, expected ${n * VALUE.length}`);
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return { produce, consume };
}

function result(name: string, n: number, r: { produce: Phase; consume: Phase }): CaseResult {
  const rate = (x: number, s: number) => Math.round(x / s);
  return {
    case: name,
    records: n,
    produceRecordsPerSec: rate(n, r.produce.seconds),
    consumeRecordsPerSec: rate(n, r.consume.seconds),
    recordsPerSec: rate(n, r.produce.seconds + r.consume.seconds),
    peakRssMb: Math.max(r.produce.peakRssMb, r.consume.peakRssMb),
  };
}

function print(r: CaseResult): void {
  process.stdout.write(
    `${r.case.padEnd(14)} n=${r.records}  produce ${r.produceRecordsPerSec} rec/s  consume ${r.consumeRecordsPerSec} rec/s  ` +
      `produce+consume ${r.recordsPerSec} rec/s  peak RSS ${r.peakRssMb} MB` +
      (r['ratioVsRaw'] ? `  seam/raw ${JSON.stringify(r['ratioVsRaw'])}` : '') +
      '\n',
  );
}

async function main(): Promise<void> {
  let broker: RunningBroker | undefined;
  let bootstrap = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (!bootstrap) {
    process.stdout.write('starting a Kafka broker (scripts/kafka-broker.ts)...\n');
    broker = await startBroker();
    bootstrap = broker.bootstrapServers;
  }
  const results: CaseResult[] = [];
  try {
    const seamClient = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'bench-seam' });
    process.stdout.write(`broker ${bootstrap}; ${RECORDS} x 1 KB, batches of ${BATCH}, ${PARTITIONS} partitions; warmup ${WARMUP}\n`);
    if (WARMUP > 0) {
      await rawCase(bootstrap, WARMUP);
      await seamCase(seamClient, WARMUP, 'warm');
    }
    const raw = result('kafkajs-raw', RECORDS, await rawCase(bootstrap, RECORDS));
    print(raw);
    const seam = result('seam-kafkajs', RECORDS, await seamCase(seamClient, RECORDS, 'seam'));
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    seam['ratioVsRaw'] = {
      produce: ratio(seam.produceRecordsPerSec, raw.produceRecordsPerSec),
      consume: ratio(seam.consumeRecordsPerSec, raw.consumeRecordsPerSec),
      total: ratio(seam.recordsPerSec, raw.recordsPerSec),
    };
    print(seam);
    results.push(raw, seam);
  } finally {
    await broker?.stop();
  }
  if (EMBEDDED_RECORDS > 0) {
    const embedded = result('seam-embedded', EMBEDDED_RECORDS, await seamCase(new EmbeddedKafka(), EMBEDDED_RECORDS, 'emb'));
    print(embedded);
    results.push(embedded);
  }
  process.stdout.write(`${JSON.stringify({ bench: 'kafka-adapter', node: process.version, results })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:adapter failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
