/**
 * Exactly-once v2 zombie fencing at the seam (KIP-447): offsets sent in a transaction with a
 * member's group metadata are refused by the group coordinator once the group moved to a newer
 * generation — on a real broker with @platformatic/kafka and on the embedded broker. The same
 * producer, given the current member's metadata, commits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../lib/errors.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { createKafkaClient, platformaticSupported } from '../../../lib/kafka/index.js';
import type { Consumer, KafkaClient } from '../../../lib/kafka/types.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the consumers until `done` holds (or throws after `ms`). */
async function pollUntil(consumers: readonly Consumer[], done: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the group');
    for (const c of consumers) await c.poll(50);
    await sleep(10);
  }
}

async function fencingCase(client: KafkaClient): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  const topic = uniqueName('gen-fence');
  const groupId = uniqueName('gen-fence-group');
  await admin.createTopics([{ topic, numPartitions: 2 }]);
  const a = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 });
  const b = client.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 });
  const producer = client.producer({ transactionalId: uniqueName('gen-fence-txn') });
  try {
    await a.connect();
    await a.subscribe([topic]);
    await pollUntil([a], () => a.assignment().length === 2);
    const old = a.groupMetadata();
    expect(old.groupId).toBe(groupId);
    expect(old.generationId).toBeGreaterThanOrEqual(0);
    expect(old.memberId).not.toBe('');
    await producer.connect();
    // The current generation commits.
    await producer.beginTransaction();
    await producer.sendOffsets(groupId, [{ topic, partition: 0, offset: 0 }], old);
    await producer.commitTransaction();

    // B joins: a new generation; A's old metadata is now a zombie's.
    await b.connect();
    await b.subscribe([topic]);
    await pollUntil([a, b], () => a.assignment().length === 1 && b.assignment().length === 1);
    expect(a.groupMetadata().generationId).toBeGreaterThan(old.generationId);
    await producer.beginTransaction();
    const refused = await producer.sendOffsets(groupId, [{ topic, partition: 0, offset: 1 }], old).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TributaryError);
    expect((refused as TributaryError).code).toBe('TASK_MIGRATED');
    await producer.abortTransaction();
    expect(await admin.fetchCommittedOffsets(groupId, [topic])).toEqual([{ topic, partition: 0, offset: 0 }]);

    // The current metadata commits again.
    await producer.beginTransaction();
    await producer.sendOffsets(groupId, [{ topic, partition: 0, offset: 2 }], a.groupMetadata());
    await producer.commitTransaction();
    expect(await admin.fetchCommittedOffsets(groupId, [topic])).toEqual([{ topic, partition: 0, offset: 2 }]);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await a.close().catch(() => undefined);
    await b.close().catch(() => undefined);
    await admin.disconnect();
  }
}

describe('exactly_once_v2: a commit with an old generation is refused', () => {
  const embedded = new EmbeddedKafka();
  afterAll(async () => {
    await embedded.close();
  });

  it('embedded broker', { timeout: 60_000 }, async () => {
    await fencingCase(embedded);
  });

  it.skipIf(!platformaticSupported())('real broker, @platformatic/kafka', { timeout: 90_000 }, async () => {
    await fencingCase(createKafkaClient({ client: 'platformatic', bootstrapServers: realBootstrapServers(), clientId: 'gen-fence' }));
  });
});
