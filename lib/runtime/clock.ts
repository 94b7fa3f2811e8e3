/**
 * Wall-clock source of the runtime. Injectable so the TopologyTestDriver can drive wall-clock
 * punctuation and commit intervals with `advanceWallClockTime` instead of real time.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`cannot move the clock backwards by ${ms} ms`);
    this.current += ms;
  }
}
