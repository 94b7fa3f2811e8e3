import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Stores } from '../../lib/state/stores.js';
import { makeContext, RecordingSink, stringSerde, tempDir } from '../unit/state/helpers.js';

/**
 * Property: with any cache budget, the caching layer forwards exactly the compacted updates —
 * per key, the forwarded values are a subsequence of that key's writes that ends with the last
 * write before each flush, each forward carries the previous forward as old value, and the store content after flush equals
 * the model. With budget 0 every update is forwarded.
 */
describe('caching layer forwards exactly the compacted updates', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  const opsArb = fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        value: fc.option(fc.string({ maxLength: 30 }), { nil: null, freq: 5 }),
      }),
      fc.record({ kind: fc.constant('flush' as const) }),
    ),
    { maxLength: 80 },
  );

  it.each([['memory'], ['leveldb']])(
    '%s backend',
    async (backend) => {
      await fc.assert(
        fc.asyncProperty(opsArb, fc.constantFrom(0, 200, 600, 1 << 20), async (ops, budget) => {
          const { dir, cleanup } = tempDir();
          cleanups.push(cleanup);
          const supplier = backend === 'memory' ? Stores.inMemoryKeyValueStore('c') : Stores.persistentKeyValueStore('c');
          const sink = new RecordingSink();
          const store = Stores.keyValueStoreBuilder(supplier, stringSerde, stringSerde).withCachingEnabled(budget).build();
          await store.init(makeContext(dir, sink));
          const forwarded: Array<[string, string | null, string | null]> = [];
          store.setFlushListener((k, nv, ov) => forwarded.push([k, nv, ov]));
          const model = new Map<string, string | null>();
          const writes = new Map<string, Array<string | null>>();
          for (const op of ops) {
            if (op.kind === 'put') {
              store.put(op.key, op.value);
              model.set(op.key, op.value);
              const w = writes.get(op.key) ?? [];
              w.push(op.value);
              writes.set(op.key, w);
            } else {
              await store.flush();
              // After a flush every key's last write has been forwarded.
              for (const [k, v] of model) {
                const last = [...forwarded].reverse().find((f) => f[0] === k);
                expect(last?.[1]).toEqual(v);
              }
            }
          }
          await store.flush();
          // Each forward's old value is the previous forward of the key (null at first).
          const prev = new Map<string, string | null>();
          for (const [k, nv, ov] of forwarded) {
            expect(ov).toEqual(prev.get(k) ?? null);
            prev.set(k, nv);
          }
          // Forwards of a key are a subsequence of its writes.
          for (const [k, w] of writes) {
            const f = forwarded.filter((x) => x[0] === k).map((x) => x[1]);
            let j = 0;
            for (const v of w) if (j < f.length && f[j] === v) j++;
            expect(j).toBe(f.length);
            if (budget === 0) expect(f).toEqual(w);
          }
          // The changelog carries exactly the forwarded updates, and the store equals the model.
          expect(sink.records.map((r) => [r.key.toString(), r.value?.toString() ?? null])).toEqual(forwarded.map(([k, nv]) => [k, nv]));
          const expected = [...model].filter(([, v]) => v !== null).sort(([a], [b]) => (a < b ? -1 : 1));
          expect(store.all().map((e) => [e.key, e.value])).toEqual(expected);
          await store.close();
        }),
        { numRuns: 60 },
      );
    },
    60_000,
  );
});
