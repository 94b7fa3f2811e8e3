/**
 * Stream-table, table-table and foreign-key joins against reference models that replay the
 * arrivals over plain maps. Stream-table: each stream record sees the table as of its arrival.
 * Table-table: the sequence of result changes (a tombstone only when the key was in the result,
 * timestamp = max of the inputs). Foreign key: the final result equals the join of the final
 * tables, and no key is ever tombstoned that was not in the result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Named, Produced, StreamsBuilder } from '../../lib/dsl/index.js';
import { Serdes } from '../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../lib/testing/index.js';

const str = Serdes.string();
const keyArb = fc.constantFrom('a', 'b', 'c', 'd');
const text = (l: string | null, r: string | null) => `${l}|${r}`;

describe('stream-table joins match a replay over a map', () => {
  const opArb = fc.array(
    fc.record({
      table: fc.boolean(),
      key: fc.oneof({ weight: 10, arbitrary: keyArb }, { weight: 1, arbitrary: fc.constant(null) }),
      value: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('x', 'y', 'z') }, { weight: 1, arbitrary: fc.constant(null) }),
      ts: fc.integer({ min: 0, max: 1000 }),
    }),
    { maxLength: 40, size: 'medium' },
  );

  for (const leftJoin of [false, true]) {
    it(`${leftJoin ? 'leftJoin' : 'join'}: outputs, order and dropped count`, async () => {
      await fc.assert(
        fc.asyncProperty(opArb, async (ops) => {
          const table = new Map<string, string>();
          const expected: Array<[string | null, string, number]> = [];
          let dropped = 0;
          ops.forEach((op, i) => {
            if (op.table) {
              if (op.key === null) return;
              if (op.value === null) table.delete(op.key);
              else table.set(op.key, op.value);
              return;
            }
            if (op.value === null) return void dropped++;
            const v = `${op.value}${i}`;
            if (op.key === null) {
              if (leftJoin) expected.push([null, text(v, null), op.ts]);
              else dropped++;
              return;
            }
            const t = table.get(op.key) ?? null;
            if (t !== null || leftJoin) expected.push([op.key, text(v, t), op.ts]);
          });
          const b = new StreamsBuilder({ logger: () => {} });
          const t = b.table('t', Consumed.with(str, str));
          const s = b.stream('s', Consumed.with(str, str));
          (leftJoin ? s.leftJoin(t, text) : s.join(t, text)).to('out', Produced.with(str, str));
          const driver = new TopologyTestDriver(b.build(), { applicationId: 'prop-st' });
          try {
            const ti = driver.createInputTopic('t', str, str);
            const si = driver.createInputTopic('s', str, str);
            const out = driver.createOutputTopic('out', str, str);
            for (const [i, op] of ops.entries()) {
              if (op.table) await ti.pipeInput(op.key as string, op.value as string, op.ts);
              else await si.pipeInput(op.key as string, (op.value === null ? null : `${op.value}${i}`) as string, op.ts);
            }
            const got = (await out.readRecordsToList()).map((r) => [r.key, r.value, r.timestamp]);
            expect(got).toEqual(expected);
            expect(driver.metrics().reduce((n, m) => n + m.dropped, 0)).toBe(dropped);
          } finally {
            await driver.close();
          }
        }),
        { numRuns: Number(process.env['JOIN_RUNS'] ?? 40) },
      );
    }, 120_000);
  }
});

describe('table-table joins match a replay over two maps', () => {
  const opArb = fc.array(
    fc.record({
      right: fc.boolean(),
      key: keyArb,
      value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('p', 'q') }, { weight: 1, arbitrary: fc.constant(null) }),
      ts: fc.integer({ min: 0, max: 1000 }),
    }),
    { maxLength: 40, size: 'medium' },
  );

  for (const kind of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`${kind}: the sequence of result changes`, async () => {
      await fc.assert(
        fc.asyncProperty(opArb, fc.boolean(), async (ops, cached) => {
          const L = new Map<string, { v: string; ts: number }>();
          const R = new Map<string, { v: string; ts: number }>();
          const row = (l: string | null, r: string | null): string | null => {
            const exists = kind === 'join' ? l !== null && r !== null : kind === 'leftJoin' ? l !== null : l !== null || r !== null;
            return exists ? text(l, r) : null;
          };
          const expected: Array<[string, string | null, number]> = [];
          ops.forEach((op, i) => {
            const mine = op.right ? R : L;
            const other = op.right ? L : R;
            const value = op.value === null ? null : `${op.value}${i}`;
            const before = mine.get(op.key)?.v ?? null;
            if (value === null && before === null) return;
            if (value === null) mine.delete(op.key);
            else mine.set(op.key, { v: value, ts: op.ts });
            const o = other.get(op.key);
            const ov = o?.v ?? null;
            const oldRow = op.right ? row(ov, before) : row(before, ov);
            const newRow = op.right ? row(ov, value) : row(value, ov);
            if (oldRow === null && newRow === null) return;
            expected.push([op.key, newRow, Math.max(op.ts, o?.ts ?? -1)]);
          });
          const b = new StreamsBuilder({ logger: () => {} });
          const mat = (name: string) => (cached ? Materialized.as<string, string>(name) : Materialized.as<string, string>(name).withCachingDisabled());
          const lt = b.table('l', Consumed.with(str, str), mat('l-store'));
          const rt = b.table('r', Consumed.with(str, str), mat('r-store'));
          const joined =
            kind === 'join'
              ? lt.join(rt, text, Named.as('tt'))
              : kind === 'leftJoin'
                ? lt.leftJoin(rt, text, Named.as('tt'))
                : lt.outerJoin(rt, text, Named.as('tt'));
          joined.toStream().to('out', Produced.with(str, str));
          const driver = new TopologyTestDriver(b.build(), { applicationId: 'prop-tt' });
          try {
            const li = driver.createInputTopic('l', str, str);
            const ri = driver.createInputTopic('r', str, str);
            const out = driver.createOutputTopic('out', str, str);
            for (const [i, op] of ops.entries()) await (op.right ? ri : li).pipeInput(op.key, (op.value === null ? null : `${op.value}${i}`) as string, op.ts);
            const got = (await out.readRecordsToList()).map((r) => [r.key, r.value, r.timestamp]);
            if (!cached) {
              expect(got).toEqual(expected);
            } else {
              // Caching compacts input updates: the last change per key (the final row) agrees.
              const last = (xs: typeof expected) => new Map(xs.map((x) => [x[0], x[1]]));
              const finalRows = [...last(expected)].filter(([, v]) => v !== null);
              expect([...last(got as typeof expected)].filter(([, v]) => v !== null).sort()).toEqual(finalRows.sort());
            }
          } finally {
            await driver.close();
          }
        }),
        { numRuns: Number(process.env['JOIN_RUNS'] ?? 40) },
      );
    }, 120_000);
  }
});

describe('foreign-key joins converge to the join of the final tables', () => {
  const opArb = fc.array(
    fc.oneof(
      fc.record({ right: fc.constant(false), key: fc.constantFrom('o1', 'o2', 'o3', 'o4'), fk: fc.oneof(keyArb, fc.constant(null)), del: fc.boolean() }),
      fc.record({ right: fc.constant(true), key: keyArb, fk: fc.constant(null), del: fc.boolean() }),
    ),
    { maxLength: 30, size: 'medium' },
  );
  const orderSerde = Serdes.json<{ fk: string | null; n: number }>();

  for (const leftJoin of [false, true]) {
    it(`${leftJoin ? 'leftJoin' : 'join'}`, async () => {
      await fc.assert(
        fc.asyncProperty(opArb, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), async (ops, lp, rp) => {
          const b = new StreamsBuilder({ logger: () => {} });
          const orders = b.table(
            'orders',
            Consumed.with(str, orderSerde),
            Materialized.as<string, { fk: string | null; n: number }>('orders-store').withCachingDisabled(),
          );
          const customers = b.table('customers', Consumed.with(str, str), Materialized.as<string, string>('customers-store').withCachingDisabled());
          const joiner = (o: { n: number }, c: string | null) => `${o.n}/${c}`;
          (leftJoin ? orders.leftJoin(customers, (o) => o.fk, joiner, Named.as('fk')) : orders.join(customers, (o) => o.fk, joiner, Named.as('fk')))
            .toStream()
            .to('out', Produced.with(str, str));
          const driver = new TopologyTestDriver(b.build(), { applicationId: 'prop-fk' });
          const L = new Map<string, { fk: string | null; n: number }>();
          const R = new Map<string, string>();
          try {
            const oi = driver.createInputTopic('orders', str, orderSerde, { partitions: lp });
            const ci = driver.createInputTopic('customers', str, str, { partitions: rp });
            const out = driver.createOutputTopic('out', str, str);
            for (const [i, op] of ops.entries()) {
              if (op.right) {
                if (op.del) R.delete(op.key);
                else R.set(op.key, `c${i}`);
                await ci.pipeInput(op.key, (op.del ? null : `c${i}`) as string, i);
              } else {
                if (op.del) L.delete(op.key);
                else L.set(op.key, { fk: op.fk, n: i });
                await oi.pipeInput(op.key, (op.del ? null : { fk: op.fk, n: i }) as never, i);
              }
            }
            const got = await out.readRecordsToList();
            const final = new Map<string, string | null>();
            const everIn = new Set<string>();
            for (const r of got) {
              // A tombstone only for a key that was in the result.
              if (r.value === null) expect(final.get(r.key) ?? null).not.toBeNull();
              final.set(r.key, r.value);
              if (r.value !== null) everIn.add(r.key);
            }
            const expected = new Map<string, string>();
            for (const [k, o] of L) {
              const c = o.fk === null ? null : (R.get(o.fk) ?? null);
              if (c !== null || leftJoin) expected.set(k, joiner(o, c));
            }
            const actual = new Map([...final].filter(([, v]) => v !== null) as Array<[string, string]>);
            expect(actual).toEqual(expected);
          } finally {
            await driver.close();
          }
        }),
        { numRuns: Number(process.env['JOIN_RUNS'] ?? 30) },
      );
    }, 180_000);
  }
});
