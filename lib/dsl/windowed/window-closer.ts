/**
 * A final-results suppression fed by its time-window aggregation directly (fused): when
 * `suppress(untilWindowCloses)` is the only consumer of a time-window aggregation's updates, the
 * aggregation hands each window update to the suppression's buffer as it computes it, and asks it
 * to emit the windows its clock closed — instead of forwarding every update as a record through
 * the record cache's flush. Results are the same (each window once, when
 * `windowEnd + grace <= streamTime`, with its final aggregate and timestamp); what is saved is a
 * record, a decoded windowed key and a forward per update.
 *
 * The suppression registers itself by the aggregation's store (at init, after the aggregation's
 * init); the aggregation looks it up before its first record and uses it only when the
 * suppression is its only child receiving updates.
 */
export interface WindowCloser<K, V> {
  /** The suppression's processor name (the child the aggregation would forward to). */
  readonly processorName: string;
  /** The window `[start, end)` of `key` now holds `value` (timestamp = the aggregate's). */
  update(key: K, start: number, end: number, value: V, timestamp: number): void;
  /** Emits every buffered window that the aggregation's clock has closed. */
  advance(): void;
}

const byStore = new WeakMap<object, WindowCloser<unknown, unknown>>();

export function registerWindowCloser(store: object, closer: WindowCloser<unknown, unknown>): void {
  byStore.set(store, closer);
}

export function windowCloserOf<K, V>(store: object): WindowCloser<K, V> | undefined {
  return byStore.get(store) as WindowCloser<K, V> | undefined;
}
