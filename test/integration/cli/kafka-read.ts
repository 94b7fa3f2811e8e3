import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { IncomingRecord } from '../../../lib/kafka/types.js';
import { fetchedBatches } from '../../../lib/kafka/columns.js';

/** Reads every record of a topic (all partitions, from the start) through lib/kafka until `expected` have arrived. */
export async function readTopic(bootstrapServers: string, topic: string, expected: number, timeoutMs = 30_000): Promise<IncomingRecord[]> {
  const client = createKafkaClient({ bootstrapServers, clientId: 'cli-test-reader' });
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = client.consumer({ groupId: `cli-test-reader-${topic}`, autoOffsetReset: 'earliest' });
  await consumer.connect();
  await consumer.assign(offsets.map((o) => ({ topic, partition: o.partition })));
  const records: IncomingRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (records.length < expected && Date.now() < deadline) {
      for (const batch of fetchedBatches(await consumer.poll(500))) records.push(...batch.records);
    }
    // A short extra poll catches records beyond the expected count.
    for (const batch of fetchedBatches(await consumer.poll(300))) records.push(...batch.records);
  } finally {
    await consumer.close();
  }
  return records;
}
