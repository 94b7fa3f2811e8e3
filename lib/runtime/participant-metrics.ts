/**
 * Totals of commit participants (Delta sinks) of closed tasks, per target, so a target's
 * counters on this instance never go back when its tasks move or the app stops. Folded at task
 * close (not per record); buffered rows belong to running tasks only and are not kept.
 */
import type { CommitParticipantMetrics } from '../topology/processor.js';
import { LatencyHistogram } from './latency-histogram.js';

export class ClosedParticipants {
  private readonly byTarget = new Map<string, { m: Omit<CommitParticipantMetrics, 'commitLatency'>; latency: LatencyHistogram }>();

  add(m: CommitParticipantMetrics): void {
    const key = `${m.kind}\0${m.target}`;
    const prev = this.byTarget.get(key);
    if (prev === undefined) {
      const latency = new LatencyHistogram();
      latency.add(m.commitLatency);
      this.byTarget.set(key, { m: { ...m, bufferedRows: 0 }, latency });
      return;
    }
    const p = prev.m;
    prev.m = {
      kind: m.kind,
      target: m.target,
      commits: p.commits + m.commits,
      rows: p.rows + m.rows,
      files: p.files + m.files,
      bytes: p.bytes + m.bytes,
      version: max(p.version, m.version),
      lastCommitAtMs: max(p.lastCommitAtMs, m.lastCommitAtMs),
      bufferedRows: 0,
    };
    prev.latency.add(m.commitLatency);
  }

  addAll(ms: readonly CommitParticipantMetrics[]): void {
    for (const m of ms) this.add(m);
  }

  list(): CommitParticipantMetrics[] {
    return [...this.byTarget.values()].map((e) => ({ ...e.m, commitLatency: e.latency.snapshot() }));
  }
}

function max(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
