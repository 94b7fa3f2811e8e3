import { afterEach, describe, expect, it } from 'vitest';
import { Stores } from '../../../lib/state/stores.js';
import type { KeyValueBytesStoreSupplier } from '../../../lib/state/stores.js';
import { makeContext, RecordingSink, stringSerde, tempDir } from './helpers.js';

const targets: Array<[string, (name: string) => KeyValueBytesStoreSupplier]> = [
  ['leveldb', (n) => Stores.persistentKeyValueStore(n)],
  ['memory', (n) => Stores.inMemoryKeyValueStore(n)],
];

describe.each(targets)('key-value store (%s)', (backend, supplier) => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  function setup(cached: boolean, cacheBytes = 1 << 20) {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const sink = new RecordingSink();
    const ctx = makeContext(dir, sink);
    let b = Stores.keyValueStoreBuilder(supplier('counts'), stringSerde, stringSerde);
    if (cached) b = b.withCachingEnabled(cacheBytes);
    return { store: b.build(), ctx, sink, dir };
  }

  it.each([false, true])('puts, gets, deletes and ranges in byte order (cached=%s)', async (cached) => {
    const { store, ctx } = setup(cached);
    await store.init(ctx);
    expect(store.persistent).toBe(backend === 'leveldb');
    store.put('b', '2');
    store.put('a', '1');
    store.put('c', '3');
    store.put('ab', 'x');
    expect(store.get('a')).toBe('1');
    expect(store.get('zz')).toBeUndefined();
    expect(store.putIfAbsent('a', '9')).toBe('1');
    expect(store.putIfAbsent('d', '4')).toBeUndefined();
    expect(store.delete('c')).toBe('3');
    expect(store.get('c')).toBeUndefined();
    store.put('d', null);
    expect(store.range('a', 'b').map((e) => e.key)).toEqual(['a', 'ab', 'b']);
    await store.flush();
    expect(store.all()).toEqual([
      { key: 'a', value: '1' },
      { key: 'ab', value: 'x' },
      { key: 'b', value: '2' },
    ]);
    expect(store.approximateNumEntries()).toBe(3);
    await store.close();
  });

  it('logs every write to the changelog without caching', async () => {
    const { store, ctx, sink } = setup(false);
    await store.init(ctx);
    ctx.time = 42;
    store.put('k', 'v1');
    store.put('k', 'v2');
    store.delete('k');
    expect(sink.records.map((r) => [r.key.toString(), r.value?.toString() ?? null, r.timestamp])).toEqual([
      ['k', 'v1', 42],
      ['k', 'v2', 42],
      ['k', null, 42],
    ]);
    await store.close();
  });

  it('caching compacts: one changelog record and one forward per key at flush', async () => {
    const { store, ctx, sink } = setup(true);
    await store.init(ctx);
    const forwarded: unknown[] = [];
    expect(store.setFlushListener((k, nv, ov, ts) => forwarded.push([k, nv, ov, ts]))).toBe(true);
    ctx.time = 5;
    store.put('k', 'v1');
    ctx.time = 6;
    store.put('k', 'v2');
    expect(sink.records).toHaveLength(0);
    await store.flush();
    expect(forwarded).toEqual([['k', 'v2', null, 6]]);
    expect(sink.records).toHaveLength(1);
    store.put('k', 'v3');
    await store.flush();
    expect(forwarded[1]).toEqual(['k', 'v3', 'v2', 6]);
    await store.close();
  });

  it('without caching the flush listener reports false', async () => {
    const { store } = setup(false);
    expect(store.setFlushListener(() => {})).toBe(false);
  });

  it('budget 0 forwards every update', async () => {
    const { store, ctx } = setup(true, 0);
    await store.init(ctx);
    const forwarded: string[] = [];
    store.setFlushListener((k, nv) => forwarded.push(`${k}=${nv}`));
    store.put('a', '1');
    store.put('a', '2');
    store.put('b', '1');
    expect(forwarded).toEqual(['a=1', 'a=2', 'b=1']);
    expect(store.get('a')).toBe('2');
    await store.close();
  });

  it('persists across close/open (leveldb) and restores from a changelog', async () => {
    const { store, ctx, sink } = setup(false);
    await store.init(ctx);
    for (let i = 0; i < 100; i++) store.put(`k${i}`, `v${i}`);
    store.delete('k5');
    await store.close();
    const reopened = Stores.keyValueStoreBuilder(supplier('counts'), stringSerde, stringSerde).build();
    await reopened.init(makeContext(ctx.taskDir, null));
    expect(reopened.approximateNumEntries()).toBe(backend === 'leveldb' ? 99 : 0);
    await reopened.close();

    const { dir } = tempDir();
    const fresh = Stores.keyValueStoreBuilder(supplier('counts'), stringSerde, stringSerde).build();
    await fresh.init(makeContext(dir, null));
    await fresh.restoreBatch(sink.records);
    expect(fresh.approximateNumEntries()).toBe(99);
    expect(fresh.get('k7')).toBe('v7');
    expect(fresh.get('k5')).toBeUndefined();
    await fresh.close();
  });

  it('timestamped store logs plain values with the value timestamp and restores them', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const sink = new RecordingSink();
    const ctx = makeContext(dir, sink);
    const store = Stores.timestampedKeyValueStoreBuilder(supplier('ts'), stringSerde, stringSerde).build();
    await store.init(ctx);
    store.put('a', { value: 'x', timestamp: 77 });
    expect(store.get('a')).toEqual({ value: 'x', timestamp: 77 });
    expect(sink.records[0]!.value!.toString()).toBe('x');
    expect(sink.records[0]!.timestamp).toBe(77);
    await store.close();
    const { dir: d2, cleanup: c2 } = tempDir();
    cleanups.push(c2);
    const fresh = Stores.timestampedKeyValueStoreBuilder(supplier('ts'), stringSerde, stringSerde).build();
    await fresh.init(makeContext(d2, null));
    await fresh.restoreBatch(sink.records);
    expect(fresh.get('a')).toEqual({ value: 'x', timestamp: 77 });
    await fresh.close();
  });
});
