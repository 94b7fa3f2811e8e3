/**
 * Splits a topology into sub-topologies: connected components of the node graph, where nodes
 * connect through parent/child edges and through shared state stores, but not through topics (a
 * sink writing X and a source reading X stay apart). Numbering follows Kafka Streams 3.9.1
 * (`InternalTopologyBuilder.makeNodeGroups`): components are numbered in order of first appearance
 * of their nodes in insertion order (the DSL writes nodes in the order it created them); global-store
 * components take numbers too. The numbers name tasks (`<subtopology>_<partition>`).
 */
import type { Topology } from './topology.js';

export interface NodeGroup {
  readonly id: number;
  /** Node names in insertion order (parents before children). */
  readonly nodes: readonly string[];
  readonly global: boolean;
}

export function computeNodeGroups(topology: Topology): NodeGroup[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const unite = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };

  for (const name of topology.nodes.keys()) parent.set(name, name);
  for (const node of topology.nodes.values()) {
    if (node.kind !== 'source') for (const p of node.parents) unite(node.name, p);
  }
  for (const store of topology.stores.values()) {
    for (let i = 1; i < store.processors.length; i++) unite(store.processors[0]!, store.processors[i]!);
  }

  const idByRoot = new Map<string, number>();
  for (const name of topology.nodes.keys()) {
    const root = find(name);
    if (!idByRoot.has(root)) idByRoot.set(root, idByRoot.size);
  }
  const members: string[][] = Array.from({ length: idByRoot.size }, () => []);
  for (const name of topology.nodes.keys()) members[idByRoot.get(find(name))!]!.push(name);
  return members.map((nodes, id) => ({
    id,
    nodes,
    global: nodes.some((n) => {
      const node = topology.nodes.get(n)!;
      return node.kind !== 'sink' && node.global;
    }),
  }));
}

/** Java `String.compareTo` order (UTF-16 code units), which is also JS's default sort order. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
