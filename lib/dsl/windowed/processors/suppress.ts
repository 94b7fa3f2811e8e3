/**
 * `KTable.suppress`: buffers table updates per key and emits them later (see `Suppressed`).
 *
 * Time: the operator's own observed stream time (max timestamp of the updates it received, as in
 * Kafka Streams) — capped by the upstream windowed operator's clock in watermark mode. At every
 * commit, after the upstream store flushed (so every update up to now has arrived), the buffer
 * is also evicted by the upstream clock itself; that is how idle partitions and the quiet
 * wall-clock close reach suppressed results. Final results never emit tombstones of windows that
 * were never emitted. A derived buffer (final results of time windows) is rebuilt at init from
 * the upstream window store: the windows past the buffer's emitted-through time.
 */
import { TributaryError } from '../../../errors.js';
import type { ValueAndTimestamp, WindowStore, Windowed } from '../../../state/types.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../../../topology/processor.js';
import { createRecord } from '../../../topology/record.js';
import type { EventTimeTracker } from '../../../time/event-time-tracker.js';
import { taskLocal, type TaskSlot } from '../../../topology/task-slot.js';
import { isWriteBackWindowStore } from '../../../state/abilities.js';
import { change, type Change } from '../../change.js';
import type { BufferedEntry, SuppressionBufferStore } from '../suppression-buffer.js';
import type { Suppressed } from '../suppressed.js';
import type { WindowAggregate, WindowCloser } from '../window-closer.js';
import type { Pending } from '../window-end-buckets.js';

/** What a changed window held for the next store write costs, roughly (entry, key, map slot, list slot): sizes the write-back budget. */
const DIRTY_WINDOW_BYTES = 160;

export interface SuppressOptions {
  readonly processorName: string;
  readonly bufferStoreName: string;
  /** The windowed aggregation's store (rebuilt from at init; the fused working set's backing store), or null. */
  readonly upstreamStoreName: string | null;
  /** The windowed aggregation's event-time clock (see `eventTimeSlot`), or null. */
  readonly upstreamClock: TaskSlot<EventTimeTracker> | null;
  /** untilWindowCloses: how long after its end the upstream window closes (grace; sessions: gap + grace); untilTimeLimit: the time limit. */
  readonly suppressMs: number;
  /**
   * Emit windows one ms after `end + suppressMs`. Sliding windows end inclusively and accept
   * records while `end >= streamTime - grace` (Kafka Streams' suppression emits them at
   * `end + grace`, then again if they change). Sessions: only under `emitStrategy(onWindowClose)`,
   * as in Kafka Streams (its suppression emits them at `end + gap + grace`, when they can no longer
   * be extended). Time windows (exclusive end) close at `end + grace`.
   */
  readonly inclusiveEnd: boolean;
  readonly flags: { sendOldValues: boolean };
}

export function suppressSupplier<K, V>(suppressed: Suppressed, options: SuppressOptions): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => new SuppressProcessor<K, V>(suppressed, options, null);
}

/**
 * Eligible for fusing with its time-window aggregation (see fused-window-suppress.ts): final
 * results of time windows (end exclusive) whose buffer is derived from the window store and holds
 * the windows themselves (logging on, no byte bound, no record bound).
 */
export function fusesWithTimeWindows(suppressed: Suppressed, options: SuppressOptions, windowsKind: 'time' | 'sliding' | 'session'): boolean {
  return (
    suppressed.kind === 'window-close' &&
    windowsKind === 'time' &&
    !options.inclusiveEnd &&
    options.upstreamClock !== null &&
    options.upstreamStoreName !== null &&
    suppressed.logging !== null &&
    !Number.isFinite(suppressed.bufferConfig.maxBytes) &&
    !Number.isFinite(suppressed.bufferConfig.maxRecords)
  );
}

export class SuppressProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private buffer!: SuppressionBufferStore<K, V>;
  private upstream: WindowStore<unknown, ValueAndTimestamp<V>> | null = null;
  private tracker: EventTimeTracker | undefined;
  private observed = -1;
  private readonly finalResults: boolean;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly emitEarly: boolean;
  private sendOldValues = false;

  constructor(
    suppressed: Suppressed,
    private readonly options: SuppressOptions,
    /** Children to emit to by name (a fused processor whose other children must not get results); null = all children. */
    private readonly emitTo: readonly string[] | null,
  ) {
    this.finalResults = suppressed.kind === 'window-close';
    this.maxRecords = suppressed.bufferConfig.maxRecords;
    this.maxBytes = suppressed.bufferConfig.maxBytes;
    this.emitEarly = suppressed.bufferConfig.whenFull === 'emit-early';
  }

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    this.sendOldValues = this.options.flags.sendOldValues;
    this.buffer = context.getStateStore<SuppressionBufferStore<K, V>>(this.options.bufferStoreName);
    if (this.options.upstreamClock !== null) this.tracker = taskLocal(context as ProcessorContext<unknown, unknown>, this.options.upstreamClock);
    if (this.options.upstreamStoreName !== null) {
      this.upstream = context.getStateStore<WindowStore<unknown, ValueAndTimestamp<V>> & object>(this.options.upstreamStoreName);
      if (this.buffer.derived) this.rebuild(this.upstream);
    }
    this.buffer.onFlush = () => this.evict(this.tracker === undefined ? this.observed : Math.max(this.tracker.time(), this.recordTime()));
  }

  /**
   * The buffer as the aggregation's working set, for the fused processor (call after `init`; only
   * when `fusesWithTimeWindows`): changed windows reach the store (and its changelog) before it
   * flushes at each commit — or after every record when the store cannot run a hook at flush —
   * or earlier beyond the store's cache budget, as cached updates would.
   */
  workingSet(): WindowCloser<unknown, V> {
    const buffer = this.buffer;
    const tracker = this.tracker;
    const store = this.upstream;
    if (tracker === undefined || store === null || !buffer.holdsWindows) {
      throw new TributaryError(`Suppression ${this.options.processorName} cannot be fused with its aggregation`, {
        code: 'TOPOLOGY',
        context: { taskId: this.context.taskId, store: this.options.bufferStoreName },
      });
    }
    const writeBack = isWriteBackWindowStore(store) ? store : null;
    const write = writeBack !== null ? writeBack.putThrough.bind(writeBack) : store.put.bind(store);
    // The entry is a ValueAndTimestamp (value, timestamp) already: written as it is, no copy.
    const drain = (): void => buffer.drainDirty((key, start, entry) => write(key, entry.value === null ? null : (entry as ValueAndTimestamp<V>), start));
    const dirtyLimit = writeBack === null ? 0 : Math.floor(writeBack.cacheMaxBytes / DIRTY_WINDOW_BYTES);
    writeBack?.setBeforeFlush(drain);
    return {
      find: (key, start, end) => buffer.getWindow(key, start, end) as WindowAggregate<V> | undefined,
      closed: (end) => end <= buffer.emittedThrough,
      update: (key, start, end, value, timestamp, known) =>
        buffer.updateWindow(key, start, end, value as V, timestamp, known as Pending<unknown, V | null> | undefined),
      advance: () => {
        this.evict(tracker.time());
        if (buffer.dirtyCount > dirtyLimit) drain();
      },
    };
  }

  /**
   * Buffers every window of the restored upstream store that ends after the emitted-through time,
   * with its aggregate and timestamp (windows were never emitted before closing, so no prior value).
   */
  private rebuild(upstream: WindowStore<unknown, ValueAndTimestamp<V>>): void {
    const after = this.buffer.emittedThrough;
    const shift = this.options.inclusiveEnd ? 1 : 0;
    const windows = upstream.all().filter((kv) => kv.key.window.end + shift > after);
    windows.sort((a, b) => a.key.window.end - b.key.window.end);
    for (const kv of windows) {
      this.buffer.put(kv.key as unknown as K, change(kv.value.value, null), kv.value.timestamp, kv.key.window.end + shift);
    }
  }

  /** Safe time on the record path: every update of a window closed by it has arrived. */
  private recordTime(): number {
    return this.tracker === undefined ? this.observed : Math.min(this.observed, this.tracker.time());
  }

  process(record: Record<K, Change<V>>): void {
    if (record.timestamp > this.observed) this.observed = record.timestamp;
    const bufferTime = this.finalResults ? (record.key as unknown as Windowed<unknown>).window.end + (this.options.inclusiveEnd ? 1 : 0) : record.timestamp;
    this.buffer.put(record.key, record.value, record.timestamp, bufferTime);
    this.enforceBounds();
    this.evict(this.recordTime());
  }

  private evict(streamTime: number): void {
    const threshold = streamTime - this.options.suppressMs;
    while (this.buffer.minBufferTime() <= threshold) this.emit(this.buffer.pollMin()!);
    if (this.buffer.derived) this.buffer.markEmittedThrough(threshold);
  }

  private enforceBounds(): void {
    while (this.buffer.size > this.maxRecords || this.buffer.sizeBytes > this.maxBytes) {
      if (!this.emitEarly) {
        throw new TributaryError(
          `Suppression buffer ${this.options.bufferStoreName} exceeded its bound (${this.buffer.size} records, ${this.buffer.sizeBytes} bytes; ` +
            `max ${this.maxRecords} records, ${this.maxBytes} bytes) and is configured to shut down when full`,
          { code: 'PROCESSING', context: { taskId: this.context.taskId, store: this.options.bufferStoreName } },
        );
      }
      this.emit(this.buffer.pollMin()!);
    }
  }

  private emit(e: BufferedEntry<K, V>): void {
    if (this.finalResults && e.change.newValue === null) return;
    const record = createRecord(e.key, change(e.change.newValue, this.sendOldValues ? e.change.oldValue : null), e.timestamp);
    const emitTo = this.emitTo;
    if (emitTo === null) this.context.forward(record);
    else for (let i = 0; i < emitTo.length; i++) this.context.forward(record, emitTo[i]!);
  }
}
