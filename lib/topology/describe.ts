/**
 * `Topology.describe()`: a structural description of the topology whose `toString()` follows
 * Kafka Streams' `TopologyDescription` format, so tooling and eyes used to Kafka Streams read it
 * as-is, and the differential suite (test/differential/describe-check.ts) checks it against Kafka
 * Streams 3.9.1 character for character. Sub-topologies (and global stores, numbered in the same
 * sequence) appear by id; inside one, nodes are ordered by the size of the sub-graph they reach
 * (sources first), ties by name. `-->`/`<--` neighbours and store and topic lists come out in the
 * order Kafka Streams' hash and tree sets give them (java-order.ts). Internal topics are shown
 * without the `<application.id>-` prefix, as Kafka Streams shows them before the application starts.
 */
import { javaHashOrder, JavaTreeSet } from './java-order.js';
import { computeNodeGroups, compareNames } from './node-groups.js';
import { planText } from './fusion.js';
import type { Topology } from './topology.js';

interface NodeDescriptionBase {
  readonly name: string;
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
}

/** A source node in a `TopologyDescription`, with its topics. */
export interface SourceDescription extends NodeDescriptionBase {
  readonly type: 'source';
  readonly topics: readonly string[];
}

/** A processor node in a `TopologyDescription`, with the stores it is connected to. */
export interface ProcessorDescription extends NodeDescriptionBase {
  readonly type: 'processor';
  readonly stores: readonly string[];
}

/** A sink node in a `TopologyDescription`, with its topic (or topic extractor). */
export interface SinkDescription extends NodeDescriptionBase {
  readonly type: 'sink';
  /** The static topic, or null when a topic chooser picks it per record. */
  readonly topic: string | null;
  /** Name of the topic chooser function, when there is one. */
  readonly topicExtractor: string | null;
}

/** A node in a `TopologyDescription`: a source, a processor or a sink. */
export type NodeDescription = SourceDescription | ProcessorDescription | SinkDescription;

/** One sub-topology (the nodes one task runs) in a `TopologyDescription`. */
export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

/** A global store in a `TopologyDescription`: the source that reads its topic and the processor that updates it. */
export interface GlobalStoreDescription {
  readonly id: number;
  readonly source: SourceDescription;
  readonly processor: ProcessorDescription;
}

/** A processor the optimisation pass fused (tributary only; see `Topology.describe`). */
export interface FusedProcessorDescription {
  /** The name it runs under (its head's). */
  readonly name: string;
  readonly description: string;
  /** The logical processors it replaces, head first. */
  readonly replaces: readonly string[];
}

/** What `Topology.describe()` returns: sub-topologies and global stores; `toString()` equals Kafka Streams' text for the logical topology; fused processors follow under `Tributary plan:`. */
export class TopologyDescription {
  constructor(
    readonly subtopologies: readonly SubtopologyDescription[],
    readonly globalStores: readonly GlobalStoreDescription[],
    /** Fused processors of the optimisation pass (empty when none). */
    readonly fused: readonly FusedProcessorDescription[] = [],
  ) {}

  /**
   * Kafka Streams' text layout, byte for byte (for sets, in our deterministic order); then, when
   * processors were fused, the `Tributary plan:` section.
   */
  toString(): string {
    return this.kafkaStreamsText() + planText(this.fused);
  }

  /** The Kafka Streams part of `toString()`: everything before `Tributary plan:`. */
  kafkaStreamsText(): string {
    const parts: { id: number; text: string }[] = [
      ...this.subtopologies.map((s) => ({ id: s.id, text: subtopologyText(s) })),
      ...this.globalStores.map((g) => ({ id: g.id, text: globalStoreText(g) })),
    ].sort((a, b) => a.id - b.id);
    return `Topologies:\n ${parts.map((p) => `  ${p.text}`).join('')}`;
  }
}

export function describeTopology(topology: Topology): TopologyDescription {
  const subtopologies: SubtopologyDescription[] = [];
  const globalStores: GlobalStoreDescription[] = [];
  for (const group of computeNodeGroups(topology)) {
    const members = new Set(group.nodes);
    // Kafka Streams visits the nodes in HashMap order; each visit links the node to its parents
    // (in the order they were given) and adds the node's sub-graph size to every ancestor known
    // so far. Neighbour sets are TreeSets ordered by (size desc, name) at insertion time.
    interface Described {
      readonly name: string;
      size: number;
      readonly predecessors: JavaTreeSet<Described>;
      readonly successors: JavaTreeSet<Described>;
    }
    const byName = new Map<string, Described>();
    const bySize = (a: Described, b: Described): number => (a === b ? 0 : b.size - a.size || compareNames(a.name, b.name));
    for (const name of group.nodes) byName.set(name, { name, size: 1, predecessors: new JavaTreeSet(bySize), successors: new JavaTreeSet(bySize) });
    const grow = (d: Described, delta: number, parentsOf: Map<Described, Described[]>): void => {
      d.size += delta;
      for (const p of parentsOf.get(d) ?? []) grow(p, delta, parentsOf);
    };
    const linked = new Map<Described, Described[]>();
    for (const name of javaHashOrder(group.nodes)) {
      const node = topology.nodes.get(name)!;
      const d = byName.get(name)!;
      for (const parentName of node.kind === 'source' ? [] : node.parents) {
        const p = byName.get(parentName);
        if (p === undefined || !members.has(parentName)) continue;
        d.predecessors.add(p);
        linked.set(d, [...(linked.get(d) ?? []), p]);
        p.successors.add(d);
        grow(p, d.size, linked);
      }
    }
    const names = (set: JavaTreeSet<Described>): string[] => set.values().map((x) => x.name);
    const describeNode = (d: Described): NodeDescription => {
      const node = topology.nodes.get(d.name)!;
      const base = { name: d.name, predecessors: names(d.predecessors), successors: names(d.successors) };
      if (node.kind === 'source') return { type: 'source', ...base, topics: javaHashOrder(node.topics) };
      if (node.kind === 'processor') {
        const hidden = topology.implementationStores.get(d.name);
        return { type: 'processor', ...base, stores: javaHashOrder(hidden ? node.stores.filter((s) => !hidden.has(s)) : node.stores) };
      }
      return {
        type: 'sink',
        ...base,
        topic: typeof node.topic === 'string' ? node.topic : null,
        topicExtractor: typeof node.topic === 'string' ? null : node.topic.name || 'TopicNameExtractor',
      };
    };
    const nodes = [...byName.values()].sort(bySize).map(describeNode);
    if (group.global) {
      globalStores.push({
        id: group.id,
        source: nodes.find((n): n is SourceDescription => n.type === 'source')!,
        processor: nodes.find((n): n is ProcessorDescription => n.type === 'processor')!,
      });
    } else {
      subtopologies.push({ id: group.id, nodes });
    }
  }
  const fused = topology.fusions.map((f) => ({ name: f.replaces[0]!, description: f.description, replaces: [...f.replaces] }));
  return new TopologyDescription(subtopologies, globalStores, fused);
}

function subtopologyText(s: SubtopologyDescription): string {
  return `Sub-topology: ${s.id}\n${s.nodes.map((n) => `    ${nodeText(n)}\n`).join('')}\n`;
}

function globalStoreText(g: GlobalStoreDescription): string {
  return `Sub-topology: ${g.id} for global store (will not generate tasks)\n` + `    ${nodeText(g.source)}\n` + `    ${nodeText(g.processor)}\n`;
}

function nodeText(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return `Source: ${n.name} (topics: [${n.topics.join(', ')}])\n      --> ${names(n.successors)}`;
    case 'processor':
      return `Processor: ${n.name} (stores: [${n.stores.join(', ')}])\n` + `      --> ${names(n.successors)}\n      <-- ${names(n.predecessors)}`;
    case 'sink':
      return n.topic !== null
        ? `Sink: ${n.name} (topic: ${n.topic})\n      <-- ${names(n.predecessors)}`
        : `Sink: ${n.name} (extractor class: ${n.topicExtractor})\n      <-- ${names(n.predecessors)}`;
  }
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.join(', ');
}
