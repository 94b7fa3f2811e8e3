/**
 * `JoinWindows`: which records of two streams join. A left record at `t` joins every right record
 * of the same key with timestamp in `[t - before, t + after]` (both bounds inclusive); seen from
 * the right side, a right record at `s` joins left records in `[s - after, s + before]`.
 * `ofTimeDifference*(d)` sets `before = after = d`; `.before(ms)` / `.after(ms)` make the window
 * asymmetric (one of them may be negative as long as `before + after >= 0`).
 *
 * Grace bounds out-of-order data: with the join's observed stream time `T` (max timestamp seen
 * on either side), a record with `ts + grace < T` is late. As in Kafka Streams it is not dropped:
 * it joins whatever the other side's store still retains (`retentionMs`, counted back from that
 * store's max timestamp) and is reported to the late-records output, if any. An unmatched left
 * record at `t` is final once `t + after + grace < T` (right: `s + before + grace < T`);
 * left/outer joins emit it with a null partner only then, never early.
 */
import { ConfigError } from '../../errors.js';

/**
 * The time bound of a stream-stream join: records join when their timestamps differ by at most the
 * window size (before/after), with a grace period for late records.
 */
export class JoinWindows {
  private constructor(
    /** How far back (ms) a left record looks for right records. */
    readonly beforeMs: number,
    /** How far ahead (ms) a left record looks for right records. */
    readonly afterMs: number,
    readonly graceMs: number,
  ) {
    checkMs('before', beforeMs, true);
    checkMs('after', afterMs, true);
    checkMs('grace', graceMs, false);
    if (beforeMs + afterMs < 0) {
      throw new ConfigError(`JoinWindows: before + after must not be negative (before ${beforeMs} ms, after ${afterMs} ms)`);
    }
  }

  /** Records join when their timestamps differ by at most `timeDifferenceMs`; records up to `graceMs` out of order are accepted. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** As `ofTimeDifferenceAndGrace` with zero grace: any record older than the join's stream time is late. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, 0);
  }

  /** Same windows with the backward reach of left records set to `ms`. */
  before(ms: number): JoinWindows {
    return new JoinWindows(ms, this.afterMs, this.graceMs);
  }

  /** Same windows with the forward reach of left records set to `ms`. */
  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, ms, this.graceMs);
  }

  /** Window size `before + after` (ms). */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  /**
   * Retention of the join stores: Kafka Streams' `before + after + grace`, which decides what a
   * late record still finds. A store returns records down to its max timestamp - retention + 1, so
   * a record must stay `max(before, after) + grace + 1` ms for every partner that is not late to
   * find it: when `before` or `after` is below 1, Kafka Streams' retention is short of that and
   * tributary keeps records that much longer (listed in docs/divergences.md).
   */
  get retentionMs(): number {
    return Math.max(this.beforeMs + this.afterMs + this.graceMs, Math.max(this.beforeMs, this.afterMs) + this.graceMs + 1);
  }
}

function checkMs(what: string, ms: number, signed: boolean): void {
  if (!Number.isSafeInteger(ms) || (!signed && ms < 0)) {
    throw new ConfigError(`JoinWindows: ${what} must be ${signed ? 'an' : 'a non-negative'} integer number of ms, got ${ms}`);
  }
}
