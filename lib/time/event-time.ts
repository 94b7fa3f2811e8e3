/**
 * How a windowed operator measures event time — the clock its windows close by.
 *
 * - `EventTime.streamTime()` (default, Kafka Streams): the operator's observed stream time, the
 *   max timestamp it has seen. A window closes when `windowEnd + grace <= streamTime`.
 * - `EventTime.watermark({ idleTimeout })`: the min over the task's input partitions of the max
 *   timestamp seen on each, so one partition running ahead cannot close windows that another
 *   partition still feeds. A partition that delivered nothing for `idleTimeout` of wall-clock
 *   time stops holding the clock back (without it, a quiet partition stalls every window). The
 *   watermark reported is that time minus grace: `grace` is the allowed lateness, so
 *   `EventTime.watermark()` with a grace of 10 minutes is Spark's `withWatermark(col, "10 minutes")`
 *   computed per partition.
 * - `.withWallClockClose(afterQuiet)` (opt-in, either mode): when the operator received no record
 *   for `afterQuiet` of wall-clock time, its event time advances with the wall clock from the last
 *   event time seen, so the last windows of a quiet stream close (and suppressed results come
 *   out) without waiting for new data. Records that arrive afterwards for those windows are late.
 *
 * Whatever the mode, the clock never goes backwards.
 */
import { ConfigError } from '../errors.js';
import { type DurationInput, windowDuration } from '../dsl/windows/durations.js';

/** How event time advances: stream time (the largest timestamp the task has seen) or a watermark (the minimum over its input partitions). */
export type EventTimeMode = 'stream-time' | 'watermark';

/** How a windowed operator's event time advances: stream time, or a watermark over input partitions, optionally closing windows after idle time or on the wall clock. */
export class EventTime {
  private constructor(
    readonly mode: EventTimeMode,
    /** Watermark mode: wall-clock ms after which a silent partition no longer holds the watermark; null = never. */
    readonly idleTimeoutMs: number | null,
    /** Wall-clock ms without records after which event time follows the wall clock; null = off. */
    readonly wallClockCloseMs: number | null,
  ) {}

  /** Kafka Streams' stream time: the max timestamp the operator has seen. */
  static streamTime(): EventTime {
    return new EventTime('stream-time', null, null);
  }

  /** Min over input partitions of each partition's max timestamp; idle partitions are skipped after `idleTimeout`. */
  static watermark(options: { readonly idleTimeout?: DurationInput } = {}): EventTime {
    const idle = options.idleTimeout === undefined ? null : windowDuration(options.idleTimeout, 'EventTime.watermark({ idleTimeout })', { positive: true });
    return new EventTime('watermark', idle, null);
  }

  /** Advances event time with the wall clock once no record arrived for `afterQuiet` (see the module doc). */
  withWallClockClose(afterQuiet: DurationInput): EventTime {
    const ms = windowDuration(afterQuiet, 'EventTime.withWallClockClose(afterQuiet)', { positive: true });
    return new EventTime(this.mode, this.idleTimeoutMs, ms);
  }

  /** True when the clock can move without records (needs a wall-clock punctuation). */
  get usesWallClock(): boolean {
    return this.idleTimeoutMs !== null || this.wallClockCloseMs !== null;
  }

  /** @internal */
  static check(value: unknown): EventTime {
    if (value === undefined) return EventTime.streamTime();
    if (!(value instanceof EventTime)) throw new ConfigError('eventTime must be EventTime.streamTime() or EventTime.watermark(...)');
    return value;
  }
}
