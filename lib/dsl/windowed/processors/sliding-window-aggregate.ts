/**
 * Sliding window aggregation (`windowedBy(SlidingWindows)`): windows `[end - d, end]` with both
 * bounds inclusive, created by the records themselves. A record at `t`:
 *
 * - updates every existing window containing `t` (ends in `[t, t + d]`);
 * - creates its left window `[t - d, t]` if missing, from the aggregate of the records in
 *   `[t - d, t)` — the latest-ending window with end in `[t - d, t)` whose max record time is
 *   `>= t - d` holds exactly those records;
 * - creates the right window `[p + 1, p + 1 + d]` of the previous record `p` when `t` falls in it
 *   and it is missing (then `t` is its only record);
 * - creates its own right window `[t + 1, t + 1 + d]` only if non-empty: its records are those of
 *   the latest-starting window with start in `(t - d, t]`, when that window's max time is `> t`.
 *
 * No window starts before 0 (Kafka Streams' "early records", `processEarly`): a record at `t < d`
 * has no left window of its own; it goes into `[0, d]`, which holds every record in `[0, d]`
 * (created by the first of them, timestamp = its max record time), and updates the windows
 * starting in `(0, t]`; its right window and its predecessor's are made as above.
 *
 * Ends are inclusive, so a window accepts `t` while `windowEnd >= eventTime - grace`; a record is
 * late (dropped whole, as in Kafka Streams) when even `[t, t + d]` would be closed:
 * `t + d < eventTime - grace`. The store keeps windows by END (window size 0 in the store).
 */
import type { ValueAndTimestamp, WindowStore, Windowed } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { hasNullValue } from '../../../topology/record.js';
import type { Change } from '../../change.js';
import type { SlidingWindows } from '../../windows/sliding-windows.js';
import type { EventTimeTracker } from '../../../time/event-time-tracker.js';
import type { LateRecordRouter, WindowSpan } from '../late-records.js';
import type { WindowAggregateStep } from './time-window-aggregate.js';
import { initWindowOperator, type WindowOperatorOptions } from './window-aggregate-base.js';
import { WindowedForwarder } from './windowed-forwarder.js';
import { readsValue } from '../../processors/value-blind.js';

export function slidingWindowAggregateSupplier<K, V, VA>(
  windows: SlidingWindows,
  step: WindowAggregateStep<K, V, VA>,
  options: WindowOperatorOptions<K, V>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => new SlidingWindowAggregate(windows.timeDifferenceMs, windows.graceMs, step, options);
}

class SlidingWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private store!: WindowStore<K, ValueAndTimestamp<VA>>;
  private forwarder!: WindowedForwarder<K, VA>;
  private tracker!: EventTimeTracker;
  private late!: LateRecordRouter<K, V>;
  /** False for count: the value is never read (a lazily decoded value stays undecoded). */
  private readonly readsValue: boolean;

  constructor(
    private readonly d: number,
    private readonly grace: number,
    private readonly step: WindowAggregateStep<K, V, VA>,
    private readonly options: WindowOperatorOptions<K, V>,
  ) {
    this.readsValue = readsValue(step);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>> & object>(this.options.storeName);
    ({ tracker: this.tracker, late: this.late } = initWindowOperator(context as ProcessorContext<unknown, unknown>, this.options));
    const d = this.d;
    this.forwarder = new WindowedForwarder(this.store, context, this.options.flags.sendOldValues, this.options.emitChild, (w) => ({
      key: w.key,
      window: { start: w.window.start - d, end: w.window.start },
    }));
  }

  private write(key: K, end: number, value: VA, timestamp: number, old: VA | null): void {
    this.store.put(key, { value, timestamp }, end);
    this.forwarder.maybeForward({ key, window: { start: end - this.d, end } }, value, old, timestamp);
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key === null || key === undefined || hasNullValue(record)) {
      this.late.skipped();
      return;
    }
    const t = record.timestamp;
    const d = this.d;
    this.tracker.observe(t);
    const time = this.tracker.time();
    const closeTime = time - this.grace;
    if (t + d < closeTime) {
      this.late.late(record, [{ start: Math.max(0, t - d), end: Math.max(t, d) }], time);
      return;
    }
    if (t < d) {
      this.processEarly(key, record, t, time, closeTime);
      return;
    }
    const existing = this.store.fetchRange(key, Math.max(0, t - d - 1), t + d + 1);
    let leftExists = false;
    let rightExists = false;
    let leftAgg: ValueAndTimestamp<VA> | undefined;
    let leftAggEnd = Number.NEGATIVE_INFINITY;
    let previous = -1;
    let right: ValueAndTimestamp<VA> | undefined;
    let rightEnd = Number.NEGATIVE_INFINITY;
    const ends = new Set<number>();
    for (const { key: end, value: vt } of existing) {
      ends.add(end);
      if (end === t) leftExists = true;
      else if (end === t + 1 + d) rightExists = true;
      if (end < t) {
        if (end >= t - d && vt.timestamp >= t - d && end > leftAggEnd) {
          leftAgg = vt;
          leftAggEnd = end;
        }
        // Kafka Streams looks at windows starting at or after t - 2d only (ending at or after t - d).
        if (end >= t - d && vt.timestamp > previous) previous = vt.timestamp;
      } else if (end === t) {
        // t's left window exists already ([0, d] of early records, or a right window): its max, when before t, is t's predecessor.
        if (vt.timestamp < t && vt.timestamp > previous) previous = vt.timestamp;
      } else if (end > t && end <= t + d && end > rightEnd) {
        right = vt;
        rightEnd = end;
      }
    }
    let missed: WindowSpan[] | null = null;
    // Existing windows containing t.
    for (const { key: end, value: vt } of existing) {
      if (end < t || end > t + d) continue;
      if (end < closeTime) {
        (missed ??= []).push({ start: end - d, end });
        continue;
      }
      this.write(key, end, this.step(key, this.readsValue ? record.value : (undefined as V), vt.value), Math.max(t, vt.timestamp), vt.value);
    }
    if (!leftExists) {
      if (t < closeTime) (missed ??= []).push({ start: t - d, end: t });
      else this.write(key, t, this.step(key, this.readsValue ? record.value : (undefined as V), leftAgg?.value), t, null);
    }
    if (previous >= 0 && previous + 1 + d >= t) {
      const end = previous + 1 + d;
      // When it is t's own (new) left window, Kafka Streams creates it twice (as the predecessor's
      // right window, then as t's left window): the same value, forwarded twice. So here.
      if (!ends.has(end)) {
        if (end < closeTime) {
          if (end !== t) (missed ??= []).push({ start: end - d, end });
        } else this.write(key, end, this.step(key, this.readsValue ? record.value : (undefined as V), undefined), t, null);
      }
    }
    if (!rightExists && right !== undefined && right.timestamp > t) {
      this.write(key, t + 1 + d, right.value, right.timestamp, null);
    }
    if (missed !== null) this.reportMissed(record, missed, time);
  }

  /** A record at `0 <= t < d`: see the module doc. */
  private processEarly(key: K, record: Record<K, V>, t: number, time: number, closeTime: number): void {
    const d = this.d;
    const value = this.readsValue ? record.value : (undefined as V);
    let combined: ValueAndTimestamp<VA> | undefined;
    let right: ValueAndTimestamp<VA> | undefined;
    let rightExists = false;
    const ends = new Set<number>();
    let missed: WindowSpan[] | null = null;
    for (const { key: end, value: vt } of this.store.fetchRange(key, d, t + 1 + d)) {
      ends.add(end);
      if (end === d) combined = vt;
      else if (end === t + 1 + d) rightExists = true;
      else {
        // Starts in (0, t]: the window contains t. The latest-starting one holds t's right window's records.
        right = vt;
        if (end < closeTime) (missed ??= []).push({ start: end - d, end });
        else this.write(key, end, this.step(key, value, vt.value), Math.max(t, vt.timestamp), vt.value);
      }
    }
    // No window starts in (0, t]: the records after t are those of [0, d] (all of them, if any is after t).
    if (right === undefined && combined !== undefined && combined.timestamp > t) right = combined;
    if (!rightExists && right !== undefined && right.timestamp > t) this.write(key, t + 1 + d, right.value, right.timestamp, null);
    // The latest record before t is [0, d]'s max when that is before t; its right window now holds t.
    if (combined !== undefined && combined.timestamp < t && !ends.has(combined.timestamp + 1 + d)) {
      const end = combined.timestamp + 1 + d;
      if (end < closeTime) (missed ??= []).push({ start: end - d, end });
      else this.write(key, end, this.step(key, value, undefined), t, null);
    }
    if (d < closeTime) (missed ??= []).push({ start: 0, end: d });
    else this.write(key, d, this.step(key, value, combined?.value), Math.max(t, combined?.timestamp ?? t), combined?.value ?? null);
    if (missed !== null) this.reportMissed(record, missed, time);
  }

  private reportMissed(record: Record<K, V>, missed: WindowSpan[], time: number): void {
    missed.sort((a, b) => a.start - b.start);
    this.late.late(record, missed, time);
  }
}
