/**
 * Counts a record a join discarded (null key, null value, late) in the task's `dropped` metric.
 * `recordDropped` is a tributary extension of the processor context; contexts without it (a
 * hand-written test context) simply do not count.
 */
import type { ProcessorContext } from '../../../topology/processor.js';

interface DropCounting {
  recordDropped?(): void;
}

export function countDropped(context: ProcessorContext<unknown, unknown>): void {
  (context as unknown as DropCounting).recordDropped?.();
}

export function isNullish(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
