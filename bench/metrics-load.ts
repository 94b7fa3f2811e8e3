/**
 * The metrics-on case of the benches (`--metrics` or TRIBUTARY_BENCH_METRICS=1): serves the
 * endpoint for the app under test and loads it harder than a deployment would — /metrics scraped
 * every second (Prometheus defaults to 15 s) and one live-page client on /events — so the
 * figure is an upper bound of what observability costs the per-record path.
 */
import { TributaryMetrics } from '../lib/observability/collector.js';
import type { MetricsSource } from '../lib/observability/app-sample.js';
import { startMetricsServer } from '../lib/observability/server.js';

export function metricsWanted(): boolean {
  return process.argv.includes('--metrics') || process.env['TRIBUTARY_BENCH_METRICS'] === '1';
}

export interface MetricsLoad {
  stop(): Promise<{ scrapes: number; events: number; lastBytes: number }>;
}

export async function startMetricsLoad(source: MetricsSource): Promise<MetricsLoad> {
  const server = await startMetricsServer({ metrics: new TributaryMetrics().add(source), port: 0 });
  let scrapes = 0;
  let events = 0;
  let lastBytes = 0;
  let running = true;
  const scraper = (async () => {
    while (running) {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      lastBytes = text.length;
      scrapes++;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  })();
  const abort = new AbortController();
  const live = (async () => {
    const res = await fetch(`${server.url}/events`, { signal: abort.signal });
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      events += new TextDecoder().decode(value).split('\n\n').length - 1;
    }
  })().catch(() => undefined);
  return {
    async stop() {
      running = false;
      await scraper;
      abort.abort();
      await live;
      await server.close();
      return { scrapes, events, lastBytes };
    },
  };
}
