import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Stores } from '../../../lib/state/stores.js';
import type { Serde } from '../../../lib/serde/types.js';
import { makeContext, numberSerde, RecordingSink, stringSerde, tempDir } from './helpers.js';

/**
 * Model test of a whole key-value stack (metered ▶ [caching] ▶ change-logging ▶ backend) under
 * random interleavings of reads and writes of few keys (so read-modify-write of one key, cache
 * hits, evictions and rewrites within one flush all happen), flushes and — for LevelDB — close
 * and reopen: every read equals the model, and what a reopened store holds equals the model at
 * its last flush. Number keys include 0 and -0, which serialize to different bytes.
 */
type Op<K> =
  | { op: 'get'; key: K }
  | { op: 'put'; key: K; value: string | null }
  | { op: 'rmw'; key: K }
  | { op: 'delete'; key: K }
  | { op: 'putIfAbsent'; key: K; value: string }
  | { op: 'flush' }
  | { op: 'reopen' };

function opsArb<K>(keyArb: fc.Arbitrary<K>): fc.Arbitrary<Op<K>[]> {
  const value = fc.string({ maxLength: 12 });
  return fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), key: keyArb }) },
      { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), key: keyArb, value: fc.option(value, { nil: null, freq: 6 }) }) },
      { weight: 4, arbitrary: fc.record({ op: fc.constant('rmw' as const), key: keyArb }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('putIfAbsent' as const), key: keyArb, value }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('reopen' as const) }) },
    ),
    { maxLength: 120 },
  );
}

const same = (a: unknown, b: unknown) => Object.is(a, b);

describe.each([
  ['leveldb', true],
  ['memory', false],
] as const)('key-value stack against a model (%s)', (backend, persistent) => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  async function run<K>(keySerde: Serde<K>, ops: Op<K>[], cacheBytes: number | null, sortKey: (k: K) => Buffer): Promise<void> {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const build = () => {
      const supplier = persistent ? Stores.persistentKeyValueStore('m') : Stores.inMemoryKeyValueStore('m');
      let b = Stores.keyValueStoreBuilder(supplier, keySerde, stringSerde);
      if (cacheBytes !== null) b = b.withCachingEnabled(cacheBytes);
      return b.build();
    };
    let store = build();
    await store.init(makeContext(dir, new RecordingSink()));
    let model: Array<[K, string]> = [];
    let flushed: Array<[K, string]> = [];
    const find = (k: K) => model.find(([m]) => same(m, k))?.[1];
    const set = (k: K, v: string | null) => {
      model = model.filter(([m]) => !same(m, k));
      if (v !== null) model.push([k, v]);
    };
    for (const o of ops) {
      switch (o.op) {
        case 'get':
          expect(store.get(o.key)).toBe(find(o.key));
          break;
        case 'put':
          store.put(o.key, o.value);
          set(o.key, o.value);
          break;
        case 'rmw': {
          const v = `${store.get(o.key) ?? ''}+`;
          store.put(o.key, v);
          set(o.key, v);
          break;
        }
        case 'delete':
          expect(store.delete(o.key)).toBe(find(o.key));
          set(o.key, null);
          break;
        case 'putIfAbsent': {
          const old = find(o.key);
          expect(store.putIfAbsent(o.key, o.value)).toBe(old);
          if (old === undefined) set(o.key, o.value);
          break;
        }
        case 'flush':
          await store.flush();
          flushed = [...model];
          break;
        case 'reopen':
          if (!persistent) break;
          await store.close(); // flushes
          store = build();
          await store.init(makeContext(dir, new RecordingSink()));
          flushed = [...model];
          break;
      }
    }
    const ordered = (entries: Array<[K, string]>) => [...entries].sort(([a], [b]) => Buffer.compare(sortKey(a), sortKey(b)));
    expect(store.all().map((e) => [e.key, e.value])).toEqual(ordered(model));
    expect(store.approximateNumEntries()).toBeGreaterThanOrEqual(0);
    if (persistent) {
      await store.flush();
      flushed = [...model];
      await store.close();
      const reopened = build();
      await reopened.init(makeContext(dir, null));
      expect(reopened.all().map((e) => [e.key, e.value])).toEqual(ordered(flushed));
      await reopened.close();
    } else {
      await store.close();
    }
  }

  it.runIf(persistent)('a key read from the store, deleted and written again through the cache stays visible', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const supplier = () => Stores.persistentKeyValueStore('d');
    const plain = Stores.keyValueStoreBuilder(supplier(), stringSerde, stringSerde).build();
    await plain.init(makeContext(dir, null));
    plain.put('k', 'v0');
    await plain.close();
    const store = Stores.keyValueStoreBuilder(supplier(), stringSerde, stringSerde)
      .withCachingEnabled(1 << 20)
      .build();
    await store.init(makeContext(dir, null));
    expect(store.get('k')).toBe('v0'); // cached from the store
    store.delete('k');
    await store.flush();
    expect(store.all()).toEqual([]);
    store.put('k', 'v1');
    await store.flush();
    expect(store.all()).toEqual([{ key: 'k', value: 'v1' }]);
    expect(store.approximateNumEntries()).toBe(1);
    await store.close();
  });

  it('string keys', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb(fc.constantFrom('a', 'b', 'c', 'ab', '')), fc.constantFrom(null, 0, 150, 1 << 20), (ops, cache) =>
        run(stringSerde, ops, cache, (k) => stringSerde.serialize(k, undefined)),
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it('number keys, with 0 and -0 distinct', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb(fc.constantFrom(0, -0, 1, 2.5)), fc.constantFrom(null, 150, 1 << 20), (ops, cache) =>
        run(numberSerde, ops, cache, (k) => numberSerde.serialize(k, undefined)),
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
