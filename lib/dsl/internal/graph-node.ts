/**
 * The logical graph the DSL builds. Each node knows how to write itself into a `Topology`;
 * `build()` asks every node, in creation order (parents first), and never looks at node kinds.
 * Nodes declare what they do to the stream instead (`keyChanging`), and the DSL inserts
 * repartition nodes where a key-based operation follows a key change.
 */
import type { Topology } from '../../topology/topology.js';
import type { Fusible } from './fusible.js';

export interface GraphNode {
  /** Name children use as their parent in the topology (for repartitions: the new source). */
  readonly outputName: string;
  /** True when records leaving this node may have a different key than they came with. */
  readonly keyChanging: boolean;
  writeToTopology(topology: Topology): void;
  /** What the optimisation pass may fuse: the processors this node writes, by name, with what they are (fusible.ts). */
  fusibles?(): Iterable<readonly [string, Fusible]>;
}
