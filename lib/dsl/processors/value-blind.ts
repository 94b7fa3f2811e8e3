/**
 * Aggregation steps that never look at the record's value (count). An aggregate processor asks
 * once, at construction, and then passes `undefined` instead of reading `record.value`, so a
 * lazily decoded value stays undecoded (as for any operator that does not read it; see
 * `runtime-node.ts`). Null values are still skipped first, with `hasNullValue`, which does not
 * decode either. The step says so itself, with a typed property.
 */
export interface ValueBlind {
  /** The step ignores its value argument. */
  readonly ignoresValue: true;
}

/** Marks `step` as ignoring its value argument; returns it. */
export function ignoringValue<F extends (...args: never[]) => unknown>(step: F): F & ValueBlind {
  return Object.assign(step, { ignoresValue: true as const });
}

/** True unless `step` was marked with `ignoringValue`. */
export function readsValue(step: object): boolean {
  return !('ignoresValue' in step && step.ignoresValue === true);
}
