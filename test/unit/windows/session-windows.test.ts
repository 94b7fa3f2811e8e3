/**
 * Session windows close `inactivityGap + grace` after their end, as in Kafka Streams 3.9
 * (`KStreamSessionWindowAggregate`: `windowCloseTime = streamTime - grace - inactivityGap`; a
 * suppression of session windows waits `grace + inactivityGap`, `GraphGraceSearchUtil`). Each case
 * is a minimal input on which the old rule (close at `end + grace`) went wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import type { KTable } from '../../../lib/dsl/ktable.js';
import { BufferConfig, Suppressed } from '../../../lib/dsl/windowed/suppressed.js';
import { LATE_HEADER_PREFIX } from '../../../lib/dsl/windowed/late-records.js';
import type { SessionWindowedKStream } from '../../../lib/dsl/windowed/session-windowed-kstream.js';
import { EmitStrategy } from '../../../lib/dsl/windows/emit-strategy.js';
import { SessionWindows } from '../../../lib/dsl/windows/session-windows.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Windowed } from '../../../lib/state/types.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';

const str = Serdes.string();
const i64 = Serdes.int64();
const serde = Serdes.sessionWindowed(str);
const fmt = (w: Windowed<string>): string => `${w.key}[${w.window.start},${w.window.end}]`;
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

type Shape = (s: SessionWindowedKStream<string, number>) => KTable<Windowed<string>, number>;

async function run(
  windows: SessionWindows,
  shape: Shape,
  input: ReadonlyArray<readonly [string, number]>,
  lateTopic?: string,
): Promise<Array<[string, number | null, number]>> {
  const b = new StreamsBuilder();
  const grouped = b.stream('in', Consumed.with(str, i64)).groupByKey();
  const windowed = lateTopic === undefined ? grouped.windowedBy(windows) : grouped.windowedBy(windows, { lateRecords: { topic: lateTopic } });
  shape(windowed).toStream().to('out', Produced.with(serde, i64));
  driver = new TopologyTestDriver(b.build());
  const topic = driver.createInputTopic('in', str, i64);
  for (const [k, t] of input) await topic.pipeInput(k, 1, t);
  return (await driver.createOutputTopic('out', serde, i64).readRecordsToList()).map((r) => [fmt(r.key), r.value, r.timestamp]);
}

const uncached: Shape = (s) => s.count(Materialized.as<string, number>('s').withCachingDisabled());
const suppressed: Shape = (s) =>
  s.count(Materialized.as<string, number>('s').withCachingDisabled()).suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
const onClose: Shape = (s) => s.emitStrategy(EmitStrategy.onWindowClose()).count(Materialized.as('s'));

describe('session windows close inactivityGap + grace after their end', () => {
  it('a record within gap of a session that ended before streamTime - grace (not before streamTime - grace - gap) is merged, not dropped', async () => {
    // gap 10, grace 0: at stream time 8 the session [0,0] is open until 0 + 10 + 0 = 10; a@5 extends it to [0,5].
    const out = await run(SessionWindows.ofInactivityGapWithNoGrace(10), uncached, [
      ['a', 0],
      ['b', 8],
      ['a', 5],
    ]);
    expect(out).toEqual([
      ['a[0,0]', 1, 0],
      ['b[8,8]', 1, 8],
      ['a[0,0]', null, 0],
      ['a[0,5]', 2, 5],
    ]);
    expect(driver!.metrics()[0]!.dropped).toBe(0);
  });

  it('a session whose only record has event time 0 is kept while streamTime <= gap + grace (Kafka Streams emits [0,0])', async () => {
    const out = await run(SessionWindows.ofInactivityGapAndGrace(10_000, 120_000), uncached, [
      ['b', 125_000],
      ['a', 0],
    ]);
    expect(out).toEqual([
      ['b[125000,125000]', 1, 125_000],
      ['a[0,0]', 1, 0],
    ]);
  });

  it('a record for a session that ended before streamTime - grace - gap is late; the late output says so', async () => {
    // gap 10, grace 5, stream time 17: sessions ending before 17 - 5 - 10 = 2 are closed; [0,0] is, and a@1 alone would end at 1.
    const out = await run(
      SessionWindows.ofInactivityGapAndGrace(10, 5),
      uncached,
      [
        ['a', 0],
        ['b', 17],
        ['a', 1],
      ],
      'late',
    );
    expect(out).toEqual([
      ['a[0,0]', 1, 0],
      ['b[17,17]', 1, 17],
    ]);
    const [l] = await driver!.createOutputTopic('late', str, i64).readRecordsToList();
    const h = (n: string): string => l!.headers[`${LATE_HEADER_PREFIX}${n}`]!.toString();
    expect([l!.timestamp, h('window.start'), h('window.end'), h('grace.ms'), h('stream.time'), h('watermark')]).toEqual([1, '1', '1', '5', '17', '2']);
    expect(driver!.metrics()[0]!.dropped).toBe(1);
  });

  it("a session ending exactly at streamTime - grace - gap is closed: a record within gap of it starts a new session (Kafka Streams' store no longer returns it)", async () => {
    const out = await run(SessionWindows.ofInactivityGapWithNoGrace(10), uncached, [
      ['a', 0],
      ['b', 10],
      ['a', 10],
    ]);
    expect(out).toEqual([
      ['a[0,0]', 1, 0],
      ['b[10,10]', 1, 10],
      ['a[10,10]', 1, 10],
    ]);
  });

  it('a record whose own session ends exactly at streamTime - grace - gap is kept, closed at once; a second one makes another session with that window (as Kafka Streams)', async () => {
    // gap 5, grace 3, stream time 8: closeTime 0.
    const windows = SessionWindows.ofInactivityGapAndGrace(5, 3);
    const input = [
      ['a', 8],
      ['a', 0],
      ['a', 0],
      ['z', 17],
    ] as const;
    expect(await run(windows, uncached, input)).toEqual([
      ['a[8,8]', 1, 8],
      ['a[0,0]', 1, 0],
      ['a[0,0]', 1, 0],
      ['z[17,17]', 1, 17],
    ]);
    await driver!.close();
    expect(await run(windows, suppressed, input)).toEqual([
      ['a[0,0]', 1, 0],
      ['a[0,0]', 1, 0],
      ['a[8,8]', 1, 8],
    ]);
  });

  it("a record that moves stream time still extends a session ending at the new streamTime - grace - gap (Kafka Streams' store counts from the stream time before it)", async () => {
    const out = await run(SessionWindows.ofInactivityGapWithNoGrace(19), uncached, [
      ['a', 0],
      ['a', 19],
    ]);
    expect(out).toEqual([
      ['a[0,0]', 1, 0],
      ['a[0,0]', null, 0],
      ['a[0,19]', 2, 19],
    ]);
  });

  // Kafka Streams' suppression emits a session once end <= streamTime - gap - grace; onWindowClose once end < it.
  for (const [name, shape, closing] of [
    ['suppress(untilWindowCloses)', suppressed, 23],
    ['emitStrategy(onWindowClose)', onClose, 24],
  ] as const) {
    it(`${name} waits gap + grace: each session once, final`, async () => {
      // gap 10, grace 5. b@6 moves stream time past [0,0] + grace, but a@8 still extends it.
      const early = await run(SessionWindows.ofInactivityGapAndGrace(10, 5), shape, [
        ['a', 0],
        ['b', 6],
        ['a', 8],
        ['c', 22],
      ]);
      expect(early).toEqual([['b[6,6]', 1, 6]]); // closed at 6 + 15 = 21 <= 22
      await driver!.close();
      const before = await run(SessionWindows.ofInactivityGapAndGrace(10, 5), shape, [
        ['a', 0],
        ['b', 6],
        ['a', 8],
        ['c', closing - 1],
      ]);
      expect(before).toEqual([['b[6,6]', 1, 6]]); // [0,8] not yet
      await driver!.close();
      const all = await run(SessionWindows.ofInactivityGapAndGrace(10, 5), shape, [
        ['a', 0],
        ['b', 6],
        ['a', 8],
        ['c', closing],
      ]);
      expect(all).toEqual([
        ['b[6,6]', 1, 6],
        ['a[0,8]', 2, 8],
      ]);
    });
  }
});

describe('session windows: updates as Kafka Streams forwards them (caching off)', () => {
  it('a record inside an existing session: a tombstone for that session, then its new value; a record making exactly [t, t] again: just the new value', async () => {
    const out = await run(SessionWindows.ofInactivityGapAndGrace(10, 100), uncached, [
      ['a', 0],
      ['a', 10],
      ['a', 5],
      ['b', 3],
      ['b', 3],
    ]);
    expect(out).toEqual([
      ['a[0,0]', 1, 0],
      ['a[0,0]', null, 0],
      ['a[0,10]', 2, 10],
      ['a[0,10]', null, 10],
      ['a[0,10]', 3, 10],
      ['b[3,3]', 1, 3],
      ['b[3,3]', 2, 3],
    ]);
  });

  it('a null value goes to the aggregator as in Kafka Streams 3.9: count counts it; a reduce starting with it leaves no session (a tombstone)', async () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', Consumed.with(str, i64)).groupByKey();
    const windows = SessionWindows.ofInactivityGapAndGrace(10, 100);
    grouped.windowedBy(windows).count(Materialized.as<string, number>('c').withCachingDisabled()).toStream().to('counts', Produced.with(serde, i64));
    grouped
      .windowedBy(windows)
      .reduce((x, y) => x + (y ?? 100), Materialized.as<string, number>('r').withCachingDisabled())
      .toStream()
      .to('sums', Produced.with(serde, i64));
    driver = new TopologyTestDriver(b.build());
    const topic = driver.createInputTopic('in', str, i64);
    await topic.pipeInput('a', 5, 1);
    await topic.pipeInput('a', null as unknown as number, 1);
    await topic.pipeInput('b', null as unknown as number, 3);
    await topic.pipeInput('b', 7, 3);
    const read = async (t: string) => (await driver!.createOutputTopic(t, serde, i64).readRecordsToList()).map((r) => [fmt(r.key), r.value]);
    expect(await read('counts')).toEqual([
      ['a[1,1]', 1],
      ['a[1,1]', 2],
      ['b[3,3]', 1],
      ['b[3,3]', 2],
    ]);
    expect(await read('sums')).toEqual([
      ['a[1,1]', 5],
      ['a[1,1]', 105],
      ['b[3,3]', null],
      ['b[3,3]', 7],
    ]);
  });
});
