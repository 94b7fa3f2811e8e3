/**
 * `KTable<K, V>`: a changelog of the latest value per key. Updates travel between table
 * operators as `Change` (new, old) pairs; `toStream()` turns them back into records.
 */
import type { KeyValue } from '../state/types.js';
import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { Grouped } from './options/grouped.js';
import type { Named } from './options/named.js';
import type { Suppressed } from './windowed/suppressed.js';
import type { Materialized } from './options/materialized.js';
import type { ValueJoiner } from './joins/value-joiner.js';

/**
 * A changelog stream read as a table: the latest value per key, with `null` deleting the key.
 * Operators produce new tables; `toStream()` turns updates back into records.
 */
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
  /**
   * Joins two tables by key; both sides trigger. Output timestamp = max of the inputs; a deletion
   * emits a tombstone only if the key was in the result. Each side keeps its values in a store of
   * the join; `Materialized` also stores the result. The sides must be co-partitioned.
   *
   * Foreign-key form: `join(other, foreignKeyExtractor, joiner)` joins each row of this table
   * with the row of `other` whose key the extractor returns, through the internal topics
   * `…-subscription-registration-topic` and `…-subscription-response-topic`; stale answers (for
   * an older version of the row) are dropped.
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null,
    joiner: ValueJoiner<V, VO, VR, K>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** As `join`; a row exists whenever this table has the key (the other value may be null). */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** As `join`; a row exists whenever either table has the key. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /**
   * Holds updates back: final results per window (`Suppressed.untilWindowCloses`, directly after
   * a windowed aggregation) or at most one update per key per time limit. Creates a buffer store
   * and its changelog (unless logging is disabled).
   */
  suppress(suppressed: Suppressed): KTable<K, V>;
}

/** A table replicated in full to every instance; for joins (a later round). */
export interface GlobalKTable<K, V> {
  readonly queryableStoreName: string;
  /** Phantom field carrying the types. */
  readonly __types?: [K, V];
}
