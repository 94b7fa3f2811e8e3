/**
 * Behaviour specific to the kafkajs adapter (beyond the shared conformance suite), against the real
 * broker: error translation at the edge, misuse errors, several partitions per poll, prompt close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../lib/errors.js';
import { createKafkaClient, type Admin, type FetchedBatch, type KafkaClient } from '../../../lib/kafka/index.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

describe('kafkajs adapter', () => {
  let client: KafkaClient;
  let admin: Admin;
  const topics: string[] = [];

  beforeAll(async () => {
    client = createKafkaClient({ client: 'kafkajs', bootstrapServers: realBootstrapServers(), clientId: 'tributary-adapter-test' });
    admin = client.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics(topics);
    await admin.disconnect();
  });

  async function topic(partitions: number): Promise<string> {
    const t = uniqueName('adapter');
    topics.push(t);
    await admin.createTopics([{ topic: t, numPartitions: partitions }]);
    return t;
  }

  it('translates a send to a missing topic into TOPIC_NOT_FOUND naming it', async () => {
    const p = client.producer();
    await p.connect();
    const missing = uniqueName('missing');
    try {
      const err = await p.send(outgoingBatch([{ topic: missing, key: null, value: Buffer.from('x') }])).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TributaryError);
      expect((err as TributaryError).code).toBe('TOPIC_NOT_FOUND');
      expect((err as TributaryError).context.topic).toBe(missing);
    } finally {
      await p.disconnect();
    }
  });

  it('rejects transactional misuse with ILLEGAL_STATE', async () => {
    const t = await topic(1);
    const p = client.producer({ transactionalId: uniqueName('txn') });
    await p.connect();
    try {
      await expect(p.send(outgoingBatch([{ topic: t, key: null, value: null }]))).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
      await expect(p.commitTransaction()).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
      await p.beginTransaction();
      await expect(p.beginTransaction()).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
      await p.abortTransaction();
      const plain = client.producer();
      await expect(plain.beginTransaction()).rejects.toBeInstanceOf(TributaryError);
    } finally {
      await p.disconnect();
    }
  });

  it('hands out batches of several partitions in one poll and closes promptly with batches pending', async () => {
    const t = await topic(4);
    const p = client.producer();
    await p.connect();
    const c = client.consumer({ groupId: uniqueName('group') });
    await c.connect();
    await c.subscribe([t]);
    await p.send(outgoingBatch(Array.from({ length: 400 }, (_, i) => ({ topic: t, partition: i % 4, key: null, value: Buffer.alloc(100, i) }))));
    let widest = 0;
    let total = 0;
    const deadline = Date.now() + 30_000;
    while (total < 400 && Date.now() < deadline) {
      const batches: FetchedBatch[] = fetchedBatches(await c.poll(200));
      widest = Math.max(widest, new Set(batches.map((b) => b.partition)).size);
      for (const b of batches) {
        total += b.records.length;
        expect(b.highWatermark).toBe(100);
      }
    }
    expect(total).toBe(400);
    expect(widest).toBeGreaterThan(1);
    // More data arrives and is queued inside the adapter; close must not wait for a poll.
    await p.send(outgoingBatch(Array.from({ length: 40 }, (_, i) => ({ topic: t, partition: i % 4, key: null, value: null }))));
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    await c.close();
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(c.poll(10)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    await p.disconnect();
  });

  it('fails subscribe to a missing topic with TOPIC_NOT_FOUND', async () => {
    const c = client.consumer({ groupId: uniqueName('group') });
    await c.connect();
    try {
      await expect(c.subscribe([uniqueName('missing')])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    } finally {
      await c.close();
    }
  });
});
