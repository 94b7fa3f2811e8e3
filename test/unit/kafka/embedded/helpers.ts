import { EmbeddedKafka, type EmbeddedKafkaOptions } from '../../../../lib/kafka/embedded/index.js';
import type { Consumer, ConsumerOptions, FetchedBatch, IncomingRecord, Producer, ProducerOptions } from '../../../../lib/kafka/types.js';

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

export function values(batches: readonly FetchedBatch[]): string[] {
  return batches.flatMap((b) => b.records.map((r) => r.value?.toString() ?? 'null'));
}

/** Polls until `n` records arrived or `ms` passed. */
export async function pollN(c: Consumer, n: number, ms = 2000): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n && Date.now() < deadline) {
    for (const b of await c.poll(Math.max(1, deadline - Date.now()))) out.push(...b.records);
  }
  return out;
}
