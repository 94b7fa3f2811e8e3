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
import type { KTable } from './ktable.js';
import type { Grouped } from './options/grouped.js';
import type { Materialized } from './options/materialized.js';
import type { Named } from './options/named.js';
import type { Produced } from './options/produced.js';
import type { Repartitioned } from './options/repartitioned.js';

export interface ProcessOptions {
  readonly named?: Named;
  /** Names of stores added with `StreamsBuilder.addStateStore` that the processor uses. */
  readonly stores?: readonly string[];
}

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
}
