/**
 * Durations of the runtime's commits that committed something (an idle loop's empty commits are
 * not counted): totals since start, the last one, and a ring of the most recent ones with their
 * end times, so a reader can ask for the mean and max over a recent window. Recorded once per
 * commit, never per record.
 */
import { LatencyHistogram } from './latency-histogram.js';

const RING = 256;

export interface CommitLatencySnapshot {
  /** Commits timed since the runtime started. */
  readonly count: number;
  readonly totalMs: number;
  readonly lastMs: number | undefined;
  readonly maxMs: number | undefined;
}

/** Commit durations over a recent window: count, mean, max and last in ms. */
export interface CommitLatencyWindow {
  readonly count: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly lastMs: number;
}

export class CommitLatency {
  count = 0;
  totalMs = 0;
  lastMs: number | undefined;
  maxMs: number | undefined;
  private readonly ends = new Float64Array(RING);
  private readonly durations = new Float64Array(RING);
  /** Every commit timed, in fixed buckets (the metrics endpoint's commit-latency histogram). */
  readonly histogram = new LatencyHistogram();

  /** One commit of `durationMs` that ended at `endMs` (`performance.now()` time). */
  record(durationMs: number, endMs: number): void {
    const i = this.count % RING;
    this.ends[i] = endMs;
    this.durations[i] = durationMs;
    this.count++;
    this.totalMs += durationMs;
    this.lastMs = durationMs;
    this.histogram.observeMs(durationMs);
    if (this.maxMs === undefined || durationMs > this.maxMs) this.maxMs = durationMs;
  }

  snapshot(): CommitLatencySnapshot {
    return { count: this.count, totalMs: this.totalMs, lastMs: this.lastMs, maxMs: this.maxMs };
  }

  /** Mean and max of the (at most 256 latest) commits that ended at or after `sinceMs`; undefined without any. */
  since(sinceMs: number): CommitLatencyWindow | undefined {
    let n = 0;
    let total = 0;
    let max = 0;
    let last = 0;
    const kept = Math.min(this.count, RING);
    for (let k = 1; k <= kept; k++) {
      const i = (this.count - k) % RING;
      if (this.ends[i]! < sinceMs) break;
      const d = this.durations[i]!;
      if (n === 0) last = d;
      n++;
      total += d;
      if (d > max) max = d;
    }
    return n === 0 ? undefined : { count: n, meanMs: total / n, maxMs: max, lastMs: last };
  }
}
