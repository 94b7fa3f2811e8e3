/**
 * What the live page receives once a second over server-sent events: per app, its state, totals,
 * per-task counters, stream time, lag, stores, restorations and Delta tables. Rates are computed
 * by the page from two consecutive messages (counters here are totals, as on /metrics).
 */
import type { TopologyDescription } from '../topology/describe.js';
import type { AppSample } from './app-sample.js';

export interface LiveTask {
  readonly taskId: string;
  readonly subtopology: string;
  readonly running: boolean;
  readonly recordsIn: number;
  readonly processed: number;
  readonly recordsOut: number;
  readonly late: number;
  readonly droppedOther: number;
  readonly deadLettered: number;
  readonly lastDeadLetters: readonly { reason: string; message: string; atMs: number }[];
  readonly streamTimeMs: number | null;
  readonly buffered: number;
  readonly lag: number | null;
  readonly processLatencyMeanMs: number | null;
  readonly stores: readonly { name: string; sizeBytes: number | null; hitRatio: number | null; puts: number; gets: number }[];
}

export interface LiveApp {
  readonly applicationId: string;
  readonly state: string;
  readonly atMs: number;
  readonly totals: { recordsIn: number; processed: number; recordsOut: number; late: number; deadLettered: number; commits: number };
  readonly commit: { lastMs: number; meanMs: number; maxMs: number; count: number } | null;
  readonly watermarkMs: number | null;
  readonly lag: number | null;
  readonly tasks: readonly LiveTask[];
  readonly restores: readonly { taskId: string; store: string; restored: number; total: number; done: boolean }[];
  readonly tables: readonly {
    table: string;
    version: number | null;
    commits: number;
    rows: number;
    files: number;
    bytes: number;
    lastCommitAtMs: number | null;
    bufferedRows: number;
  }[];
  readonly fencings: number;
  readonly rebalances: number;
}

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: 'source' | 'processor' | 'sink' | 'topic' | 'store';
  readonly subtopology: number;
}

export interface AppGraph {
  readonly applicationId: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly { from: string; to: string }[];
}

export function liveApp(s: AppSample): LiveApp {
  const running = new Map(s.running.map((t) => [t.taskId, t]));
  const lagByTp = new Map((s.lag ?? []).map((l) => [`${l.topic}\0${l.partition}`, l.lag]));
  const tasks: LiveTask[] = s.tasks.map((t) => {
    const r = running.get(t.taskId);
    let lag: number | null = null;
    for (const tp of r?.inputs ?? []) {
      const l = lagByTp.get(`${tp.topic}\0${tp.partition}`);
      if (l !== undefined) lag = (lag ?? 0) + l;
    }
    const pl = t.processLatency;
    return {
      taskId: t.taskId,
      subtopology: t.subtopology,
      running: r !== undefined,
      recordsIn: t.recordsIn,
      processed: t.processed,
      recordsOut: t.recordsOut,
      late: t.droppedLate,
      droppedOther: t.dropped - t.droppedLate,
      deadLettered: t.deadLettered,
      lastDeadLetters: t.lastDeadLetters,
      streamTimeMs: r?.streamTimeMs ?? null,
      buffered: r?.buffered ?? 0,
      lag,
      processLatencyMeanMs: pl.count > 0 ? (pl.sumSeconds / pl.count) * 1000 : null,
      stores: (r?.stores ?? []).map((st) => {
        const c = st.metrics?.cache;
        return {
          name: st.name,
          sizeBytes: st.directory === undefined ? null : (s.storeSizes.get(st.directory) ?? null),
          hitRatio: c !== undefined && c.hits + c.misses > 0 ? c.hits / (c.hits + c.misses) : null,
          puts: st.metrics?.puts ?? 0,
          gets: st.metrics?.gets ?? 0,
        };
      }),
    };
  });
  const tot = s.metrics.totals;
  const rc = s.recentCommits;
  return {
    applicationId: s.applicationId,
    state: s.state,
    atMs: s.atMs,
    totals: {
      recordsIn: tot.recordsIn,
      processed: tot.processed,
      recordsOut: tot.recordsOut,
      late: tasks.reduce((n, t) => n + t.late, 0),
      deadLettered: tot.deadLettered,
      commits: s.metrics.runtime.commits,
    },
    commit: rc === undefined ? null : { lastMs: rc.lastMs, meanMs: rc.meanMs, maxMs: rc.maxMs, count: rc.count },
    watermarkMs: s.watermarkMs ?? null,
    lag: s.lag === undefined ? null : s.lag.reduce((n, l) => n + l.lag, 0),
    tasks,
    restores: s.restores.map((r) => ({ taskId: r.taskId, store: r.store, restored: r.restored, total: r.total, done: r.done })),
    tables: s.tables.map((t) => ({
      table: t.table,
      version: t.version ?? null,
      commits: t.commits,
      rows: t.rows,
      files: t.files,
      bytes: t.bytes,
      lastCommitAtMs: t.lastCommitAtMs ?? null,
      bufferedRows: t.bufferedRows,
    })),
    fencings: s.metrics.runtime.migrations,
    rebalances: s.metrics.runtime.rebalances,
  };
}

/** The topology as a graph: processor nodes from `describe()`, plus topic and store nodes. */
export function topologyGraph(applicationId: string, d: TopologyDescription | undefined): AppGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: { from: string; to: string }[] = [];
  if (d === undefined) return { applicationId, nodes: [], edges };
  const add = (n: GraphNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
  };
  for (const sub of d.subtopologies) {
    for (const n of sub.nodes) {
      add({ id: n.name, label: n.name, kind: n.type, subtopology: sub.id });
      for (const s of n.successors) edges.push({ from: n.name, to: s });
      if (n.type === 'source') {
        for (const t of n.topics) {
          add({ id: `topic:${t}`, label: t, kind: 'topic', subtopology: sub.id });
          edges.push({ from: `topic:${t}`, to: n.name });
        }
      } else if (n.type === 'sink') {
        const t = n.topic ?? n.topicExtractor ?? '(chosen per record)';
        add({ id: `topic:${t}`, label: t, kind: 'topic', subtopology: sub.id });
        edges.push({ from: n.name, to: `topic:${t}` });
      } else {
        for (const st of n.stores) {
          add({ id: `store:${st}`, label: st, kind: 'store', subtopology: sub.id });
          edges.push({ from: n.name, to: `store:${st}` });
        }
      }
    }
  }
  for (const g of d.globalStores) {
    add({ id: g.source.name, label: g.source.name, kind: 'source', subtopology: g.id });
    add({ id: g.processor.name, label: g.processor.name, kind: 'processor', subtopology: g.id });
    edges.push({ from: g.source.name, to: g.processor.name });
    for (const t of g.source.topics) {
      add({ id: `topic:${t}`, label: t, kind: 'topic', subtopology: g.id });
      edges.push({ from: `topic:${t}`, to: g.source.name });
    }
  }
  return { applicationId, nodes: [...nodes.values()], edges };
}
