/**
 * Sliding windows as Kafka Streams 3.9 makes them (`KStreamSlidingWindowAggregate`): no window
 * starts before the epoch — records earlier than the time difference go into `[0, d]`
 * (`processEarly`) — and a record is dropped whole when `t + d < streamTime - grace`. Each case is
 * a minimal input on which tributary differed; expected values worked out from the Kafka Streams
 * source.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { SlidingWindows } from '../../../lib/dsl/windows/sliding-windows.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Windowed } from '../../../lib/state/types.js';
import { slidingWindowModel } from '../../../lib/testing/reference/sliding-windows.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';

const str = Serdes.string();
const i64 = Serdes.int64();
const fmt = (w: Windowed<string>): string => `${w.key}[${w.window.start},${w.window.end}]`;
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** Count per window with caching off; returns each window's updates `value@timestamp` in order, by window. */
async function run(
  windows: SlidingWindows,
  input: ReadonlyArray<readonly [string, number]>,
  store: 'persistent' | 'in-memory' = 'persistent',
): Promise<Record<string, string[]>> {
  const serde = Serdes.timeWindowed(str, Math.max(1, windows.timeDifferenceMs));
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(str, i64))
    .groupByKey()
    .windowedBy(windows)
    .count(Materialized.as<string, number>('s').withStoreType(store).withCachingDisabled())
    .toStream()
    .to('out', Produced.with(serde, i64));
  driver = new TopologyTestDriver(b.build());
  const topic = driver.createInputTopic('in', str, i64);
  for (const [k, t] of input) await topic.pipeInput(k, 1, t);
  const byWindow: Record<string, string[]> = {};
  for (const r of await driver.createOutputTopic('out', serde, i64).readRecordsToList()) (byWindow[fmt(r.key)] ??= []).push(`${r.value}@${r.timestamp}`);
  return byWindow;
}

describe('sliding windows near the epoch (Kafka Streams "early records")', () => {
  for (const store of ['persistent', 'in-memory'] as const) {
    it(`a record earlier than the time difference goes into [0, d], not [t - d, t] (${store})`, async () => {
      expect(await run(SlidingWindows.ofTimeDifferenceWithNoGrace(10), [['a', 5]], store)).toEqual({ 'a[0,10]': ['1@5'] });
    });
  }

  it('early records out of order: [0, d] holds them all, right windows from the records after each; a later record takes its left window from them', async () => {
    expect(
      await run(SlidingWindows.ofTimeDifferenceWithNoGrace(10), [
        ['a', 5],
        ['a', 2],
        ['a', 12],
      ]),
    ).toEqual({
      'a[0,10]': ['1@5', '2@5'],
      'a[3,13]': ['1@5', '2@12'],
      'a[6,16]': ['1@12'],
      'a[2,12]': ['3@12'],
    });
  });

  it("an early record after an earlier one creates the right window of [0, d]'s latest record", async () => {
    expect(
      await run(SlidingWindows.ofTimeDifferenceWithNoGrace(10), [
        ['a', 1],
        ['a', 4],
      ]),
    ).toEqual({
      'a[0,10]': ['1@1', '2@4'],
      'a[2,12]': ['1@4'],
    });
  });

  it('a record at exactly d uses [0, d] as its left window', async () => {
    expect(
      await run(SlidingWindows.ofTimeDifferenceWithNoGrace(10), [
        ['a', 3],
        ['a', 10],
      ]),
    ).toEqual({
      'a[0,10]': ['1@3', '2@10'],
      'a[4,14]': ['1@10'],
    });
  });
});

describe('sliding windows: updates as Kafka Streams forwards them (caching off)', () => {
  it("when the predecessor's right window is the new record's left window, it is forwarded twice (made as each), with the same value", async () => {
    expect(
      await run(SlidingWindows.ofTimeDifferenceAndGrace(8, 52), [
        ['c', 0],
        ['c', 9],
      ]),
    ).toEqual({
      'c[0,8]': ['1@0'],
      'c[1,9]': ['1@9', '1@9'],
    });
  });

  it('...but not when the predecessor is found only in its own left window (Kafka Streams does not look back that far)', async () => {
    expect(
      await run(SlidingWindows.ofTimeDifferenceWithNoGrace(6), [
        ['a', 20],
        ['a', 27],
      ]),
    ).toEqual({
      'a[14,20]': ['1@20'],
      'a[21,27]': ['1@27'],
    });
  });
});

describe('sliding windows: late records', () => {
  it('a record is dropped whole once t + d < streamTime - grace: its right window is not created', async () => {
    // d 10, grace 0, stream time 21: a@10's windows all end by 20 < 21; Kafka Streams drops it before making [11,21].
    const out = await run(SlidingWindows.ofTimeDifferenceWithNoGrace(10), [
      ['a', 15],
      ['a', 20],
      ['b', 21],
      ['a', 10],
    ]);
    expect(out['a[11,21]']).toBeUndefined();
    expect(driver!.metrics()[0]!.dropped).toBe(1);
  });
});

describe('sliding windows: null values', () => {
  // Shrunk case of the differential suite (docs/divergences.md, fixed finding F4):
  // KStreamSlidingWindowAggregate skips a record with a null value before it observes its time,
  // so the null at 45 does not make the record at 9 late (9 + 7 >= 9 - 0).
  it('a null value is skipped without moving stream time', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(str, i64))
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(7))
      .reduce((x, y) => x + y, Materialized.as<string, number>('s').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(Serdes.timeWindowed(str, 7), i64));
    driver = new TopologyTestDriver(b.build());
    const topic = driver.createInputTopic('in', str, i64);
    await topic.pipeInput('a', 1, 7);
    await topic.pipeInput('a', null as never, 45);
    await topic.pipeInput('a', 2, 9);
    const out = (await driver.createOutputTopic('out', Serdes.timeWindowed(str, 7), i64).readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp]);
    expect(out).toEqual([
      ['a[0,7]', 1, 7],
      ['a[2,9]', 3, 9],
      ['a[8,15]', 2, 9],
    ]);
    expect(driver.metrics()[0]!.dropped).toBe(1);
    // The exported reference model skips it too.
    const events = [
      { key: 'a', value: 1, timestamp: 7 },
      { key: 'a', value: null, timestamp: 45 },
      { key: 'a', value: 2, timestamp: 9 },
    ];
    const model = slidingWindowModel<string, number | null, number>(events, 7, (agg, v) => (agg ?? 0) + v!);
    expect(model.map((w) => [`a[${w.start},${w.end}]`, w.value, w.timestamp]).sort()).toEqual([...out].sort());
  });
});
