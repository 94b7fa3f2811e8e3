/**
 * Late records: a record a window operator could not add to a window because the window had
 * closed (`windowEnd + grace <= streamTime`). Nothing disappears without a count: every such
 * record increments the task's `dropped` metric and the operator's `droppedRecords` count, and —
 * when configured — goes to the late-records output with why it was late.
 *
 * Output forms: a topic (the original key, value, timestamp and headers, plus `tributary.late.*`
 * headers), or a callback invoked synchronously on the processing thread.
 */
import type { Headers } from '../../kafka/types.js';
import type { Serde } from '../../serde/types.js';
import type { ProcessorContext, Record } from '../../topology/processor.js';

/** Prefix of the headers (`tributary.late.*`) that say why a record sent to the late-records topic was late. */
export const LATE_HEADER_PREFIX = 'tributary.late.';

/** Why a record was late, for one operator. */
export interface LateRecordInfo {
  readonly processor: string;
  readonly taskId: string;
  /** The earliest window the record missed (for hopping windows it may have joined later ones). */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Number of windows the record missed. */
  readonly windowsMissed: number;
  readonly graceMs: number;
  /** The operator's event time (stream time or watermark-mode clock) when the record arrived. */
  readonly streamTimeMs: number;
  /** `streamTimeMs - graceMs` (sessions: `- inactivityGap` too): windows ending before it are closed (time windows, end exclusive: at or before it). */
  readonly watermarkMs: number;
}

/** A record a window operator refused because its window had closed, with why (`LateRecordInfo`). */
export interface LateRecord<K, V> extends LateRecordInfo {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Called synchronously with each late record (count it, log it); must not throw or await. */
export type LateRecordsCallback<K, V> = (record: LateRecord<K, V>) => void;

/** Sends late records to a topic with `tributary.late.*` headers instead of only counting them. */
export interface LateRecordsTopic<K, V> {
  readonly topic: string;
  /** Default: the grouped stream's serdes (or the application defaults). */
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
}

/** Where late records go besides the metric. */
export type LateRecords<K, V> = LateRecordsTopic<K, V> | LateRecordsCallback<K, V>;

interface DropCounting {
  recordDropped?(reason?: 'late'): void;
}

export interface WindowSpan {
  readonly start: number;
  readonly end: number;
}

/** Per-operator late handling: counts, and forwards to the late output (a named child or a callback). */
export class LateRecordRouter<K, V> {
  /** Records late for at least one window. */
  lateRecords = 0;
  /** Late records plus records skipped for a null key or value. */
  droppedRecords = 0;

  constructor(
    private readonly context: ProcessorContext<unknown, unknown>,
    private readonly processor: string,
    private readonly graceMs: number,
    /** How long after its end a window closes (grace; sessions: inactivity gap + grace). */
    private readonly closeAfterMs: number,
    private readonly callback: LateRecordsCallback<K, V> | null,
    private readonly childName: string | null,
  ) {}

  /**
   * Counts `record` as late for `missed` windows (ascending) at operator time `streamTimeMs`.
   * `dropped`: false when the operator still uses the record (a stream-stream join joins it with
   * what the other side retains): routed, not counted as dropped.
   */
  late(record: Record<K, V>, missed: readonly WindowSpan[], streamTimeMs: number, dropped = true): void {
    this.lateRecords++;
    if (dropped) {
      this.droppedRecords++;
      (this.context as unknown as DropCounting).recordDropped?.('late');
    }
    if (this.callback === null && this.childName === null) return;
    const first = missed[0]!;
    const info: LateRecordInfo = {
      processor: this.processor,
      taskId: this.context.taskId,
      windowStart: first.start,
      windowEnd: first.end,
      windowsMissed: missed.length,
      graceMs: this.graceMs,
      streamTimeMs,
      watermarkMs: streamTimeMs - this.closeAfterMs,
    };
    if (this.callback !== null) {
      this.callback({ key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers, ...info });
      return;
    }
    const headers: Headers = {
      ...record.headers,
      [`${LATE_HEADER_PREFIX}reason`]: Buffer.from(dropped ? 'window-closed' : 'past-grace'),
      [`${LATE_HEADER_PREFIX}processor`]: Buffer.from(info.processor),
      [`${LATE_HEADER_PREFIX}task`]: Buffer.from(info.taskId),
      [`${LATE_HEADER_PREFIX}window.start`]: Buffer.from(String(info.windowStart)),
      [`${LATE_HEADER_PREFIX}window.end`]: Buffer.from(String(info.windowEnd)),
      [`${LATE_HEADER_PREFIX}windows.missed`]: Buffer.from(String(info.windowsMissed)),
      [`${LATE_HEADER_PREFIX}grace.ms`]: Buffer.from(String(info.graceMs)),
      [`${LATE_HEADER_PREFIX}stream.time`]: Buffer.from(String(info.streamTimeMs)),
      [`${LATE_HEADER_PREFIX}watermark`]: Buffer.from(String(info.watermarkMs)),
    };
    this.context.forward({ key: record.key, value: record.value, timestamp: record.timestamp, headers }, this.childName!);
  }

  /** A record without a key (or value) cannot be windowed: counted, not routed (no window to explain). */
  skipped(): void {
    this.droppedRecords++;
    (this.context as unknown as DropCounting).recordDropped?.();
  }
}
