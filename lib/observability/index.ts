/**
 * Observability: Prometheus metrics read from the runtime at scrape time, health endpoints and
 * the live page, on one HTTP port (see server.ts and docs/operations.md).
 */
export { TributaryMetrics, type TributaryMetricsOptions } from './collector.js';
export { startMetricsServer, readiness, type MetricsServer, type MetricsServerOptions } from './server.js';
export { METRICS, type MetricDefinition, type MetricType } from './metric-definitions.js';
export { runtimeSource } from './runtime-source.js';
export type { MetricsSource } from './app-sample.js';
