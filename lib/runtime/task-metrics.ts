/**
 * Per-task counters. They reconcile: every record taken from an input queue is exactly one of
 * processed, dead-lettered or skipped (`recordsIn = processed + deadLettered + skipped`);
 * `dropped` counts records an operator discarded (late for a window, null key) and is part of
 * `processed`. Outputs count records written to sink topics, excluding changelogs and the DLQ.
 */
import { LatencyHistogram, type LatencyHistogramSnapshot } from './latency-histogram.js';

/** Why a record went to the dead-letter topic (a bounded set: it is a metric label). */
export type DeadLetterReason = 'deserialization' | 'processing' | 'rejected';
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['deserialization', 'processing', 'rejected'];
/** Most recent dead-letter messages kept per task (for the live page). */
const LAST_REASONS = 5;

export interface DeadLetterNote {
  readonly reason: DeadLetterReason;
  readonly message: string;
  /** Wall-clock time (epoch ms). */
  readonly atMs: number;
}

export interface TaskMetricsSnapshot {
  readonly taskId: string;
  readonly recordsIn: number;
  readonly processed: number;
  readonly recordsOut: number;
  readonly deadLettered: number;
  readonly skipped: number;
  readonly dropped: number;
  readonly changelogRecords: number;
  readonly punctuations: number;
  readonly commits: number;
  /** Of `dropped`: records late for a window (the rest had no key or value to work with). */
  readonly droppedLate: number;
  readonly deadLetteredBy: Readonly<Record<DeadLetterReason, number>>;
  readonly lastDeadLetters: readonly DeadLetterNote[];
  /** Duration of each `process()` call that took records (a batch, not a record). */
  readonly processLatency: LatencyHistogramSnapshot;
  /** Wall clock at send minus the timestamp of the oldest record of each sent batch. */
  readonly endToEndLatency: LatencyHistogramSnapshot;
}

export class TaskMetrics {
  recordsIn = 0;
  processed = 0;
  recordsOut = 0;
  deadLettered = 0;
  skipped = 0;
  dropped = 0;
  changelogRecords = 0;
  punctuations = 0;
  commits = 0;
  droppedLate = 0;
  readonly deadLetteredBy: Record<DeadLetterReason, number> = { deserialization: 0, processing: 0, rejected: 0 };
  private readonly lastDeadLetters: DeadLetterNote[] = [];
  readonly processLatency = new LatencyHistogram();
  readonly endToEndLatency = new LatencyHistogram();

  constructor(readonly taskId: string) {}

  /** Notes why a record was dead-lettered (the failure path only; `deadLettered` is counted by the collector). */
  noteDeadLetter(reason: DeadLetterReason, message: string): void {
    this.deadLetteredBy[reason]++;
    if (this.lastDeadLetters.length === LAST_REASONS) this.lastDeadLetters.shift();
    this.lastDeadLetters.push({ reason, message: message.length > 300 ? `${message.slice(0, 299)}…` : message, atMs: Date.now() });
  }

  snapshot(): TaskMetricsSnapshot {
    return {
      taskId: this.taskId,
      recordsIn: this.recordsIn,
      processed: this.processed,
      recordsOut: this.recordsOut,
      deadLettered: this.deadLettered,
      skipped: this.skipped,
      dropped: this.dropped,
      changelogRecords: this.changelogRecords,
      punctuations: this.punctuations,
      commits: this.commits,
      droppedLate: this.droppedLate,
      deadLetteredBy: { ...this.deadLetteredBy },
      lastDeadLetters: [...this.lastDeadLetters],
      processLatency: this.processLatency.snapshot(),
      endToEndLatency: this.endToEndLatency.snapshot(),
    };
  }
}

/** Sums snapshots of several tasks (for an application-level view). */
export type TaskMetricsTotals = Pick<
  TaskMetricsSnapshot,
  'recordsIn' | 'processed' | 'recordsOut' | 'deadLettered' | 'skipped' | 'dropped' | 'changelogRecords' | 'punctuations' | 'commits'
>;

export function sumMetrics(snapshots: readonly TaskMetricsSnapshot[]): TaskMetricsTotals {
  const total = { recordsIn: 0, processed: 0, recordsOut: 0, deadLettered: 0, skipped: 0, dropped: 0, changelogRecords: 0, punctuations: 0, commits: 0 };
  for (const s of snapshots) {
    total.recordsIn += s.recordsIn;
    total.processed += s.processed;
    total.recordsOut += s.recordsOut;
    total.deadLettered += s.deadLettered;
    total.skipped += s.skipped;
    total.dropped += s.dropped;
    total.changelogRecords += s.changelogRecords;
    total.punctuations += s.punctuations;
    total.commits += s.commits;
  }
  return total;
}
