/**
 * Aggregation steps that never look at the record's value (count). An aggregate processor asks
 * once, at construction, and then passes `undefined` instead of reading `record.value`, so a
 * lazily decoded value stays undecoded (as for any operator that does not read it; see
 * `runtime-node.ts`). Null values are still skipped first, with `hasNullValue`, which does not
 * decode either.
 */
const blind = new WeakSet<object>();

/** Marks `step` as ignoring its value argument; returns it. */
export function ignoringValue<F extends (...args: never[]) => unknown>(step: F): F {
  blind.add(step);
  return step;
}

/** True unless `step` was marked with `ignoringValue`. */
export function readsValue(step: object): boolean {
  return !blind.has(step);
}
