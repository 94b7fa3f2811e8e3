/**
 * `--metrics-port` / `--ui` for `tributary run` and `tributary demo`: one HTTP server (loopback)
 * serving /metrics, /health/live, /health/ready and the live page for the command's apps.
 */
import type { TributaryApp } from '../../app/tributary-app.js';
import { TributaryMetrics } from '../../observability/collector.js';
import { startMetricsServer, type MetricsServer } from '../../observability/server.js';
import { parseInteger } from '../options.js';

/** The port `--ui` uses when no `--metrics-port` is given (Prometheus' registered port for app exporters). */
export const DEFAULT_METRICS_PORT = 9464;

export function parseMetricsPort(text: string | undefined, flag = '--metrics-port'): number | undefined {
  return text === undefined ? undefined : parseInteger(text, flag, 0, 65535);
}

/** Env var that binds the metrics server to another host (e.g. 0.0.0.0 in a container). */
export const METRICS_HOST_ENV = 'TRIBUTARY_METRICS_HOST';

export async function serveMetrics(apps: readonly TributaryApp[], port: number, host: string | undefined): Promise<MetricsServer> {
  const metrics = new TributaryMetrics();
  for (const app of apps) metrics.add(app);
  return startMetricsServer({ metrics, port, ...(host ? { host } : {}) });
}
