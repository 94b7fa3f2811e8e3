/**
 * The differential suite end to end on the real broker of the run (test/differential/real-broker.ts):
 * one small family — 1-minute-style tumbling count + suppress(untilWindowCloses) on a 4-partition
 * backlog — as a Kafka Streams 3.9.1 app and a tributary app, both exactly-once; the suppressed
 * windows they emit must be the same, each once. `npm run diff:kafka-streams -- --real-broker`
 * runs more families (session reduce, stream-stream left join, selectKey + repartition + count).
 */
import { describe, expect, it } from 'vitest';
import { installKafkaStreamsRunner } from '../../scripts/differential/kafka-streams.js';
import { realBootstrapServers } from '../helpers/kafka-env.js';
import { runRealBroker } from './real-broker.js';

describe('differential on a real broker: tributary app vs Kafka Streams 3.9.1 app', () => {
  it('tumbling count + suppress over a 4-partition backlog: the same final windows, each once', { timeout: 240_000 }, async () => {
    const [r] = await runRealBroker({
      bootstrapServers: realBootstrapServers(),
      install: installKafkaStreamsRunner(),
      families: ['tumbling-count'],
      records: 500,
      partitions: 4,
      seed: 20261205,
    });
    expect(r!.error).toBeUndefined();
    expect(r!.outputs.kafkaStreams).toBeGreaterThan(100);
    expect(r!.outputs.tributary).toBe(r!.outputs.kafkaStreams);
    // Suppressed: one record per window key on both sides.
    expect(r!.keys).toBe(r!.outputs.kafkaStreams);
    expect(r!.mismatches).toEqual([]);
  });
});
