import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../lib/serde/serdes.js';
import { Stores } from '../../../lib/state/stores.js';
import { makeContext, RecordingSink, tempDir } from './helpers.js';

/**
 * String keys under the built-in string serde: ASCII keys go down the stack as their own key
 * strings (no serialization), other keys as UTF-8 bytes; either way the store below and the
 * changelog see the UTF-8 bytes, reads after eviction find what was written, and a key read while
 * absent (cached as absent) is found once written.
 */
describe('key-value store with string keys', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  const keys = ['a', 'user-42', '', 'ü', 'naïve', '日本', 'x\u007f', 'x\u0080', '\ud83d\ude00'];

  it.each([
    ['cached', 1 << 20],
    ['cached, tiny budget', 120],
    ['uncached', null],
  ] as const)('%s: bytes below are UTF-8, reads find writes', async (_name, budget) => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const sink = new RecordingSink();
    let b = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.string(), Serdes.string());
    b = budget === null ? b.withCachingDisabled() : b.withCachingEnabled(budget);
    const store = b.build();
    await store.init(makeContext(dir, sink));
    for (const k of keys) expect(store.get(k)).toBeUndefined();
    for (const k of keys) store.put(k, `v-${k}`);
    for (const k of keys) expect(store.get(k)).toBe(`v-${k}`);
    store.put('ü', null);
    expect(store.get('ü')).toBeUndefined();
    await store.flush();
    const logged = new Map(sink.records.map((r) => [r.key.toString('hex'), r.value?.toString() ?? null]));
    for (const k of keys) expect(logged.get(Buffer.from(k, 'utf8').toString('hex'))).toBe(k === 'ü' ? null : `v-${k}`);
    expect(store.all().map((e) => e.key)).toEqual(keys.filter((k) => k !== 'ü').sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'))));
    await store.close();
  });
});
