/**
 * Issue #19, reproduction 1: hostile timestamps. Every timestamp that enters the runtime — a
 * Kafka record's, a custom extractor's, one a processor forwards — is a safe integer in
 * [0, MAX_TIMESTAMP_MS] and (for input records) at most `maxFutureSkewMs` ahead of the wall
 * clock; anything else is an `InvalidTimestampError`: the record goes to the dead-letter topic
 * with the reason in its headers, the task keeps running, and no store or stream time sees it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { TimeWindows } from '../../../lib/dsl/windows/time-windows.js';
import type { Headers } from '../../../lib/kafka/types.js';
import { MAX_TIMESTAMP_MS } from '../../../lib/runtime/timestamps.js';
import { sumMetrics } from '../../../lib/runtime/task-metrics.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import type { TimestampExtractor } from '../../../lib/topology/types.js';
import { Topology } from '../../../lib/topology/topology.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';

const str = Serdes.string();
const header = (h: Headers, name: string): string | undefined => h[`tributary.error.${name}`]?.toString();
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** A 1-second tumbling count of `in` into the store `counts`, with the given extractor. */
function windowedCount(extractor?: TimestampExtractor): StreamsBuilder {
  const b = new StreamsBuilder();
  const consumed = extractor === undefined ? Consumed.with(str, str) : Consumed.with(str, str).withTimestampExtractor(extractor);
  b.stream('in', consumed).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count(Materialized.as('counts'));
  return b;
}

function counts(d: TopologyTestDriver): Array<[string, number, number]> {
  return d
    .getWindowStore<string, { value: number }>('counts')
    .all()
    .map((kv) => [kv.key.key, kv.key.window.start, kv.value.value] as [string, number, number]);
}

describe('hostile timestamps (#19 reproduction 1)', () => {
  it('dead-letters Long.MAX, 2^60, and 8.64e15+1 Kafka timestamps; the 1 s window count goes on', async () => {
    driver = new TopologyTestDriver(windowedCount().build(), { applicationId: 'ts-app' });
    const input = driver.createInputTopic('in', str, str);
    const dlq = driver.createOutputTopic('ts-app-dlq', str, str);
    await input.pipeInput('k', 'a', 1000);
    await input.pipeInput('k', 'b', 2 ** 63 /* Long.MAX_VALUE as a double */);
    await input.pipeInput('k', 'c', 2 ** 60);
    await input.pipeInput('k', 'd', MAX_TIMESTAMP_MS + 1);
    await input.pipeInput('k', 'e', 1500);
    await input.pipeInput('k', 'f', MAX_TIMESTAMP_MS); // the largest accepted (no future skew in the driver)
    expect(counts(driver)).toEqual([
      ['k', 1000, 2],
      ['k', MAX_TIMESTAMP_MS, 1],
    ]);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => r.value)).toEqual(['b', 'c', 'd']);
    for (const r of dead) {
      expect(header(r.headers, 'code')).toBe('SERDE');
      expect(header(r.headers, 'reason')).toMatch(/Invalid record timestamp .* of the record at in-0@\d+: it is (not a safe integer|beyond 8640000000000000)/);
      expect(r.timestamp).toBeLessThanOrEqual(MAX_TIMESTAMP_MS);
    }
    expect(driver.streams.tasks()[0]!.streamTime()).toBe(MAX_TIMESTAMP_MS);
    const m = sumMetrics(driver.metrics());
    expect(m).toMatchObject({ recordsIn: 6, processed: 3, deadLettered: 3 });
  });

  it('dead-letters what a custom extractor returns when it is 1e300, 1.5, NaN or negative; the store never sees it', async () => {
    const extractor: TimestampExtractor = (r) => {
      const v = r.value as string;
      return v === 'huge' ? 1e300 : v === 'half' ? 1.5 : v === 'nan' ? Number.NaN : v === 'neg' ? -5 : 2000;
    };
    driver = new TopologyTestDriver(windowedCount(extractor).build(), { applicationId: 'ts-app' });
    const input = driver.createInputTopic('in', str, str);
    const dlq = driver.createOutputTopic('ts-app-dlq', str, str);
    for (const v of ['ok', 'huge', 'half', 'nan', 'neg', 'ok']) await input.pipeInput('k', v, 10);
    expect(counts(driver)).toEqual([['k', 2000, 2]]);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => r.value)).toEqual(['huge', 'half', 'nan', 'neg']);
    expect(dead.map((r) => header(r.headers, 'reason'))).toEqual([
      expect.stringMatching(/Invalid extracted timestamp 1e\+300 .*: it is not a safe integer/),
      expect.stringMatching(/Invalid extracted timestamp 1.5 .*: it is not an integer/),
      expect.stringMatching(/Invalid extracted timestamp NaN .*: it is not a number/),
      expect.stringMatching(/Invalid extracted timestamp -5 .*: it is negative/),
    ]);
  });

  it('dead-letters a record a processor forwards with a fractional or huge timestamp (before any store or sink)', async () => {
    const topo = new Topology()
      .addSource('src', 'in', { keySerde: str, valueSerde: str })
      .addProcessor(
        'shift',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => (ctx = c),
            process: (r: Record<string, string>) =>
              ctx.forward({ ...r, timestamp: r.value === 'frac' ? r.timestamp + 0.5 : r.value === 'huge' ? 2 ** 63 : r.timestamp }),
          };
        },
        'src',
      )
      .addSink('sink', 'out', { keySerde: str, valueSerde: str }, 'shift');
    driver = new TopologyTestDriver(topo, { applicationId: 'ts-app' });
    const input = driver.createInputTopic('in', str, str);
    const out = driver.createOutputTopic('out', str, str);
    const dlq = driver.createOutputTopic('ts-app-dlq', str, str);
    for (const v of ['a', 'frac', 'huge', 'b']) await input.pipeInput('k', v, 7);
    expect((await out.readRecordsToList()).map((r) => [r.value, r.timestamp])).toEqual([
      ['a', 7],
      ['b', 7],
    ]);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => [r.value, header(r.headers, 'code'), header(r.headers, 'processor')])).toEqual([
      ['frac', 'SERDE', 'shift'],
      ['huge', 'SERDE', 'shift'],
    ]);
    expect(header(dead[0]!.headers, 'reason')).toMatch(/Processor shift forwarded a record with timestamp 7.5: it is not an integer/);
  });

  it('maxFutureSkewMs: a record further ahead of the wall clock than the skew is dead-lettered and does not move stream time', async () => {
    const now = Date.UTC(2026, 0, 1);
    driver = new TopologyTestDriver(windowedCount().build(), { applicationId: 'ts-app', initialWallClockTimeMs: now, maxFutureSkewMs: 86_400_000 });
    const input = driver.createInputTopic('in', str, str);
    const dlq = driver.createOutputTopic('ts-app-dlq', str, str);
    await input.pipeInput('k', 'a', now);
    await input.pipeInput('k', 'far', Date.UTC(9999, 11, 31));
    await input.pipeInput('k', 'b', now + 10);
    await input.pipeInput('k', 'edge', now + 86_400_000);
    expect(counts(driver)).toEqual([
      ['k', now, 2],
      ['k', now + 86_400_000, 1],
    ]);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => r.value)).toEqual(['far']);
    expect(header(dead[0]!.headers, 'reason')).toMatch(
      /it is more than maxFutureSkewMs ahead of the wall clock \(accepted up to \d+, 2026-01-02T00:00:00.000Z\)/,
    );
    expect(driver.streams.tasks()[0]!.streamTime()).toBe(now + 86_400_000);
  });

  it('maxFutureSkewMs 0 and Infinity disable the check; a negative value is a configuration error', () => {
    for (const skew of [0, Number.POSITIVE_INFINITY]) {
      const d = new TopologyTestDriver(windowedCount().build(), { maxFutureSkewMs: skew });
      expect(d.streams.config.maxFutureSkewMs).toBe(Number.POSITIVE_INFINITY);
      void d.close();
    }
    expect(() => new TopologyTestDriver(windowedCount().build(), { maxFutureSkewMs: -1 })).toThrow(
      /maxFutureSkewMs: must be a number of ms >= 0 \(0 or Infinity disables the check\)/,
    );
  });

  it('the window loop refuses a timestamp it could not step through', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(1000).windowStartsFor(2 ** 63)).toThrow(/Invalid window timestamp/);
    expect(TimeWindows.ofSizeWithNoGrace(1000).windowStartsFor(MAX_TIMESTAMP_MS)).toEqual([MAX_TIMESTAMP_MS]);
  });
});
