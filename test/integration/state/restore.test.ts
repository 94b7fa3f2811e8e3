import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createKafkaClient, EmbeddedKafka } from '../../../lib/kafka/index.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { batchesArb, checkRestoreRoundTrip } from './restore-helpers.js';

describe('restore after losing the state dir yields identical store contents', () => {
  it('embedded broker: property over random write sequences (KV and window, both backends)', async () => {
    const client = new EmbeddedKafka();
    await fc.assert(
      fc.asyncProperty(batchesArb, fc.constantFrom<'kv' | 'window'>('kv', 'window'), fc.boolean(), async (batches, kind, persistent) => {
        await checkRestoreRoundTrip(client, uniqueName('cl'), kind, persistent, batches, 300);
      }),
      { numRuns: 15 },
    );
  }, 60_000);

  it('real broker (kafkajs): property over random write sequences', async () => {
    const client = createKafkaClient({ client: 'kafkajs', bootstrapServers: realBootstrapServers() });
    await fc.assert(
      fc.asyncProperty(batchesArb, fc.constantFrom<'kv' | 'window'>('kv', 'window'), fc.boolean(), async (batches, kind, persistent) => {
        await checkRestoreRoundTrip(client, uniqueName('cl'), kind, persistent, batches, 3000);
      }),
      { numRuns: 4 },
    );
  }, 180_000);
});
