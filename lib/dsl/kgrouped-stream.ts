/** `KGroupedStream<K, V>`: a stream grouped by key, ready to aggregate. Each aggregation creates a store and its changelog topic. */
import type { KTable } from './ktable.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';
import type { SessionWindowedKStream } from './windowed/session-windowed-kstream.js';
import type { TimeWindowedKStream } from './windowed/time-windowed-kstream.js';
import type { WindowedOptions } from './windowed/windowed-options.js';
import type { SessionWindows } from './windows/session-windows.js';
import type { SlidingWindows } from './windows/sliding-windows.js';
import type { TimeWindows } from './windows/time-windows.js';

/**
 * A stream grouped by key (`groupByKey`, `groupBy`): aggregate it with `count`, `reduce` or
 * `aggregate` into a `KTable`, or window it first. Stateful: creates a store and a changelog
 * topic.
 */
export interface KGroupedStream<K, V> {
  /** Counts records per key (null values are skipped). Stateful. */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number>;
  /** Combines values per key; the first value is the initial aggregate. Stateful. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<K, V>;
  /** Folds values per key into an aggregate of another type. Stateful. */
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized?: Materialized<K, VA>, named?: Named): KTable<K, VA>;
  /**
   * Windows the grouped stream for windowed aggregations (tumbling/hopping `TimeWindows`,
   * `SlidingWindows`, or `SessionWindows`). `options` (tributary): the event-time clock and the
   * late-records output.
   */
  windowedBy(windows: TimeWindows | SlidingWindows, options?: WindowedOptions<K, V>): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows, options?: WindowedOptions<K, V>): SessionWindowedKStream<K, V>;
}
