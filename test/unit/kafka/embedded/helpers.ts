import { EmbeddedKafka, type EmbeddedKafkaOptions } from '../../../../lib/kafka/embedded/index.js';
import type { Consumer, ConsumerOptions, FetchedColumns, IncomingRecord, Producer, ProducerOptions } from '../../../../lib/kafka/types.js';
import { fetchedBatches, fetchedRecords, type FetchedBatch } from '../../../../lib/kafka/columns.js';
import { ColumnsBuilder } from '../../../../lib/kafka/embedded/columns-builder.js';
import type { PartitionLog, ReadLimits } from '../../../../lib/kafka/embedded/partition-log.js';

export interface Rig {
  readonly kafka: EmbeddedKafka;
  producer(options?: ProducerOptions): Promise<Producer>;
  consumer(options: ConsumerOptions): Promise<Consumer>;
  close(): Promise<void>;
}

/** An embedded cluster with the given topics (name → partitions), connected clients, and cleanup. */
export async function rig(topics: Record<string, number>, options: EmbeddedKafkaOptions = {}): Promise<Rig> {
  const kafka = new EmbeddedKafka(options);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics(Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions })));
  const consumers: Consumer[] = [];
  return {
    kafka,
    async producer(o = {}) {
      const p = kafka.producer(o);
      await p.connect();
      return p;
    },
    async consumer(o) {
      const c = kafka.consumer(o);
      await c.connect();
      consumers.push(c);
      return c;
    },
    async close() {
      for (const c of consumers) await c.close().catch(() => {});
      await kafka.close();
    },
  };
}

export const v = (s: string): Buffer => Buffer.from(s);

export function values(batches: readonly (FetchedBatch | FetchedColumns)[]): string[] {
  return batches.flatMap((b) => ('records' in b ? b.records : fetchedRecords(b)).map((r) => r.value?.toString() ?? 'null'));
}

/** Polls until `n` records arrived or `ms` passed. */
export async function pollN(c: Consumer, n: number, ms = 2000): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n && Date.now() < deadline) {
    for (const b of fetchedBatches(await c.poll(Math.max(1, deadline - Date.now())))) out.push(...b.records);
  }
  return out;
}

/** Reads a log from `offset` into record objects (through the columns the consumer reads). */
export function logRead(log: PartitionLog, offset: number, limits: ReadLimits, out: IncomingRecord[]): ReturnType<PartitionLog['readColumns']> {
  const cols = new ColumnsBuilder(16);
  const res = log.readColumns(offset, limits, cols);
  out.push(...fetchedRecords(cols.build(log.topic, log.partition, -1)));
  return res;
}
