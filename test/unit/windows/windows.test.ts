import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../../lib/dsl/windowed/suppressed.js';
import { LATE_HEADER_PREFIX } from '../../../lib/dsl/windowed/late-records.js';
import { EmitStrategy } from '../../../lib/dsl/windows/emit-strategy.js';
import { SessionWindows } from '../../../lib/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../../lib/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../../lib/dsl/windows/time-windows.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Windowed } from '../../../lib/state/types.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import { EventTime } from '../../../lib/time/event-time.js';

const str = Serdes.string();
const i64 = Serdes.int64();
const fmt = (w: Windowed<string>): string => `${w.key}[${w.window.start},${w.window.end}]`;
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

describe('window definitions', () => {
  it('assigns hopping windows by the epoch-aligned formula', () => {
    const w = TimeWindows.ofSizeAndGrace(10, 0).advanceBy(3);
    expect(w.windowStartsFor(11)).toEqual([3, 6, 9]);
    expect(w.windowStartsFor(0)).toEqual([0]);
    expect(TimeWindows.ofSizeWithNoGrace('1 minute').windowStartsFor(61_000)).toEqual([60_000]);
  });

  it('rejects invalid values with a ConfigError naming the parameter', () => {
    expect(() => TimeWindows.ofSizeAndGrace(0, 1)).toThrow(/TimeWindows.ofSizeAndGrace\(size\)/);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(/ofSizeAndGrace\(grace\)/);
    expect(() => TimeWindows.ofSizeAndGrace(10, 'soon')).toThrow(ConfigError);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/advanceBy\(advance\)/);
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(0)).toThrow(/inactivityGap/);
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(-5, 0)).toThrow(/timeDifference/);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10))).toThrow(/strict buffer/);
    expect(() => BufferConfig.maxBytes(0)).toThrow(/maxBytes/);
    expect(() => EventTime.watermark({ idleTimeout: 0 })).toThrow(/idleTimeout/);
  });

  it('window store retention smaller than size + grace is a configuration error', () => {
    const b = new StreamsBuilder();
    const g = b.stream('in', Consumed.with(str, i64)).groupByKey();
    expect(() => g.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count(Materialized.as<string, number>('c').withRetention(60_000))).toThrow(
      /at least window size \+ grace = 70000/,
    );
  });
});

function countTopology(windowed: (b: StreamsBuilder) => void): TopologyTestDriver {
  const b = new StreamsBuilder();
  windowed(b);
  return new TopologyTestDriver(b.build());
}

describe('worked examples', () => {
  it('sliding windows over 8000, 9200, 12400 with a 5000 ms difference give 5 windows (Kafka Streams docs)', async () => {
    const serde = Serdes.timeWindowed(str, 5000);
    driver = countTopology((b) =>
      b
        .stream('in', Consumed.with(str, i64))
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(5000))
        .count(Materialized.as('s'))
        .toStream()
        .to('out', Produced.with(serde, i64)),
    );
    const input = driver.createInputTopic('in', str, i64);
    const out = driver.createOutputTopic('out', serde, i64);
    for (const t of [8000, 9200, 12400]) await input.pipeInput('k', 1, t);
    const table = await out.readKeyValuesToMap();
    expect([...table].map(([k, v]) => [fmt(k), v]).sort()).toEqual(
      [
        ['k[3000,8000]', 1],
        ['k[4200,9200]', 2],
        ['k[7400,12400]', 3],
        ['k[8001,13001]', 2],
        ['k[9201,14201]', 1],
      ].sort(),
    );
  });

  it('session windows merge, emit tombstones for the merged-away sessions and timestamp = session end', async () => {
    const serde = Serdes.sessionWindowed(str);
    driver = countTopology((b) =>
      b
        .stream('in', Consumed.with(str, i64))
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100))
        .count(Materialized.as<string, number>('s').withCachingDisabled())
        .toStream()
        .to('out', Produced.with(serde, i64)),
    );
    const input = driver.createInputTopic('in', str, i64);
    const out = driver.createOutputTopic('out', serde, i64);
    await input.pipeInput('k', 1, 10);
    await input.pipeInput('k', 1, 20);
    await input.pipeInput('k', 1, 15); // bridges [10,10] and [20,20]
    const records = (await out.readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp]);
    expect(records).toEqual([
      ['k[10,10]', 1, 10],
      ['k[20,20]', 1, 20],
      ['k[10,10]', null, 10],
      ['k[20,20]', null, 20],
      ['k[10,20]', 3, 20],
    ]);
  });

  it('emit on update: (new) values with timestamp max(record ts, previous aggregate ts); late records are dropped, counted and routed with headers', async () => {
    const serde = Serdes.timeWindowed(str, 10);
    driver = countTopology((b) =>
      b
        .stream('in', Consumed.with(str, i64))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5), { lateRecords: { topic: 'late' } })
        .count(Materialized.as<string, number>('c').withCachingDisabled())
        .toStream()
        .to('out', Produced.with(serde, i64)),
    );
    const input = driver.createInputTopic('in', str, i64);
    const out = driver.createOutputTopic('out', serde, i64);
    const late = driver.createOutputTopic('late', str, i64);
    await input.pipeInput('a', 1, 7);
    await input.pipeInput('a', 2, 3);
    await input.pipeInput('a', 3, 15); // stream time 15: [0,10) closes (10 + 5 <= 15)
    await input.pipeInput('a', 4, 9, { trace: Buffer.from('x') }); // late
    expect((await out.readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp])).toEqual([
      ['a[0,10]', 1, 7],
      ['a[0,10]', 2, 7],
      ['a[10,20]', 1, 15],
    ]);
    const [l] = await late.readRecordsToList();
    expect([l!.key, l!.value, l!.timestamp]).toEqual(['a', 4, 9]);
    const h = (n: string): string => l!.headers[`${LATE_HEADER_PREFIX}${n}`]!.toString();
    expect([h('window.start'), h('window.end'), h('grace.ms'), h('stream.time'), l!.headers['trace']!.toString()]).toEqual(['0', '10', '5', '15', 'x']);
    expect(driver.metrics()[0]!.dropped).toBe(1);
  });

  it('a null value goes to the aggregator as in Kafka Streams 3.9 (only null keys are skipped): count counts it; a reduce starting with it deletes the window', async () => {
    const serde = Serdes.timeWindowed(str, 10);
    const b = new StreamsBuilder();
    const windowed = b.stream('in', Consumed.with(str, i64)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10));
    windowed.count(Materialized.as<string, number>('c').withCachingDisabled()).toStream().to('counts', Produced.with(serde, i64));
    windowed
      .reduce((x, y) => x + (y ?? 100), Materialized.as<string, number>('r').withCachingDisabled())
      .toStream()
      .to('sums', Produced.with(serde, i64));
    driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', str, i64);
    await input.pipeInput('a', 5, 1);
    await input.pipeInput('a', null as unknown as number, 2);
    await input.pipeInput('b', null as unknown as number, 3);
    await input.pipeInput('b', 7, 4);
    const read = async (t: string) => (await driver!.createOutputTopic(t, serde, i64).readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp]);
    expect(await read('counts')).toEqual([
      ['a[0,10]', 1, 1],
      ['a[0,10]', 2, 2],
      ['b[0,10]', 1, 3],
      ['b[0,10]', 2, 4],
    ]);
    expect(await read('sums')).toEqual([
      ['a[0,10]', 5, 1],
      ['a[0,10]', 105, 2],
      ['b[0,10]', null, 3],
      ['b[0,10]', 7, 4],
    ]);
  });

  it('final results (fused) of a reduce with null values: a window left without an aggregate is not emitted', async () => {
    const serde = Serdes.timeWindowed(str, 10);
    driver = countTopology((b) =>
      b
        .stream('in', Consumed.with(str, i64))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .reduce((x, y) => x + (y ?? 100), Materialized.as('r'))
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .to('out', Produced.with(serde, i64)),
    );
    const input = driver.createInputTopic('in', str, i64);
    await input.pipeInput('a', null as unknown as number, 3);
    await input.pipeInput('a', 5, 2); // the window has no aggregate: its timestamp starts over (2, not 3)
    await input.pipeInput('b', null as unknown as number, 3);
    await input.pipeInput('z', 1, 10);
    expect((await driver.createOutputTopic('out', serde, i64).readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp])).toEqual([['a[0,10]', 5, 2]]);
  });

  it('untilTimeLimit emits a key once bufferTime <= streamTime - d; later updates do not reset it', async () => {
    driver = countTopology((b) =>
      b
        .stream('in', Consumed.with(str, i64))
        .groupByKey()
        .count(Materialized.as<string, number>('c').withCachingDisabled())
        .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
        .toStream()
        .to('out', Produced.with(str, i64)),
    );
    const input = driver.createInputTopic('in', str, i64);
    const out = driver.createOutputTopic('out', str, i64);
    await input.pipeInput('a', 1, 0);
    await input.pipeInput('a', 1, 5);
    await input.pipeInput('b', 1, 9);
    expect(await out.readKeyValuesToList()).toEqual([]);
    await input.pipeInput('b', 1, 10); // a buffered at 0: 0 <= 10 - 10
    expect(await out.readKeyValuesToList()).toEqual([{ key: 'a', value: 2 }]);
    await input.pipeInput('c', 1, 19); // b buffered at 9
    expect(await out.readKeyValuesToList()).toEqual([{ key: 'b', value: 2 }]);
  });

  it('EmitStrategy.onWindowClose emits each window once, after it closed', async () => {
    const serde = Serdes.timeWindowed(str, 10);
    driver = countTopology((b) =>
      b
        .stream('in', Consumed.with(str, i64))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count(Materialized.as('c'))
        .toStream()
        .to('out', Produced.with(serde, i64)),
    );
    const input = driver.createInputTopic('in', str, i64);
    const out = driver.createOutputTopic('out', serde, i64);
    for (const t of [1, 2, 9]) await input.pipeInput('a', 1, t);
    expect(await out.readRecordsToList()).toEqual([]);
    await input.pipeInput('a', 1, 10);
    expect((await out.readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp])).toEqual([['a[0,10]', 3, 9]]);
  });

  it("final results are the same whether the suppression is the aggregation's only consumer (fed directly) or shares it with an update stream", async () => {
    const serde = Serdes.timeWindowed(str, 10);
    const run = async (withUpdates: boolean) => {
      const d = countTopology((b) => {
        const table = b.stream('in', Consumed.with(str, i64)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as('c'));
        if (withUpdates) table.toStream().to('updates', Produced.with(serde, i64));
        table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final', Produced.with(serde, i64));
      });
      const input = d.createInputTopic('in', str, i64);
      for (const [k, t] of [
        ['a', 1],
        ['b', 3],
        ['a', 12],
        ['a', 8],
        ['b', 14],
        ['a', 2],
        ['c', 21],
        ['b', 40],
      ] as const)
        await input.pipeInput(k, 1, t);
      const finals = (await d.createOutputTopic('final', serde, i64).readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp]);
      const updates = withUpdates ? (await d.createOutputTopic('updates', serde, i64).readRecordsToList()).length : 0;
      await d.close();
      return { finals, updates };
    };
    const fused = await run(false);
    const shared = await run(true);
    expect(fused.finals).toEqual([
      ['a[0,10]', 3, 8],
      ['b[0,10]', 1, 3],
      ['a[10,20]', 1, 12],
      ['b[10,20]', 1, 14],
      ['c[20,30]', 1, 21],
    ]);
    expect(shared.finals).toEqual(fused.finals);
    expect(shared.updates).toBeGreaterThan(0);
  });

  it('a bounded buffer emits early when full, or fails the task with shutDownWhenFull', async () => {
    const build = (config: BufferConfig): TopologyTestDriver =>
      countTopology((b) =>
        b
          .stream('in', Consumed.with(str, i64))
          .groupByKey()
          .count(Materialized.as<string, number>('c').withCachingDisabled())
          .suppress(Suppressed.untilTimeLimit(1000, config))
          .toStream()
          .to('out', Produced.with(str, i64)),
      );
    driver = build(BufferConfig.maxRecords(2));
    let input = driver.createInputTopic('in', str, i64);
    const out = driver.createOutputTopic('out', str, i64);
    for (const [k, t] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      await input.pipeInput(k, 1, t);
    expect(await out.readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
    await driver.close();
    driver = build(BufferConfig.maxRecords(2).shutDownWhenFull());
    input = driver.createInputTopic('in', str, i64);
    await input.pipeInput('a', 1, 1);
    await input.pipeInput('b', 1, 2);
    await expect(input.pipeInput('c', 1, 3)).rejects.toThrow(/exceeded its bound/);
  });
});

describe('watermarks and wall-clock close', () => {
  function twoTopicDriver(eventTime: EventTime): TopologyTestDriver {
    const serde = Serdes.timeWindowed(str, 10);
    return countTopology((b) =>
      b
        .stream(['p0', 'p1'], Consumed.with(str, i64))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10), { eventTime })
        .count(Materialized.as('c'))
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .to('out', Produced.with(serde, i64)),
    );
  }

  it("stream time drops a lagging partition's records; the watermark (min over partitions) does not", async () => {
    for (const [mode, dropped] of [
      [EventTime.streamTime(), 1],
      [EventTime.watermark(), 0],
    ] as const) {
      driver = twoTopicDriver(mode);
      const p0 = driver.createInputTopic('p0', str, i64);
      const p1 = driver.createInputTopic('p1', str, i64);
      await p0.pipeInput('a', 1, 100);
      await p1.pipeInput('b', 1, 5);
      expect(driver.metrics()[0]!.dropped).toBe(dropped);
      await driver.close();
    }
    driver = undefined;
  });

  it('an idle partition stops holding the watermark after the idle timeout (wall clock)', async () => {
    driver = twoTopicDriver(EventTime.watermark({ idleTimeout: '30s' }));
    const p0 = driver.createInputTopic('p0', str, i64);
    driver.createInputTopic('p1', str, i64);
    const out = driver.createOutputTopic('out', Serdes.timeWindowed(str, 10), i64);
    await p0.pipeInput('a', 1, 5);
    await p0.pipeInput('a', 1, 25);
    expect(await out.readRecordsToList()).toEqual([]); // p1 never delivered: watermark -1
    await driver.advanceWallClockTime(31_000);
    expect((await out.readRecordsToList()).map((r) => [fmt(r.key), r.value])).toEqual([['a[0,10]', 1]]);
  });

  it("wall-clock close: a quiet stream's last windows close as the wall clock moves", async () => {
    driver = twoTopicDriver(EventTime.streamTime().withWallClockClose('1 minute'));
    const p0 = driver.createInputTopic('p0', str, i64);
    const out = driver.createOutputTopic('out', Serdes.timeWindowed(str, 10), i64);
    await p0.pipeInput('a', 1, 5);
    await driver.advanceWallClockTime(30_000);
    expect(await out.readRecordsToList()).toEqual([]);
    await driver.advanceWallClockTime(31_000);
    expect((await out.readRecordsToList()).map((r) => [fmt(r.key), r.value])).toEqual([['a[0,10]', 1]]);
    await p0.pipeInput('a', 1, 6); // its window was closed by the wall clock: late
    expect(driver.metrics()[0]!.dropped).toBe(1);
  });
});
