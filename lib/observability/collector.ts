/**
 * `TributaryMetrics`: a prom-client registry whose families (metric-definitions.ts) are read from
 * the applications at scrape time. Each family is a prom-client metric object whose `get()`
 * reads one shared sample of every app (taken once per scrape), so nothing is recorded on the
 * per-record path and nothing is kept twice: counters are the runtime's own totals.
 *
 *   scrape ─▶ registry.metrics() ─▶ family.get() ×N ─▶ sample() (memoized per scrape)
 *                                                        └▶ app.metrics() · app.observe() · lag (cached ≤ 2 s)
 *
 * `TributaryApp.metricsRegistry()` gives an app its own; a process that serves several apps (the
 * demo) adds them to one `TributaryMetrics`. An application with its own metrics server merges
 * the registry (`Registry.merge([theirs, app.metricsRegistry()])`) or serves `registry.metrics()`.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { LatencyHistogramSnapshot } from '../runtime/latency-histogram.js';
import { AppSampler, type AppSample, type MetricsSource } from './app-sample.js';
import { DEAD_LETTER_REASONS, METRICS, type MetricDefinition, type MetricKey } from './metric-definitions.js';

type Labels = Record<string, string>;

interface Value {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

type Emit = (key: MetricKey, labels: Labels, value: number | undefined) => void;
type EmitHistogram = (key: MetricKey, labels: Labels, h: LatencyHistogramSnapshot) => void;

const APP_STATES = ['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'ERROR'] as const;
const SAMPLE_REUSE_MS = 250;

/** A prom-client metric whose values come from the shared per-scrape sample. */
class SampledFamily {
  readonly aggregator = 'sum';
  constructor(
    readonly def: MetricDefinition,
    private readonly values: () => Promise<Map<string, Value[]>>,
  ) {}
  get name(): string {
    return this.def.name;
  }
  get help(): string {
    return this.def.help;
  }
  get type(): string {
    return this.def.type;
  }
  async get(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }> {
    const all = await this.values();
    return { name: this.def.name, help: this.def.help, type: this.def.type, values: all.get(this.def.name) ?? [], aggregator: this.aggregator };
  }
  reset(): void {}
}

function histogramValues(name: string, labels: Labels, h: LatencyHistogramSnapshot): Value[] {
  const out: Value[] = [];
  let cumulative = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    cumulative += h.counts[i] ?? 0;
    out.push({ labels: { ...labels, le: String(h.bounds[i]) }, value: cumulative, metricName: `${name}_bucket` });
  }
  out.push({ labels: { ...labels, le: '+Inf' }, value: h.count, metricName: `${name}_bucket` });
  out.push({ labels, value: h.sumSeconds, metricName: `${name}_sum` });
  out.push({ labels, value: h.count, metricName: `${name}_count` });
  return out;
}

/** Options of `TributaryMetrics`: the Prometheus registry to register in and whether to add Node's default metrics. */
export interface TributaryMetricsOptions {
  /** Register into this registry (default: a new one). */
  readonly registry?: Registry;
  /** Also register prom-client's default process metrics (RSS, heap, CPU, event loop). Default true. */
  readonly defaultMetrics?: boolean;
}

/** The Prometheus metrics of one app (records, commits, lag, restores, dead letters, latencies), read from what the runtime already counts when scraped. */
export class TributaryMetrics {
  readonly registry: Registry;
  private readonly apps: MetricsSource[] = [];
  private readonly sampler = new AppSampler();
  private pending: { atMs: number; samples: Promise<AppSample[]>; values: Promise<Map<string, Value[]>> } | null = null;

  constructor(options: TributaryMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters, which Prometheus' lint (promtool check metrics) rejects.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
        this.registry.removeSingleMetric(name);
    }
    const values = () => this.current().values;
    for (const def of Object.values(METRICS)) this.registry.registerMetric(new SampledFamily(def, values) as never);
  }

  /** Serves `app` too (labelled by its application id). */
  add(app: MetricsSource): this {
    if (!this.apps.includes(app)) this.apps.push(app);
    return this;
  }

  get applications(): readonly MetricsSource[] {
    return this.apps;
  }

  /** One reading of every app (shared by the families of one scrape and by the live page). */
  samples(): Promise<AppSample[]> {
    return this.current().samples;
  }

  /** The Prometheus text exposition of the registry. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private current(): { samples: Promise<AppSample[]>; values: Promise<Map<string, Value[]>> } {
    const now = Date.now();
    if (this.pending !== null && now - this.pending.atMs < SAMPLE_REUSE_MS) return this.pending;
    const samples = Promise.all(this.apps.map((a) => this.sampler.sample(a)));
    const values = samples.then(toValues);
    values.catch(() => undefined);
    this.pending = { atMs: now, samples, values };
    return this.pending;
  }
}

/** Every family's values from one sample of each app. */
export function toValues(samples: readonly AppSample[]): Map<string, Value[]> {
  const out = new Map<string, Value[]>();
  const push = (name: string, values: readonly Value[]) => {
    let list = out.get(name);
    if (list === undefined) out.set(name, (list = []));
    list.push(...values);
  };
  const emit: Emit = (key, labels, value) => {
    if (value === undefined || !Number.isFinite(value)) return;
    push(METRICS[key].name, [{ labels, value }]);
  };
  const emitHistogram: EmitHistogram = (key, labels, h) => push(METRICS[key].name, histogramValues(METRICS[key].name, labels, h));
  for (const s of samples) emitApp(s, emit, emitHistogram);
  return out;
}

function emitApp(s: AppSample, emit: Emit, emitHistogram: EmitHistogram): void {
  const app = { application_id: s.applicationId };
  const m = s.metrics;
  for (const state of APP_STATES) emit('appState', { ...app, state }, s.state === state ? 1 : 0);
  emit('tasksRunning', app, s.running.length);
  emitHistogram('commitLatency', app, s.commitLatency);
  emit('commits', app, m.runtime.commits);
  emit('rebalances', app, m.runtime.rebalances);
  emit('tasksCreated', app, m.runtime.tasksCreated);
  emit('tasksClosed', { ...app, how: 'clean' }, m.runtime.tasksClosedClean);
  emit('tasksClosed', { ...app, how: 'dirty' }, m.runtime.tasksClosedDirty);
  emit('fencings', app, m.runtime.migrations);
  emit('recoveries', app, m.runtime.recoveries);
  emit('threadReplacements', app, m.threadReplacements);
  emit('poisonRecords', app, m.poisonRecordsDeadLettered);
  for (const l of s.lag ?? []) emit('lag', { ...app, topic: l.topic, partition: String(l.partition) }, l.lag);
  if (s.watermarkMs !== undefined) {
    emit('watermark', app, s.watermarkMs / 1000);
    emit('watermarkBehind', app, (s.atMs - s.watermarkMs) / 1000);
  }
  const running = new Map(s.running.map((t) => [t.taskId, t]));
  for (const t of s.tasks) {
    const labels = { ...app, subtopology: t.subtopology, task_id: t.taskId, partition: t.partition };
    emit('recordsIn', labels, t.recordsIn);
    emit('processed', labels, t.processed);
    emit('recordsOut', labels, t.recordsOut);
    emit('changelogRecords', labels, t.changelogRecords);
    emit('dropped', { ...labels, reason: 'late' }, t.droppedLate);
    emit('dropped', { ...labels, reason: 'null_key_or_value' }, t.dropped - t.droppedLate);
    for (const reason of DEAD_LETTER_REASONS) emit('deadLettered', { ...labels, reason }, t.deadLetteredBy[reason]);
    emit('skipped', labels, t.skipped);
    emit('taskCommits', labels, t.commits);
    emit('punctuations', labels, t.punctuations);
    emitHistogram('processLatency', labels, t.processLatency.snapshot());
    emitHistogram('e2eLatency', labels, t.e2eLatency.snapshot());
    const r = running.get(t.taskId);
    if (r === undefined) continue;
    emit('buffered', labels, r.buffered);
    if (r.streamTimeMs !== undefined) {
      emit('streamTime', labels, r.streamTimeMs / 1000);
      emit('streamTimeBehind', labels, (s.atMs - r.streamTimeMs) / 1000);
    }
  }
  for (const task of s.running) {
    for (const store of task.stores) {
      const labels = { ...app, task_id: task.taskId, store: store.name };
      const sm = store.metrics;
      if (sm !== undefined) {
        emit('storePuts', labels, sm.puts);
        emit('storeGets', labels, sm.gets);
        emit('storeRanges', labels, sm.ranges);
        emit('storeDeletes', labels, sm.deletes);
        emit('storeFlushes', labels, sm.flushes);
        const c = sm.cache;
        if (c !== undefined) {
          emit('cacheHits', labels, c.hits);
          emit('cacheMisses', labels, c.misses);
          emit('cacheBytes', labels, c.bytes);
          if (c.hits + c.misses > 0) emit('cacheHitRatio', labels, c.hits / (c.hits + c.misses));
        }
      }
      if (store.directory !== undefined) emit('storeSize', labels, s.storeSizes.get(store.directory));
    }
  }
  for (const r of s.restores) {
    const labels = { ...app, task_id: r.taskId, store: r.store };
    emit('restoreDone', labels, r.restored);
    emit('restoreRemaining', labels, r.done ? 0 : Math.max(0, r.total - r.restored));
    emit('restoring', labels, r.done ? 0 : 1);
  }
  for (const t of s.tables) {
    const labels = { ...app, table: t.table };
    emit('deltaCommits', labels, t.commits);
    emit('deltaRows', labels, t.rows);
    emit('deltaFiles', labels, t.files);
    emit('deltaBytes', labels, t.bytes);
    emitHistogram('deltaCommitLatency', labels, t.commitLatency.snapshot());
    emit('deltaVersion', labels, t.version);
    if (t.lastCommitAtMs !== undefined) emit('deltaLastCommit', labels, t.lastCommitAtMs / 1000);
    emit('deltaBuffered', labels, t.bufferedRows);
  }
}
