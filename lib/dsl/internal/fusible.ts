/**
 * What a logical graph node tells the optimisation pass (optimize.ts) about the processor it
 * writes, so the pass can fuse it with its neighbours: typed metadata on the node, never a guess
 * at run time. A node without it is never fused.
 */
import type { AnyProcessorSupplier } from '../../topology/topology.js';
import type { RecordStep } from '../processors/record-steps.js';
import type { Windowed } from '../../state/types.js';
import type { SuppressProcessor } from '../windowed/processors/suppress.js';

export type Fusible = RecordStepFusible | WindowAggregateFusible | FinalResultsSuppressFusible;

/** A record-by-record operator (filter, map, mapValues, selectKey, peek, …) or a pass-through (`step` null). */
export interface RecordStepFusible {
  readonly kind: 'record-step';
  /** The operator, for `describe()` (`filter`, `mapValues`, `pass-through`, …). */
  readonly operator: string;
  readonly step: RecordStep | null;
}

/** What a pass-through node (merge, branch child, a windowed aggregation's emit child) is. */
export const PASS_THROUGH: RecordStepFusible = { kind: 'record-step', operator: 'pass-through', step: null };

/** A time-window aggregation that can take a final-results suppression's buffer as its working set. */
export interface WindowAggregateFusible {
  readonly kind: 'window-aggregate';
  /** Its pass-through update child when late records go to a topic (that sink is its other child); null without one. */
  readonly emitChild: string | null;
  /**
   * The fused processor of this aggregation and `suppress`; `emitTo` = the suppression's children
   * (it forwards to them by name) when the fused processor has other children, else null.
   */
  fuse(suppress: FinalResultsSuppressFusible, emitTo: readonly string[] | null): AnyProcessorSupplier;
}

/** A `suppress(untilWindowCloses)` of time windows whose buffer can be its aggregation's working set (see `fusesWithTimeWindows`). */
export interface FinalResultsSuppressFusible {
  readonly kind: 'final-results-suppress';
  /** The aggregation's processor name (the suppression must be fed by it, or by its emit pass-through). */
  readonly aggregation: string;
  /** The processor (unfused code), emitting to `emitTo` children by name when not null. */
  create(emitTo: readonly string[] | null): SuppressProcessor<Windowed<unknown>, unknown>;
}
