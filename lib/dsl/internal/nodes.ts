/**
 * The graph node kinds: a stream source, a processor (optionally owning or using stores), a
 * sink, a repartition (filter ▶ sink ▶ internal topic ▶ source), and a table source.
 */
import type { StoreBuilder } from '../../state/types.js';
import type { AnyProcessorSupplier, Topology } from '../../topology/topology.js';
import type { RepartitionTopicSpec, SinkOptions, SourceOptions, TopicNameExtractor } from '../../topology/types.js';
import type { GraphNode } from './graph-node.js';
import type { Fusible } from './fusible.js';
import { nullKeyFilterStep } from '../processors/record-steps.js';

export class SourceGraphNode implements GraphNode {
  readonly keyChanging = false;
  constructor(
    readonly outputName: string,
    private readonly topics: readonly string[],
    private readonly options: SourceOptions,
  ) {}

  writeToTopology(topology: Topology): void {
    topology.addSource(this.outputName, this.topics, this.options);
  }
}

export interface ProcessorNodeProps {
  readonly keyChanging?: boolean;
  /** Stores this node creates (built lazily: serdes may be settled only at build time). */
  readonly stores?: () => readonly StoreBuilder[];
  /** Stores added elsewhere (user stores) that this node uses. */
  readonly connectStores?: readonly string[];
  /** Stores of other operators this node reads as an implementation detail (not in `describe()`'s Kafka Streams text). */
  readonly implementationStores?: readonly string[];
  /** What the optimisation pass may fuse this processor as (absent: never fused). */
  readonly fusible?: Fusible;
}

export class ProcessorGraphNode implements GraphNode {
  readonly keyChanging: boolean;
  constructor(
    readonly outputName: string,
    private readonly parents: readonly string[],
    private readonly supplier: AnyProcessorSupplier,
    private readonly props: ProcessorNodeProps = {},
  ) {
    this.keyChanging = props.keyChanging ?? false;
  }

  writeToTopology(topology: Topology): void {
    topology.addProcessor(this.outputName, this.supplier, ...this.parents);
    for (const store of this.props.stores?.() ?? []) topology.addStateStore(store, this.outputName);
    if (this.props.connectStores?.length) topology.connectProcessorAndStateStores(this.outputName, ...this.props.connectStores);
    if (this.props.implementationStores?.length) topology.connectImplementationStores(this.outputName, ...this.props.implementationStores);
  }

  fusibles(): Iterable<readonly [string, Fusible]> {
    return this.props.fusible === undefined ? [] : [[this.outputName, this.props.fusible]];
  }
}

export class SinkGraphNode implements GraphNode {
  readonly keyChanging = false;
  constructor(
    readonly outputName: string,
    private readonly parent: string,
    private readonly topic: string | TopicNameExtractor,
    private readonly options: SinkOptions,
  ) {}

  writeToTopology(topology: Topology): void {
    topology.addSink(this.outputName, this.topic, this.options, this.parent);
  }
}

export interface RepartitionNames {
  /** Unprefixed topic name, `<prefix>-repartition`. */
  readonly topic: string;
  /** Null for a grouped table's repartition (no filter). */
  readonly filter: string | null;
  readonly sink: string;
  readonly source: string;
}

/** Writes records through an internal topic so that they are partitioned by their (new) key. */
export class RepartitionGraphNode implements GraphNode {
  readonly keyChanging = false;
  readonly outputName: string;
  constructor(
    private readonly parent: string,
    private readonly names: RepartitionNames,
    private readonly filterSupplier: AnyProcessorSupplier | null,
    private readonly sinkOptions: SinkOptions,
    private readonly sourceOptions: SourceOptions,
    private readonly spec: RepartitionTopicSpec,
  ) {
    this.outputName = names.source;
  }

  writeToTopology(topology: Topology): void {
    let upstream = this.parent;
    if (this.filterSupplier !== null && this.names.filter !== null) {
      topology.addProcessor(this.names.filter, this.filterSupplier, upstream);
      upstream = this.names.filter;
    }
    topology.addRepartitionTopic(this.names.topic, this.spec);
    topology.addSink(this.names.sink, this.names.topic, this.sinkOptions, upstream);
    topology.addSource(this.names.source, [this.names.topic], this.sourceOptions);
  }

  fusibles(): Iterable<readonly [string, Fusible]> {
    return this.filterSupplier !== null && this.names.filter !== null
      ? [[this.names.filter, { kind: 'record-step', operator: 'null-key filter', step: nullKeyFilterStep }]]
      : [];
  }
}

/** Adds a global store fed by its own source and update processor. */
export class GlobalStoreGraphNode implements GraphNode {
  readonly keyChanging = false;
  constructor(
    readonly outputName: string,
    private readonly sourceName: string,
    private readonly topic: string,
    private readonly sourceOptions: SourceOptions,
    private readonly supplier: AnyProcessorSupplier,
    private readonly store: () => StoreBuilder,
  ) {}

  writeToTopology(topology: Topology): void {
    topology.addGlobalStore(this.store(), this.sourceName, this.topic, this.sourceOptions, this.outputName, this.supplier);
  }
}
