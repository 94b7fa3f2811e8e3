import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyString } from '../../../lib/state/internal/bytes.js';
import { type CacheEntry, RecordCache } from '../../../lib/state/layers/record-cache.js';

/**
 * The record cache against a model: whatever the budget and the mix of reads, writes, peeks and
 * flushes, an entry found holds the key's latest cached value; every dirty write reaches the
 * store below exactly once per dirtying (by eviction or flush) with the latest value; the byte
 * budget holds after every put; and the entry count matches the entries reachable by lookup.
 */
describe('RecordCache', () => {
  const key = fc.integer({ min: 0, max: 60 }).map((i) => `k${i}`);
  const op = fc.oneof(
    fc.record({ kind: fc.constant('get' as const), key }),
    fc.record({ kind: fc.constant('peek' as const), key }),
    fc.record({
      kind: fc.constant('put' as const),
      key,
      value: fc.option(fc.integer({ min: 0, max: 9999 }), { nil: null, freq: 6 }),
      dirty: fc.boolean(),
      bytes: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('flush' as const) }),
  );

  it('matches a model of the store below plus cached writes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.constantFrom(0, 150, 700, 3000, 1 << 20), (ops, budget) => {
        const below = new Map<string, string | null>();
        const write = (e: CacheEntry): void => {
          expect(keyString(e.key)).toBe(e.k);
          below.set(e.k, e.value === null ? null : e.value.toString());
        };
        const cache = new RecordCache(budget, write);
        /** The latest value of each key: the store below overlaid with dirty writes. */
        const latest = new Map<string, string | null>();
        for (const o of ops) {
          if (o.kind === 'get' || o.kind === 'peek') {
            const e = o.kind === 'get' ? cache.get(o.key) : cache.peek(o.key);
            if (e !== undefined) {
              expect(e.k).toBe(o.key);
              const v = e.value === null ? null : e.value.toString();
              if (e.dirty) expect(v).toBe(latest.get(o.key));
              else expect(v).toBe(latest.has(o.key) ? latest.get(o.key) : (below.get(o.key) ?? null));
            }
          } else if (o.kind === 'put') {
            const value = o.value === null ? null : Buffer.from(String(o.value));
            const existing = cache.peek(o.key);
            // A clean put stands for a read of the store below: it caches what is there.
            if (!o.dirty) {
              if (existing?.dirty === true) continue;
              const stored = latest.has(o.key) ? latest.get(o.key)! : (below.get(o.key) ?? null);
              cache.put(o.key, o.bytes ? Buffer.from(o.key, 'latin1') : null, stored === null ? null : Buffer.from(stored), false, -1);
            } else {
              cache.put(o.key, o.bytes ? Buffer.from(o.key, 'latin1') : null, value, true, 1);
              latest.set(o.key, value === null ? null : value.toString());
            }
            expect(cache.sizeBytes).toBeLessThanOrEqual(budget);
          } else {
            cache.flushDirty(write);
            for (const [k, v] of latest) expect(below.get(k)).toBe(v);
            latest.clear();
          }
          let reachable = 0;
          for (const k of cache.keys()) {
            expect(cache.peek(k)?.k).toBe(k);
            reachable++;
          }
          expect(reachable).toBe(cache.size);
        }
        cache.flushDirty(write);
        for (const [k, v] of latest) expect(below.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every key reachable across growth and eviction of many keys', () => {
    const cache = new RecordCache(200 * 1000, () => {});
    for (let i = 0; i < 5000; i++) cache.put(`key-${i}`, null, Buffer.from([i & 0xff]), false, -1);
    const present = [...cache.keys()];
    expect(present.length).toBe(cache.size);
    expect(present.length).toBeLessThan(5000);
    for (const k of present) expect(cache.get(k)?.k).toBe(k);
    for (let i = 0; i < 5000; i++) if (!present.includes(`key-${i}`)) expect(cache.peek(`key-${i}`)).toBeUndefined();
  });
});
