/**
 * Types shared by the physical topology (`Topology`), the DSL that writes into it and the runtime
 * that executes it: timestamp extraction, dynamic sink topics, partitioners, node options.
 */
import type { Headers } from '../kafka/types.js';
import type { Serde } from '../serde/types.js';

/**
 * A consumed record as the timestamp extractor sees it: key and value already deserialized with
 * the source's serdes, plus where it came from and the timestamp the broker stored.
 */
export interface ConsumedRecord<K = unknown, V = unknown> {
  readonly key: K;
  readonly value: V;
  /** The record's timestamp as stored in Kafka (create or log-append time), epoch ms. */
  readonly timestamp: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly headers: Headers;
}

/**
 * Chooses the event time of a consumed record. `partitionTime` is the highest timestamp extracted
 * so far from the same partition (-1 before the first). A negative or non-finite result is
 * invalid: the runtime hands the record to its deserialization/processing error handler (skip and
 * count it, or fail), it never enters the topology.
 */
export type TimestampExtractor<K = unknown, V = unknown> = (record: ConsumedRecord<K, V>, partitionTime: number) => number;

/** Where to start when a source partition has no committed offset. */
export type OffsetReset = 'earliest' | 'latest';

/** What a sink's topic chooser and partitioner learn about the record being written. */
export interface RecordContext {
  /** Topic/partition/offset of the input record being processed; absent inside a punctuation. */
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Chooses the output topic per record (`KStream.to(chooser)`). The topic must exist. */
export type TopicNameExtractor<K = unknown, V = unknown> = (key: K, value: V, recordContext: RecordContext) => string;

/**
 * Chooses the partition of an output record. Returning `undefined` falls back to the default
 * (murmur2 of the serialized key, Java-compatible; round-robin for null keys).
 */
export type StreamPartitioner<K = unknown, V = unknown> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Serdes, timestamp extractor and offset reset of a source node (`Topology.addSource`), or the external table it reads (Delta sources). */
export interface SourceOptions<K = unknown, V = unknown> {
  /** Absent: the application's default key serde. */
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** Absent: the application's default (the record's Kafka timestamp). */
  readonly timestampExtractor?: TimestampExtractor<K, V>;
  /** Absent: the application's `auto.offset.reset`. */
  readonly offsetReset?: OffsetReset;
  /** Set when the records come from outside Kafka (e.g. a Delta table); the topic is then only a name. */
  readonly external?: ExternalSource;
}

/**
 * A source read by a runner other than the Kafka consumer (`builder.deltaStream`: kind `delta`).
 * The Kafka runtime refuses topologies with one; the runner of that kind drives them.
 */
export interface ExternalSource {
  readonly kind: string;
  /** Where the records come from (a table location). */
  readonly location: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Serdes and partitioner of a sink node (`Topology.addSink`); unset serdes fall back to the configured defaults. */
export interface SinkOptions<K = unknown, V = unknown> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/** Declares a repartition topic written by one sub-topology and read by another. */
export interface RepartitionTopicSpec {
  /**
   * Fixed partition count. Absent: the maximum partition count of the source topics of the
   * sub-topologies that write into it (or of its co-partition group), resolved at start.
   */
  readonly numPartitions?: number;
  /** Extra topic configs; `cleanup.policy=delete` is always set. */
  readonly configs?: Readonly<Record<string, string>>;
}
