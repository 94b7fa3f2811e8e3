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

/**
 * `keepLastView`: sample the apps every second even when nobody watches, so a page opened after they
 * stopped (the demo's `--ui`) still shows their last tasks, stores and watermark.
 */
export async function serveMetrics(apps: readonly TributaryApp[], port: number, host: string | undefined, keepLastView = false): Promise<MetricsServer> {
  const metrics = new TributaryMetrics();
  for (const app of apps) metrics.add(app);
  const server = await startMetricsServer({ metrics, port, ...(host ? { host } : {}) });
  if (!keepLastView) return server;
  const timer = setInterval(() => void metrics.samples().catch(() => undefined), 1_000);
  timer.unref();
  return {
    port: server.port,
    url: server.url,
    close: async () => {
      clearInterval(timer);
      await server.close();
    },
  };
}
