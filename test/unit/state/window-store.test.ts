import { afterEach, describe, expect, it } from 'vitest';
import { Stores, type WindowBytesStoreSupplier } from '../../../lib/state/stores.js';
import { makeContext, RecordingSink, stringSerde, tempDir } from './helpers.js';

type Make = (name: string, retention: number, size: number, dups: boolean) => WindowBytesStoreSupplier;
const targets: Array<[string, Make]> = [
  ['leveldb', (n, r, s, d) => Stores.persistentWindowStore(n, r, s, d)],
  ['memory', (n, r, s, d) => Stores.inMemoryWindowStore(n, r, s, d)],
];

describe.each(targets)('window store (%s)', (backend, make) => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });
  function setup(retention: number, size: number, dups = false, cache: number | null = null) {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const sink = new RecordingSink();
    let b = Stores.windowStoreBuilder(make('win', retention, size, dups), stringSerde, stringSerde);
    if (cache !== null) b = b.withCachingEnabled(cache);
    return { store: b.build(), ctx: makeContext(dir, sink), sink, dir };
  }

  it.each([null, 1 << 20])('fetches by window and ranges in time order (cache=%s)', async (cache) => {
    const { store, ctx } = setup(1_000_000, 100, false, cache);
    await store.init(ctx);
    store.put('a', 'a0', 0);
    store.put('a', 'a200', 200);
    store.put('a', 'a100', 100);
    store.put('ab', 'ab100', 100);
    store.put('b', 'b100', 100);
    store.put('a', 'a100x', 100);
    expect(store.fetch('a', 100)).toBe('a100x');
    expect(store.fetch('a', 300)).toBeUndefined();
    expect(store.fetchRange('a', 0, 150)).toEqual([
      { key: 0, value: 'a0' },
      { key: 100, value: 'a100x' },
    ]);
    store.put('a', null, 0);
    await store.flush();
    expect(store.fetchRange('a', 0, 1000).map((e) => e.key)).toEqual([100, 200]);
    expect(
      store
        .fetchAll(100, 100)
        .map((e) => `${e.key.key}@${e.key.window.start}-${e.key.window.end}`)
        .sort(),
    ).toEqual(['a@100-200', 'ab@100-200', 'b@100-200']);
    expect(store.all()).toHaveLength(4);
    await store.close();
  });

  it('retains duplicates with distinct seqs, in insertion order', async () => {
    const { store, ctx, sink } = setup(10_000, 1000, true, 1 << 20);
    await store.init(ctx);
    store.put('k', 'x', 5);
    store.put('k', 'y', 5);
    store.put('k', 'z', 3);
    expect(store.fetchRange('k', 0, 10).map((e) => `${e.key}:${e.value}`)).toEqual(['3:z', '5:x', '5:y']);
    expect(sink.records).toHaveLength(3); // caching is bypassed for duplicates
    await store.close();
    if (backend !== 'leveldb') return;
    // Reopen: seqs continue after the largest on disk, so no duplicate is overwritten.
    const again = Stores.windowStoreBuilder(make('win', 10_000, 1000, true), stringSerde, stringSerde).build();
    await again.init(makeContext(ctx.taskDir, null));
    again.put('k', 'w', 5);
    expect(again.fetchRange('k', 5, 5).map((e) => e.value)).toEqual(['x', 'y', 'w']);
    await again.close();
  });

  it('drops exactly the windows past retention, by whole segments', async () => {
    // retention 120 s → segment interval 60 s.
    const retention = 120_000;
    const { store, ctx } = setup(retention, 10_000);
    await store.init(ctx);
    const starts: number[] = [];
    for (let t = 0; t <= 300_000; t += 10_000) {
      store.put('k', `v${t}`, t);
      starts.push(t);
      await store.flush();
      const minLive = t - retention + 1;
      expect(store.fetchRange('k', 0, 1e9).map((e) => e.key)).toEqual(starts.filter((s) => s >= minLive));
      expect(store.fetch('k', t - retention)).toBeUndefined();
    }
    // Only the segments holding live windows remain: [180k, 300k] spans segments 3..5.
    let layer = store as unknown as { inner?: unknown; segmentCount?: number };
    while (layer.segmentCount === undefined) layer = layer.inner as typeof layer;
    expect(layer.segmentCount).toBe(3);
    // An expired put is dropped.
    store.put('k', 'late', 100_000);
    expect(store.fetch('k', 100_000)).toBeUndefined();
    await store.close();
    if (backend === 'leveldb') {
      const again = Stores.windowStoreBuilder(make('win', retention, 10_000, false), stringSerde, stringSerde).build();
      await again.init(makeContext(ctx.taskDir, null));
      expect(again.fetchRange('k', 0, 1e9).map((e) => e.key)).toEqual([
        190_000, 200_000, 210_000, 220_000, 230_000, 240_000, 250_000, 260_000, 270_000, 280_000, 290_000, 300_000,
      ]);
      await again.close();
    }
  });

  it('caching forwards one update per window at flush with old values', async () => {
    const { store, ctx } = setup(100_000, 1000, false, 1 << 20);
    await store.init(ctx);
    const got: string[] = [];
    expect(store.setFlushListener((k, nv, ov) => got.push(`${k.key}@${k.window.start}-${k.window.end}:${ov}->${nv}`))).toBe(true);
    store.put('a', '1', 0);
    store.put('a', '2', 0);
    store.put('a', '3', 1000);
    await store.flush();
    store.put('a', '4', 0);
    await store.flush();
    expect(got).toEqual(['a@0-1000:null->2', 'a@1000-2000:null->3', 'a@0-1000:2->4']);
    await store.close();
  });

  it('restores from its changelog', async () => {
    const { store, ctx, sink } = setup(100_000, 1000, true);
    await store.init(ctx);
    for (let i = 0; i < 50; i++) store.put(`k${i % 5}`, `v${i}`, i * 100);
    const expected = store.all();
    await store.close();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const fresh = Stores.windowStoreBuilder(make('win', 100_000, 1000, true), stringSerde, stringSerde).build();
    await fresh.init(makeContext(dir, null));
    await fresh.restoreBatch(sink.records);
    expect(fresh.all()).toEqual(expected);
    await fresh.close();
  });

  it('rejects retention smaller than the window size', () => {
    expect(() => make('w', 10, 100, false)).toThrow(/at least the window size/);
  });
});
