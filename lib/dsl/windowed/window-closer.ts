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
 * The optimisation pass decides it when the topology is built (the suppression is the only node
 * receiving the aggregation's updates; see lib/dsl/internal/optimize.ts) and makes one fused
 * processor of both (fused-window-suppress.ts), which hands the suppression's `workingSet()` to
 * the aggregation after initialising both: nothing is looked up at run time.
 */
/** An open window's aggregate and its timestamp (max record timestamp). */
export interface WindowAggregate<V> {
  readonly value: V;
  readonly timestamp: number;
}

export interface WindowCloser<K, V> {
  /** The window's aggregate, or undefined when it has none yet. */
  find(key: K, start: number, end: number): WindowAggregate<V> | undefined;
  /** True when windows ending at `end` were emitted already (after a restart the aggregation's clock starts over; this does not). */
  closed(end: number): boolean;
  /** The window `[start, end)` of `key` now holds `value`; `known` = what `find` returned for it. */
  update(key: K, start: number, end: number, value: V, timestamp: number, known: WindowAggregate<V> | undefined): void;
  /** Emits every buffered window that the aggregation's clock has closed. */
  advance(): void;
}
