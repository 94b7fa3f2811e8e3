/**
 * bench:clients workloads through @platformatic/kafka (pure TypeScript). Its transactions commit
 * offsets with the consumer's group metadata (member id and generation: KIP-447), one
 * TxnOffsetCommit per `addOffset` call — here one per partition per transaction.
 */
import type { Workload, WorkloadContext } from './workload.js';
import { chunks, commitLoop, inFlightPool, payload, type Pending } from './workload.js';

type Any = any;

export function platformaticApi(mod: Any): Workload {
  const base = (ctx: WorkloadContext) => ({ clientId: `bench-${ctx.caseName}`, bootstrapBrokers: [ctx.bootstrap] });
  const consume = async (ctx: WorkloadContext, consumer: Any) =>
    consumer.consume({
      topics: [ctx.inputTopic],
      mode: mod.MessagesStreamModes.EARLIEST,
      autocommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });

  return {
    async produce(ctx) {
      const producer = new mod.Producer({ ...base(ctx), idempotent: true });
      const started = ctx.startClock();
      await inFlightPool(ctx.records, ctx.batch, 8, (from, to) => {
        const messages = [];
        for (let i = from; i < to; i++) messages.push({ topic: ctx.outputTopic, key: Buffer.from(`k${i % 1000}`), value: payload(i) });
        return producer.send({ messages, acks: mod.ProduceAcks.ALL });
      });
      const result = started.stop(ctx.records);
      await producer.close();
      return result;
    },

    async consume(ctx) {
      const consumer = new mod.Consumer({ ...base(ctx), groupId: ctx.groupId });
      const started = ctx.startClock();
      const stream = await consume(ctx, consumer);
      let seen = 0;
      await new Promise<void>((done) => {
        stream.on('data', () => {
          if (++seen === ctx.records) done();
        });
      });
      const result = started.stop(seen);
      await stream.close();
      await consumer.close(true);
      return result;
    },

    async eos(ctx) {
      const consumer = new mod.Consumer({ ...base(ctx), groupId: ctx.groupId });
      const producer = new mod.Producer({ ...base(ctx), idempotent: true, transactionalId: `${ctx.groupId}-tx` });
      const pending: Pending[] = [];
      const loop = commitLoop(ctx, pending, async (records) => {
        const last = new Map<number, Any>();
        for (const r of records) last.set(r.partition, r.source);
        const tx = await producer.beginTransaction();
        // One send at a time: concurrent sends inside one transaction fail ("Producing messages failed.").
        for (const c of chunks(records))
          await tx.send({
            messages: c.map((r) => ({ topic: ctx.outputTopic, key: r.key, value: r.value, partition: r.partition })),
            acks: mod.ProduceAcks.ALL,
          });
        await tx.addConsumer(consumer);
        for (const message of last.values()) await tx.addOffset(message);
        await tx.commit();
      });
      const started = ctx.startClock();
      const stream = await consume(ctx, consumer);
      stream.on('data', (m: Any) => {
        pending.push({ key: m.key, value: m.value, partition: m.partition, offset: Number(m.offset), source: m });
        if (pending.length > 50_000) {
          stream.pause();
          void loop.room().then(() => stream.resume());
        }
      });
      const committed = await loop.done;
      const result = started.stop(committed);
      await stream.close();
      await consumer.close(true);
      await producer.close();
      return result;
    },
  };
}
