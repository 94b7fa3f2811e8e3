/**
 * `StreamsBuilder`: the entry point of the DSL. Define sources (`stream`, `table`,
 * `globalTable`), chain operators, then `build()` the physical `Topology`. Generated names use
 * one counter shared by processors and stores, as Kafka Streams does, so the same program yields
 * the same names (and a Java app written the same way, the same topics).
 */
import type { StoreBuilder } from '../state/types.js';
import type { Topology } from '../topology/topology.js';
import { defined } from './internal/defined.js';
import { InternalStreamsBuilder, type BuilderOptions } from './internal/builder.js';
import { KStreamImpl } from './internal/kstream-impl.js';
import { GlobalStoreGraphNode, SourceGraphNode } from './internal/nodes.js';
import { requireSerde, timestampedKeyValueStore } from './internal/stores.js';
import { addTableSource } from './internal/table-source.js';
import type { KStream } from './kstream.js';
import type { GlobalKTable, KTable } from './ktable.js';
import type { Consumed } from './options/consumed.js';
import type { Materialized } from './options/materialized.js';
import { tableSourceSupplier } from './processors/table-source.js';
import type { SourceOptions } from '../topology/types.js';
import { ConfigError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';

/** Options of `StreamsBuilder.deltaStream` (plain data; the Delta runner interprets them). */
export interface DeltaStreamOptions {
  /**
   * The columns the stream expects: a Delta struct type or a zod object schema. Checked against
   * the table at start (a column the schema needs that the table lacks fails then); rows carry
   * every column of the table.
   */
  readonly schema?: unknown;
  /** Read the commits from this version on, instead of the table's latest snapshot first. */
  readonly startingVersion?: number;
  /** Rows read per round (default 10 000). */
  readonly maxRowsPerBatch?: number;
  /** Skip commits that only delete rows (remove files) instead of failing. */
  readonly ignoreDeletes?: boolean;
  /** Re-read files of commits that rewrite rows (remove + add) instead of failing; rows may repeat. */
  readonly ignoreChanges?: boolean;
  /** A timestamp column (ISO string, epoch ms or Date) for record timestamps; default: the file's modification time. */
  readonly timestampColumn?: string;
  /** The source's name in txn appIds (`<applicationId>-<sourceName>-0`); default `delta-<last path segment>`. */
  readonly sourceName?: string;
  /** The source processor's name. */
  readonly name?: string;
}

export type { BuilderOptions as StreamsBuilderOptions, DslLogger } from './internal/builder.js';

/** Entry point of the DSL: creates `KStream`s, `KTable`s and `GlobalKTable`s from topics, and `build()` turns them into a `Topology`. */
export class StreamsBuilder {
  private readonly internal: InternalStreamsBuilder;

  constructor(options: BuilderOptions = {}) {
    this.internal = new InternalStreamsBuilder(options);
  }

  /** Warnings emitted so far (also sent to the logger). */
  get warnings(): readonly string[] {
    return this.internal.warnings;
  }

  /** A stream of the records of `topics`. Types come from the `Consumed` serdes. */
  stream<K = unknown, V = unknown>(topics: string | readonly string[], consumed?: Consumed<K, V>): KStream<K, V> {
    const opts = consumed?.options;
    const name = this.internal.nameOrGenerate(opts?.name, 'KSTREAM-SOURCE-');
    this.internal.addNode(new SourceGraphNode(name, typeof topics === 'string' ? [topics] : [...topics], sourceOptions(consumed)));
    return new KStreamImpl<K, V>(this.internal, name, opts?.keySerde, opts?.valueSerde, false);
  }

  /**
   * A stream of the rows of a Delta table: its `_delta_log` is tailed and the rows of each new
   * version are forwarded in version order, file by file (key null, value the row in JSON form,
   * timestamp the file's modification time or `timestampColumn`). Topologies with a Delta stream
   * run with `runDeltaStreams` (tributary/connectors/delta), not the Kafka runtime; their
   * `deltaSink`s record the source position in each target commit, so a restart resumes exactly
   * after what every target holds. See docs/delta.md.
   */
  deltaStream<V extends object = Record<string, unknown>>(table: string, options: DeltaStreamOptions = {}): KStream<null, V> {
    if (typeof table !== 'string' || table.length === 0) throw new ConfigError('deltaStream needs a table location (a directory or s3://bucket/path)');
    const name = this.internal.nameOrGenerate(options.name, 'KSTREAM-SOURCE-');
    const topic = options.sourceName ?? `delta-${table.replace(/\/+$/, '').split('/').pop() || 'table'}`;
    if (!/^[A-Za-z0-9._-]+$/.test(topic)) {
      throw new ConfigError(`deltaStream(${table}): source name "${topic}" may use only [A-Za-z0-9._-]; set sourceName`);
    }
    const { name: _n, sourceName: _s, ...rest } = options;
    this.internal.addNode(
      new SourceGraphNode(name, [topic], {
        keySerde: Serdes.string() as never,
        valueSerde: Serdes.json() as never,
        external: { kind: 'delta', location: table, options: rest as Readonly<Record<string, unknown>> },
      }),
    );
    return new KStreamImpl<null, V>(this.internal, name, undefined, undefined, false);
  }

  /**
   * A table of the latest value per key of `topic` (null values delete). Materialized in a store
   * named by `Materialized.as`, or when a downstream operator needs it; creates a changelog topic
   * unless logging is disabled.
   */
  table<K = unknown, V = unknown>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const storeName = materialized?.options.storeName ?? this.internal.newStoreName(`${topic}-`);
    // As Kafka Streams: a Consumed name names the table processor; its source is `<name>-source`.
    const sourceName = this.internal.suffixedOrGenerate(consumed?.options.name, '-source', 'KSTREAM-SOURCE-');
    const processorName = this.internal.nameOrGenerate(consumed?.options.name, 'KTABLE-SOURCE-');
    this.internal.addNode(new SourceGraphNode(sourceName, [topic], sourceOptions(consumed)));
    return addTableSource<K, V>(this.internal, {
      processorName,
      parent: sourceName,
      storeName,
      materialized,
      keySerde: materialized?.options.keySerde ?? consumed?.options.keySerde,
      valueSerde: materialized?.options.valueSerde ?? consumed?.options.valueSerde,
    });
  }

  /**
   * A table replicated in full on every instance from all partitions of `topic`; the topic is its
   * changelog (no extra changelog topic). Always materialized.
   */
  globalTable<K = unknown, V = unknown>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    const storeName = materialized?.options.storeName ?? this.internal.newStoreName(`${topic}-`);
    // As Kafka Streams: a Consumed name names the table processor; its source is `<name>-source`.
    const sourceName = this.internal.suffixedOrGenerate(consumed?.options.name, '-source', 'KSTREAM-SOURCE-');
    const processorName = this.internal.nameOrGenerate(consumed?.options.name, 'KTABLE-SOURCE-');
    const keySerde = materialized?.options.keySerde ?? consumed?.options.keySerde;
    const valueSerde = materialized?.options.valueSerde ?? consumed?.options.valueSerde;
    const internal = this.internal;
    this.internal.addNode(
      new GlobalStoreGraphNode(
        processorName,
        sourceName,
        topic,
        sourceOptions(consumed),
        tableSourceSupplier<K, V>({ storeName, sendOldValues: false, forwards: false }),
        () =>
          timestampedKeyValueStore(
            storeName,
            materialized,
            requireSerde(internal, 'key', `State store ${storeName}`, keySerde),
            requireSerde(internal, 'value', `State store ${storeName}`, valueSerde),
          ),
      ),
    );
    return { queryableStoreName: storeName };
  }

  /** Adds a store for Processor API operators (`process(supplier, { stores: [name] })`). */
  addStateStore(storeBuilder: StoreBuilder): this {
    this.internal.beforeWrite.push((topology) => {
      topology.addStateStore(storeBuilder);
    });
    return this;
  }

  /** Writes the logical graph into a new physical `Topology`. A builder builds once. */
  build(): Topology {
    return this.internal.build();
  }
}

function sourceOptions<K, V>(consumed: Consumed<K, V> | undefined): SourceOptions {
  const o = consumed?.options;
  return defined({
    keySerde: o?.keySerde,
    valueSerde: o?.valueSerde,
    timestampExtractor: o?.timestampExtractor,
    offsetReset: o?.offsetReset,
  }) as SourceOptions;
}
