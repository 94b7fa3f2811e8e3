/**
 * Kafka → Delta benchmark, exactly-once, on a real broker: 1M transaction events of the seed
 * schema (produced beforehand into 4 partitions, not timed) into a table partitioned by
 * event_date.
 *
 *   raw-consume       the Kafka client alone: the seam's consumer reads every record (no work)
 *   parquet-encode    the writer alone: rows (pre-parsed) → schema check → Arrow → zstd Parquet, in memory
 *   kafka-delta-eos   the topology: JSON source → enrichment → deltaSink (zod schema, partitioned),
 *                     exactly_once (a Kafka transaction per task commit, the Delta commit before it);
 *                     timed from start until every row is committed to Delta
 *
 * The first two bound the third; the figures come from the same run. Each case reports records/s,
 * records per CPU-second (user+system of this process), peak RSS and the 1-minute load average;
 * the Kafka cases also give the CPU seconds of the broker's process group (when this bench started
 * it) and of moto_server's. Last line: one JSON object.
 *
 *   --s3-moto         also runs kafka-delta-eos with the table on S3 (moto_server on loopback, a
 *                     fresh bucket) right after the local one, from the same topic (a new consumer
 *                     group), and reports the S3/local ratios of the same run
 *   --s3-first        with --s3-moto: the S3 case first
 *
 * Usage: npm run bench:delta [-- --records N --commit-ms MS --s3-moto [--s3-first]]   (KAFKA_BOOTSTRAP_SERVERS skips the broker start)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { configureS3, deltaSchemaFromZod, deltaSink, loadSnapshot, type DeltaSinkCommitInfo } from '../lib/connectors/delta/index.js';
import { encodeParquet } from '../lib/connectors/delta/parquet.js';
import { RowBuffer } from '../lib/connectors/delta/row-buffer.js';
import { TransactionGenerator } from '../lib/cli/produce/transactions.js';
import { Consumed, Named } from '../lib/dsl/index.js';
import { StreamsBuilder } from '../lib/dsl/streams-builder.js';
import { createKafkaClient, type KafkaClient } from '../lib/kafka/index.js';
import { StreamsRuntime } from '../lib/runtime/streams-runtime.js';
import { Serdes } from '../lib/serde/serdes.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';
import { TransactionEventSchema } from '../topologies/transactions-schema.js';
import { fetchedBatches, outgoingBatch } from '../lib/kafka/columns.js';

const args = process.argv.slice(2);
const arg = (name: string, d: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const RECORDS = arg('--records', 1_000_000);
const COMMIT_MS = arg('--commit-ms', 3_000);
const PARTITIONS = 4;

const BronzeSchema = TransactionEventSchema.extend({
  event_date: z.iso.date(),
  amount_usd: z.number(),
  kafka_partition: z.int32(),
  kafka_offset: z.int(),
});
const USD: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0067, CAD: 0.73, AUD: 0.66, CHF: 1.12, SEK: 0.095 };
type Tx = z.infer<typeof TransactionEventSchema>;
type Enriched = Tx & { event_date: string; amount_usd: number; kafka_partition?: number; kafka_offset?: number };
/** Adds the derived columns to the freshly parsed value (it is ours: no copy). */
const enrich = (v: Tx): Enriched => {
  const e = v as Enriched;
  e.event_date = v.transaction_timestamp.slice(0, 10);
  e.amount_usd = Math.round(v.amount * (USD[v.currency] ?? 1) * 100) / 100;
  return e;
};

interface Result {
  case: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
  recordsPerCpuSec: number;
  cpuSeconds: number;
  peakRssMb: number;
  load1: number;
  [k: string]: unknown;
}

/** Processes whose CPU is reported next to ours: name → process group id. */
const others = new Map<string, number>();
const CLK_TCK = 100; // USER_HZ on Linux

/** CPU seconds (user+system) used so far by the live processes of process group `pgid` (Linux /proc; 0 elsewhere). */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] = state (field 3)
      if (Number(f[2]) !== pgid) continue; // field 5: pgrp
      ticks += Number(f[11]) + Number(f[12]); // fields 14, 15: utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLK_TCK;
}

async function measured(name: string, records: number, fn: () => Promise<Record<string, unknown> | void>): Promise<Result> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const others0 = new Map([...others].map(([k, pgid]) => [k, groupCpuSeconds(pgid)]));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let extra: Record<string, unknown> | void;
  try {
    extra = await fn();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const otherCpu: Record<string, number> = {};
  for (const [k, pgid] of others) otherCpu[`${k}CpuSeconds`] = +(groupCpuSeconds(pgid) - others0.get(k)!).toFixed(2);
  peak = Math.max(peak, process.memoryUsage().rss);
  const r: Result = {
    case: name,
    records,
    seconds: +seconds.toFixed(2),
    recordsPerSec: Math.round(records / seconds),
    recordsPerCpuSec: Math.round(records / cpuSec),
    cpuSeconds: +cpuSec.toFixed(2),
    peakRssMb: Math.round(peak / 1048576),
    load1: +os.loadavg()[0]!.toFixed(2),
    ...otherCpu,
    ...(extra ?? {}),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return r;
}

function generator(): TransactionGenerator {
  return new TransactionGenerator({ seed: 11, startTime: Date.UTC(2024, 5, 1), spacingMs: (5 * 86_400_000) / RECORDS, malformedShare: 0 });
}

async function produce(client: KafkaClient, topic: string): Promise<void> {
  const producer = client.producer({ clientId: 'bench-delta-input' });
  await producer.connect();
  const gen = generator();
  const t0 = performance.now();
  for (let sent = 0; sent < RECORDS; ) {
    const batch = [];
    for (let i = 0; i < 10_000 && sent < RECORDS; i++, sent++) {
      const t = gen.next();
      batch.push({ topic, key: Buffer.from(t.key), value: Buffer.from(t.value) });
    }
    await producer.send(outgoingBatch(batch));
  }
  await producer.disconnect();
  process.stdout.write(`produced ${RECORDS} records into ${topic} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)\n`);
}

async function rawConsume(client: KafkaClient, topic: string): Promise<Record<string, unknown>> {
  const consumer = client.consumer({ groupId: `bench-raw-${Date.now()}`, autoOffsetReset: 'earliest' });
  await consumer.connect();
  await consumer.subscribe([topic]);
  let n = 0;
  let bytes = 0;
  while (n < RECORDS) {
    for (const b of fetchedBatches(await consumer.poll(100))) {
      n += b.records.length;
      for (const r of b.records) bytes += r.value?.length ?? 0;
    }
  }
  await consumer.close();
  return { mb: Math.round(bytes / 1048576) };
}

function parquetEncode(): Record<string, unknown> {
  const schema = deltaSchemaFromZod(BronzeSchema);
  const dataFields = schema.fields.filter((f) => f.name !== 'event_date');
  const gen = generator();
  const rows = Array.from({ length: Math.min(RECORDS, 200_000) }, (_, i) => ({
    ...enrich({ ...gen.next().event }),
    kafka_partition: i % PARTITIONS,
    kafka_offset: i,
  }));
  const buffers = new Map<string, RowBuffer>();
  let bytes = 0;
  let files = 0;
  for (let i = 0; i < RECORDS; i++) {
    const row = rows[i % rows.length]!;
    row.kafka_offset = i;
    if (BronzeSchema.safeParse(row).success !== true) throw new Error('bench row does not fit');
    let b = buffers.get(row.event_date);
    if (!b) buffers.set(row.event_date, (b = new RowBuffer(dataFields, ['event_date'])));
    const reason = b.append(row);
    if (reason) throw new Error(reason);
    if (b.length >= 250_000) {
      bytes += encodeParquet(b.finish(), { codec: 'zstd' }).length;
      files++;
    }
  }
  for (const b of buffers.values()) {
    if (b.length) {
      bytes += encodeParquet(b.finish(), { codec: 'zstd' }).length;
      files++;
    }
  }
  return { files, parquetMb: +(bytes / 1048576).toFixed(1), note: 'zod check + Arrow + zstd Parquet per event_date, in memory' };
}

async function kafkaToDelta(client: KafkaClient, topic: string, table: string, stateDir: string): Promise<Record<string, unknown>> {
  const commits: DeltaSinkCommitInfo[] = [];
  let committedRows = 0;
  let allCommitted!: () => void;
  const done = new Promise<void>((r) => (allCommitted = r));
  const b = new StreamsBuilder();
  b.stream<string, Tx>(topic, Consumed.with(Serdes.string(), Serdes.json<Tx>()))
    .mapValues(enrich, Named.as('enrich'))
    .process(
      deltaSink<string, Enriched>({
        table,
        schema: BronzeSchema,
        partitionBy: ['event_date'],
        toRow: (r, src) => {
          const row = r.value;
          row.kafka_partition = src.partition;
          row.kafka_offset = src.offset;
          return row;
        },
        commitIntervalMs: COMMIT_MS,
        onCommit: (c) => {
          commits.push(c);
          committedRows += c.rows;
          if (committedRows >= RECORDS) allCommitted();
        },
      }),
      { named: Named.as('bronze-delta') },
    );
  const runtime = new StreamsRuntime({
    topology: b.build(),
    client,
    config: { applicationId: `bench-delta-${Date.now()}`, processingGuarantee: 'exactly_once', stateDir },
  });
  await runtime.start();
  await Promise.race([
    done,
    runtime.done().then(() => {
      throw new Error('runtime stopped early');
    }),
  ]);
  await runtime.close();
  const snap = await loadSnapshot(table);
  return {
    commitIntervalMs: COMMIT_MS,
    deltaCommits: commits.length,
    files: snap.files.size,
    tableVersion: snap.version,
    rowsCommitted: committedRows,
  };
}

async function main(): Promise<void> {
  let broker: RunningBroker | undefined;
  let bootstrap = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  const work = mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-delta-'));
  let stopMoto: (() => Promise<void>) | undefined;
  let s3Location: string | undefined;
  try {
    if (!bootstrap) {
      broker = await startBroker();
      bootstrap = broker.bootstrapServers;
      others.set('broker', broker.pgid);
    }
    if (args.includes('--s3-moto')) {
      const { startMoto } = await import('../test/helpers/s3-moto.js');
      const moto = await startMoto();
      stopMoto = () => moto.stop();
      if (moto.pgid !== undefined) others.set('moto', moto.pgid);
      configureS3({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      s3Location = `s3://${await moto.bucket('bench')}/lake`;
    }
    const client = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'bench-delta' });
    const admin = client.admin();
    await admin.connect();
    const topic = `bench-delta-${Date.now().toString(36)}`;
    await admin.createTopics([{ topic, numPartitions: PARTITIONS }]);
    await produce(client, topic);
    await admin.disconnect();
    const results: Result[] = [];
    results.push(await measured('raw-consume', RECORDS, () => rawConsume(client, topic)));
    results.push(await measured('parquet-encode', RECORDS, async () => parquetEncode()));
    const runLocal = () => measured('kafka-delta-eos', RECORDS, () => kafkaToDelta(client, topic, path.join(work, 'bronze'), path.join(work, 'state')));
    const runS3 = () => measured('kafka-delta-eos-s3', RECORDS, () => kafkaToDelta(client, topic, `${s3Location}/bronze`, path.join(work, 'state-s3')));
    // --s3-first swaps the order (a check that the ratio is not an order effect).
    const s3First = s3Location !== undefined && args.includes('--s3-first');
    const s3Early = s3First ? await runS3() : undefined;
    const local = await runLocal();
    const s3 = s3Early ?? (s3Location ? await runS3() : undefined);
    results.push(...(s3First ? [s3!, local] : s3 ? [local, s3] : [local]));
    let s3Ratio: Record<string, number> | undefined;
    if (s3) {
      s3Ratio = {
        recordsPerSec: +(s3.recordsPerSec / local.recordsPerSec).toFixed(3),
        recordsPerCpuSec: +(s3.recordsPerCpuSec / local.recordsPerCpuSec).toFixed(3),
        peakRssMb: +(s3.peakRssMb / local.peakRssMb).toFixed(3),
      };
      process.stdout.write(`S3/local (same run): ${JSON.stringify(s3Ratio)}\n`);
    }
    process.stdout.write(`${JSON.stringify({ bench: 'delta', node: process.version, results, ...(s3Ratio ? { s3OverLocal: s3Ratio } : {}) })}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stopMoto?.();
    await broker?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
