/**
 * Tumbling/hopping window aggregation (`windowedBy(TimeWindows).count/reduce/aggregate`):
 * stateful, one timestamped window store. For a record at `ts` and each window containing it,
 * the window is updated while `windowEnd + grace > eventTime` and skipped otherwise (a hopping
 * record may miss old windows and still join new ones; it is counted and routed as late once).
 * Updates carry timestamp = max(record ts, previous aggregate ts) and go out as
 * `Change(new, old)` — through the record cache (compacted per window until commit) or at once.
 */
import type { ValueAndTimestamp, WindowStore, Windowed } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import type { Change } from '../../change.js';
import type { TimeWindows } from '../../windows/time-windows.js';
import type { EventTimeTracker } from '../../../time/event-time-tracker.js';
import type { LateRecordRouter, WindowSpan } from '../late-records.js';
import { initWindowOperator, type WindowOperatorOptions } from './window-aggregate-base.js';
import { WindowedForwarder } from './windowed-forwarder.js';
import { readsValue } from '../../processors/value-blind.js';
import type { WindowCloser } from '../window-closer.js';

/** `previous` undefined = the window has no aggregate yet. */
export type WindowAggregateStep<K, V, VA> = (key: K, value: V, previous: VA | undefined) => VA;

export function timeWindowAggregateSupplier<K, V, VA>(
  windows: TimeWindows,
  step: WindowAggregateStep<K, V, VA>,
  options: WindowOperatorOptions<K, V>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => new TimeWindowAggregate(windows, step, options);
}

export class TimeWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private store!: WindowStore<K, ValueAndTimestamp<VA>>;
  private forwarder!: WindowedForwarder<K, VA>;
  private tracker!: EventTimeTracker;
  private late!: LateRecordRouter<K, V>;
  /** The fused final-results suppression fed directly (see window-closer.ts); null = forward updates. */
  private closer: WindowCloser<K, VA> | null = null;
  private readonly size: number;
  private readonly advance: number;
  private readonly grace: number;
  /** False for count: the value is never read (a lazily decoded value stays undecoded). */
  private readonly readsValue: boolean;

  constructor(
    windows: TimeWindows,
    private readonly step: WindowAggregateStep<K, V, VA>,
    private readonly options: WindowOperatorOptions<K, V>,
  ) {
    this.size = windows.sizeMs;
    this.advance = windows.advanceMs;
    this.grace = windows.graceMs;
    this.readsValue = readsValue(step);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>> & object>(this.options.storeName);
    ({ tracker: this.tracker, late: this.late } = initWindowOperator(context as ProcessorContext<unknown, unknown>, this.store, this.options));
    this.forwarder = new WindowedForwarder(this.store, context, this.options.flags.sendOldValues, this.options.emitChild);
  }

  /**
   * Feeds `closer` (a fused final-results suppression's working set) instead of the store and the
   * children: called once, after `init`, by the fused processor that holds both.
   */
  fuse(closer: WindowCloser<K, VA>): void {
    this.closer = closer;
    this.forwarder.mute();
  }

  process(record: Record<K, V>): void {
    const closer = this.closer;
    const key = record.key;
    // As Kafka Streams 3.9: only a null key is skipped; a null value goes to the aggregator (count counts it).
    if (key === null || key === undefined) {
      this.late.skipped();
      return;
    }
    const ts = record.timestamp;
    this.tracker.observe(ts);
    const time = this.tracker.time();
    const closeTime = time - this.grace;
    const size = this.size;
    let missed: WindowSpan[] | null = null;
    const first = Math.floor(Math.max(0, ts - size + this.advance) / this.advance) * this.advance;
    for (let start = first; start <= ts; start += this.advance) {
      const end = start + size;
      if (end <= closeTime || (closer !== null && closer.closed(end))) {
        (missed ??= []).push({ start, end });
        continue;
      }
      if (closer !== null) {
        // Fused: the suppression's buffer is the working set; it writes the store at commit.
        const known = closer.find(key, start, end);
        const aggregate = this.step(key, this.readsValue ? record.value : (undefined as V), known?.value);
        closer.update(key, start, end, aggregate, known === undefined || known.value === null ? ts : Math.max(ts, known.timestamp), known);
        continue;
      }
      const previous = this.store.fetch(key, start);
      const aggregate = this.step(key, this.readsValue ? record.value : (undefined as V), previous?.value);
      const timestamp = previous === undefined ? ts : Math.max(ts, previous.timestamp);
      // A null aggregate (reduce of a null first value) deletes the window, as in Kafka Streams.
      this.store.put(key, aggregate === null ? null : { value: aggregate, timestamp }, start);
      this.forwarder.maybeForward({ key, window: { start, end } }, aggregate, previous?.value ?? null, timestamp);
    }
    if (missed !== null) this.late.late(record, missed, time);
    if (closer !== null) closer.advance();
  }
}
