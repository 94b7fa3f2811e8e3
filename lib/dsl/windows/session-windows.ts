/**
 * `SessionWindows`: per-key activity sessions. A record at `t` joins (and merges) every session of
 * its key with `end >= t - gap` and `start <= t + gap`; otherwise it starts the session `[t, t]`.
 * Bounds are inclusive. A session accepts a record while `sessionEnd + grace > streamTime`
 * (the merged session's end). Siblings: `TimeWindows`, `SlidingWindows`.
 */
import { type DurationInput, windowDuration } from './durations.js';

/** Session windows: records of a key within the inactivity gap merge into one session; a late record may merge sessions. */
export class SessionWindows {
  readonly kind = 'session' as const;

  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapAndGrace(inactivityGap: DurationInput, grace: DurationInput): SessionWindows {
    return new SessionWindows(
      windowDuration(inactivityGap, 'SessionWindows.ofInactivityGapAndGrace(inactivityGap)', { positive: true }),
      windowDuration(grace, 'SessionWindows.ofInactivityGapAndGrace(grace)'),
    );
  }

  static ofInactivityGapWithNoGrace(inactivityGap: DurationInput): SessionWindows {
    return new SessionWindows(windowDuration(inactivityGap, 'SessionWindows.ofInactivityGapWithNoGrace(inactivityGap)', { positive: true }), 0);
  }

  /** Default store retention: gap + grace. */
  get defaultRetentionMs(): number {
    return this.inactivityGapMs + this.graceMs;
  }

  toString(): string {
    return `SessionWindows{inactivityGap=${this.inactivityGapMs}, grace=${this.graceMs}}`;
  }
}
