import { afterEach, describe, expect, it } from 'vitest';
import { Stores, type SessionBytesStoreSupplier } from '../../../lib/state/stores.js';
import { makeContext, RecordingSink, stringSerde, tempDir } from './helpers.js';

const targets: Array<[string, (n: string, r: number) => SessionBytesStoreSupplier]> = [
  ['leveldb', (n, r) => Stores.persistentSessionStore(n, r)],
  ['memory', (n, r) => Stores.inMemorySessionStore(n, r)],
];

describe.each(targets)('session store (%s)', (_backend, make) => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });
  function setup(retention: number, cache: number | null = null) {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const sink = new RecordingSink();
    let b = Stores.sessionStoreBuilder(make('sess', retention), stringSerde, stringSerde);
    if (cache !== null) b = b.withCachingEnabled(cache);
    return { store: b.build(), ctx: makeContext(dir, sink), sink };
  }
  const w = (key: string, start: number, end: number) => ({ key, window: { start, end } });

  it.each([null, 1 << 20])('finds overlapping sessions of a key (cache=%s)', async (cache) => {
    const { store, ctx } = setup(1_000_000, cache);
    await store.init(ctx);
    store.put(w('a', 0, 10), 's1');
    store.put(w('a', 20, 30), 's2');
    store.put(w('a', 100, 150), 's3');
    store.put(w('ab', 20, 30), 'other');
    // Sessions with end >= 15 and start <= 110.
    expect(store.findSessions('a', 15, 110).map((e) => e.value)).toEqual(['s2', 's3']);
    expect(store.fetchSession('a', 20, 30)).toBe('s2');
    store.remove(w('a', 20, 30));
    await store.flush();
    expect(store.fetch('a').map((e) => [e.key.window.start, e.key.window.end, e.value])).toEqual([
      [0, 10, 's1'],
      [100, 150, 's3'],
    ]);
    await store.close();
  });

  it('expires sessions whose end falls out of retention and restores from the changelog', async () => {
    const { store, ctx, sink } = setup(120_000);
    await store.init(ctx);
    for (let t = 0; t <= 400_000; t += 20_000) store.put(w('k', t, t + 5_000), `v${t}`);
    await store.flush();
    const minLive = 405_000 - 120_000 + 1;
    const live = store.fetch('k');
    expect(live.every((e) => e.key.window.end >= minLive)).toBe(true);
    expect(live).toHaveLength(6);
    await store.close();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const fresh = Stores.sessionStoreBuilder(make('sess', 120_000), stringSerde, stringSerde).build();
    await fresh.init(makeContext(dir, null));
    await fresh.restoreBatch(sink.records);
    expect(fresh.fetch('k')).toEqual(live);
    await fresh.close();
  });
});
