/**
 * Session window aggregation (`windowedBy(SessionWindows)`): stateful, one session store. A
 * record at `t` merges every session of its key with `end >= t - gap` and `start <= t + gap`
 * (their aggregates combined by the merger, then the record added by the aggregator) into one
 * session spanning them all and `t`. A session closes `inactivityGap + grace` after its end (as
 * in Kafka Streams: until then a record may still extend it): with
 * `closeTime = eventTime - grace - inactivityGap`, a record whose merged session would end before
 * it is late and changes nothing, and sessions ending at or before it are not merged any more
 * (exactly as in Kafka Streams, where the store hides them: counted from the stream time before
 * the record, so a record that moves stream time may still extend a session ending at closeTime).
 * A record whose own new session ends exactly at closeTime is kept, closed at once. Otherwise the
 * merged sessions are removed and emitted as tombstones (`Change(null, old)`, timestamp = their
 * end; the one whose window the merged session keeps too, unless that is the record's own `[t, t]`)
 * and the merged session is emitted with timestamp = its end. Records without a key are skipped;
 * a null value goes to the aggregator as in Kafka Streams 3.9 (count counts it).
 */
import { isCachedStore } from '../../../state/abilities.js';
import type { SessionStore, Windowed } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { createRecord } from '../../../topology/record.js';
import { change, type Change } from '../../change.js';
import type { SessionWindows } from '../../windows/session-windows.js';
import type { EventTimeTracker } from '../../../time/event-time-tracker.js';
import type { LateRecordRouter } from '../late-records.js';
import type { WindowAggregateStep } from './time-window-aggregate.js';
import { initWindowOperator, type WindowOperatorOptions } from './window-aggregate-base.js';
import { readsValue } from '../../processors/value-blind.js';

export type SessionMerger<K, VA> = (key: K, left: VA, right: VA) => VA;

export function sessionWindowAggregateSupplier<K, V, VA>(
  windows: SessionWindows,
  initializer: () => VA,
  step: WindowAggregateStep<K, V, VA>,
  merger: SessionMerger<K, VA>,
  options: WindowOperatorOptions<K, V>,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => new SessionWindowAggregate(windows.inactivityGapMs, windows.graceMs, initializer, step, merger, options);
}

class SessionWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private store!: SessionStore<K, VA>;
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private tracker!: EventTimeTracker;
  private late!: LateRecordRouter<K, V>;
  private cached = false;
  private sendOldValues = false;
  /** False for count: the value is never read (a lazily decoded value stays undecoded). */
  private readonly readsValue: boolean;

  constructor(
    private readonly gap: number,
    private readonly grace: number,
    private readonly initializer: () => VA,
    private readonly step: WindowAggregateStep<K, V, VA>,
    private readonly merger: SessionMerger<K, VA>,
    private readonly options: WindowOperatorOptions<K, V>,
  ) {
    this.readsValue = readsValue(step);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<SessionStore<K, VA> & object>(this.options.storeName);
    ({ tracker: this.tracker, late: this.late } = initWindowOperator(context as ProcessorContext<unknown, unknown>, this.store, this.options));
    this.sendOldValues = this.options.flags.sendOldValues;
    const store = this.store;
    this.cached =
      isCachedStore<Windowed<K>, VA>(store) &&
      store.setFlushListener((key, newValue, oldValue) => {
        if (newValue === null && oldValue === null) return; // created and merged away within one commit: never emitted
        this.emit(key, newValue, this.sendOldValues || newValue === null ? oldValue : null);
      }, true);
  }

  private emit(key: Windowed<K>, newValue: VA | null, oldValue: VA | null): void {
    const record = createRecord(key, change(newValue, oldValue), key.window.end);
    if (this.options.emitChild === undefined) this.context.forward(record);
    else this.context.forward(record, this.options.emitChild);
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    // As Kafka Streams 3.9: only a null key is skipped; a null value goes to the aggregator (count counts it).
    if (key === null || key === undefined) {
      this.late.skipped();
      return;
    }
    const t = record.timestamp;
    // Kafka Streams' session store returns sessions ending after (its max session end) - (gap +
    // grace), its max end being the stream time before this record: a session ending at
    // `closeTime` is no longer merged unless this record moves stream time. The same bound here
    // whatever the store's retention, so a session a suppression emitted as final never grows.
    const visibleFrom = this.tracker.observedStreamTime - this.grace - this.gap + 1;
    this.tracker.observe(t);
    const time = this.tracker.time();
    const closeTime = time - this.grace - this.gap;
    const overlapping = this.store.findSessions(key, Math.max(t - this.gap, visibleFrom), t + this.gap);
    let start = t;
    let end = t;
    let aggregate = this.initializer();
    for (const s of overlapping) {
      aggregate = this.merger(key, aggregate, s.value);
      if (s.key.window.start < start) start = s.key.window.start;
      if (s.key.window.end > end) end = s.key.window.end;
    }
    if (end < closeTime) {
      this.late.late(record, [{ start, end }], time);
      return;
    }
    // As Kafka Streams: unless the record makes exactly its own session [t, t], every session it
    // merges is removed and emitted as a tombstone, the one with the merged window too (uncached:
    // a tombstone, then the new value); for [t, t] itself the update carries its previous value.
    let previous: VA | null = null;
    const ownWindow = start === t && end === t;
    for (const s of overlapping) {
      if (ownWindow) {
        previous = s.value;
        continue;
      }
      this.store.remove(s.key);
      if (!this.cached) this.emit(s.key, null, s.value);
    }
    aggregate = this.step(key, this.readsValue ? record.value : (undefined as V), aggregate);
    const merged: Windowed<K> = { key, window: { start, end } };
    // A null aggregate (reduce of a null first value) leaves no session, as in Kafka Streams.
    if (aggregate === null) this.store.remove(merged);
    else this.store.put(merged, aggregate);
    if (!this.cached) this.emit(merged, aggregate, this.sendOldValues ? previous : null);
  }
}
