/**
 * The event-time clock of one windowed operator in one task (see `EventTime` for the modes).
 * `observe(ts)` on every record that reaches the operator; `time()` is the clock windows close
 * by; `tick()` re-evaluates the wall-clock parts (idleness, quiet close) from a punctuation.
 *
 * Partitions are those of the task when the runtime tells (`inputPartitions()` on the context),
 * else the ones the operator has seen records from.
 */
import type { ProcessorContext } from '../topology/processor.js';
import type { EventTime } from './event-time.js';

interface PartitionClock {
  max: number;
  lastActiveWallMs: number;
}

interface PartitionAwareContext {
  inputPartitions?(): ReadonlyArray<{ readonly topic: string; readonly partition: number }>;
}

export class EventTimeTracker {
  private observed = -1;
  private current = -1;
  private lastRecordWallMs: number;
  private readonly partitions = new Map<string, PartitionClock>();
  private readonly watermarkMode: boolean;
  private readonly needsWall: boolean;

  constructor(
    readonly spec: EventTime,
    private readonly context: ProcessorContext<unknown, unknown>,
    /** Input partitions known up front (else only partitions seen are tracked). */
    partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }> = [],
  ) {
    this.watermarkMode = spec.mode === 'watermark';
    this.needsWall = spec.usesWallClock;
    const now = context.currentSystemTimeMs();
    this.lastRecordWallMs = now;
    if (this.watermarkMode) {
      const known = partitions.length > 0 ? partitions : ((context as PartitionAwareContext).inputPartitions?.() ?? []);
      for (const tp of known) this.partitions.set(`${tp.topic}\u0000${tp.partition}`, { max: -1, lastActiveWallMs: now });
    }
  }

  /** Max timestamp seen by the operator (its Kafka Streams observed stream time). */
  get observedStreamTime(): number {
    return this.observed;
  }

  /** The clock windows close by; never decreases. */
  time(): number {
    return this.current;
  }

  /**
   * Starts the clock at `time` (not below where it stands): the stream time the operator's store
   * expires by, recovered at init, so that after a restart the operator never accepts a record
   * for a window the store would drop as expired.
   */
  seed(time: number): void {
    if (time > this.observed) this.observed = time;
    if (time > this.current) this.current = time;
  }

  /** Records one input record's timestamp. */
  observe(timestamp: number): void {
    if (timestamp > this.observed) this.observed = timestamp;
    if (!this.watermarkMode && !this.needsWall) {
      if (timestamp > this.current) this.current = timestamp;
      return;
    }
    const now = this.needsWall ? this.context.currentSystemTimeMs() : 0;
    this.lastRecordWallMs = now;
    if (this.watermarkMode) {
      const meta = this.context.recordMetadata();
      const id = meta === null ? '' : `${meta.topic}\u0000${meta.partition}`;
      let p = this.partitions.get(id);
      if (p === undefined) {
        p = { max: -1, lastActiveWallMs: now };
        this.partitions.set(id, p);
      }
      if (timestamp > p.max) p.max = timestamp;
      p.lastActiveWallMs = now;
    }
    this.recompute(now);
  }

  /** Re-evaluates idleness and quiet close at wall-clock `now`; returns true if the clock advanced. */
  tick(now: number = this.context.currentSystemTimeMs()): boolean {
    const before = this.current;
    this.recompute(now);
    return this.current > before;
  }

  private recompute(now: number): void {
    let t: number;
    if (!this.watermarkMode) t = this.observed;
    else {
      const idle = this.spec.idleTimeoutMs;
      let min = Number.POSITIVE_INFINITY;
      let max = -1;
      for (const p of this.partitions.values()) {
        if (p.max > max) max = p.max;
        if (idle !== null && now - p.lastActiveWallMs >= idle) continue;
        if (p.max < min) min = p.max;
      }
      t = min === Number.POSITIVE_INFINITY ? max : min;
    }
    const quiet = this.spec.wallClockCloseMs;
    if (quiet !== null && this.observed >= 0) {
      const silent = now - this.lastRecordWallMs;
      if (silent >= quiet) t = Math.max(t, this.observed + silent);
    }
    if (t > this.current) this.current = t;
  }

  /** Interval for the wall-clock punctuation that calls `tick`, or null when the mode needs none. */
  punctuationIntervalMs(): number | null {
    if (!this.needsWall) return null;
    const shortest = Math.min(this.spec.idleTimeoutMs ?? Number.POSITIVE_INFINITY, this.spec.wallClockCloseMs ?? Number.POSITIVE_INFINITY);
    return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
  }
}
