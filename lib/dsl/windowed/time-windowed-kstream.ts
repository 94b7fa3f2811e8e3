/**
 * `TimeWindowedKStream<K, V>`: a grouped stream windowed by `TimeWindows` (tumbling/hopping) or
 * `SlidingWindows`. Each aggregation is stateful: one window store (retention size + grace by
 * default, `Materialized.withRetention` to keep windows longer for queries) and its changelog.
 * The result is a `KTable<Windowed<K>, VA>` updated on every window update (compacted by the
 * record cache until commit) unless `emitStrategy(EmitStrategy.onWindowClose())`.
 */
import type { Windowed } from '../../state/types.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import type { EmitStrategy } from '../windows/emit-strategy.js';

/** A grouped stream windowed by `TimeWindows` or `SlidingWindows`: `count`, `reduce` and `aggregate` per key and window into a windowed `KTable`. */
export interface TimeWindowedKStream<K, V> {
  /** Counts records per key and window (null keys/values are skipped and counted as dropped). */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number>;
  /** Combines values per key and window; the first value is the initial aggregate. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V>;
  /** Folds values per key and window into an aggregate of another type. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA>;
  /** On update (default) or once per window when it closes. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V>;
}
