/**
 * The optimisation pass: runs when a `StreamsBuilder` builds its topology, after the logical
 * nodes are written, and plans fused processors (`Topology.fuse`, see lib/topology/fusion.ts)
 * from what the nodes declare (fusible.ts). The logical topology is left as written — `describe()`
 * prints it as Kafka Streams would, then the plan — and the runtime executes the fused processors
 * unless the config says `optimize: false`. Rules, in this order (a node is fused at most once):
 *
 * 1. A time-window aggregation whose only update consumer is a final-results suppression (fed
 *    directly, or through the aggregation's emit pass-through when late records go to a topic):
 *    one processor, the suppression's buffer as the aggregation's working set (window-closer.ts).
 * 2. A chain of record-by-record operators — filter, map, mapValues, selectKey (key-only
 *    selectors and predicates keep a lazily decoded value undecoded), peek/foreach, the null-key
 *    filter before a repartition, pass-through nodes — where each hands on to the next only and
 *    the next is fed by it only: one processor running the steps in order.
 */
import type { ProcessorDef, Topology } from '../../topology/topology.js';
import { fusedStepsSupplier } from '../processors/fused-steps.js';
import type { RecordStep } from '../processors/record-steps.js';
import type { Fusible, FinalResultsSuppressFusible, RecordStepFusible } from './fusible.js';
import type { GraphNode } from './graph-node.js';

export function planFusions(topology: Topology, nodes: readonly GraphNode[]): void {
  const fusibles = new Map<string, Fusible>();
  for (const node of nodes) for (const [name, f] of node.fusibles?.() ?? []) fusibles.set(name, f);
  const taken = new Set<string>();
  const processor = (name: string): ProcessorDef | undefined => {
    const def = topology.nodes.get(name);
    return def?.kind === 'processor' && !def.global ? def : undefined;
  };
  const fuse = (description: string, replaces: string[], supplier: Parameters<Topology['fuse']>[0]['supplier']): void => {
    topology.fuse({ description, replaces, supplier });
    for (const r of replaces) taken.add(r);
  };

  // 1. Windowed aggregation + final-results suppression.
  for (const [name, f] of fusibles) {
    if (f.kind !== 'window-aggregate') continue;
    const agg = processor(name);
    if (agg === undefined) continue;
    let feeder = agg;
    const chain = [name];
    if (f.emitChild !== null) {
      const emit = processor(f.emitChild);
      if (emit === undefined || emit.parents.length !== 1) continue;
      feeder = emit;
      chain.push(emit.name);
    } else if (agg.children.length !== 1) continue;
    if (feeder.children.length !== 1) continue;
    const suppressName = feeder.children[0]!;
    const s = fusibles.get(suppressName);
    const suppress = processor(suppressName);
    if (s?.kind !== 'final-results-suppress' || s.aggregation !== name || suppress === undefined || suppress.parents.length !== 1) continue;
    chain.push(suppressName);
    // Other children of the fused processor (the late-records sink): the suppression then emits to its own by name.
    const others = agg.children.filter((c) => !chain.includes(c));
    fuse(
      'windowed aggregation + final-results suppression',
      chain,
      f.fuse(s as FinalResultsSuppressFusible, others.length > 0 ? [...suppress.children] : null),
    );
  }

  // 2. Chains of record-by-record operators.
  const stepOf = (name: string): RecordStepFusible | undefined => {
    const f = fusibles.get(name);
    return f?.kind === 'record-step' && !taken.has(name) && processor(name) !== undefined ? f : undefined;
  };
  const next = (def: ProcessorDef): ProcessorDef | undefined => {
    if (def.children.length !== 1) return undefined;
    const child = processor(def.children[0]!);
    return child !== undefined && child.parents.length === 1 && stepOf(child.name) !== undefined ? child : undefined;
  };
  for (const name of fusibles.keys()) {
    if (stepOf(name) === undefined) continue;
    const head = processor(name)!;
    // Not a head when its only parent would hand on to it in a chain.
    const parent = head.parents.length === 1 ? processor(head.parents[0]!) : undefined;
    if (parent !== undefined && stepOf(parent.name) !== undefined && next(parent) === head) continue;
    const chain = [head];
    for (let n = next(head); n !== undefined; n = next(n)) chain.push(n);
    if (chain.length < 2) continue;
    const steps: RecordStep[] = [];
    const stepNames: string[] = [];
    for (const def of chain) {
      const f = stepOf(def.name)!;
      if (f.step === null) continue;
      steps.push(f.step);
      stepNames.push(def.name);
    }
    const operators = chain.map((d) => stepOf(d.name)!.operator);
    fuse(
      `record-by-record: ${operators.join(' ▶ ')}`,
      chain.map((d) => d.name),
      fusedStepsSupplier(steps, stepNames),
    );
  }
}
