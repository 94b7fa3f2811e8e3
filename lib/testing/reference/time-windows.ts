/**
 * Reference model of tumbling/hopping windows: plain functions over the whole input in arrival
 * order, no streaming machinery, no stores. Used by the property tests (and by users through
 * `checkTopologyAgainstModel`) as the definition the operators must match:
 *
 * - windows of `ts`: starts `floor(max(0, ts - size + advance) / advance) * advance`, then every
 *   `advance` while `start <= ts`; a window is `[start, start + size)`;
 * - event time at the i-th arrival = the clock (`streamTimes` or `watermarkTimes`);
 * - (event, window) is accepted iff `windowEnd + grace > time`; an event late for any window is late;
 * - a window's result = fold of its accepted events, timestamp = max accepted event timestamp.
 */
export interface ModelEvent<K = string, V = number> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  /** Input partition (watermark mode); default 0. */
  readonly partition?: number;
}

/** One result of a windowed reference model: key, window start and end, and the aggregate. */
export interface WindowResult<K, A> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
  readonly value: A;
  readonly timestamp: number;
}

/** A time-window definition for the reference models: size, advance and grace (ms). */
export interface TimeWindowSpec {
  readonly sizeMs: number;
  readonly advanceMs?: number;
  readonly graceMs: number;
}

/** Start times of every time window (size, advance) containing `ts`, as the reference models compute them. */
export function windowStarts(ts: number, sizeMs: number, advanceMs: number = sizeMs): number[] {
  const out: number[] = [];
  for (let s = Math.floor(Math.max(0, ts - sizeMs + advanceMs) / advanceMs) * advanceMs; s <= ts; s += advanceMs) out.push(s);
  return out;
}

/** Stream time after each arrival: the running max timestamp. */
export function streamTimes(events: readonly { readonly timestamp: number }[]): number[] {
  let t = -1;
  return events.map((e) => (t = Math.max(t, e.timestamp)));
}

/**
 * Watermark-mode clock after each arrival (no idleness): min over `partitions` of each
 * partition's max timestamp so far (-1 for a partition with nothing yet), never decreasing.
 */
export function watermarkTimes(events: readonly { readonly timestamp: number; readonly partition?: number }[], partitions: readonly number[]): number[] {
  const max = new Map<number, number>(partitions.map((p) => [p, -1]));
  let t = -1;
  return events.map((e) => {
    const p = e.partition ?? 0;
    max.set(p, Math.max(max.get(p) ?? -1, e.timestamp));
    t = Math.max(t, Math.min(...max.values()));
    return t;
  });
}

/** The events of each key (by `keyId`, in arrival order), keys in ascending id order. */
export function eventsByKey<K, V>(events: readonly ModelEvent<K, V>[], keyId: (key: K) => string): Array<ModelEvent<K, V>[]> {
  const byKey = new Map<string, ModelEvent<K, V>[]>();
  for (const e of events) {
    const id = keyId(e.key);
    const list = byKey.get(id);
    if (list === undefined) byKey.set(id, [e]);
    else list.push(e);
  }
  return [...byKey.keys()].sort().map((id) => byKey.get(id)!);
}

/** The reference model of a time-windowed aggregation: final results per window and what was dropped as late. */
export interface TimeWindowModel<K, A> {
  /** Final result per window, sorted by key then start. */
  readonly windows: WindowResult<K, A>[];
  /** Indexes (arrival order) of events late for at least one window. */
  readonly late: number[];
}

/**
 * Runs the model. `times[i]` is the clock after the i-th arrival (default: stream time);
 * `fold(aggregate | undefined, value)` adds one event.
 */
export function timeWindowModel<K, V, A>(
  events: readonly ModelEvent<K, V>[],
  spec: TimeWindowSpec,
  fold: (aggregate: A | undefined, value: V, key: K) => A,
  times: readonly number[] = streamTimes(events),
  keyId: (key: K) => string = (k) => JSON.stringify(k),
): TimeWindowModel<K, A> {
  const advance = spec.advanceMs ?? spec.sizeMs;
  const out = new Map<string, { key: K; start: number; value: A; timestamp: number }>();
  const late: number[] = [];
  events.forEach((e, i) => {
    let isLate = false;
    for (const start of windowStarts(e.timestamp, spec.sizeMs, advance)) {
      if (start + spec.sizeMs + spec.graceMs <= times[i]!) {
        isLate = true;
        continue;
      }
      const id = `${keyId(e.key)}@${start}`;
      const prev = out.get(id);
      out.set(id, { key: e.key, start, value: fold(prev?.value, e.value, e.key), timestamp: Math.max(prev?.timestamp ?? -1, e.timestamp) });
    }
    if (isLate) late.push(i);
  });
  const windows = [...out.values()]
    .map((w) => ({ key: w.key, start: w.start, end: w.start + spec.sizeMs, value: w.value, timestamp: w.timestamp }))
    .sort((a, b) => (keyId(a.key) < keyId(b.key) ? -1 : keyId(a.key) > keyId(b.key) ? 1 : a.start - b.start));
  return { windows, late };
}
