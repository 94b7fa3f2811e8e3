/**
 * Per-task counters. They reconcile: every record taken from an input queue is exactly one of
 * processed, dead-lettered or skipped (`recordsIn = processed + deadLettered + skipped`);
 * `dropped` counts records an operator discarded (late for a window, null key) and is part of
 * `processed`. Outputs count records written to sink topics, excluding changelogs and the DLQ.
 */
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

  constructor(readonly taskId: string) {}

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
    };
  }
}

/** Sums snapshots of several tasks (for an application-level view). */
export function sumMetrics(snapshots: readonly TaskMetricsSnapshot[]): Omit<TaskMetricsSnapshot, 'taskId'> {
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
