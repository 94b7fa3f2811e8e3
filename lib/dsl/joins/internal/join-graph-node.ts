/**
 * The graph node of a join: its processors (each with its parents), the stores it creates and
 * connects, and the co-partitioning requirement between the sides. When written, it walks from
 * each side's entry processor up to the source nodes feeding it and declares those sources
 * co-partitioned, so mismatched partition counts fail at start with the topics named.
 */
import type { StoreBuilder } from '../../../state/types.js';
import type { AnyProcessorSupplier, Topology } from '../../../topology/topology.js';
import type { GraphNode } from '../../internal/graph-node.js';
import type { SinkOptions } from '../../../topology/types.js';

export interface JoinProcessorDef {
  readonly name: string;
  readonly parents: readonly string[];
  readonly supplier: AnyProcessorSupplier;
  /** Stores (created by this node or elsewhere) the processor reads or writes. */
  readonly stores: readonly string[];
}

export interface JoinGraphNodeProps {
  readonly outputName: string;
  /** In topological order. */
  readonly processors: readonly JoinProcessorDef[];
  /** Stores this node creates (lazily: serdes may settle at build time). */
  readonly createStores?: () => readonly StoreBuilder[];
  /** Sinks fed by processors of this node (e.g. a late-records topic). */
  readonly sinks?: readonly { name: string; topic: string; options: SinkOptions; parents: readonly string[] }[];
  /** Node names whose upstream (non-global) sources must be co-partitioned with each other. */
  readonly copartition?: readonly string[];
}

export class JoinGraphNode implements GraphNode {
  readonly keyChanging = false;
  readonly outputName: string;

  constructor(private readonly props: JoinGraphNodeProps) {
    this.outputName = props.outputName;
  }

  writeToTopology(topology: Topology): void {
    const created = this.props.createStores?.() ?? [];
    for (const p of this.props.processors) topology.addProcessor(p.name, p.supplier, ...p.parents);
    for (const s of this.props.sinks ?? []) topology.addSink(s.name, s.topic, s.options, ...s.parents);
    for (const s of created) topology.addStateStore(s);
    for (const p of this.props.processors) {
      if (p.stores.length > 0) topology.connectProcessorAndStateStores(p.name, ...p.stores);
    }
    const sides = this.props.copartition ?? [];
    if (sides.length > 1) {
      const sources = new Set<string>();
      for (const name of sides) for (const s of upstreamSources(topology, name)) sources.add(s);
      if (sources.size > 1) topology.copartitionSources(...sources);
    }
  }
}

/** Source nodes (not global) from which `name` receives records, in topology order. */
export function upstreamSources(topology: Topology, name: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const stack = [name];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const def = topology.nodes.get(n);
    if (def === undefined) continue;
    if (def.kind === 'source') {
      if (!def.global) out.push(n);
    } else if (def.kind === 'processor') stack.push(...def.parents);
  }
  return out;
}
