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

export type { BuilderOptions as StreamsBuilderOptions, DslLogger } from './internal/builder.js';

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
    const name = opts?.name ?? this.internal.newProcessorName('KSTREAM-SOURCE-');
    this.internal.addNode(new SourceGraphNode(name, typeof topics === 'string' ? [topics] : [...topics], sourceOptions(consumed)));
    return new KStreamImpl<K, V>(this.internal, name, opts?.keySerde, opts?.valueSerde, false);
  }

  /**
   * A table of the latest value per key of `topic` (null values delete). Materialized in a store
   * named by `Materialized.as`, or when a downstream operator needs it; creates a changelog topic
   * unless logging is disabled.
   */
  table<K = unknown, V = unknown>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const storeName = materialized?.options.storeName ?? this.internal.newStoreName(`${topic}-`);
    const sourceName = consumed?.options.name ?? this.internal.newProcessorName('KSTREAM-SOURCE-');
    const processorName = this.internal.newProcessorName('KTABLE-SOURCE-');
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
    const sourceName = consumed?.options.name ?? this.internal.newProcessorName('KSTREAM-SOURCE-');
    const processorName = this.internal.newProcessorName('KTABLE-SOURCE-');
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
