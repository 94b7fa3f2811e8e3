/**
 * Scheduled punctuations of one task, of one type (stream time or wall clock).
 *
 * Stream-time schedules are epoch-aligned (first due at 0, then every interval), so the first
 * record of a task fires them once; wall-clock schedules are first due one interval after they
 * were scheduled. When time jumps across several intervals the callback fires once, with the
 * current time, and the next due time is the first aligned time after it ("once per gap", as
 * Kafka Streams' PunctuationSchedule.next).
 */
import type { Cancellable } from '../topology/processor.js';

export interface Punctuation {
  readonly nodeName: string;
  readonly intervalMs: number;
  readonly callback: (timestamp: number) => void;
  /** Next time (stream or wall clock) at which it is due. */
  dueMs: number;
  cancelled: boolean;
}

export class PunctuationQueue {
  private schedules: Punctuation[] = [];
  private earliest = Number.POSITIVE_INFINITY;

  schedule(nodeName: string, firstDueMs: number, intervalMs: number, callback: (timestamp: number) => void): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`punctuation interval must be at least 1 ms, got ${intervalMs}`);
    const p: Punctuation = { nodeName, intervalMs, callback, dueMs: firstDueMs, cancelled: false };
    this.schedules.push(p);
    if (firstDueMs < this.earliest) this.earliest = firstDueMs;
    return {
      cancel: () => {
        p.cancelled = true;
        this.schedules = this.schedules.filter((s) => s !== p);
        this.recompute();
      },
    };
  }

  get size(): number {
    return this.schedules.length;
  }

  /** Cheap check for the per-record path. */
  isDue(nowMs: number): boolean {
    return nowMs >= this.earliest;
  }

  /**
   * Fires every schedule due at `nowMs`, in due order, through `run` (which sets up the processor
   * context). Returns the number fired.
   */
  punctuate(nowMs: number, run: (p: Punctuation, timestamp: number) => void): number {
    if (nowMs < this.earliest) return 0;
    const due = this.schedules.filter((p) => p.dueMs <= nowMs).sort((a, b) => a.dueMs - b.dueMs);
    let fired = 0;
    for (const p of due) {
      if (p.cancelled) continue;
      const missed = Math.floor((nowMs - p.dueMs) / p.intervalMs);
      p.dueMs += (missed + 1) * p.intervalMs;
      run(p, nowMs);
      fired++;
    }
    this.recompute();
    return fired;
  }

  clear(): void {
    for (const p of this.schedules) p.cancelled = true;
    this.schedules = [];
    this.earliest = Number.POSITIVE_INFINITY;
  }

  private recompute(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const p of this.schedules) if (p.dueMs < min) min = p.dueMs;
    this.earliest = min;
  }
}
