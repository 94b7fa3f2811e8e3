/**
 * Counters kept by the metered layer. Cheap by design: plain number increments per operation;
 * latency is sampled (one operation in `SAMPLE_EVERY`) and measured for every flush and restore.
 */
import type { CacheStats } from './caching-store-layer.js';

export interface StoreMetricsSnapshot {
  readonly store: string;
  readonly puts: number;
  readonly gets: number;
  readonly deletes: number;
  readonly ranges: number;
  readonly flushes: number;
  readonly restored: number;
  /** Mean latency of sampled puts/gets in microseconds (0 before any sample). */
  readonly putLatencyAvgUs: number;
  readonly getLatencyAvgUs: number;
  readonly flushLatencyAvgMs: number;
  readonly flushLatencyMaxMs: number;
  /** The record cache below the metered layer, when there is one. */
  readonly cache?: CacheStats;
}

export const SAMPLE_EVERY = 128;

export class StoreMetrics {
  puts = 0;
  gets = 0;
  deletes = 0;
  ranges = 0;
  flushes = 0;
  restored = 0;
  putSampleUs = 0;
  putSamples = 0;
  getSampleUs = 0;
  getSamples = 0;
  flushMsTotal = 0;
  flushMsMax = 0;

  constructor(readonly store: string) {}

  recordFlush(ms: number): void {
    this.flushes++;
    this.flushMsTotal += ms;
    if (ms > this.flushMsMax) this.flushMsMax = ms;
  }

  snapshot(cache?: CacheStats): StoreMetricsSnapshot {
    return {
      ...(cache === undefined ? {} : { cache }),
      store: this.store,
      puts: this.puts,
      gets: this.gets,
      deletes: this.deletes,
      ranges: this.ranges,
      flushes: this.flushes,
      restored: this.restored,
      putLatencyAvgUs: this.putSamples ? this.putSampleUs / this.putSamples : 0,
      getLatencyAvgUs: this.getSamples ? this.getSampleUs / this.getSamples : 0,
      flushLatencyAvgMs: this.flushes ? this.flushMsTotal / this.flushes : 0,
      flushLatencyMaxMs: this.flushMsMax,
    };
  }
}
