/**
 * Functions users give to joins. Joiners get the key as an optional last argument, so both
 * `(left, right) => ...` and `(left, right, key) => ...` fit (Kafka Streams' `ValueJoiner` and
 * `ValueJoinerWithKey` in one type).
 */

/** Combines a left and a right value; in left/outer joins the missing side is `null`. */
export type ValueJoiner<V1, V2, VR, K = unknown> = (left: V1, right: V2, key: K) => VR;

/** Picks the key to look up in the other table (global-table joins) or the foreign key (FK joins). */
export type KeyMapper<K, V, KR> = (key: K, value: V) => KR;
