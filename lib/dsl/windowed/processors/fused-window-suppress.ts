/**
 * The fused processor of a time-window aggregation and its final-results suppression (planned by
 * the optimisation pass, lib/dsl/internal/optimize.ts; what it saves: window-closer.ts). It holds
 * both processors, initialises them in order — the aggregation, then the suppression — and then
 * hands the suppression's buffer to the aggregation as its working set. Records go to the
 * aggregation only; the suppression emits closed windows to its own children, and late records
 * go to the late-records sink as they would without fusion.
 */
import type { Windowed } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import type { Change } from '../../change.js';
import type { TimeWindows } from '../../windows/time-windows.js';
import type { SuppressProcessor } from './suppress.js';
import { TimeWindowAggregate, type WindowAggregateStep } from './time-window-aggregate.js';
import type { WindowOperatorOptions } from './window-aggregate-base.js';

export function fusedWindowSuppressSupplier<K, V, VA>(
  windows: TimeWindows,
  step: WindowAggregateStep<K, V, VA>,
  options: WindowOperatorOptions<K, V>,
  suppress: () => SuppressProcessor<Windowed<K>, VA>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => new FusedWindowSuppress(new TimeWindowAggregate(windows, step, options), suppress());
}

class FusedWindowSuppress<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  constructor(
    private readonly aggregate: TimeWindowAggregate<K, V, VA>,
    private readonly suppress: SuppressProcessor<Windowed<K>, VA>,
  ) {}

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.aggregate.init(context);
    this.suppress.init(context);
    this.aggregate.fuse(this.suppress.workingSet());
  }

  process(record: Record<K, V>): void {
    this.aggregate.process(record);
  }
}
