/**
 * A fused chain of record-by-record operators (filter, map, mapValues, selectKey, peek, the
 * null-key filter before a repartition, pass-through nodes): one processor that runs the steps in
 * order and forwards what the last one returns, instead of one processor and one forward per
 * operator. Pass-through members have no step at all. An error in a step is reported as coming
 * from that step's node, as it would be without fusion.
 */
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../topology/processor.js';
import { tagged } from '../../topology/node-failure.js';
import type { RecordStep } from './record-steps.js';

type AnyRecord = Record<unknown, unknown>;

export function fusedStepsSupplier(steps: readonly RecordStep[], names: readonly string[]): ProcessorSupplier<unknown, unknown, unknown, unknown> {
  if (steps.length === 0) return () => new NoStep();
  if (steps.length === 1) return () => new OneStep(steps[0]!, names[0]!);
  if (steps.length === 2) return () => new TwoSteps(steps[0]!, steps[1]!, names);
  return () => new Steps(steps, names);
}

/** Pass-through members only: forwards every record. */
class NoStep implements Processor<unknown, unknown, unknown, unknown> {
  private context!: ProcessorContext<unknown, unknown>;
  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context;
  }
  process(record: AnyRecord): void {
    this.context.forward(record);
  }
}

class OneStep implements Processor<unknown, unknown, unknown, unknown> {
  private context!: ProcessorContext<unknown, unknown>;
  constructor(
    private readonly step: RecordStep,
    private readonly name: string,
  ) {}
  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context;
  }
  process(record: AnyRecord): void {
    let r: AnyRecord | null;
    try {
      r = this.step(record);
    } catch (error) {
      throw tagged(error, this.name);
    }
    if (r !== null) this.context.forward(r);
  }
}

class TwoSteps implements Processor<unknown, unknown, unknown, unknown> {
  private context!: ProcessorContext<unknown, unknown>;
  constructor(
    private readonly first: RecordStep,
    private readonly second: RecordStep,
    private readonly names: readonly string[],
  ) {}
  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context;
  }
  process(record: AnyRecord): void {
    let r: AnyRecord | null;
    let at = 0;
    try {
      r = this.first(record);
      if (r === null) return;
      at = 1;
      r = this.second(r);
    } catch (error) {
      throw tagged(error, this.names[at]!);
    }
    if (r !== null) this.context.forward(r);
  }
}

class Steps implements Processor<unknown, unknown, unknown, unknown> {
  private context!: ProcessorContext<unknown, unknown>;
  constructor(
    private readonly steps: readonly RecordStep[],
    private readonly names: readonly string[],
  ) {}
  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context;
  }
  process(record: AnyRecord): void {
    const steps = this.steps;
    let r: AnyRecord | null = record;
    let i = 0;
    try {
      for (; i < steps.length; i++) {
        r = steps[i]!(r);
        if (r === null) return;
      }
    } catch (error) {
      throw tagged(error, this.names[i]!);
    }
    this.context.forward(r);
  }
}
