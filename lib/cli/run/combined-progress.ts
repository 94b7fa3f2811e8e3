/**
 * The one progress line of `tributary run --processes N`: the sum of the children's last progress
 * reports (JSON lines, see progress.ts). Counters survive restarts: a child's last report before it
 * exits is kept and later reports of its successor add to it. Lag is the application's (every child
 * measures the whole consumer group), so the newest report's value is shown, not a sum.
 */
import { formatCount } from './progress.js';

/** The fields of a child's `progress` / `stopped` JSON line that are combined. */
export interface ChildReport {
  readonly state?: string;
  readonly tasks?: number;
  readonly recordsIn: number;
  readonly processed?: number;
  readonly recordsOut: number;
  readonly commits?: number;
  readonly lag?: number | null;
  readonly eventTime?: string | null;
  readonly late: number;
  readonly deadLettered: number;
}

export interface CombinedTotals {
  readonly recordsIn: number;
  readonly processed: number;
  readonly recordsOut: number;
  readonly commits: number;
  readonly late: number;
  readonly deadLettered: number;
  readonly restarts: number;
}

const COUNTERS = ['recordsIn', 'processed', 'recordsOut', 'commits', 'late', 'deadLettered'] as const;
type Counter = (typeof COUNTERS)[number];

export class CombinedProgress {
  private readonly current = new Map<number, ChildReport>();
  private readonly base = new Map<Counter, number>(COUNTERS.map((c) => [c, 0]));
  private restarts = 0;
  private lag: number | null = null;
  private previous: { at: number; recordsIn: number; processed: number } | undefined;

  constructor(
    private readonly applicationId: string,
    private readonly processes: number,
  ) {}

  report(index: number, report: ChildReport): void {
    this.current.set(index, report);
    if (report.lag !== undefined && report.lag !== null) this.lag = report.lag;
  }

  /** A child's final totals (its `stopped` line). */
  stopped(index: number, report: ChildReport): void {
    this.current.set(index, { ...this.current.get(index), ...report });
  }

  /** A child exited: its last totals become part of the base its successor adds to. */
  exited(index: number): void {
    const last = this.current.get(index);
    if (last === undefined) return;
    for (const c of COUNTERS) this.base.set(c, this.base.get(c)! + (last[c] ?? 0));
    this.current.delete(index);
  }

  restarted(): void {
    this.restarts++;
  }

  totals(): CombinedTotals {
    const sum = (c: Counter) => this.base.get(c)! + [...this.current.values()].reduce((a, r) => a + (r[c] ?? 0), 0);
    return {
      recordsIn: sum('recordsIn'),
      processed: sum('processed'),
      recordsOut: sum('recordsOut'),
      commits: sum('commits'),
      late: sum('late'),
      deadLettered: sum('deadLettered'),
      restarts: this.restarts,
    };
  }

  /** The combined line (human) and record (JSON) at `nowMs` (a monotonic clock). */
  sample(nowMs: number): { line: string; record: Record<string, unknown> } {
    const t = this.totals();
    const reports = [...this.current.values()];
    const running = reports.filter((r) => r.state === 'RUNNING' || r.state === 'running').length;
    const elapsed = this.previous ? nowMs - this.previous.at : 0;
    const inputPerSec = elapsed > 0 ? ((t.recordsIn - this.previous!.recordsIn) * 1000) / elapsed : 0;
    const processedPerSec = elapsed > 0 ? ((t.processed - this.previous!.processed) * 1000) / elapsed : 0;
    this.previous = { at: nowMs, recordsIn: t.recordsIn, processed: t.processed };
    const times = reports
      .map((r) => r.eventTime)
      .filter((x): x is string => typeof x === 'string')
      .sort();
    const tasks = reports.reduce((a, r) => a + (r.tasks ?? 0), 0);
    const line = [
      `${this.applicationId} ${running}/${this.processes} processes running`,
      `${tasks} tasks`,
      `in ${formatCount(inputPerSec)}/s`,
      `processed ${formatCount(processedPerSec)}/s`,
      `lag ${this.lag === null ? '?' : formatCount(this.lag)}`,
      `event time ${times[0] ?? '–'}`,
      `late ${formatCount(t.late)}`,
      `dlq ${formatCount(t.deadLettered)}`,
      `restarts ${t.restarts}`,
    ].join(' · ');
    const record = {
      time: new Date().toISOString(),
      event: 'progress',
      applicationId: this.applicationId,
      processes: this.processes,
      running,
      tasks,
      ...t,
      inputPerSec: Math.round(inputPerSec),
      processedPerSec: Math.round(processedPerSec),
      lag: this.lag,
      eventTime: times[0] ?? null,
    };
    return { line, record };
  }
}
