import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { JoinWindows, StreamJoined } from '../../../lib/dsl/joins/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();
type Kind = 'join' | 'leftJoin' | 'outerJoin';

function topology(kind: Kind, windows: JoinWindows): StreamsBuilder {
  const b = new StreamsBuilder({ logger: () => {} });
  const l = b.stream('left', Consumed.with(str, str));
  const r = b.stream('right', Consumed.with(str, str));
  const joiner = (a: string | null, c: string | null) => `${a}+${c}`;
  const sj = StreamJoined.with(str, str, str).withStoreName('j');
  const joined =
    kind === 'join' ? l.join(r, joiner, windows, sj) : kind === 'leftJoin' ? l.leftJoin(r, joiner, windows, sj) : l.outerJoin(r, joiner, windows, sj);
  joined.to('out', Produced.with(str, str));
  return b;
}

describe('KStream-KStream joins', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  async function run(kind: Kind, windows: JoinWindows, inputs: Array<['L' | 'R', string | null, string | null, number]>) {
    driver = new TopologyTestDriver(topology(kind, windows).build(), { applicationId: `ss-${kind}` });
    const left = driver.createInputTopic('left', str, str);
    const right = driver.createInputTopic('right', str, str);
    const out = driver.createOutputTopic('out', str, str);
    for (const [side, k, v, ts] of inputs) await (side === 'L' ? left : right).pipeInput(k as string, v as string, ts);
    const records = (await out.readRecordsToList()).map((r) => [r.key, r.value, r.timestamp]);
    const dropped = driver.metrics().reduce((n, m) => n + m.dropped, 0);
    return { records, dropped };
  }

  it('inner join pairs records within the window, both directions, at the max timestamp', async () => {
    const { records } = await run('join', JoinWindows.ofTimeDifferenceAndGrace(10, 100), [
      ['L', 'a', 'A0', 100],
      ['R', 'a', 'a0', 105],
      ['R', 'a', 'a1', 111],
      ['L', 'a', 'A1', 95],
      ['R', 'b', 'b0', 100],
    ]);
    expect(records).toEqual([
      ['a', 'A0+a0', 105],
      ['a', 'A1+a0', 105],
    ]);
  });

  it('keeps duplicates on both sides', async () => {
    const { records } = await run('join', JoinWindows.ofTimeDifferenceWithNoGrace(5), [
      ['L', 'a', 'A', 10],
      ['L', 'a', 'A', 10],
      ['R', 'a', 'x', 12],
    ]);
    expect(records).toEqual([
      ['a', 'A+x', 12],
      ['a', 'A+x', 12],
    ]);
  });

  it('left join emits an unmatched record only after window + grace closed', async () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 5);
    const early = await run('leftJoin', w, [
      ['L', 'a', 'A', 100],
      ['R', 'z', 'z', 115], // T = 115: 100 + 10 + 5 < 115 is false
    ]);
    expect(early.records).toEqual([]);
    await driver!.close();
    const closed = await run('leftJoin', w, [
      ['L', 'a', 'A', 100],
      ['R', 'a', 'late-partner', 112], // outside [90, 110]
      ['R', 'z', 'z', 116], // T = 116 > 115: closed
    ]);
    expect(closed.records).toEqual([['a', 'A+null', 100]]);
  });

  it('left join: a matched record is never emitted with null, even if the partner comes late in processing order', async () => {
    const { records } = await run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 50), [
      ['L', 'a', 'A', 100],
      ['R', 'x', 'x', 140],
      ['R', 'a', 'a', 105],
      ['R', 'x', 'x', 1000],
    ]);
    expect(records).toEqual([['a', 'A+a', 105]]);
  });

  it('outer join emits unmatched records of both sides after close', async () => {
    const { records } = await run('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 0).after(20), [
      ['L', 'a', 'A', 100],
      ['R', 'b', 'B', 100],
      ['L', 'c', 'C', 100],
      ['R', 'c', 'c', 120],
      ['L', 'z', 'Z', 200],
    ]);
    // b (right, reach before = 10) closes at T = 120; a (left, reach after = 20) only at T = 200.
    expect(records).toEqual([
      ['c', 'C+c', 120],
      ['b', 'null+B', 100],
      ['a', 'A+null', 100],
    ]);
  });

  it('a late record (ts + grace < stream time) is not dropped: it joins what the other side retains', async () => {
    const { records, dropped } = await run('join', JoinWindows.ofTimeDifferenceAndGrace(100, 10), [
      ['L', 'a', 'A', 1000],
      ['R', 'a', 'late', 989], // 989 + 10 < 1000, but A is within [889, 1089] and retained
      ['R', 'a', 'ok', 990],
    ]);
    expect(records).toEqual([
      ['a', 'A+late', 1000],
      ['a', 'A+ok', 1000],
    ]);
    expect(dropped).toBe(0);
  });

  it('late records are stored while their store retains them (before + after + grace back from its max) and found by later records', async () => {
    // window 10, grace 0: retention 20. T = 120 after z; a@105 is late, joins A@100 and stays (right max 120: kept down to 101).
    const { records } = await run('join', JoinWindows.ofTimeDifferenceWithNoGrace(10), [
      ['L', 'a', 'A', 100],
      ['R', 'z', 'z', 120],
      ['R', 'a', 'x', 105],
      ['L', 'a', 'B', 110],
    ]);
    expect(records).toEqual([
      ['a', 'A+x', 105],
      ['a', 'B+x', 110],
    ]);
  });

  it("a late record finds nothing its partner's store no longer retains", async () => {
    // Left max 130, retention 20: the left store keeps records down to 111; A@100 is gone.
    const { records } = await run('join', JoinWindows.ofTimeDifferenceWithNoGrace(10), [
      ['L', 'a', 'A', 100],
      ['L', 'b', 'B', 130],
      ['R', 'a', 'x', 105],
    ]);
    expect(records).toEqual([]);
  });

  it('left join: a late unmatched record comes out with null at once; a null-key left record too (inner joins drop it)', async () => {
    const w = JoinWindows.ofTimeDifferenceWithNoGrace(10);
    const left = await run('leftJoin', w, [
      ['L', 'z', 'Z', 120],
      ['L', 'b', 'B', 50],
      ['L', null as unknown as string, 'N', 60],
      ['R', null as unknown as string, 'n', 60],
    ]);
    expect(left.records).toEqual([
      ['b', 'B+null', 50],
      [null, 'N+null', 60],
    ]);
    expect(left.dropped).toBe(1);
    await driver!.close();
    const inner = await run('join', w, [['L', null as unknown as string, 'N', 60]]);
    expect(inner.records).toEqual([]);
    expect(inner.dropped).toBe(1);
  });

  it('asymmetric windows: before/after seen from the left', async () => {
    const { records } = await run('join', JoinWindows.ofTimeDifferenceWithNoGrace(0).before(0).after(10).after(10), [
      ['L', 'a', 'A', 100],
      ['R', 'a', 'r-before', 100],
      ['R', 'a', 'r-after', 110],
      ['R', 'a', 'r-outside', 111],
    ]);
    expect(records).toEqual([
      ['a', 'A+r-before', 100],
      ['a', 'A+r-after', 110],
    ]);
  });

  it('names stores from StreamJoined and declares window changelogs', () => {
    const t = topology('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 5)).build().build('app');
    const changelogs = t.changelogTopics.map((c) => [c.name, c.configs['cleanup.policy']]);
    expect(changelogs).toEqual([
      // Kafka Streams 3.9.1 names an outer side's store `-outer-this-join`/`-outer-other-join`.
      ['app-j-outer-this-join-store-changelog', 'compact,delete'],
      ['app-j-outer-other-join-store-changelog', 'compact,delete'],
      ['app-j-outer-shared-join-store-changelog', 'compact'],
    ]);
    expect(t.subtopologies).toHaveLength(1);
    expect(t.subtopologies[0]!.copartitionGroups).toEqual([['left', 'right']]);
  });

  it('reports late records to a callback or a topic, with why they were late (they are joined all the same)', async () => {
    const late: Array<[string, number, number, number]> = [];
    const b = new StreamsBuilder({ logger: () => {} });
    const l = b.stream('left', Consumed.with(str, str));
    const r = b.stream('right', Consumed.with(str, str));
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 5);
    l.join(
      r,
      (a, c) => `${a}+${c}`,
      w,
      StreamJoined.with(str, str, str)
        .withStoreName('cb')
        .withLateRecords((x) => late.push([x.value, x.timestamp, x.streamTimeMs, x.graceMs])),
    ).to('out', Produced.with(str, str));
    l.join(r, (a, c) => `${a}+${c}`, w, StreamJoined.with(str, str, str).withStoreName('tp').withLateRecords({ topic: 'late' })).to(
      'out2',
      Produced.with(str, str),
    );
    driver = new TopologyTestDriver(b.build(), { applicationId: 'ss-late' });
    const left = driver.createInputTopic('left', str, str);
    const right = driver.createInputTopic('right', str, str);
    const out2 = driver.createOutputTopic('out2', str, str);
    const lateTopic = driver.createOutputTopic('late', str, str);
    await left.pipeInput('a', 'A', 100);
    await right.pipeInput('a', 'old', 94); // 94 + 5 < 100: late for both joins, still joined with A (retained)
    await right.pipeInput('a', 'ok', 95);
    expect(late).toEqual([['old', 94, 100, 5]]);
    expect((await out2.readRecordsToList()).map((x) => x.value)).toEqual(['A+old', 'A+ok']);
    const lateRecords = await lateTopic.readRecordsToList();
    expect(lateRecords.map((x) => [x.key, x.value, x.timestamp])).toEqual([['a', 'old', 94]]);
    expect(lateRecords[0]!.headers['tributary.late.reason']?.toString()).toBe('past-grace');
    expect(driver.metrics().reduce((n, m) => n + m.dropped, 0)).toBe(0);
  });

  // Shrunk cases of the differential suite (docs/divergences.md, fixed finding F3): Kafka Streams
  // 3.9.1 (KStreamKStreamJoin) moves the join's stream time on every record, null keys and null
  // values included, before it skips them; its default (RocksDB) join store skips a null-value
  // put entirely, so a null value does not expire that side's records.
  it("a null value moves stream time but does not expire its side's stored records", async () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(4, 2); // retention 4 + 4 + 2 = 10
    const { records, dropped } = await run('outerJoin', w, [
      ['L', 'b', 'B', 0],
      ['L', 'a', null, 24], // T = 24; the left store still holds B@0 (its own clock is at 0)
      ['R', 'b', 'x', 0], // late, joins B@0
    ]);
    expect(records).toEqual([['b', 'B+x', 0]]);
    expect(dropped).toBe(1);
  });

  it('a record skipped for its null value or null key still closes pending windows: the next record emits them, whatever its time', async () => {
    const ahead = await run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(1, 5).after(4), [
      ['L', 'a', 'A', 74],
      ['L', 'a', null, 99], // T = 99 > 74 + 4 + 5
      ['R', 'a', 'x', 0], // (Kafka Streams scans only on a record at stream time: it emits A+null later)
    ]);
    expect(ahead.records).toEqual([['a', 'A+null', 74]]);
    await driver!.close();
    const nullKey = await run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(2, 1), [
      ['L', 'a', 'A', 0],
      ['R', null, 'x', 29], // right side of a left join: no key, dropped, T = 29
      ['L', 'a', 'B', 0],
    ]);
    expect(nullKey.records).toEqual([
      ['a', 'A+null', 0],
      ['a', 'B+null', 0],
    ]);
  });

  it('rejects bad windows', () => {
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(10, -1)).toThrow(/grace/);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-11)).toThrow(/before \+ after/);
  });
});
