/**
 * Reads a whole topic once (read_committed, group-less assignment, from the start) up to its last
 * stable offsets at call time: the demo's count of final aggregates and the tests' view of output
 * topics. Stops when every partition's position reached its end, or after `timeoutMs`.
 */
import { TributaryError } from '../../errors.js';
import type { Admin, IncomingRecord, KafkaClient } from '../../kafka/types.js';
import { fetchedBatches } from '../../kafka/columns.js';

export async function readWholeTopic(client: KafkaClient, admin: Admin, topic: string, timeoutMs = 60_000): Promise<IncomingRecord[]> {
  const ends = await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' });
  const consumer = client.consumer({ groupId: `tributary-reader-${topic}-${process.pid}-${Date.now()}`, autoOffsetReset: 'earliest' });
  await consumer.connect();
  const records: IncomingRecord[] = [];
  try {
    const tps = ends.map((e) => ({ topic, partition: e.partition }));
    await consumer.assign(tps);
    for (const e of ends) consumer.seek({ topic, partition: e.partition }, e.low);
    const deadline = Date.now() + timeoutMs;
    const reached = () => ends.every((e) => e.high <= e.low || (consumer.position({ topic, partition: e.partition }) ?? -1) >= e.high);
    while (!reached()) {
      if (Date.now() > deadline) {
        throw new TributaryError(`Timed out reading ${topic}: ${records.length} record(s) read`, { code: 'KAFKA', context: { topic } });
      }
      for (const batch of fetchedBatches(await consumer.poll(200))) records.push(...batch.records);
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
  return records;
}
