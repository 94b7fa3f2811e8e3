/**
 * How the test driver hands out state stores. A store exists once per task; with one task the
 * driver returns that instance (fully usable, writes included). With several tasks (multi-
 * partition input) it returns a read-only view over all of them: `get` asks each task's store,
 * `all`/`range` concatenate. Timestamped stores read through `getKeyValueStore` unwrap the value,
 * as Kafka Streams' driver does.
 */
import { TributaryError } from '../errors.js';
import type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore, ReadOnlyWindowStore, ValueAndTimestamp, Windowed } from '../state/types.js';

export function combinedKeyValueStore<K, V>(name: string, stores: readonly KeyValueStore<K, V>[]): KeyValueStore<K, V> {
  if (stores.length === 1) return stores[0]!;
  const readOnly = (): never => {
    throw new TributaryError(`Store ${name} spans ${stores.length} tasks in this driver; it is read-only here`, {
      code: 'ILLEGAL_STATE',
      context: { store: name },
    });
  };
  const view: ReadOnlyKeyValueStore<K, V> = {
    get: (key) => {
      for (const s of stores) {
        const v = s.get(key);
        if (v !== undefined) return v;
      }
      return undefined;
    },
    range: (from, to) => stores.flatMap((s) => s.range(from, to)),
    all: () => stores.flatMap((s) => s.all()),
    approximateNumEntries: () => stores.reduce((n, s) => n + s.approximateNumEntries(), 0),
  };
  return {
    ...view,
    name,
    persistent: stores[0]!.persistent,
    get isOpen() {
      return stores.every((s) => s.isOpen);
    },
    init: readOnly,
    flush: readOnly,
    close: readOnly,
    put: readOnly,
    putIfAbsent: readOnly,
    delete: readOnly,
  };
}

/** A plain key-value view of a timestamped store (values without their timestamps). */
export function unwrapTimestamped<K, V>(store: KeyValueStore<K, ValueAndTimestamp<V>>): KeyValueStore<K, V> {
  const unwrap = (v: ValueAndTimestamp<V> | undefined): V | undefined => (v === undefined || v === null ? undefined : v.value);
  const entries = (list: KeyValue<K, ValueAndTimestamp<V>>[]): KeyValue<K, V>[] => list.map((e) => ({ key: e.key, value: e.value.value }));
  return {
    name: store.name,
    persistent: store.persistent,
    get isOpen() {
      return store.isOpen;
    },
    init: (ctx) => store.init(ctx),
    flush: () => store.flush(),
    close: () => store.close(),
    get: (key) => unwrap(store.get(key)),
    range: (from, to) => entries(store.range(from, to)),
    all: () => entries(store.all()),
    approximateNumEntries: () => store.approximateNumEntries(),
    put: (key, value) => store.put(key, value === null ? null : { value, timestamp: Math.max(0, Date.now()) }),
    putIfAbsent: (key, value) => unwrap(store.putIfAbsent(key, { value, timestamp: Date.now() })),
    delete: (key) => unwrap(store.delete(key)),
  };
}

export function combinedWindowStore<K, V>(stores: readonly ReadOnlyWindowStore<K, V>[]): ReadOnlyWindowStore<K, V> {
  if (stores.length === 1) return stores[0]!;
  return {
    fetch: (key, start) => {
      for (const s of stores) {
        const v = s.fetch(key, start);
        if (v !== undefined) return v;
      }
      return undefined;
    },
    fetchRange: (key, from, to) => stores.flatMap((s) => s.fetchRange(key, from, to)).sort((a, b) => a.key - b.key),
    fetchAll: (from, to) => stores.flatMap((s) => s.fetchAll(from, to)),
    all: (): KeyValue<Windowed<K>, V>[] => stores.flatMap((s) => s.all()),
  };
}
