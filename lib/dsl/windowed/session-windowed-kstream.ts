/**
 * `SessionWindowedKStream<K, V>`: a grouped stream windowed by `SessionWindows`. Aggregations
 * are stateful (one session store, retention gap + grace by default, and its changelog); merging
 * sessions emits tombstones for the merged-away sessions. `aggregate` needs a `merger` that
 * combines two session aggregates.
 */
import type { Windowed } from '../../state/types.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../options/materialized.js';
import type { Named } from '../options/named.js';
import type { EmitStrategy } from '../windows/emit-strategy.js';

/** A grouped stream windowed by `SessionWindows`: `count`, `reduce` and `aggregate` per key and session, merging sessions with a merger. */
export interface SessionWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number>;
  /** The reducer also merges sessions. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V>;
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, left: VA, right: VA) => VA,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<Windowed<K>, VA>;
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V>;
}
