/**
 * A final-results suppression fed by its time-window aggregation directly (fused): when
 * `suppress(untilWindowCloses)` is the only consumer of a time-window aggregation's updates, the
 * suppression's buffer — which holds every open window with its aggregate — becomes the
 * aggregation's working set: the aggregation reads and updates windows there, the buffer writes
 * the windows changed since the last commit to the window store when the store flushes — or
 * earlier, once more are waiting than the store's cache budget holds (~160 bytes a window) — so
 * the changelog and the store get about one write per window per commit, as with the record
 * cache, and the memory held between commits stays bounded; and the
 * aggregation asks it to emit the windows its clock closed. Results are the same (each window
 * once, when `windowEnd + grace <= streamTime`, with its final aggregate and timestamp); what is
 * saved per update is a store read and write through the cache layers, a record, a decoded
 * windowed key and a forward. Interactive queries of the window store see the last commit.
 *
 * The suppression registers itself by the aggregation's store (at init, after the aggregation's
 * init); the aggregation looks it up before its first record and uses it only when the
 * suppression is its only child receiving updates.
 */
/** An open window's aggregate and its timestamp (max record timestamp). */
export interface WindowAggregate<V> {
  readonly value: V;
  readonly timestamp: number;
}

export interface WindowCloser<K, V> {
  /** The suppression's processor name (the child the aggregation would forward to). */
  readonly processorName: string;
  /** The window's aggregate, or undefined when it has none yet. */
  find(key: K, start: number, end: number): WindowAggregate<V> | undefined;
  /** True when windows ending at `end` were emitted already (after a restart the aggregation's clock starts over; this does not). */
  closed(end: number): boolean;
  /** The window `[start, end)` of `key` now holds `value`; `known` = what `find` returned for it. */
  update(key: K, start: number, end: number, value: V, timestamp: number, known: WindowAggregate<V> | undefined): void;
  /** Emits every buffered window that the aggregation's clock has closed. */
  advance(): void;
}

const byStore = new WeakMap<object, WindowCloser<unknown, unknown>>();

export function registerWindowCloser(store: object, closer: WindowCloser<unknown, unknown>): void {
  byStore.set(store, closer);
}

export function windowCloserOf<K, V>(store: object): WindowCloser<K, V> | undefined {
  return byStore.get(store) as WindowCloser<K, V> | undefined;
}
