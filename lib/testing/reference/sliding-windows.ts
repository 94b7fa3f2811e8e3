/**
 * Reference model of sliding windows over on-time input (Kafka Streams semantics): for each key,
 * the windows are the left window of every record — `[t - d, t]`, or `[0, d]` for a record at
 * `t < d` (no window starts before the epoch: Kafka Streams' "early records") — and the right
 * window `[t + 1, t + 1 + d]` of every record whose right window holds at least one record; each
 * window's result folds the records in it (both bounds inclusive), timestamp = max record
 * timestamp in it. Distinct windows only. Events with a null value are skipped (Kafka Streams'
 * sliding aggregation drops them, and they do not move its stream time).
 */
import { eventsByKey, type ModelEvent, type WindowResult } from './time-windows.js';

/** The reference model of a sliding-window aggregation, for property tests against the runtime. */
export function slidingWindowModel<K, V, A>(
  events: readonly ModelEvent<K, V>[],
  timeDifferenceMs: number,
  fold: (aggregate: A | undefined, value: V, key: K) => A,
  keyId: (key: K) => string = (k) => JSON.stringify(k),
): WindowResult<K, A>[] {
  const d = timeDifferenceMs;
  const out: WindowResult<K, A>[] = [];
  const kept = events.filter((e) => e.value !== null);
  for (const list of eventsByKey(kept, keyId)) {
    const ends = new Set<number>();
    for (const e of list) {
      ends.add(Math.max(e.timestamp, d));
      if (list.some((o) => o.timestamp > e.timestamp && o.timestamp <= e.timestamp + 1 + d)) ends.add(e.timestamp + 1 + d);
    }
    for (const end of [...ends].sort((a, b) => a - b)) {
      const inside = list.filter((e) => e.timestamp >= end - d && e.timestamp <= end);
      let value: A | undefined;
      for (const e of inside) value = fold(value, e.value, e.key);
      out.push({ key: list[0]!.key, start: end - d, end, value: value as A, timestamp: Math.max(...inside.map((e) => e.timestamp)) });
    }
  }
  return out;
}
