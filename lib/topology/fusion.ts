/**
 * Fused processors: the result of the optimisation pass (lib/dsl/internal/optimize.ts) that runs
 * when a `StreamsBuilder` builds its topology — like Kafka Streams' topology optimisation, but
 * tributary's own. A fused processor replaces a connected chain of logical processors by one
 * processor that does their work without the hops between them. The logical nodes stay in the
 * `Topology` (so `describe()` prints the Kafka Streams-compatible text); `build()` executes the
 * fused processor in their place unless the pass is turned off (config `optimize: false`), and
 * `describe()` lists the fused processors after the logical text, under `Tributary plan:`.
 *
 * Wiring of a fused processor in the built topology:
 *
 * ```text
 *   parents of head ──▶ [ head ─▶ member ─▶ … ─▶ member ] ──▶ every child of a member that is not a member
 *                        └────── one processor, named like head ──────┘
 * ```
 *
 * It runs under the head's name (so a parent forwarding to the head by name still reaches it),
 * uses the stores of all members, and its children are the members' children outside the chain,
 * in member order. A fused processor forwards by child name wherever a member would have reached
 * only some of those children.
 */
import { TributaryError } from '../errors.js';
import type { AnyProcessorSupplier, NodeDef, ProcessorDef } from './topology.js';

/** A processor of the optimisation pass standing in for a chain of logical nodes (listed in `BuiltTopology.fused`). */
export interface FusedProcessorDef {
  /** What it does, for `describe()` (e.g. `windowed aggregation + final-results suppression`). */
  readonly description: string;
  /** The logical processors it replaces, head first; the head's parents feed it. */
  readonly replaces: readonly string[];
  readonly supplier: AnyProcessorSupplier;
}

/** Checks that `def.replaces` is a chain the built topology can swap for one processor (throws TOPOLOGY otherwise). */
export function checkFusion(nodes: ReadonlyMap<string, NodeDef>, def: FusedProcessorDef, taken: ReadonlySet<string>): void {
  const fail = (why: string): never => {
    throw new TributaryError(`Cannot fuse ${def.replaces.join(', ')}: ${why}`, { code: 'TOPOLOGY' });
  };
  if (def.replaces.length < 2) fail('a fused processor replaces at least two processors');
  const members = new Set(def.replaces);
  if (members.size !== def.replaces.length) fail('a processor is listed twice');
  for (const name of def.replaces) {
    const node = nodes.get(name);
    if (node === undefined || node.kind !== 'processor') fail(`${name} is not a processor`);
    if ((node as ProcessorDef).global) fail(`${name} updates a global store`);
    if (taken.has(name)) fail(`${name} is already fused`);
  }
  const head = nodes.get(def.replaces[0]!) as ProcessorDef;
  if (head.parents.some((p) => members.has(p))) fail(`the head ${head.name} is fed by a member`);
  for (const name of def.replaces.slice(1)) {
    const node = nodes.get(name) as ProcessorDef;
    const outside = node.parents.filter((p) => !members.has(p));
    if (outside.length > 0) fail(`${name} is fed from outside the chain (${outside.join(', ')})`);
  }
}

/** The children of the fused processor: children of members that are not members, in member order, once each. */
export function fusedChildren(nodes: ReadonlyMap<string, NodeDef>, def: FusedProcessorDef): string[] {
  const members = new Set(def.replaces);
  const out: string[] = [];
  for (const name of def.replaces) {
    for (const c of (nodes.get(name) as ProcessorDef).children) if (!members.has(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

/** `describe()`'s plan section: one entry per fused processor; empty without any. */
export function planText(fusions: readonly { readonly description: string; readonly replaces: readonly string[] }[]): string {
  if (fusions.length === 0) return '';
  const lines = ['Tributary plan:'];
  for (const f of fusions) {
    lines.push(`  Fused: ${f.replaces[0]!} (${f.description})`, `      replaces: ${f.replaces.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
