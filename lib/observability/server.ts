/**
 * The observability HTTP server (`tributary run --metrics-port`): one port, loopback by default.
 *
 *   GET /metrics        Prometheus text format (prom-client registry, see metric-definitions.ts)
 *   GET /health/live    200 while no application is in ERROR, else 503 (Kubernetes livenessProbe)
 *   GET /health/ready   200 when every application is RUNNING with no store restoring, else 503
 *                       (readinessProbe); the body says why in JSON
 *   GET /               the live page: topology graph, per-task charts, stores, Delta tables
 *   GET /events         server-sent events: one `LiveApp[]` JSON message per second
 *   GET /api/topology   the topology graphs (nodes and edges from describe())
 *   GET /assets/…       the page's scripts and styles, and dagre and uPlot from node_modules
 *
 * Every asset is served from this process (no CDN): the page works without internet.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { TributaryMetrics } from './collector.js';
import { liveApp, topologyGraph } from './live-view.js';

/** Options of `startMetricsServer`: the metrics, port and host, and the live page's refresh interval. */
export interface MetricsServerOptions {
  readonly metrics: TributaryMetrics;
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1; `0.0.0.0` to be scraped from outside (in a container). */
  readonly host?: string;
  /** Time between live-page messages. Default 1000 ms. */
  readonly liveIntervalMs?: number;
}

/** A running metrics server: its port, URL and `close()`. */
export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');

function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

const ASSETS: Record<string, { file: () => string; type: string }> = {
  '/assets/page.js': { file: () => join(PAGE_DIR, 'page.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/page.css': { file: () => join(PAGE_DIR, 'page.css'), type: 'text/css; charset=utf-8' },
  '/assets/dagre.min.js': { file: () => packageFile('@dagrejs/dagre', 'dist/dagre.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.js': { file: () => packageFile('uplot', 'dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.css': { file: () => packageFile('uplot', 'dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  '/': { file: () => join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
};

/** Readiness of every served app: ready when each is RUNNING and none of its stores is restoring. */
export function readiness(metrics: TributaryMetrics): { ready: boolean; live: boolean; apps: { applicationId: string; state: string; restoring: string[] }[] } {
  // Read now, not from the (briefly memoized) scrape sample: a probe must see a close at once.
  const apps = metrics.applications.map((a) => ({
    applicationId: a.applicationId,
    state: a.state as string,
    restoring: a
      .observe()
      .restores.filter((r) => !r.done)
      .map((r) => `${r.taskId}/${r.store}`),
  }));
  return {
    ready: apps.length > 0 && apps.every((a) => a.state === 'RUNNING' && a.restoring.length === 0),
    live: apps.every((a) => a.state !== 'ERROR'),
    apps,
  };
}

/** Starts an HTTP server with `/metrics` (Prometheus), health probes (`/health/live`, `/health/ready`) and the live page (`/`). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { metrics } = options;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new ConfigError(`Invalid metrics port ${options.port}: give a port number 1-65535 (0 picks a free one).`);
  }
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | null = null;
  const liveMessage = async (): Promise<string> => JSON.stringify((await metrics.samples()).map(liveApp));
  const broadcast = async () => {
    let data: string;
    try {
      data = await liveMessage();
    } catch (error) {
      data = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
    }
    for (const c of clients) c.write(`data: ${data}\n\n`);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      const body = await metrics.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      return;
    }
    if (path === '/health/live' || path === '/health/ready') {
      const r = readiness(metrics);
      const ok = path === '/health/live' ? r.live : r.ready;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'UP' : 'DOWN', apps: r.apps }));
      return;
    }
    if (path === '/api/topology') {
      const graphs = metrics.applications.map((a) => topologyGraph(a.applicationId, a.topologyDescription));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(graphs));
      return;
    }
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      clients.add(res);
      req.on('close', () => {
        clients.delete(res);
        if (clients.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      });
      res.write(`data: ${await liveMessage()}\n\n`);
      timer ??= setInterval(() => void broadcast(), options.liveIntervalMs ?? 1_000);
      return;
    }
    const asset = ASSETS[path];
    if (asset === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = await readFile(asset.file());
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Metrics port ${options.port} on ${host} is in use: choose another --metrics-port.`) : error),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host}:${port}`,
    close: async () => {
      if (timer !== null) clearInterval(timer);
      for (const c of clients) c.end();
      clients.clear();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
