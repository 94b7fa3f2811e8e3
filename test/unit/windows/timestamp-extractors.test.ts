import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import { InvalidTimestampError, parseEventTime, TimestampExtractors } from '../../../lib/time/timestamp-extractors.js';

const rec = (value: unknown) => ({ key: null, value, timestamp: 42, topic: 't', partition: 0, offset: 7, headers: {} });
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

describe('timestamp extractors', () => {
  it('parses ISO-8601 with a zone and epoch ms; rejects ambiguous or impossible times', () => {
    expect(parseEventTime('2024-03-01T10:00:00Z')).toBe(Date.UTC(2024, 2, 1, 10));
    expect(parseEventTime('2024-03-01T10:00:00.123+02:00')).toBe(Date.UTC(2024, 2, 1, 8, 0, 0, 123));
    expect(parseEventTime(1_700_000_000_000)).toBe(1_700_000_000_000);
    for (const bad of ['2024-03-01T10:00:00', '2024-13-45T25:00:00Z', '2024/03/01 10:00:00', 'yesterday', '2024-02-30T00:00:00Z', -1, 1.5, null]) {
      expect(parseEventTime(bad)).toBeNull();
    }
    expect(parseEventTime('2024-03-01T10:00:00', { assumeUtc: true })).toBe(Date.UTC(2024, 2, 1, 10));
  });

  it("field(name) reads the seed's transaction_timestamp and throws InvalidTimestampError with the reason", () => {
    const ex = TimestampExtractors.field('transaction_timestamp');
    expect(ex(rec({ transaction_timestamp: '2024-03-01T10:00:00Z' }), -1)).toBe(Date.UTC(2024, 2, 1, 10));
    expect(() => ex(rec({}), -1)).toThrow(/'transaction_timestamp' is missing/);
    expect(() => ex(rec({ transaction_timestamp: 'yesterday' }), -1)).toThrow(InvalidTimestampError);
    expect(TimestampExtractors.field('a.b')(rec({ a: { b: 5 } }), -1)).toBe(5);
    expect(TimestampExtractors.usePartitionTimeOnInvalid(ex)(rec({}), 99)).toBe(99);
  });

  it('records with invalid timestamps go to the dead-letter topic with the reason, never into the topology', async () => {
    const str = Serdes.string();
    const b = new StreamsBuilder();
    b.stream(
      'in',
      Consumed.with(str, Serdes.json<{ transaction_timestamp?: unknown }>()).withTimestampExtractor(TimestampExtractors.field('transaction_timestamp')),
    ).to('out', Produced.with(str, Serdes.json()));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'ts' });
    const input = driver.createInputTopic('in', str, Serdes.json<{ transaction_timestamp?: unknown }>());
    const out = driver.createOutputTopic('out', str, Serdes.json());
    const dlq = driver.createOutputTopic('ts-dlq', Serdes.bytes(), Serdes.bytes());
    await input.pipeInput('ok', { transaction_timestamp: '2024-03-01T10:00:00Z' }, 1);
    await input.pipeInput('bad', { transaction_timestamp: '2024-03-01T10:00:00' }, 2);
    const good = await out.readRecordsToList();
    expect(good.map((r) => [r.key, r.timestamp])).toEqual([['ok', Date.UTC(2024, 2, 1, 10)]]);
    const [dead] = await dlq.readRecordsToList();
    expect(dead!.key!.toString()).toBe('bad');
    expect(dead!.headers['tributary.error.reason']!.toString()).toMatch(/transaction_timestamp' is invalid/);
    expect(dead!.headers['tributary.error.code']!.toString()).toBe('SERDE');
  });
});
