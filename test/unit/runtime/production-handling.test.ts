/**
 * Issue #19, reproduction 2: records that cannot be produced. Every output, changelog and
 * dead-letter record is checked against its topic's `max.message.bytes` before it is sent: an
 * output that is too large goes to the production handler (default dead-letter: a truncated copy
 * with the reason; `continue`; `fail`), a changelog record that is too large fails the task with
 * the remedy, and a dead letter that is too large is truncated with headers saying so — the DLQ
 * never refuses one, so one bad record never halts the pipeline. The TopologyTestDriver surfaces
 * a fatal error on every later call instead of carrying on past it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import type { Headers } from '../../../lib/kafka/types.js';
import type { ErrorResponse } from '../../../lib/runtime/error-handlers.js';
import { recordBytes } from '../../../lib/runtime/record-limits.js';
import { sumMetrics } from '../../../lib/runtime/task-metrics.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';

const str = Serdes.string();
const h = (headers: Headers, name: string): string | undefined => headers[`tributary.error.${name}`]?.toString();
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close().catch(() => undefined);
  driver = undefined;
});

/** in (JSON {n}) → value 'x' repeated n times → out */
function amplifier() {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(str, Serdes.json<{ n: number }>()))
    .mapValues((v) => 'x'.repeat(v.n))
    .to('out', Produced.with(str, str));
  return b.build();
}

async function withTopics(configs: Record<string, Record<string, string>>): Promise<EmbeddedKafka> {
  const kafka = new EmbeddedKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics(Object.entries(configs).map(([topic, c]) => ({ topic, numPartitions: 1, configs: c })));
  await admin.disconnect();
  return kafka;
}

describe('records that cannot be produced (#19 reproduction 2)', () => {
  it('a malformed value too large for the DLQ is dead-lettered truncated, with its original size and coordinates; processing goes on', async () => {
    const kafka = await withTopics({ 'p-dlq': { 'max.message.bytes': '2000' } });
    driver = new TopologyTestDriver(amplifier(), { applicationId: 'p', kafka });
    const raw = driver.createInputTopic('in', str, str);
    const out = driver.createOutputTopic('out', str, str);
    const dlq = driver.createOutputTopic('p-dlq', str, Serdes.bytes());
    const big = `{"n": ${'9'.repeat(5000)}`; // malformed JSON of 5006 bytes, legal for 'in'
    await raw.pipeInput('bad', big, 1, { trace: Buffer.from('t-1') });
    await raw.pipeInput('ok', '{"n":3}', 2);
    expect((await out.readKeyValuesToList()).map((kv) => [kv.key, kv.value])).toEqual([['ok', 'xxx']]);
    const [dead, ...rest] = await dlq.readRecordsToList();
    expect(rest).toEqual([]);
    expect(dead!.key).toBe('bad');
    expect(Buffer.from(big).subarray(0, dead!.value!.length).equals(dead!.value!)).toBe(true); // a prefix of the original
    expect(dead!.value!.length).toBeGreaterThan(1000);
    expect(recordBytes(3, dead!.value!.length, dead!.headers)).toBeLessThanOrEqual(2000);
    expect(h(dead!.headers, 'truncated')).toBe('value');
    expect(h(dead!.headers, 'original-value-size')).toBe(String(big.length));
    expect(Number(h(dead!.headers, 'original-size'))).toBeGreaterThan(big.length);
    expect([h(dead!.headers, 'topic'), h(dead!.headers, 'partition'), h(dead!.headers, 'offset'), h(dead!.headers, 'code')]).toEqual(['in', '0', '0', 'SERDE']);
    expect(dead!.headers['trace']?.toString()).toBe('t-1');
    const m = sumMetrics(driver.metrics());
    expect(m).toMatchObject({ recordsIn: 2, processed: 1, deadLettered: 1, skipped: 0 });
  });

  it('headers too large for the DLQ are dropped first (the error headers kept), the value stays whole when it then fits', async () => {
    const kafka = await withTopics({ 'p-dlq': { 'max.message.bytes': '1500' } });
    driver = new TopologyTestDriver(amplifier(), { applicationId: 'p', kafka });
    const raw = driver.createInputTopic('in', str, str);
    const dlq = driver.createOutputTopic('p-dlq', str, str);
    await raw.pipeInput('bad', 'not json at all', 1, { huge: Buffer.alloc(3000, 1) });
    const [dead] = await dlq.readRecordsToList();
    expect(dead!.headers['huge']).toBeUndefined();
    expect(h(dead!.headers, 'truncated')).toBe('headers');
    expect(dead!.value).toBe('not json at all');
    expect(h(dead!.headers, 'reason')).toMatch(/could not deserialize/);
  });

  it('an output too large for its topic goes to the production handler: default dead-letter of a truncated copy naming the input record', async () => {
    const kafka = await withTopics({ out: { 'max.message.bytes': '3000' } });
    driver = new TopologyTestDriver(amplifier(), { applicationId: 'p', kafka });
    const input = driver.createInputTopic('in', str, Serdes.json<{ n: number }>());
    const out = driver.createOutputTopic('out', str, str);
    const dlq = driver.createOutputTopic('p-dlq', str, str);
    await input.pipeInput('a', { n: 2 }, 1);
    await input.pipeInput('big', { n: 10_000 }, 2);
    await input.pipeInput('b', { n: 1 }, 3);
    expect((await out.readKeyValuesToList()).map((kv) => kv.key)).toEqual(['a', 'b']);
    const [dead] = await dlq.readRecordsToList();
    expect(dead!.key).toBe('big');
    expect(dead!.value).toBe('x'.repeat(10_000)); // the DLQ's limit is the default 1 MB: not truncated
    expect([h(dead!.headers, 'code'), h(dead!.headers, 'output-topic'), h(dead!.headers, 'topic'), h(dead!.headers, 'offset')]).toEqual([
      'RECORD_TOO_LARGE',
      'out',
      'in',
      '1',
    ]);
    expect(h(dead!.headers, 'reason')).toMatch(
      /^Record of 10\d{3} bytes for out is larger than its max.message.bytes \(3000\); raise max.message.bytes of out or make the record smaller/,
    );
    expect(sumMetrics(driver.metrics())).toMatchObject({ recordsIn: 3, processed: 2, deadLettered: 1, skipped: 0, recordsOut: 2 });
  });

  it("productionExceptionHandler 'continue' skips the record; 'fail' stops with an error naming the record, and the driver keeps reporting it", async () => {
    for (const response of ['continue', 'fail'] as ErrorResponse[]) {
      const kafka = await withTopics({ out: { 'max.message.bytes': '3000' } });
      const d = new TopologyTestDriver(amplifier(), { applicationId: 'p', kafka, productionExceptionHandler: () => response });
      driver = d;
      const input = d.createInputTopic('in', str, Serdes.json<{ n: number }>());
      const out = d.createOutputTopic('out', str, str);
      await input.pipeInput('a', { n: 2 }, 1);
      if (response === 'continue') {
        await input.pipeInput('big', { n: 10_000 }, 2);
        await input.pipeInput('b', { n: 1 }, 3);
        expect((await out.readKeyValuesToList()).map((kv) => kv.key)).toEqual(['a', 'b']);
        expect(sumMetrics(d.metrics())).toMatchObject({ recordsIn: 3, processed: 2, deadLettered: 0, skipped: 1 });
      } else {
        const message =
          /Production failed at KSTREAM-SINK-\d+: Record of 10\d{3} bytes for out is larger than its max.message.bytes \(3000\).*topic=in, partition=0, offset=1/;
        await expect(input.pipeInput('big', { n: 10_000 }, 2)).rejects.toThrow(message);
        // The driver does not carry on past a fatal error: every later call reports it.
        await expect(input.pipeInput('b', { n: 1 }, 3)).rejects.toThrow(message);
        await expect(out.readKeyValuesToList()).rejects.toThrow(message);
        expect(d.streams.state).toBe('error');
      }
      await d.close().catch(() => undefined);
      driver = undefined;
    }
  });

  it('a changelog record too large for its changelog fails the task with the remedy (never skipped)', async () => {
    const kafka = await withTopics({ 'p-concat-changelog': { 'max.message.bytes': '3000', 'cleanup.policy': 'compact' } });
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(str, str))
      .groupByKey()
      .reduce((x, y) => x + y, Materialized.as<string, string>('concat').withCachingDisabled());
    driver = new TopologyTestDriver(b.build(), { applicationId: 'p', kafka, productionExceptionHandler: () => 'continue' });
    const input = driver.createInputTopic('in', str, str);
    await input.pipeInput('k', 'y'.repeat(2000), 1);
    await expect(input.pipeInput('k', 'y'.repeat(2000), 2)).rejects.toThrow(
      /Changelog record of \d+ bytes for p-concat-changelog is larger than its max.message.bytes \(3000\); the store cannot be restored without it: raise max.message.bytes of p-concat-changelog/,
    );
  });

  it('the driver surfaces a fatal processing error on every later call (it does not commit past the record)', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(str, str))
      .mapValues((v) => {
        if (v === 'boom') throw new Error('boom');
        return v;
      })
      .to('out', Produced.with(str, str));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'p' });
    const input = driver.createInputTopic('in', str, str);
    const out = driver.createOutputTopic('out', str, str);
    await input.pipeInput('a', 'ok', 1);
    await expect(input.pipeInput('b', 'boom', 2)).rejects.toThrow(/Processing failed at .*: boom/);
    await expect(input.pipeInput('c', 'ok', 3)).rejects.toThrow(/Processing failed at .*: boom/);
    await expect(out.readKeyValuesToList()).rejects.toThrow(/Processing failed at .*: boom/);
    expect(sumMetrics(driver.metrics()).deadLettered).toBe(0);
  });
});
