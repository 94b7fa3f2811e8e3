/**
 * `SlidingWindows`: windows of a fixed time difference `d` whose bounds are both inclusive,
 * defined by the records themselves rather than by the epoch. A record at `t` updates
 * `[t - d, t]`, creates `[t + 1, t + 1 + d]` only if some existing record falls into it, and
 * updates every existing window that contains `t`. Two records belong to a common window when
 * their timestamps differ by at most `d`. A window accepts a record while
 * `windowEnd + grace > streamTime`. Siblings: `TimeWindows`, `SessionWindows`.
 */
import { type DurationInput, windowDuration } from './durations.js';

/** Sliding windows of a given maximum time difference: one window per distinct set of records close enough in time (Kafka Streams' `SlidingWindows`). */
export class SlidingWindows {
  readonly kind = 'sliding' as const;

  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceAndGrace(timeDifference: DurationInput, grace: DurationInput): SlidingWindows {
    return new SlidingWindows(
      windowDuration(timeDifference, 'SlidingWindows.ofTimeDifferenceAndGrace(timeDifference)'),
      windowDuration(grace, 'SlidingWindows.ofTimeDifferenceAndGrace(grace)'),
    );
  }

  static ofTimeDifferenceWithNoGrace(timeDifference: DurationInput): SlidingWindows {
    return new SlidingWindows(windowDuration(timeDifference, 'SlidingWindows.ofTimeDifferenceWithNoGrace(timeDifference)'), 0);
  }

  /** Window "size" as stores see it: the inclusive window `[start, start + d]` spans `d` ms. */
  get sizeMs(): number {
    return this.timeDifferenceMs;
  }

  /** Default store retention: difference + grace. */
  get defaultRetentionMs(): number {
    return this.timeDifferenceMs + this.graceMs;
  }

  toString(): string {
    return `SlidingWindows{timeDifference=${this.timeDifferenceMs}, grace=${this.graceMs}}`;
  }
}
