/**
 * A `MetricsSource` over a bare `StreamsRuntime` (no `TributaryApp` around it): benchmarks and
 * embedders that drive the runtime themselves get the same endpoint. No lag (the runtime's admin
 * connection is its own); the state maps running → RUNNING, rebalancing/starting → REBALANCING.
 */
import type { AppMetrics, AppState } from '../app/tributary-app.js';
import { observeRuntime } from '../app/observation.js';
import type { StreamsRuntime } from '../runtime/streams-runtime.js';
import { sumMetrics } from '../runtime/task-metrics.js';
import type { MetricsSource } from './app-sample.js';

const STATES: Record<string, AppState> = {
  created: 'CREATED',
  starting: 'REBALANCING',
  rebalancing: 'REBALANCING',
  running: 'RUNNING',
  closing: 'PENDING_SHUTDOWN',
  closed: 'NOT_RUNNING',
  error: 'ERROR',
};

export function runtimeSource(runtime: StreamsRuntime): MetricsSource {
  const state = (): AppState => STATES[runtime.state] ?? 'ERROR';
  return {
    applicationId: runtime.config.applicationId,
    get state() {
      return state();
    },
    topologyDescription: undefined,
    metrics(): AppMetrics {
      const tasks = runtime.metrics();
      return { state: state(), threadReplacements: 0, poisonRecordsDeadLettered: 0, runtime: { ...runtime.counters }, tasks, totals: sumMetrics(tasks) };
    },
    observe() {
      const o = observeRuntime(runtime, runtime.config.applicationId, 10_000);
      return { ...o, commitLatencyTotal: runtime.commitLatency.histogram.snapshot() };
    },
    lagByPartition: async () => [],
  };
}
