/**
 * `BuiltTopology`: what the runtime executes, computed from a `Topology` for one application id.
 *
 * For the runtime engineer, exactly what it contains:
 *
 * - `subtopologies`: the task-generating sub-topologies, ascending by `id`. A sub-topology is a
 *   connected component of nodes (parent/child edges and shared stores). The runtime creates one
 *   task per partition number `p` for each: task `<id>_<p>` consumes partition `p` of every topic
 *   in `sourceTopics`; the task count is the maximum partition count of those topics.
 *   - `sourceTopics`: resolved topic names (internal ones carry the `<application.id>-` prefix);
 *     `sourceByTopic` maps each to the source node that deserializes it.
 *   - `nodes`: every node of the component in insertion order, which is a topological order
 *     (parents before children). Sources carry serdes/extractor/offset reset (`undefined` =
 *     application default); processors carry their supplier (call it once per task to get a fresh
 *     `Processor`), `children` in forward order and the names of the stores they may use; sinks
 *     carry a resolved static `topic` or a `topicExtractor`, serdes and partitioner.
 *   - `stores`: each store used by the component with its builder (call `build()` once per task),
 *     the processors using it and its resolved changelog topic (`null` when logging is off).
 *     Stores are initialized before processors are `init`ed.
 *   - `copartitionGroups`: sets of source topics (resolved) that must have equal partition counts.
 *   - `repartitionSourceTopics`: the subset of `sourceTopics` that are internal repartition topics
 *     (the runtime may purge them after commit, as Kafka Streams does).
 * - `globalStores`: one entry per global store; its source reads every partition of `topic` (not
 *   prefixed; global topics are user topics), its processor updates the store. Not part of tasks;
 *   every processor in every task may `getStateStore` a global store by name.
 * - `repartitionTopics`, `changelogTopics`: internal topics to create before starting, with
 *   configs. `internalTopicPartitions(partitionsOf)` resolves their partition counts from the
 *   partition counts of the user topics and validates co-partitioning (throws `ConfigError`).
 * - `resolveTopic(name)`: the resolved name of a topic as written in the `Topology`.
 * - `fused`: the fused processors executed in place of the logical nodes they replace (empty when
 *   built with `optimize: false`); see fusion.ts for how they are wired.
 */
import { ConfigError, TributaryError } from '../errors.js';
import type { StateStore, StoreBuilder } from '../state/types.js';
import type { Serde } from '../serde/types.js';
import { computeNodeGroups } from './node-groups.js';
import { fusedChildren, type FusedProcessorDef } from './fusion.js';
import type { AnyProcessorSupplier, ProcessorDef, Topology } from './topology.js';
import type { ExternalSource, OffsetReset, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from './types.js';

export interface BuiltSourceNode {
  readonly kind: 'source';
  readonly name: string;
  /** Resolved topic names. */
  readonly topics: readonly string[];
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: OffsetReset | undefined;
  /** See `SourceOptions.external`. */
  readonly external?: ExternalSource;
  readonly parents: readonly string[];
  readonly children: readonly string[];
}

export interface BuiltProcessorNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: AnyProcessorSupplier;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Names of the (non-global) stores this processor may access. */
  readonly stores: readonly string[];
}

export interface BuiltSinkNode {
  readonly kind: 'sink';
  readonly name: string;
  /** Resolved static topic, or null when `topicExtractor` chooses per record. */
  readonly topic: string | null;
  readonly topicExtractor: TopicNameExtractor | null;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner | undefined;
  readonly parents: readonly string[];
  readonly children: readonly string[];
}

export type BuiltNode = BuiltSourceNode | BuiltProcessorNode | BuiltSinkNode;

export interface BuiltStore {
  readonly name: string;
  readonly builder: StoreBuilder<StateStore>;
  readonly processors: readonly string[];
  /** Resolved changelog topic, or null when logging is disabled. */
  readonly changelogTopic: string | null;
}

/** One compiled sub-topology: the nodes one task runs, its source topics and its stores. */
export interface Subtopology {
  readonly id: number;
  readonly sourceTopics: readonly string[];
  readonly sourceByTopic: ReadonlyMap<string, BuiltSourceNode>;
  readonly repartitionSourceTopics: readonly string[];
  readonly nodes: readonly BuiltNode[];
  readonly nodesByName: ReadonlyMap<string, BuiltNode>;
  readonly sinks: readonly BuiltSinkNode[];
  readonly stores: readonly BuiltStore[];
  readonly copartitionGroups: readonly (readonly string[])[];
}

export interface BuiltGlobalStore {
  readonly id: number;
  readonly storeName: string;
  readonly builder: StoreBuilder<StateStore>;
  readonly topic: string;
  readonly source: BuiltSourceNode;
  readonly processor: BuiltProcessorNode;
}

export interface InternalTopic {
  /** Resolved name. */
  readonly name: string;
  readonly configs: Readonly<Record<string, string>>;
}

export interface RepartitionTopic extends InternalTopic {
  /** Fixed count, or undefined when derived at start (see `internalTopicPartitions`). */
  readonly numPartitions: number | undefined;
  readonly writerSubtopologies: readonly number[];
  readonly readerSubtopology: number | undefined;
}

export interface ChangelogTopic extends InternalTopic {
  readonly store: string;
  readonly subtopology: number;
}

/** A topology compiled for one application id: sub-topologies, source, repartition and changelog topics, and global stores. */
export interface BuiltTopology {
  readonly applicationId: string;
  readonly subtopologies: readonly Subtopology[];
  readonly globalStores: readonly BuiltGlobalStore[];
  /** All topics consumed by tasks, resolved (user topics and repartition topics). */
  readonly sourceTopics: readonly string[];
  readonly repartitionTopics: readonly RepartitionTopic[];
  readonly changelogTopics: readonly ChangelogTopic[];
  /** Fused processors in effect (see fusion.ts). */
  readonly fused: readonly FusedProcessorDef[];
  resolveTopic(name: string): string;
  subtopologyForTopic(resolvedTopic: string): Subtopology | undefined;
  /**
   * Partition counts of every repartition and changelog topic (resolved names), given the
   * partition counts of user topics (`partitionsOf` returns undefined for unknown topics).
   * Rules: a repartition topic uses its fixed count, else the count of its co-partition group,
   * else the maximum task count of the sub-topologies writing it; a sub-topology's task count is
   * the maximum count of its source topics; a changelog has its sub-topology's task count.
   * Throws `ConfigError` when co-partitioned topics differ and `TributaryError` TOPIC_NOT_FOUND
   * when a user topic is unknown.
   */
  internalTopicPartitions(partitionsOf: (topic: string) => number | undefined): Map<string, number>;
  /** Task count of a sub-topology (see `internalTopicPartitions` for `partitionsOf`). */
  taskCount(subtopologyId: number, partitionsOf: (topic: string) => number | undefined): number;
}

export function buildTopology(topology: Topology, applicationId: string, optimize = true): BuiltTopology {
  if (!applicationId) throw new ConfigError('application.id must not be empty');
  const resolveTopic = (name: string): string => (topology.repartitionTopics.has(name) ? `${applicationId}-${name}` : name);
  const changelogName = (store: string): string => `${applicationId}-${store}-changelog`;

  const repartitionResolved = new Set([...topology.repartitionTopics.keys()].map(resolveTopic));
  const fused = optimize ? topology.fusions : [];
  const fusedBy = new Map<string, FusedProcessorDef>();
  for (const f of fused) for (const m of f.replaces) fusedBy.set(m, f);
  /** The name a node runs under: a fused member's is its head's. */
  const runsAs = (name: string): string => fusedBy.get(name)?.replaces[0] ?? name;
  const runNames = (names: readonly string[]): string[] => [...new Set(names.map(runsAs))];

  const built = new Map<string, BuiltNode>();
  for (const def of topology.nodes.values()) {
    const fusion = fusedBy.get(def.name);
    if (fusion !== undefined) {
      if (fusion.replaces[0] !== def.name) continue;
      const members = fusion.replaces.map((m) => topology.nodes.get(m) as ProcessorDef);
      built.set(def.name, {
        kind: 'processor',
        name: def.name,
        supplier: fusion.supplier,
        parents: runNames((def as ProcessorDef).parents),
        children: fusedChildren(topology.nodes, fusion),
        stores: [...new Set(members.flatMap((m) => m.stores))],
      });
      continue;
    }
    if (def.kind === 'source') {
      built.set(def.name, {
        kind: 'source',
        name: def.name,
        topics: def.topics.map(resolveTopic),
        keySerde: def.options.keySerde,
        valueSerde: def.options.valueSerde,
        timestampExtractor: def.options.timestampExtractor,
        offsetReset: def.options.offsetReset,
        ...(def.options.external !== undefined ? { external: def.options.external } : {}),
        parents: [],
        children: [...def.children],
      });
    } else if (def.kind === 'processor') {
      built.set(def.name, {
        kind: 'processor',
        name: def.name,
        supplier: def.supplier,
        parents: runNames(def.parents),
        children: [...def.children],
        stores: [...def.stores],
      });
    } else {
      built.set(def.name, {
        kind: 'sink',
        name: def.name,
        topic: typeof def.topic === 'string' ? resolveTopic(def.topic) : null,
        topicExtractor: typeof def.topic === 'string' ? null : def.topic,
        keySerde: def.options.keySerde,
        valueSerde: def.options.valueSerde,
        partitioner: def.options.partitioner,
        parents: runNames(def.parents),
        children: [],
      });
    }
  }

  for (const [name, store] of topology.stores) {
    if (store.processors.length === 0) {
      throw new TributaryError(`State store ${name} is not connected to any processor`, { code: 'TOPOLOGY' });
    }
  }

  const subtopologies: Subtopology[] = [];
  const globalStores: BuiltGlobalStore[] = [];
  const changelogTopics: ChangelogTopic[] = [];
  const groupOfNode = new Map<string, number>();
  for (const group of computeNodeGroups(topology)) {
    for (const n of group.nodes) groupOfNode.set(n, group.id);
    if (group.global) {
      const g = topology.globalStores.find((gs) => group.nodes.includes(gs.sourceName))!;
      globalStores.push({
        id: group.id,
        storeName: g.storeName,
        builder: topology.stores.get(g.storeName)!.builder,
        topic: g.topic,
        source: built.get(g.sourceName) as BuiltSourceNode,
        processor: built.get(g.processorName) as BuiltProcessorNode,
      });
      continue;
    }
    const nodes = group.nodes.flatMap((n) => built.get(n) ?? []);
    const sources = nodes.filter((n): n is BuiltSourceNode => n.kind === 'source');
    const sourceByTopic = new Map<string, BuiltSourceNode>();
    for (const s of sources) for (const t of s.topics) sourceByTopic.set(t, s);
    const storeNames = new Set<string>();
    for (const n of nodes) if (n.kind === 'processor') for (const s of n.stores) storeNames.add(s);
    const stores: BuiltStore[] = [...storeNames].map((name) => {
      const def = topology.stores.get(name)!;
      const changelogTopic = def.builder.loggingEnabled ? changelogName(name) : null;
      if (changelogTopic) {
        changelogTopics.push({
          name: changelogTopic,
          store: name,
          subtopology: group.id,
          configs: { 'cleanup.policy': 'compact', ...def.builder.changelogConfigs },
        });
      }
      return { name, builder: def.builder, processors: runNames(def.processors), changelogTopic };
    });
    const sourceNamesHere = new Set(sources.map((s) => s.name));
    const copartitionGroups = topology.copartitionGroups
      .filter((g) => g.some((s) => sourceNamesHere.has(s)))
      .map((g) => g.flatMap((s) => (built.get(s) as BuiltSourceNode).topics));
    const sourceTopics = [...sourceByTopic.keys()];
    subtopologies.push({
      id: group.id,
      sourceTopics,
      sourceByTopic,
      repartitionSourceTopics: sourceTopics.filter((t) => repartitionResolved.has(t)),
      nodes,
      nodesByName: new Map(nodes.map((n) => [n.name, n])),
      sinks: nodes.filter((n): n is BuiltSinkNode => n.kind === 'sink'),
      stores,
      copartitionGroups,
    });
  }

  const repartitionTopics: RepartitionTopic[] = [...topology.repartitionTopics].map(([raw, spec]) => {
    const name = resolveTopic(raw);
    const writers = new Set<number>();
    for (const def of topology.nodes.values()) {
      if (def.kind === 'sink' && def.topic === raw) writers.add(groupOfNode.get(def.name)!);
    }
    const reader = topology.sourceForTopic(raw);
    return {
      name,
      configs: { ...spec.configs, 'cleanup.policy': 'delete' },
      numPartitions: spec.numPartitions,
      writerSubtopologies: [...writers].sort((a, b) => a - b),
      readerSubtopology: reader === undefined ? undefined : groupOfNode.get(reader),
    };
  });

  const byTopic = new Map<string, Subtopology>();
  for (const s of subtopologies) for (const t of s.sourceTopics) byTopic.set(t, s);

  const partitionResolver = (partitionsOf: (topic: string) => number | undefined) => new PartitionResolver(subtopologies, repartitionTopics, partitionsOf);

  return {
    applicationId,
    subtopologies,
    globalStores,
    sourceTopics: subtopologies.flatMap((s) => s.sourceTopics),
    repartitionTopics,
    changelogTopics,
    fused,
    resolveTopic,
    subtopologyForTopic: (t) => byTopic.get(t),
    internalTopicPartitions(partitionsOf) {
      const r = partitionResolver(partitionsOf);
      const out = new Map<string, number>();
      for (const t of repartitionTopics) out.set(t.name, r.topicCount(t.name));
      for (const c of changelogTopics) out.set(c.name, r.taskCount(c.subtopology));
      r.validateCopartitioning();
      return out;
    },
    taskCount(id, partitionsOf) {
      return partitionResolver(partitionsOf).taskCount(id);
    },
  };
}

class PartitionResolver {
  private readonly tasks = new Map<number, number>();
  private readonly topics = new Map<string, number>();
  private readonly visiting = new Set<string>();
  private readonly repartition: Map<string, RepartitionTopic>;
  private readonly subtopologies: Map<number, Subtopology>;

  constructor(
    subtopologies: readonly Subtopology[],
    repartitionTopics: readonly RepartitionTopic[],
    private readonly partitionsOf: (topic: string) => number | undefined,
  ) {
    this.repartition = new Map(repartitionTopics.map((t) => [t.name, t]));
    this.subtopologies = new Map(subtopologies.map((s) => [s.id, s]));
  }

  taskCount(id: number): number {
    const known = this.tasks.get(id);
    if (known !== undefined) return known;
    const sub = this.subtopologies.get(id)!;
    const count = Math.max(...sub.sourceTopics.map((t) => this.topicCount(t)));
    this.tasks.set(id, count);
    return count;
  }

  topicCount(topic: string): number {
    const known = this.topics.get(topic);
    if (known !== undefined) return known;
    const rep = this.repartition.get(topic);
    let count: number | undefined;
    if (!rep) {
      count = this.partitionsOf(topic);
      if (count === undefined) {
        throw new TributaryError(`Source topic ${topic} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic } });
      }
    } else if (rep.numPartitions !== undefined) {
      count = rep.numPartitions;
    } else {
      if (this.visiting.has(topic)) {
        throw new TributaryError(`Cannot derive the partition count of ${topic}: repartition topics form a cycle`, { code: 'TOPOLOGY' });
      }
      this.visiting.add(topic);
      count = this.copartitionedCount(topic);
      if (count === undefined) {
        const writers = rep.writerSubtopologies.map((id) => this.taskCount(id));
        if (writers.length === 0) {
          throw new TributaryError(`Repartition topic ${topic} has no writer; give it a partition count`, { code: 'TOPOLOGY' });
        }
        count = Math.max(...writers);
      }
      this.visiting.delete(topic);
    }
    this.topics.set(topic, count);
    return count;
  }

  /** The count imposed by a co-partition group on a derived repartition topic, if any. */
  private copartitionedCount(topic: string): number | undefined {
    let best: number | undefined;
    for (const sub of this.subtopologies.values()) {
      for (const group of sub.copartitionGroups) {
        if (!group.includes(topic)) continue;
        for (const other of group) {
          const rep = this.repartition.get(other);
          if (other === topic || (rep && rep.numPartitions === undefined)) continue;
          const c = this.topicCount(other);
          best = best === undefined ? c : Math.max(best, c);
        }
      }
    }
    return best;
  }

  validateCopartitioning(): void {
    for (const sub of this.subtopologies.values()) {
      for (const group of sub.copartitionGroups) {
        const counts = group.map((t) => [t, this.topicCount(t)] as const);
        if (new Set(counts.map(([, c]) => c)).size > 1) {
          throw new ConfigError(
            `Topics ${counts.map(([t, c]) => `${t} (${c} partitions)`).join(', ')} must be co-partitioned: ` +
              'give them the same number of partitions, or repartition one side',
            { context: { subtopology: sub.id } },
          );
        }
      }
    }
  }
}
