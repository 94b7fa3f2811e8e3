/**
 * Reference model of session windows over on-time input: per key, sort the timestamps; a new
 * session starts wherever the next record is more than `gap` after the previous one. A session
 * is `[first, last]`, its result folds its records, its timestamp is its end.
 */
import { eventsByKey, type ModelEvent, type WindowResult } from './time-windows.js';

export function sessionWindowModel<K, V, A>(
  events: readonly ModelEvent<K, V>[],
  inactivityGapMs: number,
  fold: (aggregate: A | undefined, value: V, key: K) => A,
  keyId: (key: K) => string = (k) => JSON.stringify(k),
): WindowResult<K, A>[] {
  const out: WindowResult<K, A>[] = [];
  for (const ofKey of eventsByKey(events, keyId)) {
    const list = ofKey.sort((a, b) => a.timestamp - b.timestamp);
    let session: ModelEvent<K, V>[] = [];
    const close = (): void => {
      if (session.length === 0) return;
      let value: A | undefined;
      for (const e of session) value = fold(value, e.value, e.key);
      const start = session[0]!.timestamp;
      const end = session[session.length - 1]!.timestamp;
      out.push({ key: session[0]!.key, start, end, value: value as A, timestamp: end });
      session = [];
    };
    for (const e of list) {
      if (session.length > 0 && e.timestamp - session[session.length - 1]!.timestamp > inactivityGapMs) close();
      session.push(e);
    }
    close();
  }
  return out;
}
