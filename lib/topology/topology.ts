/**
 * The physical topology, in the style of Kafka Streams' Processor API `Topology`: named source,
 * processor and sink nodes wired parent → child, state stores attached to processors, global
 * stores, and the internal (repartition and changelog) topics they need. The DSL
 * (`StreamsBuilder.build()`) writes into one of these; users may also build one by hand.
 *
 * A `Topology` is a description, not a running thing: `build(applicationId)` computes the
 * `BuiltTopology` view the runtime executes (sub-topologies, resolved topic names, stores), and
 * `describe()` renders it the way Kafka Streams does.
 *
 * Routing contract for the runtime: a node's children are kept in the order they were attached.
 * `ProcessorContext.forward(record)` delivers the record to every child in that order, depth-first
 * and synchronously (a child finishes, including its own forwards, before the next child sees the
 * record); `forward(record, childName)` delivers to that child only and throws a `TributaryError`
 * (code TOPOLOGY) if `childName` is not a child of the forwarding node.
 */
import { TributaryError } from '../errors.js';
import type { StoreBuilder } from '../state/types.js';
import { buildTopology, type BuiltTopology } from './built-topology.js';
import { describeTopology, type TopologyDescription } from './describe.js';
import { checkFusion, type FusedProcessorDef } from './fusion.js';
import type { ProcessorSupplier } from './processor.js';
import type { RepartitionTopicSpec, SinkOptions, SourceOptions, TopicNameExtractor } from './types.js';

// The node tables are heterogeneous; precise typing lives at the DSL layer.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProcessorSupplier = ProcessorSupplier<any, any, any, any>;

/** @internal A source node as registered. */
export interface SourceDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly options: SourceOptions;
  readonly children: string[];
  /** True for the source of a global store (not part of any task). */
  readonly global: boolean;
}

/** @internal A processor node as registered. */
export interface ProcessorDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: AnyProcessorSupplier;
  readonly parents: readonly string[];
  readonly children: string[];
  readonly stores: string[];
  readonly global: boolean;
}

/** @internal A sink node as registered. */
export interface SinkDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor;
  readonly options: SinkOptions;
  readonly parents: readonly string[];
}

export type NodeDef = SourceDef | ProcessorDef | SinkDef;

/** @internal A state store as registered. */
export interface StoreDef {
  readonly builder: StoreBuilder;
  readonly processors: string[];
  readonly global: boolean;
}

/** @internal A global store: its source topic doubles as its changelog. */
export interface GlobalStoreDef {
  readonly storeName: string;
  readonly sourceName: string;
  readonly topic: string;
  readonly processorName: string;
}

/**
 * The physical topology of the Processor API: sources, processors, sinks and state stores wired by
 * name. `describe()` prints it as Kafka Streams' `TopologyDescription` does;
 * `StreamsBuilder.build()` returns one.
 */
export class Topology {
  /** @internal Nodes in insertion order (parents always precede children). */
  readonly nodes = new Map<string, NodeDef>();
  /** @internal */
  readonly stores = new Map<string, StoreDef>();
  /** @internal */
  readonly globalStores: GlobalStoreDef[] = [];
  /** @internal Repartition topics by unprefixed name (the runtime prefixes `<application.id>-`). */
  readonly repartitionTopics = new Map<string, RepartitionTopicSpec>();
  /**
   * @internal Stores a processor reads only because of how tributary implements it (e.g. final
   * results of a window rebuilt from the window store), by processor: connected like any other,
   * left out of `describe()`'s Kafka Streams text, where the logical operator has no such access.
   */
  readonly implementationStores = new Map<string, Set<string>>();
  /** @internal Groups of source node names whose topics must be co-partitioned. */
  readonly copartitionGroups: string[][] = [];
  /** @internal Fused processors planned by the optimisation pass (see fusion.ts), in the order added. */
  readonly fusions: FusedProcessorDef[] = [];
  private readonly topicToSource = new Map<string, string>();

  /**
   * Adds a source node reading `topics` (a fixed list; patterns are not supported). A topic may be
   * read by one source only. Topics declared with `addRepartitionTopic` are internal: they are
   * named here without the `<application.id>-` prefix the runtime adds.
   */
  addSource<K = unknown, V = unknown>(name: string, topics: string | readonly string[], options: SourceOptions<K, V> = {}): this {
    this.addSourceNode(name, typeof topics === 'string' ? [topics] : [...topics], options as SourceOptions, false);
    return this;
  }

  /** Adds a processor node fed by `parentNames` (sources or processors, at least one). */
  addProcessor(name: string, supplier: AnyProcessorSupplier, ...parentNames: string[]): this {
    this.checkNewName(name);
    if (typeof supplier !== 'function') throw topologyError(`Processor ${name}: supplier must be a function`);
    const parents = this.checkParents(name, parentNames);
    this.nodes.set(name, { kind: 'processor', name, supplier, parents, children: [], stores: [], global: false });
    this.linkChildren(name, parents);
    return this;
  }

  /**
   * Adds a sink node writing what its parents forward to `topic`, or to the topic a chooser picks
   * per record. A sink has no children; its topic may be a source topic of this topology (the
   * write/read pair splits the graph into two sub-topologies, as repartition topics do).
   */
  addSink<K = unknown, V = unknown>(name: string, topic: string | TopicNameExtractor<K, V>, options: SinkOptions<K, V>, ...parentNames: string[]): this {
    this.checkNewName(name);
    if (typeof topic === 'string' && topic.length === 0) throw topologyError(`Sink ${name}: topic must not be empty`);
    const parents = this.checkParents(name, parentNames);
    this.nodes.set(name, {
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor,
      options: options as SinkOptions,
      parents,
    });
    this.linkChildren(name, parents);
    return this;
  }

  /**
   * Adds a state store, built per task from `storeBuilder`, and connects it to `processorNames`.
   * With logging enabled the store gets the changelog topic `<application.id>-<store>-changelog`
   * with the builder's `changelogConfigs`. Processors sharing a store are in one sub-topology.
   */
  addStateStore(storeBuilder: StoreBuilder, ...processorNames: string[]): this {
    const name = storeBuilder.name;
    if (!name) throw topologyError('State store name must not be empty');
    if (this.stores.has(name)) throw topologyError(`State store ${name} is already added`);
    this.stores.set(name, { builder: storeBuilder, processors: [], global: false });
    if (processorNames.length > 0) this.connectProcessorAndStateStores(processorNames[0]!, name);
    for (const p of processorNames.slice(1)) this.connectProcessorAndStateStores(p, name);
    return this;
  }

  /** Gives `processorName` access to already-added stores (`context.getStateStore(name)`). */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    const node = this.nodes.get(processorName);
    if (!node) throw topologyError(`Processor ${processorName} is not added yet`);
    if (node.kind !== 'processor') throw topologyError(`${processorName} is a ${node.kind}; only processors can use state stores`);
    if (storeNames.length === 0) throw topologyError(`connectProcessorAndStateStores(${processorName}): no store names given`);
    for (const storeName of storeNames) {
      const store = this.stores.get(storeName);
      if (!store) throw topologyError(`State store ${storeName} is not added yet`);
      if (store.global) throw topologyError(`Global store ${storeName} cannot be connected; it is readable from every processor`);
      if (!node.stores.includes(storeName)) node.stores.push(storeName);
      if (!store.processors.includes(processorName)) store.processors.push(processorName);
    }
    return this;
  }

  /** @internal `connectProcessorAndStateStores` for a store the logical operator does not use (see `implementationStores`). */
  connectImplementationStores(processorName: string, ...storeNames: string[]): this {
    this.connectProcessorAndStateStores(processorName, ...storeNames);
    const set = this.implementationStores.get(processorName) ?? new Set<string>();
    for (const s of storeNames) set.add(s);
    this.implementationStores.set(processorName, set);
    return this;
  }

  /**
   * Adds a global store: every instance reads all partitions of `topic` through `sourceName` into
   * the store via `stateUpdateSupplier` (a processor that writes what it receives into the store).
   * The topic is the store's changelog, so the builder's logging setting is ignored. Global stores
   * are readable from every processor and are not part of any task.
   */
  addGlobalStore<K = unknown, V = unknown>(
    storeBuilder: StoreBuilder,
    sourceName: string,
    topic: string,
    options: SourceOptions<K, V>,
    processorName: string,
    stateUpdateSupplier: AnyProcessorSupplier,
  ): this {
    const storeName = storeBuilder.name;
    if (this.stores.has(storeName)) throw topologyError(`State store ${storeName} is already added`);
    this.checkNewName(processorName);
    if (processorName === sourceName) throw topologyError(`Global store ${storeName}: source and processor names must differ`);
    this.addSourceNode(sourceName, [topic], options as SourceOptions, true);
    this.nodes.set(processorName, {
      kind: 'processor',
      name: processorName,
      supplier: stateUpdateSupplier,
      parents: [sourceName],
      children: [],
      stores: [storeName],
      global: true,
    });
    this.linkChildren(processorName, [sourceName]);
    this.stores.set(storeName, { builder: storeBuilder, processors: [processorName], global: true });
    this.globalStores.push({ storeName, sourceName, topic, processorName });
    return this;
  }

  /**
   * Declares `name` (unprefixed) as a repartition topic. The runtime creates
   * `<application.id>-<name>` with `cleanup.policy=delete` and the partition count of `spec`.
   * Sources and sinks refer to it by the unprefixed name.
   */
  addRepartitionTopic(name: string, spec: RepartitionTopicSpec = {}): this {
    if (this.repartitionTopics.has(name)) throw topologyError(`Repartition topic ${name} is already declared`);
    if (spec.numPartitions !== undefined && !(Number.isInteger(spec.numPartitions) && spec.numPartitions > 0)) {
      throw topologyError(`Repartition topic ${name}: numPartitions must be a positive integer`);
    }
    this.repartitionTopics.set(name, spec);
    return this;
  }

  /**
   * Requires the topics of these source nodes to be co-partitioned (same partition count, keyed
   * alike): joins and shared stores need it. Repartition topics in a group take the group's count.
   */
  copartitionSources(...sourceNames: string[]): this {
    for (const s of sourceNames) {
      const node = this.nodes.get(s);
      if (!node || node.kind !== 'source') throw topologyError(`copartitionSources: ${s} is not a source node`);
    }
    if (sourceNames.length > 1) this.copartitionGroups.push([...sourceNames]);
    return this;
  }

  /**
   * @internal Plans a fused processor that replaces the processors `def.replaces` (a chain whose
   * head alone is fed from outside) when the topology is built with optimisation on. Called by the
   * DSL's optimisation pass; throws TOPOLOGY when the chain cannot be swapped for one processor.
   */
  fuse(def: FusedProcessorDef): this {
    checkFusion(this.nodes, def, new Set(this.fusions.flatMap((f) => f.replaces)));
    this.fusions.push(def);
    return this;
  }

  /**
   * The view the runtime executes, with internal topics resolved for `applicationId`. With
   * `optimize` (the default) the planned fused processors run in place of the nodes they replace.
   */
  build(applicationId: string, options: { readonly optimize?: boolean } = {}): BuiltTopology {
    return buildTopology(this, applicationId, options.optimize ?? true);
  }

  /**
   * Describes the topology in Kafka Streams' format (`toString()`); stable for equal topologies.
   * When the optimisation pass fused processors, the text goes on after the Kafka Streams part
   * with a section starting `Tributary plan:` that lists each fused processor and what it replaces.
   */
  describe(): TopologyDescription {
    return describeTopology(this);
  }

  /** @internal The source node reading `topic`, if any. */
  sourceForTopic(topic: string): string | undefined {
    return this.topicToSource.get(topic);
  }

  private addSourceNode(name: string, topics: string[], options: SourceOptions, global: boolean): void {
    this.checkNewName(name);
    if (topics.length === 0) throw topologyError(`Source ${name}: at least one topic is required`);
    for (const t of topics) {
      if (typeof t !== 'string' || t.length === 0) throw topologyError(`Source ${name}: topic names must be non-empty strings`);
      const other = this.topicToSource.get(t);
      if (other !== undefined) throw topologyError(`Topic ${t} is already registered by source ${other}`);
    }
    if (new Set(topics).size !== topics.length) throw topologyError(`Source ${name}: duplicate topics`);
    for (const t of topics) this.topicToSource.set(t, name);
    this.nodes.set(name, { kind: 'source', name, topics, options, children: [], global });
  }

  private checkNewName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw topologyError('Node name must be a non-empty string');
    if (this.nodes.has(name)) throw topologyError(`Node ${name} is already added`);
  }

  private checkParents(name: string, parentNames: readonly string[]): string[] {
    if (parentNames.length === 0) throw topologyError(`${name} needs at least one parent`);
    const seen = new Set<string>();
    for (const p of parentNames) {
      if (p === name) throw topologyError(`${name} cannot be its own parent`);
      const parent = this.nodes.get(p);
      if (!parent) throw topologyError(`Parent ${p} of ${name} is not added yet`);
      if (parent.kind === 'sink') throw topologyError(`Sink ${p} cannot be the parent of ${name}`);
      if (parent.kind === 'processor' && parent.global) throw topologyError(`Global store processor ${p} cannot have children`);
      if (parent.kind === 'source' && parent.global) throw topologyError(`Global source ${p} cannot have other children`);
      if (seen.has(p)) throw topologyError(`${name}: parent ${p} listed twice`);
      seen.add(p);
    }
    return [...parentNames];
  }

  private linkChildren(name: string, parents: readonly string[]): void {
    for (const p of parents) {
      const parent = this.nodes.get(p);
      if (parent && parent.kind !== 'sink') parent.children.push(name);
    }
  }
}

export function topologyError(message: string): TributaryError {
  return new TributaryError(message, { code: 'TOPOLOGY' });
}
