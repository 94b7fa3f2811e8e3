/**
 * `KTable<K, V>`: a changelog of the latest value per key. Updates travel between table
 * operators as `Change` (new, old) pairs; `toStream()` turns them back into records.
 */
import type { KeyValue } from '../state/types.js';
import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { Grouped } from './options/grouped.js';
import type { Named } from './options/named.js';

export interface KTable<K, V> {
  /** Name of the store holding this table, or null when it is not materialized. */
  readonly queryableStoreName: string | null;
  /** Keeps keys whose value matches; others become deletions. Stateless. */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V>;
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V>;
  /** Maps each value. Stateless. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KTable<K, VR>;
  /** The table's updates as a stream (a deletion is a record with a null value). */
  toStream(named?: Named): KStream<K, V | null>;
  /** Re-keys the table for aggregation; always repartitions, retracting old values from their old group. */
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR>;
}

/** A table replicated in full to every instance; for joins (a later round). */
export interface GlobalKTable<K, V> {
  readonly queryableStoreName: string;
  /** Phantom field carrying the types. */
  readonly __types?: [K, V];
}
