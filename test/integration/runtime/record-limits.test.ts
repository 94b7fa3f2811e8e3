/**
 * Issue #19, reproduction 2 on the real broker (kafkajs adapter, exactly-once): a dead-letter
 * topic created with a small `max.message.bytes` and an output topic with another. Malformed
 * records larger than the DLQ's limit, a burst of dead letters that fit one by one but not in one
 * batch, and an output too large for its topic must all be dead-lettered (truncated where needed)
 * while valid records keep flowing and the runtime stays RUNNING — the broker is the judge of
 * what fits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { IncomingRecord, KafkaClient } from '../../../lib/kafka/types.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();
const h = (r: IncomingRecord, name: string): string | undefined => r.headers[`tributary.error.${name}`]?.toString();

async function readAll(client: KafkaClient, topic: string, expected: number, timeoutMs: number): Promise<IncomingRecord[]> {
  const consumer = client.consumer({ groupId: uniqueName('limits-it-reader'), autoOffsetReset: 'earliest' });
  await consumer.connect();
  await consumer.assign([{ topic, partition: 0 }]);
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < expected && Date.now() < deadline) for (const b of fetchedBatches(await consumer.poll(500))) out.push(...b.records);
    for (const b of fetchedBatches(await consumer.poll(500))) out.push(...b.records);
  } finally {
    await consumer.close();
  }
  return out;
}

describe('record size limits on the real broker', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-limits-it-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('dead letters larger than the DLQ limit are truncated, a burst is split, a too-large output is dead-lettered; valid records flow', async () => {
    const client = createKafkaClient({ bootstrapServers: realBootstrapServers(), clientId: 'limits-it' });
    const app = uniqueName('limits');
    const [input, output, dlq] = [uniqueName('limits-in'), uniqueName('limits-out'), `${app}-dlq`];
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics([
      { topic: input, numPartitions: 1 },
      { topic: output, numPartitions: 1, configs: { 'max.message.bytes': '3000' } },
      { topic: dlq, numPartitions: 1, configs: { 'max.message.bytes': '4000' } },
    ]);
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(str, Serdes.json<{ n: number }>()))
      .mapValues((v) => 'x'.repeat(v.n))
      .to(output, Produced.with(str, str));
    const rt = new StreamsRuntime({
      topology: b.build(),
      client,
      config: { applicationId: app, processingGuarantee: 'exactly_once', stateDir, commitIntervalMs: 100 },
    });
    const producer = client.producer({ clientId: 'limits-it-input' });
    await producer.connect();
    const rec = (key: string, value: string, i: number) => ({ topic: input, key: Buffer.from(key), value: Buffer.from(value), timestamp: Date.now() + i });
    const burst = Array.from({ length: 6 }, (_, i) => rec(`burst-${i}`, `{${'b'.repeat(2500)}`, 10 + i)); // each fits the DLQ alone, not together
    await producer.send(
      outgoingBatch([
        rec('ok-1', '{"n":2}', 0),
        rec('huge-malformed', `{"n": ${'9'.repeat(1_000_000)}`, 1), // legal for the input topic, 250x the DLQ's limit
        ...burst,
        rec('big-output', '{"n":10000}', 20),
        rec('ok-2', '{"n":1}', 21),
      ]),
    );
    await producer.disconnect();
    try {
      await rt.start();
      const outs = await readAll(client, output, 2, 60_000);
      const dead = await readAll(client, dlq, 8, 30_000);
      expect(rt.state).toBe('running');
      expect(outs.map((r) => r.key?.toString())).toEqual(['ok-1', 'ok-2']);
      expect(dead.map((r) => r.key?.toString())).toEqual(['huge-malformed', ...burst.map((r) => r.key.toString()), 'big-output']);
      const [huge] = dead;
      expect(h(huge!, 'truncated')).toBe('value');
      expect(h(huge!, 'original-value-size')).toBe(String(1_000_006));
      expect(h(huge!, 'code')).toBe('SERDE');
      expect(huge!.value!.length).toBeGreaterThan(3000);
      for (const r of dead.slice(1, 7)) expect(r.value!.length).toBe(2501); // fitted whole, sent in several batches
      const big = dead[7]!;
      expect([h(big, 'code'), h(big, 'output-topic')]).toEqual(['RECORD_TOO_LARGE', output]);
      expect(h(big, 'truncated')).toBe('value');
      expect(h(big, 'original-value-size')).toBe('10000');
    } finally {
      await rt.close();
      await admin.deleteTopics([input, output, dlq]).catch(() => undefined);
      await admin.disconnect();
    }
  }, 120_000);

  it('a record the broker still refuses as too large is a RECORD_TOO_LARGE error saying what to raise', async () => {
    const client = createKafkaClient({ bootstrapServers: realBootstrapServers(), clientId: 'limits-it-raw' });
    const topic = uniqueName('limits-small');
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics([{ topic, numPartitions: 1, configs: { 'max.message.bytes': '1000' } }]);
    const producer = client.producer({ clientId: 'limits-it-raw-producer' });
    await producer.connect();
    try {
      await expect(producer.send(outgoingBatch([{ topic, partition: 0, key: null, value: Buffer.alloc(5000, 1) }]))).rejects.toMatchObject({
        code: 'RECORD_TOO_LARGE',
        message: expect.stringMatching(/the broker refused a record batch as too large \(MESSAGE_TOO_LARGE: .*\); raise max.message.bytes of the topic/),
      });
    } finally {
      await producer.disconnect();
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
    }
  }, 60_000);
});
