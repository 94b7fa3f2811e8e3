import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { int64Serde } from '../../../lib/serde/primitive-serdes.js';
import { valueAndTimestampSerde } from '../../../lib/state/value-and-timestamp-serde.js';
import type { ValueAndTimestamp, Windowed } from '../../../lib/state/types.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Serde } from '../../../lib/serde/types.js';
import { fromMemo, memoOf } from '../../../lib/state/layers/decoded-memo.js';
import { Stores } from '../../../lib/state/stores.js';
import { makeContext } from './helpers.js';

/** Wraps a serde, counting deserialize calls. */
function counting<T>(inner: Serde<T>): Serde<T> & { decodes: number } {
  const s = {
    decodes: 0,
    serialize: (v: T, topic?: string) => inner.serialize(v, topic),
    deserialize: (b: Buffer, topic?: string) => {
      s.decodes++;
      return inner.deserialize(b, topic);
    },
  };
  return s;
}

describe('decoded-value memo', () => {
  it('keeps only values whose copy equals a fresh decode, and hands out independent copies', () => {
    for (const v of [1, -0, NaN, 'x', true, null, 10n]) expect(Object.is(fromMemo(memoOf(v)), v)).toBe(true);
    expect(memoOf(undefined)).toBeUndefined();
    const flat = JSON.parse('{"a":1,"b":"x","__proto__":2,"1":null}') as object;
    const kept = memoOf(flat)!;
    expect(kept).not.toBe(flat);
    const copy = fromMemo(kept) as Record<string, unknown>;
    expect(copy).toEqual(flat);
    expect(Object.keys(copy)).toEqual(Object.keys(flat));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(copy, '__proto__')).toBe(true);
    copy['a'] = 99;
    expect((fromMemo(kept) as Record<string, unknown>)['a']).toBe(1);
    expect(fromMemo(memoOf([1, 'a', null]))).toEqual([1, 'a', null]);
    // Not kept: nested, holes, class instances, Buffers, accessors, frozen, symbols, non-enumerable.
    const accessor = {};
    Object.defineProperty(accessor, 'x', { get: () => 1, enumerable: true, configurable: true });
    const hidden = {};
    Object.defineProperty(hidden, 'x', { value: 1, enumerable: false, writable: true, configurable: true });
    for (const v of [
      { a: { b: 1 } },
      [[1]],
      // eslint-disable-next-line no-sparse-arrays
      [1, , 2],
      new Date(0),
      Buffer.from('x'),
      accessor,
      hidden,
      Object.freeze({ a: 1 }),
      { [Symbol('s')]: 1 },
      Object.assign([1], { extra: 2 }),
      Object.create(null),
    ]) {
      expect(memoOf(v)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const m = memoOf(v);
        if (m !== undefined) expect(fromMemo(m)).toStrictEqual(v);
      }),
    );
  });

  it('a cached key-value store decodes a cached entry once; reads stay fresh copies; writes and nested values decode as before', async () => {
    const serde = counting(Serdes.json<unknown>());
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.string(), serde)
      .withLoggingDisabled()
      .withCachingEnabled(1 << 20)
      .build();
    await store.init(makeContext('/nonexistent'));
    store.put('k', { a: 1, b: 'x' });
    const first = store.get('k') as Record<string, unknown>;
    expect(serde.decodes).toBe(1);
    first['a'] = 42; // a caller mutating its value
    const second = store.get('k') as Record<string, unknown>;
    expect(serde.decodes).toBe(1);
    expect(second).toEqual({ a: 1, b: 'x' });
    expect(second).not.toBe(first);
    store.get('other'); // another key read in between
    expect(store.get('k')).toEqual({ a: 1, b: 'x' });
    store.put('k', { a: 2 });
    expect(store.get('k')).toEqual({ a: 2 });
    expect(serde.decodes).toBe(2);
    store.put('n', { a: { b: 1 } });
    store.get('n');
    store.get('n');
    expect(serde.decodes).toBe(4);
    await store.close();
  });

  it('timestamped stores keep exact numbers written (no decode) and rebuild ValueAndTimestamp per read; -0 is decoded', async () => {
    const inner = counting(Serdes.int64());
    const store = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('t'), Serdes.string(), Serdes.int64())
      .withLoggingDisabled()
      .withCachingEnabled(1 << 20)
      .build();
    // The builder wraps Serdes.int64(); count its decodes through the stack's value serde.
    await store.init(makeContext('/nonexistent'));
    store.put('a', { value: 5, timestamp: 100 });
    const got = store.get('a')!;
    expect(got).toEqual({ value: 5, timestamp: 100 });
    (got as { value: number }).value = 7;
    expect(store.get('a')).toEqual({ value: 5, timestamp: 100 });
    store.put('z', { value: -0, timestamp: 3 });
    expect(Object.is(store.get('z')!.value, 0)).toBe(true); // as the int64 layout reads it back
    const plain = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('p'), Serdes.string(), inner)
      .withLoggingDisabled()
      .withCachingEnabled(1 << 20)
      .build();
    await plain.init(makeContext('/nonexistent'));
    plain.put('a', 9);
    expect(plain.get('a')).toBe(9);
    expect(inner.decodes).toBe(1); // a wrapped serde is not known to be exact: decoded, then kept
    expect(plain.get('a')).toBe(9);
    expect(inner.decodes).toBe(1);
    await store.close();
    await plain.close();
  });
  it('window stores: counts written are read back and flushed to the listener without a decode, as fresh objects', async () => {
    const spy = vi.spyOn(int64Serde, 'deserialize');
    try {
      const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 10_000, 1000, false), Serdes.string(), valueAndTimestampSerde(Serdes.int64()))
        .withLoggingDisabled()
        .withCachingEnabled(1 << 20)
        .build();
      const flushed: Array<[string, number, ValueAndTimestamp<number> | null]> = [];
      store.setFlushListener((k: Windowed<string>, nv) => flushed.push([k.key, k.window.start, nv]), false);
      await store.init(makeContext('/nonexistent'));
      store.put('a', { value: 1, timestamp: 5 }, 0);
      const got = store.fetch('a', 0)!;
      expect(got).toEqual({ value: 1, timestamp: 5 });
      (got as { value: number }).value = 99;
      store.put('a', { value: store.fetch('a', 0)!.value + 1, timestamp: 6 }, 0);
      store.put('b', { value: 7, timestamp: 7 }, 1000);
      expect(store.fetch('a', 0)).toEqual({ value: 2, timestamp: 6 });
      await store.flush();
      expect(flushed).toEqual([
        ['a', 0, { value: 2, timestamp: 6 }],
        ['b', 1000, { value: 7, timestamp: 7 }],
      ]);
      expect(spy).not.toHaveBeenCalled();
      // -0 is not kept (the int64 layout reads it back as 0): decoded.
      store.put('c', { value: -0, timestamp: 1 }, 0);
      expect(Object.is(store.fetch('c', 0)!.value, 0)).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      await store.close();
    } finally {
      spy.mockRestore();
    }
  });
});
