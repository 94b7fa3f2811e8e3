/**
 * `KGroupedTable<K, V>`: a re-keyed table, ready to aggregate. Each update subtracts the old
 * value from its old group and adds the new value to its new group. Stateful.
 */
import type { KTable } from './ktable.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';

/**
 * A table re-grouped by a new key (`KTable.groupBy`): aggregate it with `count`, `reduce` or
 * `aggregate`, which subtract the old value of an updated row and add the new one.
 */
export interface KGroupedTable<K, V> {
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number>;
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<K, V>;
  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    materialized?: Materialized<K, VA>,
    named?: Named,
  ): KTable<K, VA>;
}
