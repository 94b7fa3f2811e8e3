/**
 * Graph node of a windowed operator: writes the processor and its store like any processor
 * node, and records which source topics feed it (walking parents in the written topology), so
 * the watermark clock knows every input partition of its task from the start — a partition
 * that has not delivered anything yet holds the watermark back (until its idle timeout).
 */
import type { StoreBuilder } from '../../state/types.js';
import type { AnyProcessorSupplier, Topology } from '../../topology/topology.js';
import type { GraphNode } from '../internal/graph-node.js';
import type { Fusible } from '../internal/fusible.js';

/** Filled at `build()`; read by the processors at init. */
export interface UpstreamTopics {
  /** Source topics as registered (repartition topics unprefixed). */
  topics: string[];
  /** The subset that are repartition topics (resolved as `<applicationId>-<name>`). */
  internal: Set<string>;
}

export function upstreamTopics(topology: Topology, parents: readonly string[]): UpstreamTopics {
  const out: UpstreamTopics = { topics: [], internal: new Set() };
  const seen = new Set<string>();
  const stack = [...parents];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = topology.nodes.get(name);
    if (def === undefined) continue;
    if (def.kind === 'source') {
      for (const t of def.topics) {
        if (!out.topics.includes(t)) out.topics.push(t);
        if (topology.repartitionTopics.has(t)) out.internal.add(t);
      }
    } else if (def.kind === 'processor') stack.push(...def.parents);
  }
  return out;
}

export class WindowedOperatorNode implements GraphNode {
  readonly keyChanging = false;

  constructor(
    readonly outputName: string,
    private readonly parents: readonly string[],
    private readonly supplier: AnyProcessorSupplier,
    private readonly stores: () => readonly StoreBuilder[],
    private readonly upstream: UpstreamTopics,
    private readonly fusible: Fusible | null = null,
  ) {}

  fusibles(): Iterable<readonly [string, Fusible]> {
    return this.fusible === null ? [] : [[this.outputName, this.fusible]];
  }

  writeToTopology(topology: Topology): void {
    topology.addProcessor(this.outputName, this.supplier, ...this.parents);
    for (const store of this.stores()) topology.addStateStore(store, this.outputName);
    const found = upstreamTopics(topology, this.parents);
    this.upstream.topics = found.topics;
    this.upstream.internal = found.internal;
  }
}
