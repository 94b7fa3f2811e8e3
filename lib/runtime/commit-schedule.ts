/**
 * When the stream thread commits: every `commit.interval.ms` of the runtime's clock since the last
 * commit, or at once when a processor asked (`context.commit()`). Commit participants (Delta
 * sinks) may pace their task further (`CommitTasksOptions.paced`).
 */
export class CommitSchedule {
  private lastMs: number;

  constructor(
    private readonly intervalMs: number,
    nowMs: number,
  ) {
    this.lastMs = nowMs;
  }

  /** True when a commit is due at `nowMs` (or requested). */
  due(nowMs: number, requested: boolean): boolean {
    return requested || nowMs - this.lastMs >= this.intervalMs;
  }

  /** A commit ended at `nowMs`: the next is due an interval later. */
  committed(nowMs: number): void {
    this.lastMs = nowMs;
  }
}
