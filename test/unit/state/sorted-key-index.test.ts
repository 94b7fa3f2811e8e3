import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeyIndex } from '../../../lib/state/internal/sorted-key-index.js';

/** Latin1 key strings over a tiny alphabet, so operations collide often and chunks split and empty. */
const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\u0000', '\u00ff'), maxLength: 4 });

const opArb = fc.oneof(
  fc.record({ op: fc.constant('add' as const), key: keyArb }),
  fc.record({ op: fc.constant('delete' as const), key: keyArb }),
  fc.record({ op: fc.constant('scan' as const), from: fc.option(keyArb), to: fc.option(keyArb), toExclusive: fc.boolean() }),
);

describe('SortedKeyIndex', () => {
  it('behaves like a sorted set (add, delete, has, size, scans), from empty or from sorted keys', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { maxLength: 300 }), fc.array(opArb, { maxLength: 1500 }), (initial, ops) => {
        const sorted = [...initial].sort();
        const index = SortedKeyIndex.fromSorted(sorted);
        const model = new Set(sorted);
        for (const o of ops) {
          if (o.op === 'add') expect(index.add(o.key)).toBe(!model.has(o.key));
          if (o.op === 'add') model.add(o.key);
          if (o.op === 'delete') expect(index.delete(o.key)).toBe(model.delete(o.key));
          if (o.op === 'scan') {
            const want = [...model].sort().filter((k) => (o.from === null || k >= o.from) && (o.to === null || (o.toExclusive ? k < o.to : k <= o.to)));
            expect(index.keys(o.from, o.to, o.toExclusive)).toEqual(want);
          }
          expect(index.size).toBe(model.size);
        }
        for (const k of ['', 'a', 'ab', 'cc', '\u00ff']) expect(index.has(k)).toBe(model.has(k));
        const all = [...model].sort();
        expect(index.keys()).toEqual(all);
        expect(index.last()).toBe(all[all.length - 1]);
        index.clear();
        expect(index.size).toBe(0);
        expect(index.keys()).toEqual([]);
        expect(index.has(all[0] ?? '')).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps order across many chunk splits and merges', () => {
    const index = new SortedKeyIndex();
    const keys: string[] = [];
    for (let i = 0; i < 5000; i++) keys.push(String(((i * 7919) % 5000) + 100000));
    for (const k of keys) expect(index.add(k)).toBe(true);
    for (const k of keys) expect(index.add(k)).toBe(false);
    expect(index.keys()).toEqual([...keys].sort());
    for (let i = 0; i < 5000; i += 2) expect(index.delete(String(i + 100000))).toBe(true);
    expect(index.delete('100000')).toBe(false);
    expect(index.keys()).toEqual([...keys].sort().filter((k) => Number(k) % 2 === 1));
    expect(index.size).toBe(2500);
  });
  it('defers out-of-order inserts: placed one by one or merged in bulk, deletes and re-adds while pending, bounded pending', () => {
    for (const n of [10, 64, 65, 3000]) {
      const index = new SortedKeyIndex();
      const model = new Set<string>();
      // Ascending keys go straight to the end; the others wait until an ordered read.
      for (let i = 0; i < 100; i++) index.add(String(100000 + i * 100)) && model.add(String(100000 + i * 100));
      for (let i = 0; i < n; i++) {
        const k = String(100000 + ((i * 7919) % 10007));
        expect(index.add(k)).toBe(!model.has(k));
        model.add(k);
        if (i % 3 === 0) {
          expect(index.delete(k)).toBe(true);
          model.delete(k);
        }
        if (i % 9 === 0) {
          expect(index.add(k)).toBe(true);
          model.add(k);
        }
      }
      expect(index.size).toBe(model.size);
      expect(index.has('100050')).toBe(model.has('100050'));
      const sorted = [...model].sort();
      expect(index.last()).toBe(sorted[sorted.length - 1]);
      expect(index.keys()).toEqual(sorted);
      expect(index.keys('100200', '100300', true)).toEqual(sorted.filter((k) => k >= '100200' && k < '100300'));
    }
    // Churn without ordered reads keeps the pending list bounded, and the set exact.
    const churn = new SortedKeyIndex();
    churn.add('z');
    for (let i = 0; i < 20000; i++) {
      expect(churn.add(`k${i}`)).toBe(true);
      expect(churn.delete(`k${i}`)).toBe(true);
      expect(churn.delete(`k${i}`)).toBe(false);
    }
    expect((churn as unknown as { pending: string[] }).pending.length).toBeLessThanOrEqual(1025);
    expect(churn.keys()).toEqual(['z']);
  });
});
