/**
 * `TimeWindows`: fixed-size windows `[start, start + size)` aligned to the epoch — tumbling when
 * the advance equals the size, hopping (overlapping) when it is smaller. A record at `ts` belongs
 * to every window with `start <= ts < start + size`; the first such start is
 * `floor(max(0, ts - size + advance) / advance) * advance`.
 *
 * `grace` is how long after a window's end it still accepts out-of-order records: a window
 * accepts a record while `windowEnd + grace > streamTime`. Siblings: `SlidingWindows`,
 * `SessionWindows`.
 */
import { ConfigError } from '../../errors.js';
import { InvalidTimestampError } from '../../time/timestamp-extractors.js';
import { type DurationInput, windowDuration } from './durations.js';

/** Fixed-size time windows: tumbling (advance = size) or hopping (`advanceBy`), with an optional grace period for out-of-order records. */
export class TimeWindows {
  readonly kind = 'time' as const;

  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  /** Tumbling windows of `size` that accept records up to `grace` after their end. */
  static ofSizeAndGrace(size: DurationInput, grace: DurationInput): TimeWindows {
    const sizeMs = windowDuration(size, 'TimeWindows.ofSizeAndGrace(size)', { positive: true });
    const graceMs = windowDuration(grace, 'TimeWindows.ofSizeAndGrace(grace)');
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Tumbling windows of `size` with no grace: a record is late once stream time reached its window's end. */
  static ofSizeWithNoGrace(size: DurationInput): TimeWindows {
    const sizeMs = windowDuration(size, 'TimeWindows.ofSizeWithNoGrace(size)', { positive: true });
    return new TimeWindows(sizeMs, sizeMs, 0);
  }

  /** Hopping windows: a new window starts every `advance` (0 < advance <= size). */
  advanceBy(advance: DurationInput): TimeWindows {
    const advanceMs = windowDuration(advance, 'TimeWindows.advanceBy(advance)', { positive: true });
    if (advanceMs > this.sizeMs) {
      throw new ConfigError(`TimeWindows.advanceBy(advance) must be at most the window size ${this.sizeMs} ms, got ${advanceMs} ms`);
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  get isTumbling(): boolean {
    return this.advanceMs === this.sizeMs;
  }

  /** Start of the first window containing `ts`. */
  firstStart(ts: number): number {
    const a = this.advanceMs;
    return Math.floor(Math.max(0, ts - this.sizeMs + a) / a) * a;
  }

  /** Starts of the windows containing `ts`, ascending. */
  windowStartsFor(ts: number): number[] {
    // Guard: beyond 2^53 `s += advance` stops advancing; the runtime refuses such timestamps before they get here.
    if (!Number.isSafeInteger(ts) || ts < 0)
      throw new InvalidTimestampError(`Invalid window timestamp ${String(ts)}: must be a non-negative safe integer (epoch ms)`);
    const out: number[] = [];
    for (let s = this.firstStart(ts); s <= ts; s += this.advanceMs) out.push(s);
    return out;
  }

  /** Default store retention: size + grace (the least that keeps every window until it closes). */
  get defaultRetentionMs(): number {
    return this.sizeMs + this.graceMs;
  }

  toString(): string {
    return `TimeWindows{size=${this.sizeMs}, advance=${this.advanceMs}, grace=${this.graceMs}}`;
  }
}
