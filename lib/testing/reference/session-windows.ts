/**
 * Reference model of session windows, in arrival order (Kafka Streams semantics): per key, a
 * record at `t` merges every open session with `end >= t - gap` and `start <= t + gap` into one
 * `[min start, max end]` together with `t`. A session is open while `end > T - grace - gap`, `T`
 * the max timestamp before the record: a session may still be extended by a record up to `gap`
 * after its end, so it closes `gap + grace` after it. A record whose merged session would end
 * before `time - grace - gap` (`time` = the clock after the arrival, default stream time) is late
 * and changes nothing (one ending exactly there is kept: a session closed at once). A session's result
 * folds its records in timestamp order (arrival order among equal timestamps); its timestamp is
 * its end. With a number for `spec` (the gap) nothing is ever late or closed (infinite grace).
 */
import { streamTimes, type ModelEvent, type WindowResult } from './time-windows.js';

/** Session windows of the model: the inactivity gap and (optional) grace. */
export interface SessionWindowSpec {
  readonly inactivityGapMs: number;
  /** Default: infinite (nothing closes). */
  readonly graceMs?: number;
}

/** What `sessionWindowRun` returns: final sessions and the late events. */
export interface SessionWindowModel<K, A> {
  /** Final sessions, by key (ascending id) then start. */
  readonly windows: WindowResult<K, A>[];
  /** Indexes (arrival order) of late events. */
  readonly late: number[];
}

interface Session<K, V> {
  start: number;
  end: number;
  events: Array<{ e: ModelEvent<K, V>; i: number }>;
}

/** Runs the model and also reports late events; `times[i]` = the clock after the i-th arrival. */
export function sessionWindowRun<K, V, A>(
  events: readonly ModelEvent<K, V>[],
  spec: number | SessionWindowSpec,
  fold: (aggregate: A | undefined, value: V, key: K) => A,
  keyId: (key: K) => string = (k) => JSON.stringify(k),
  times: readonly number[] = streamTimes(events),
): SessionWindowModel<K, A> {
  const gap = typeof spec === 'number' ? spec : spec.inactivityGapMs;
  const grace = typeof spec === 'number' ? Number.POSITIVE_INFINITY : (spec.graceMs ?? Number.POSITIVE_INFINITY);
  const sessions = new Map<string, Session<K, V>[]>();
  const late: number[] = [];
  let maxBefore = -1;
  events.forEach((e, i) => {
    const id = keyId(e.key);
    const list = sessions.get(id) ?? [];
    const closeTime = times[i]! - grace - gap;
    const t = e.timestamp;
    // Sessions ending at or before (max timestamp before this record) - grace - gap are closed.
    const visibleFrom = maxBefore - grace - gap + 1;
    maxBefore = Math.max(maxBefore, t);
    const merging = list.filter((s) => s.end >= visibleFrom && s.end >= t - gap && s.start <= t + gap);
    const start = Math.min(t, ...merging.map((s) => s.start));
    const end = Math.max(t, ...merging.map((s) => s.end));
    if (end < closeTime) {
      late.push(i);
      return;
    }
    const merged: Session<K, V> = { start, end, events: [...merging.flatMap((s) => s.events), { e, i }] };
    sessions.set(id, [...list.filter((s) => !merging.includes(s)), merged]);
  });
  const windows: WindowResult<K, A>[] = [];
  for (const id of [...sessions.keys()].sort()) {
    for (const s of sessions.get(id)!.sort((a, b) => a.start - b.start)) {
      let value: A | undefined;
      for (const { e } of [...s.events].sort((a, b) => a.e.timestamp - b.e.timestamp || a.i - b.i)) value = fold(value, e.value, e.key);
      windows.push({ key: s.events[0]!.e.key, start: s.start, end: s.end, value: value as A, timestamp: s.end });
    }
  }
  return { windows, late };
}

/**
 * Final sessions by key then start. `spec`: the inactivity gap (nothing closes), or gap and grace
 * (a session closes gap + grace after its end; records for closed sessions are late).
 */
export function sessionWindowModel<K, V, A>(
  events: readonly ModelEvent<K, V>[],
  spec: number | SessionWindowSpec,
  fold: (aggregate: A | undefined, value: V, key: K) => A,
  keyId: (key: K) => string = (k) => JSON.stringify(k),
  times?: readonly number[],
): WindowResult<K, A>[] {
  return sessionWindowRun(events, spec, fold, keyId, times).windows;
}
