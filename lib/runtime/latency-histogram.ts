/**
 * A fixed-bucket latency histogram kept by the runtime for the metrics endpoint: one increment per
 * observation (a processed batch, a commit, a sent batch), never per record. Bounds are in
 * seconds, as Prometheus histograms are; `counts[i]` holds observations in `(bounds[i-1], bounds[i]]`
 * and the last slot those above every bound (`+Inf`).
 */
export const LATENCY_BOUNDS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** A latency histogram at one moment: bucket bounds, counts, total count and sum in seconds. */
export interface LatencyHistogramSnapshot {
  readonly bounds: readonly number[];
  /** Per bucket (not cumulative); one more entry than `bounds` (+Inf). */
  readonly counts: readonly number[];
  readonly count: number;
  readonly sumSeconds: number;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(LATENCY_BOUNDS_SECONDS.length + 1);
  count = 0;
  sumSeconds = 0;

  /** One observation of `ms` milliseconds (negative values count as 0). */
  observeMs(ms: number): void {
    const s = ms > 0 ? ms / 1000 : 0;
    let i = 0;
    const bounds = LATENCY_BOUNDS_SECONDS;
    while (i < bounds.length && s > bounds[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sumSeconds += s;
  }

  /** Adds `other`'s observations to this one (totals over task incarnations). */
  add(other: LatencyHistogramSnapshot): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.count += other.count;
    this.sumSeconds += other.sumSeconds;
  }

  snapshot(): LatencyHistogramSnapshot {
    return { bounds: LATENCY_BOUNDS_SECONDS, counts: [...this.counts], count: this.count, sumSeconds: this.sumSeconds };
  }
}
