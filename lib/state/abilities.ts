/**
 * What a store can do beyond its kind's interface, asked through type guards (as Kafka Streams
 * asks `instanceof CachedStateStore`): a caller that wants an ability checks for it and uses the
 * typed interface, never a cast that guesses.
 *
 * - `CachedStateStore` (flush-listener.ts): has a record cache whose compacted updates it hands to
 *   a listener (`isCachedStore`);
 * - `WriteBackWindowStore`: a window store an operator with its own working set writes into at
 *   flush time (`isWriteBackWindowStore`);
 * - `RestorableStore` (types.ts): can be rebuilt from its changelog (`isRestorableStore`);
 * - `MarkedStore` (types.ts): keeps checkpoint markers (`isMarkedStore`, there);
 * - `MeteredStore`: counts its reads and writes (`isMeteredStore`);
 * - `CachingStoreBuilder`: a builder whose stores cache, and that can give them another cache budget (`cachingBuilderOf`).
 */
import type { CachedStateStore } from './layers/flush-listener.js';
import type { StoreMetricsSnapshot } from './layers/store-metrics.js';
import type { RestorableStore, StateStore, StoreBuilder, WindowStore } from './types.js';

/**
 * A window store that lets an operator keep the working set itself and write it back: a hook that
 * runs first in every flush (before the layers below write down), a `put` that skips the record
 * cache, and the cache's byte budget (how much the operator may hold before writing early).
 */
export interface WriteBackWindowStore<K, V> extends WindowStore<K, V> {
  /** Runs `hook` at the start of every flush (null removes it). */
  setBeforeFlush(hook: (() => void) | null): void;
  /** `put` that skips the record cache unless it holds the window. */
  putThrough(key: K, value: V | null, windowStart: number): void;
  /** The byte budget of the record cache below, 0 without one. */
  readonly cacheMaxBytes: number;
}

export function isCachedStore<K, V>(store: object): store is CachedStateStore<K, V> {
  return 'setFlushListener' in store && typeof store.setFlushListener === 'function';
}

export function isWriteBackWindowStore<K, V>(store: WindowStore<K, V>): store is WriteBackWindowStore<K, V> {
  return 'setBeforeFlush' in store && typeof store.setBeforeFlush === 'function' && 'putThrough' in store && typeof store.putThrough === 'function';
}

export function isRestorableStore(store: StateStore): store is RestorableStore {
  return 'restoreBatch' in store && typeof store.restoreBatch === 'function';
}

/** A store whose outer layer counts reads, writes and flushes (the metered layer). */
export interface MeteredStore extends StateStore {
  metrics(): StoreMetricsSnapshot;
}

export function isMeteredStore(store: StateStore): store is MeteredStore {
  return 'metrics' in store && typeof store.metrics === 'function';
}

/** A store builder with caching on, that can build its stores with another cache budget. */
export interface CachingStoreBuilder extends StoreBuilder {
  readonly cachingEnabled: true;
  withCachingEnabled(maxBytes: number): StoreBuilder;
}

/** `builder` when it builds caching stores, else null. */
export function cachingBuilderOf(builder: StoreBuilder): CachingStoreBuilder | null {
  return 'cachingEnabled' in builder && builder.cachingEnabled === true && 'withCachingEnabled' in builder && typeof builder.withCachingEnabled === 'function'
    ? (builder as CachingStoreBuilder)
    : null;
}
