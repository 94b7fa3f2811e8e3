/**
 * bench:clients workloads through the KafkaJS API: kafkajs itself and the KafkaJS-compatible API of
 * @confluentinc/kafka-javascript (librdkafka underneath). The two differ in construction (the
 * Confluent one nests KafkaJS options under `kafkaJS`) and in `sendOffsets` (Confluent takes the
 * consumer, for its group metadata — KIP-447; kafkajs takes the group id: no member/generation).
 */
import type { Workload, WorkloadContext } from './workload.js';
import { chunks, commitLoop, inFlightPool, payload, type Pending } from './workload.js';

type Any = any;

export function kafkajsApi(mod: Any, flavour: 'kafkajs' | 'confluent'): Workload {
  const confluent = flavour === 'confluent';
  const kafka = (ctx: WorkloadContext) =>
    confluent
      ? new mod.KafkaJS.Kafka({ kafkaJS: { brokers: [ctx.bootstrap], clientId: `bench-${ctx.caseName}`, logLevel: mod.KafkaJS.logLevel.NOTHING } })
      : new mod.Kafka({ brokers: [ctx.bootstrap], clientId: `bench-${ctx.caseName}`, logLevel: mod.logLevel.NOTHING });
  const producerOf = (k: Any, extra: Record<string, unknown>) => (confluent ? k.producer({ kafkaJS: { ...extra } }) : k.producer({ ...extra }));
  const consumerOf = (k: Any, groupId: string) =>
    confluent
      ? k.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } })
      : k.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, readUncommitted: false });
  const subscribe = (c: Any, topic: string) => (confluent ? c.subscribe({ topics: [topic] }) : c.subscribe({ topics: [topic], fromBeginning: true }));

  return {
    async produce(ctx) {
      // acks=all: kafkajs takes it per send, the Confluent API only at creation.
      const producer = producerOf(kafka(ctx), confluent ? { idempotent: true, acks: -1 } : { idempotent: true, maxInFlightRequests: 5 });
      await producer.connect();
      const started = ctx.startClock();
      await inFlightPool(ctx.records, ctx.batch, 8, (from, to) => {
        const messages = [];
        for (let i = from; i < to; i++) messages.push({ key: `k${i % 1000}`, value: payload(i) });
        return producer.send(confluent ? { topic: ctx.outputTopic, messages } : { topic: ctx.outputTopic, messages, acks: -1 });
      });
      const result = started.stop(ctx.records);
      await producer.disconnect();
      return result;
    },

    async consume(ctx) {
      const consumer = consumerOf(kafka(ctx), ctx.groupId);
      await consumer.connect();
      await subscribe(consumer, ctx.inputTopic);
      const started = ctx.startClock();
      let seen = 0;
      await new Promise<void>((done) => {
        void consumer.run({
          eachBatch: async ({ batch }: Any) => {
            seen += batch.messages.length;
            if (seen >= ctx.records) done();
          },
        });
      });
      const result = started.stop(seen);
      await consumer.disconnect();
      return result;
    },

    async eos(ctx) {
      const k = kafka(ctx);
      const consumer = consumerOf(k, ctx.groupId);
      const producer = producerOf(k, { transactionalId: `${ctx.groupId}-tx`, idempotent: true, maxInFlightRequests: 1 });
      await Promise.all([consumer.connect(), producer.connect()]);
      await subscribe(consumer, ctx.inputTopic);
      const pending: Pending[] = [];
      const loop = commitLoop(ctx, pending, async (records, offsets) => {
        const txn = await producer.transaction();
        await Promise.all(
          chunks(records).map((c) => txn.send({ topic: ctx.outputTopic, messages: c.map((r) => ({ key: r.key, value: r.value, partition: r.partition })) })),
        );
        const topics = [{ topic: ctx.inputTopic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })) }];
        await txn.sendOffsets(confluent ? { consumer, topics } : { consumerGroupId: ctx.groupId, topics });
        await txn.commit();
      });
      const started = ctx.startClock();
      void consumer.run({
        eachBatch: async ({ batch }: Any) => {
          for (const m of batch.messages) pending.push({ key: m.key, value: m.value, partition: batch.partition, offset: Number(m.offset) });
          await loop.room();
        },
      });
      const committed = await loop.done;
      const result = started.stop(committed);
      await consumer.disconnect();
      await producer.disconnect();
      return result;
    },
  };
}
