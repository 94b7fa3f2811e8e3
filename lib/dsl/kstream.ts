/**
 * `KStream<K, V>`: an unbounded stream of independent records. Operators are stateless and
 * record-by-record unless they say otherwise; key-changing operators (map, flatMap, selectKey,
 * process) mark the stream so that a later grouping or join repartitions it through an internal
 * topic `<application.id>-<name>-repartition`.
 */
import type { KeyValue } from '../state/types.js';
import type { ProcessorSupplier } from '../topology/processor.js';
import type { TopicNameExtractor } from '../topology/types.js';
import type { BranchedKStream } from './branched-kstream.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { GlobalKTable, KTable } from './ktable.js';
import type { JoinWindows } from './joins/join-windows.js';
import type { Joined } from './joins/joined.js';
import type { StreamJoined } from './joins/stream-joined.js';
import type { KeyMapper, ValueJoiner } from './joins/value-joiner.js';
import type { Grouped } from './options/grouped.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';
import type { Produced } from './options/produced.js';
import type { Repartitioned } from './options/repartitioned.js';

/** Options of `KStream.process`: a processor name and the stores it uses. */
export interface ProcessOptions {
  readonly named?: Named;
  /** Names of stores added with `StreamsBuilder.addStateStore` that the processor uses. */
  readonly stores?: readonly string[];
}

/**
 * An unbounded stream of key-value records (Kafka Streams' `KStream`): stateless operators run
 * record by record; grouping, joins and windows create stores. Records flow synchronously through
 * the chain.
 */
export interface KStream<K, V> {
  /** Keeps records matching `predicate`. Stateless; see `filterNot`. */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V>;
  /** Drops records matching `predicate`. Stateless; see `filter`. */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V>;
  /** Replaces key and value. Stateless; changes the key (a later grouping repartitions). See `mapValues`. */
  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR>;
  /** Replaces the value; the key is kept, so no repartition follows. Stateless. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR>;
  /** Replaces each record by zero or more records. Stateless; changes the key. */
  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR>;
  /** Replaces each value by zero or more values under the same key. Stateless. */
  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR>;
  /** Sets a new key computed from the record (the value is not decoded if the selector ignores it). Stateless; changes the key. */
  selectKey<KR>(selector: (key: K, value: V) => KR, named?: Named): KStream<KR, V>;
  /** Runs a side effect per record and passes it on. Stateless. */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V>;
  /** Runs a side effect per record; terminal. Stateless. */
  foreach(action: (key: K, value: V) => void, named?: Named): void;
  /** Splits the stream by predicates; each record goes to the first matching branch. */
  split(named?: Named): BranchedKStream<K, V>;
  /** Interleaves this stream with `other` (no ordering guarantee between them). Stateless. */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V>;
  /** Writes through an internal topic `<application.id>-<name>-repartition` and reads it back, partitioned by key. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V>;
  /**
   * Writes to a topic (fixed, or chosen per record). Terminal. Serdes never see null values
   * (tombstones), so a stream of `V | null` takes a `Produced` for `V`.
   */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V> | Produced<K, NonNullable<V>>): void;
  /** Turns the stream into a changelog table (latest value per key; null deletes). Repartitions after a key change. */
  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  /** Runs a Processor API processor; may change the key. Stateful if it uses stores. */
  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, options?: ProcessOptions): KStream<KR, VR>;
  /** Runs a processor that may change values only (forwarding another key throws). */
  processValues<VR>(supplier: ProcessorSupplier<K, V, K, VR>, options?: ProcessOptions): KStream<K, VR>;
  /** Groups by the current key for aggregation; repartitions first if the key changed upstream. */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V>;
  /** Groups by a new key; always repartitions (through `<application.id>-<name>-repartition`). */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped?: Grouped<KR, V>): KGroupedStream<KR, V>;
  /**
   * Joins by key (see docs/joins.md). With a stream: windowed (`JoinWindows`), both sides kept in
   * window stores; output timestamp = max of the pair. With a table: triggered by this stream
   * only, the table looked up at processing time; null keys and values are dropped. With a global
   * table: `keyMapper` picks the table key. Repartitions a key-changed side; the sides must be
   * co-partitioned (checked at start). Stateful for stream-stream; see `leftJoin`, `outerJoin`.
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<KG, VG, VR>(table: GlobalKTable<KG, VG>, keyMapper: KeyMapper<K, V, KG>, joiner: ValueJoiner<V, VG, VR, K>, named?: Named): KStream<K, VR>;
  /**
   * As `join`, and every record of this stream comes out: unmatched stream-stream records with a
   * null partner only once their window + grace closed (never early); stream-table records with
   * no table value (or a null key, as Kafka Streams 3.7+) joined with null.
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<KG, VG, VR>(table: GlobalKTable<KG, VG>, keyMapper: KeyMapper<K, V, KG>, joiner: ValueJoiner<V, VG | null, VR, K>, named?: Named): KStream<K, VR>;
  /** Windowed stream-stream join emitting unmatched records of either side with a null partner once their window + grace closed. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
}
