/**
 * `Topology.describe()`: a structural description of the topology whose `toString()` follows
 * Kafka Streams' `TopologyDescription` format, so tooling and eyes used to Kafka Streams read it
 * as-is. Sub-topologies (and global stores, numbered in the same sequence) appear by id; inside
 * one, nodes are ordered by the size of the sub-graph they reach (sources first), ties by name,
 * and so are `-->` successors and `<--` predecessors. Internal topics are shown without the
 * `<application.id>-` prefix, as Kafka Streams shows them before the application starts.
 */
import { computeNodeGroups, compareNames } from './node-groups.js';
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

/** What `Topology.describe()` returns: sub-topologies and global stores; `toString()` equals Kafka Streams' text for the logical topology. */
export class TopologyDescription {
  constructor(
    readonly subtopologies: readonly SubtopologyDescription[],
    readonly globalStores: readonly GlobalStoreDescription[],
  ) {}

  /** Kafka Streams' text layout, byte for byte (for sets, in our deterministic order). */
  toString(): string {
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
    const childrenOf = (name: string): string[] => {
      const node = topology.nodes.get(name)!;
      return node.kind === 'sink' ? [] : node.children.filter((c) => members.has(c));
    };
    const parentsOf = (name: string): string[] => {
      const node = topology.nodes.get(name)!;
      return node.kind === 'source' ? [] : node.parents.filter((p) => members.has(p));
    };
    // Size of the reachable sub-graph, counted along paths as Kafka Streams does.
    const size = new Map<string, number>();
    for (const name of [...group.nodes].reverse()) {
      size.set(name, 1 + childrenOf(name).reduce((acc, c) => acc + (size.get(c) ?? 1), 0));
    }
    const order = (names: readonly string[]): string[] =>
      [...names].sort((a, b) => size.get(b)! - size.get(a)! || compareNames(a, b));
    const describeNode = (name: string): NodeDescription => {
      const node = topology.nodes.get(name)!;
      const base = { name, predecessors: order(parentsOf(name)), successors: order(childrenOf(name)) };
      if (node.kind === 'source') return { type: 'source', ...base, topics: [...node.topics] };
      if (node.kind === 'processor') return { type: 'processor', ...base, stores: [...node.stores] };
      return {
        type: 'sink',
        ...base,
        topic: typeof node.topic === 'string' ? node.topic : null,
        topicExtractor: typeof node.topic === 'string' ? null : node.topic.name || 'TopicNameExtractor',
      };
    };
    const nodes = order(group.nodes).map(describeNode);
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
  return new TopologyDescription(subtopologies, globalStores);
}

function subtopologyText(s: SubtopologyDescription): string {
  return `Sub-topology: ${s.id}\n${s.nodes.map((n) => `    ${nodeText(n)}\n`).join('')}\n`;
}

function globalStoreText(g: GlobalStoreDescription): string {
  return (
    `Sub-topology: ${g.id} for global store (will not generate tasks)\n` +
    `    ${nodeText(g.source)}\n` +
    `    ${nodeText(g.processor)}\n`
  );
}

function nodeText(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return `Source: ${n.name} (topics: [${n.topics.join(', ')}])\n      --> ${names(n.successors)}`;
    case 'processor':
      return (
        `Processor: ${n.name} (stores: [${n.stores.join(', ')}])\n` +
        `      --> ${names(n.successors)}\n      <-- ${names(n.predecessors)}`
      );
    case 'sink':
      return n.topic !== null
        ? `Sink: ${n.name} (topic: ${n.topic})\n      <-- ${names(n.predecessors)}`
        : `Sink: ${n.name} (extractor class: ${n.topicExtractor})\n      <-- ${names(n.predecessors)}`;
  }
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.join(', ');
}
