/**
 * Stream-stream joins against a reference model of Kafka Streams' semantics (see
 * lib/dsl/joins/join-windows.ts): every record is joined with the other side's records within the
 * window that the other store still retains (down to its max timestamp - retention + 1), late or
 * not; unmatched left/outer records come out with null once closed (no spurious nulls); an outer
 * side's null-key record comes out with null at once. For any arrival order without late records
 * the join emits every pair within the window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, Produced, StreamsBuilder } from '../../lib/dsl/index.js';
import { JoinWindows, StreamJoined } from '../../lib/dsl/joins/index.js';
import { Serdes } from '../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../lib/testing/index.js';

const str = Serdes.string();
type Kind = 'join' | 'leftJoin' | 'outerJoin';
interface Ev {
  readonly side: 'L' | 'R';
  readonly key: string | null;
  readonly value: string;
  readonly ts: number;
}
type Out = [string | null, string, number];

const joinText = (l: string | null, r: string | null) => `${l}|${r}`;

/** The join's output multiset and dropped count, by replaying the arrivals. */
export function streamStreamModel(kind: Kind, w: { before: number; after: number; grace: number }, arrivals: readonly Ev[]): { out: Out[]; dropped: number } {
  const retention = Math.max(w.before + w.after + w.grace, Math.max(w.before, w.after) + w.grace + 1);
  const outer = { L: kind !== 'join', R: kind === 'outerJoin' };
  const stored: Record<'L' | 'R', Ev[]> = { L: [], R: [] };
  const maxTs = { L: -1, R: -1 };
  const pending: Array<{ e: Ev; done: boolean }> = [];
  const out: Out[] = [];
  let T = -1;
  let dropped = 0;
  const inWindow = (l: Ev, r: Ev) => r.ts >= l.ts - w.before && r.ts <= l.ts + w.after;
  const closed = (e: Ev) => e.ts + (e.side === 'L' ? w.after : w.before) + w.grace < T;
  const nullJoined = (e: Ev) => (e.side === 'L' ? joinText(e.value, null) : joinText(null, e.value));
  for (const e of arrivals) {
    T = Math.max(T, e.ts);
    if (e.key === null) {
      if (outer[e.side]) out.push([null, nullJoined(e), e.ts]);
      else dropped++;
      continue;
    }
    const other = e.side === 'L' ? 'R' : 'L';
    stored[e.side].push(e);
    maxTs[e.side] = Math.max(maxTs[e.side], e.ts);
    const floor = maxTs[other] - retention + 1;
    const partners = stored[other].filter((o) => o.key === e.key && o.ts >= floor && (e.side === 'L' ? inWindow(e, o) : inWindow(o, e)));
    for (const p of partners) {
      out.push([e.key, e.side === 'L' ? joinText(e.value, p.value) : joinText(p.value, e.value), Math.max(e.ts, p.ts)]);
      for (const q of pending) if (q.e.side === other && q.e.key === e.key && q.e.ts === p.ts) q.done = true;
    }
    if (partners.length === 0 && outer[e.side]) pending.push({ e, done: false });
    if (outer.L) {
      for (const q of pending) {
        if (q.done || !closed(q.e)) continue;
        out.push([q.e.key, nullJoined(q.e), q.e.ts]);
        q.done = true;
      }
    }
  }
  return { out: sortOut(out), dropped };
}

function sortOut(out: Out[]): Out[] {
  const id = (o: Out) => JSON.stringify(o);
  return [...out].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}

/** Events with bounded disorder: arrival order by ts + delay; a few get a large extra delay (late). */
const eventsArb = fc
  .array(
    fc.record({
      side: fc.constantFrom<'L' | 'R'>('L', 'R'),
      key: fc.oneof({ weight: 12, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 1, arbitrary: fc.constant(null) }),
      ts: fc.integer({ min: 0, max: 150 }),
      delay: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: 21, max: 80 }) }),
    }),
    { maxLength: 40, size: 'medium' },
  )
  .map((raw) =>
    raw
      .map((r, i) => ({ ...r, i }))
      .sort((a, b) => a.ts + a.delay - (b.ts + b.delay) || a.i - b.i)
      .map((r): Ev => ({ side: r.side, key: r.key, value: `${r.side}${r.i}`, ts: r.ts })),
  );

const windowsArb = fc.record({
  before: fc.integer({ min: 0, max: 30 }),
  after: fc.integer({ min: 0, max: 30 }),
  grace: fc.integer({ min: 0, max: 25 }),
});

async function runJoin(kind: Kind, w: { before: number; after: number; grace: number }, arrivals: readonly Ev[], inMemory: boolean) {
  const b = new StreamsBuilder({ logger: () => {} });
  const l = b.stream('left', Consumed.with(str, str));
  const r = b.stream('right', Consumed.with(str, str));
  const windows = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace).before(w.before).after(w.after);
  let sj = StreamJoined.with(str, str, str).withStoreName('p');
  if (inMemory) sj = sj.withStoreType('in-memory');
  const joined =
    kind === 'join' ? l.join(r, joinText, windows, sj) : kind === 'leftJoin' ? l.leftJoin(r, joinText, windows, sj) : l.outerJoin(r, joinText, windows, sj);
  joined.to('out', Produced.with(str, str));
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'prop-ss' });
  try {
    const left = driver.createInputTopic('left', str, str);
    const right = driver.createInputTopic('right', str, str);
    const out = driver.createOutputTopic('out', str, str);
    for (const e of arrivals) await (e.side === 'L' ? left : right).pipeInput(e.key as string, e.value, e.ts);
    const got = (await out.readRecordsToList()).map((x): Out => [x.key, x.value, x.timestamp]);
    return { out: sortOut(got), dropped: driver.metrics().reduce((n, m) => n + m.dropped, 0) };
  } finally {
    await driver.close();
  }
}

describe('stream-stream joins match the nested-loop model', () => {
  for (const kind of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`${kind}: same output multiset and dropped count for any arrival order, late records joined with what is retained`, async () => {
      await fc.assert(
        fc.asyncProperty(windowsArb, eventsArb, fc.boolean(), async (w, arrivals, inMemory) => {
          const actual = await runJoin(kind, w, arrivals, inMemory);
          const expected = streamStreamModel(kind, w, arrivals);
          if (process.env['DEBUG_JOINS']) console.log(kind, arrivals.length, expected.out.length, expected.dropped);
          expect(actual).toEqual(expected);
        }),
        { numRuns: Number(process.env['JOIN_RUNS'] ?? 60) },
      );
    }, 120_000);
  }

  it('the output does not depend on the arrival order when nothing is late', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ before: fc.integer({ min: 0, max: 30 }), after: fc.integer({ min: 0, max: 30 }) }),
        eventsArb.filter((es) => es.every((e) => e.key !== null)),
        fc.infiniteStream(fc.integer()),
        async (w, events, noise) => {
          // Grace covering the whole time range: no order can make a record late.
          const win = { ...w, grace: 1000 };
          const shuffled = events
            .map((e) => ({ e, k: noise.next().value }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const a = await runJoin('outerJoin', win, events, true);
          const b = await runJoin('outerJoin', win, shuffled, true);
          expect(b).toEqual(a);
          expect(a.dropped).toBe(0);
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);
});
