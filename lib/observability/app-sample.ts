/**
 * One reading of every application served by a metrics endpoint: what `TributaryApp.metrics()`,
 * `observe()` and `lagByPartition()` report, task incarnations folded into one entry per task,
 * plus the on-disk size of persistent stores. Taken once per scrape (and once per second for the
 * live page): nothing here runs on the per-record path.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeObservation } from '../app/observation.js';
import type { TopologyDescription } from '../topology/describe.js';
import type { PartitionLag } from '../app/lag.js';
import type { TaskObservation } from '../app/observation.js';
import type { TaskRestoreProgress } from '../runtime/streams-runtime.js';
import { LatencyHistogram, type LatencyHistogramSnapshot } from '../runtime/latency-histogram.js';
import type { DeadLetterNote, DeadLetterReason, TaskMetricsSnapshot } from '../runtime/task-metrics.js';
import type { CommitLatencyWindow } from '../runtime/commit-latency.js';
import type { AppMetrics, AppState } from '../app/tributary-app.js';
import type { CommitParticipantMetrics } from '../topology/processor.js';

/**
 * What the endpoint reads from an application: `MetricsSource` is one; `runtimeSource` (runtime-
 * source.ts) makes one of a bare `StreamsRuntime` (benchmarks, the test driver's users).
 */
export interface MetricsSource {
  readonly applicationId: string;
  readonly state: AppState;
  readonly topologyDescription: TopologyDescription | undefined;
  metrics(): AppMetrics;
  observe(): RuntimeObservation & { readonly commitLatencyTotal: LatencyHistogramSnapshot };
  lagByPartition(): Promise<PartitionLag[]>;
}

/** Totals of one task over its incarnations on this instance. */
export interface TaskTotals {
  readonly taskId: string;
  readonly subtopology: string;
  readonly partition: string;
  recordsIn: number;
  processed: number;
  recordsOut: number;
  changelogRecords: number;
  deadLettered: number;
  skipped: number;
  dropped: number;
  droppedLate: number;
  commits: number;
  punctuations: number;
  readonly deadLetteredBy: Record<DeadLetterReason, number>;
  lastDeadLetters: DeadLetterNote[];
  readonly processLatency: LatencyHistogram;
  readonly e2eLatency: LatencyHistogram;
}

export interface TableTotals {
  readonly table: string;
  commits: number;
  rows: number;
  files: number;
  bytes: number;
  version: number | undefined;
  lastCommitAtMs: number | undefined;
  bufferedRows: number;
  readonly commitLatency: LatencyHistogram;
}

export interface AppSample {
  readonly app: MetricsSource;
  readonly applicationId: string;
  readonly state: AppState;
  /** Wall clock of the reading (epoch ms). */
  readonly atMs: number;
  readonly metrics: AppMetrics;
  readonly tasks: readonly TaskTotals[];
  /** Running tasks (stream time, stores, participants). */
  readonly running: readonly TaskObservation[];
  readonly restores: readonly TaskRestoreProgress[];
  readonly commitLatency: LatencyHistogramSnapshot;
  readonly recentCommits: CommitLatencyWindow | undefined;
  readonly tables: readonly TableTotals[];
  /** Undefined until the first lag reading succeeded. */
  readonly lag: readonly PartitionLag[] | undefined;
  /** Size on disk by store directory (persistent stores of running tasks). */
  readonly storeSizes: ReadonlyMap<string, number>;
  /** Lowest stream time over running tasks that have seen a record. */
  readonly watermarkMs: number | undefined;
}

function taskParts(taskId: string): { subtopology: string; partition: string } {
  const i = taskId.lastIndexOf('_');
  return i < 0 ? { subtopology: '', partition: '' } : { subtopology: taskId.slice(0, i), partition: taskId.slice(i + 1) };
}

function emptyTotals(taskId: string): TaskTotals {
  return {
    taskId,
    ...taskParts(taskId),
    recordsIn: 0,
    processed: 0,
    recordsOut: 0,
    changelogRecords: 0,
    deadLettered: 0,
    skipped: 0,
    dropped: 0,
    droppedLate: 0,
    commits: 0,
    punctuations: 0,
    deadLetteredBy: { deserialization: 0, processing: 0, rejected: 0 },
    lastDeadLetters: [],
    processLatency: new LatencyHistogram(),
    e2eLatency: new LatencyHistogram(),
  };
}

/** Folds task incarnations (a task closed and reopened on this instance) into one entry per task id. */
export function foldTasks(snapshots: readonly TaskMetricsSnapshot[]): TaskTotals[] {
  const byId = new Map<string, TaskTotals>();
  for (const s of snapshots) {
    let t = byId.get(s.taskId);
    if (t === undefined) byId.set(s.taskId, (t = emptyTotals(s.taskId)));
    t.recordsIn += s.recordsIn;
    t.processed += s.processed;
    t.recordsOut += s.recordsOut;
    t.changelogRecords += s.changelogRecords;
    t.deadLettered += s.deadLettered;
    t.skipped += s.skipped;
    t.dropped += s.dropped;
    t.droppedLate += s.droppedLate;
    t.commits += s.commits;
    t.punctuations += s.punctuations;
    for (const r of Object.keys(t.deadLetteredBy) as DeadLetterReason[]) t.deadLetteredBy[r] += s.deadLetteredBy[r];
    t.lastDeadLetters = [...t.lastDeadLetters, ...s.lastDeadLetters].sort((a, b) => a.atMs - b.atMs).slice(-5);
    t.processLatency.add(s.processLatency);
    t.e2eLatency.add(s.endToEndLatency);
  }
  return [...byId.values()].sort((a, b) => compareTaskIds(a.taskId, b.taskId));
}

export function compareTaskIds(a: string, b: string): number {
  const pa = taskParts(a);
  const pb = taskParts(b);
  return Number(pa.subtopology) - Number(pb.subtopology) || Number(pa.partition) - Number(pb.partition) || a.localeCompare(b);
}

/** Per table: the running tasks' participants plus what closed tasks wrote (counters never go back). */
function foldTables(running: readonly TaskObservation[], closed: readonly CommitParticipantMetrics[]): TableTotals[] {
  const byTable = new Map<string, TableTotals>();
  const add = (p: CommitParticipantMetrics) => {
    let t = byTable.get(p.target);
    if (t === undefined) {
      byTable.set(
        p.target,
        (t = {
          table: p.target,
          commits: 0,
          rows: 0,
          files: 0,
          bytes: 0,
          version: undefined,
          lastCommitAtMs: undefined,
          bufferedRows: 0,
          commitLatency: new LatencyHistogram(),
        }),
      );
    }
    addParticipant(t, p);
  };
  for (const task of running) for (const p of task.participants) add(p);
  for (const p of closed) add(p);
  return [...byTable.values()];
}

function addParticipant(t: TableTotals, p: CommitParticipantMetrics): void {
  t.commits += p.commits;
  t.rows += p.rows;
  t.files += p.files;
  t.bytes += p.bytes;
  t.bufferedRows += p.bufferedRows;
  if (p.version !== undefined && (t.version === undefined || p.version > t.version)) t.version = p.version;
  if (p.lastCommitAtMs !== undefined && (t.lastCommitAtMs === undefined || p.lastCommitAtMs > t.lastCommitAtMs)) t.lastCommitAtMs = p.lastCommitAtMs;
  t.commitLatency.add(p.commitLatency);
}

const LAG_REFRESH_MS = 2_000;
const LAG_TIMEOUT_MS = 3_000;
const SIZE_REFRESH_MS = 5_000;

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // not created yet, or removed by a task close
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await directorySize(p);
    else if (e.isFile())
      total += await stat(p).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

/**
 * Reads apps: keeps the last lag per app (refreshed at most every 2 s, bounded by a timeout, so
 * a slow broker never blocks a scrape) and store sizes (every 5 s).
 */
export class AppSampler {
  private readonly lags = new Map<MetricsSource, { atMs: number; value: readonly PartitionLag[]; pending: Promise<void> | null }>();
  private readonly sizes = new Map<string, { atMs: number; bytes: number }>();

  /** The last sample of each app taken while it ran: a stopped app keeps showing its last tasks, stores and tables. */
  private readonly lastRunning = new Map<MetricsSource, AppSample>();

  async sample(app: MetricsSource): Promise<AppSample> {
    const s = await this.read(app);
    if (s.running.length > 0) this.lastRunning.set(app, s);
    if (s.state !== 'NOT_RUNNING' && s.state !== 'ERROR') return s;
    const last = this.lastRunning.get(app);
    return last === undefined ? s : { ...s, running: last.running, storeSizes: last.storeSizes, watermarkMs: last.watermarkMs };
  }

  private async read(app: MetricsSource): Promise<AppSample> {
    const atMs = Date.now();
    const metrics = app.metrics();
    const obs = app.observe();
    const lag = await this.lagOf(app, atMs);
    const storeSizes = new Map<string, number>();
    for (const task of obs.tasks) {
      for (const s of task.stores) {
        if (s.directory === undefined) continue;
        storeSizes.set(s.directory, await this.sizeOf(s.directory, atMs));
      }
    }
    let watermarkMs: number | undefined;
    for (const t of obs.tasks) {
      if (t.streamTimeMs !== undefined && (watermarkMs === undefined || t.streamTimeMs < watermarkMs)) watermarkMs = t.streamTimeMs;
    }
    return {
      app,
      applicationId: app.applicationId,
      state: metrics.state,
      atMs,
      metrics,
      tasks: foldTasks(metrics.tasks),
      running: obs.tasks,
      restores: obs.restores,
      commitLatency: obs.commitLatencyTotal,
      recentCommits: obs.recentCommits,
      tables: foldTables(obs.tasks, obs.closedParticipants),
      lag,
      storeSizes,
      watermarkMs,
    };
  }

  private async lagOf(app: MetricsSource, nowMs: number): Promise<readonly PartitionLag[] | undefined> {
    // A stopped app has no group member and its last reading is stale: no lag.
    if (app.state !== 'RUNNING' && app.state !== 'REBALANCING') return undefined;
    let entry = this.lags.get(app);
    if (entry === undefined) this.lags.set(app, (entry = { atMs: 0, value: [], pending: null }));
    const e = entry;
    if (e.pending === null && nowMs - e.atMs >= LAG_REFRESH_MS) {
      e.pending = app
        .lagByPartition()
        .then((value) => {
          e.value = value;
          e.atMs = Date.now();
        })
        .catch(() => undefined)
        .finally(() => (e.pending = null));
    }
    if (e.pending !== null && e.atMs === 0) {
      // The first reading: wait for it (bounded), so the first scrape already has the lag.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([e.pending, new Promise<void>((r) => (timer = setTimeout(r, LAG_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
    }
    return e.atMs === 0 ? undefined : e.value;
  }

  private async sizeOf(dir: string, nowMs: number): Promise<number> {
    const cached = this.sizes.get(dir);
    if (cached !== undefined && nowMs - cached.atMs < SIZE_REFRESH_MS) return cached.bytes;
    const bytes = await directorySize(dir);
    this.sizes.set(dir, { atMs: nowMs, bytes });
    return bytes;
  }
}
