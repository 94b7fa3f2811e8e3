/**
 * /metrics, /health/live and /health/ready of a running application on the embedded broker:
 * Prometheus' own `promtool check metrics` accepts the exposition, every family of
 * metric-definitions.ts is present, and values move by exactly what the produced records imply.
 */
import { Registry, Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryMetrics } from '../../../lib/observability/collector.js';
import { METRICS } from '../../../lib/observability/metric-definitions.js';
import { startMetricsServer, type MetricsServer } from '../../../lib/observability/server.js';
import { families, parseExposition, promtoolCheck, sum, type Sample } from '../../helpers/prometheus.js';
import { Fixture, produce, until } from './fixture.js';

const fx = new Fixture();
let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await fx.close();
});

async function get(path: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${server!.url}${path}`);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const r = await get('/metrics');
  expect(r.status).toBe(200);
  expect(r.type).toContain('text/plain; version=0.0.4');
  return { text: r.text, samples: parseExposition(r.text) };
}

const app = { application_id: 'metrics-app' };

describe('metrics endpoint (embedded broker)', () => {
  it('serves every family in a format promtool accepts, and counters move exactly with the records', async () => {
    const client = await fx.broker();
    const a = fx.app();
    server = await startMetricsServer({ metrics: new TributaryMetrics().add(a), port: 0 });

    // Not started: alive, not ready.
    expect((await get('/health/live')).status).toBe(200);
    const notReady = await get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text)).toMatchObject({ status: 'DOWN', apps: [{ applicationId: 'metrics-app', state: 'CREATED' }] });

    await a.start();
    const first = await produce(client, 0, 200);
    await until('the first batch processed and committed to Delta', async () => {
      const s = (await scrape()).samples;
      return (
        sum(s, 'tributary_stream_task_records_in_total', app) === 200 &&
        sum(s, 'tributary_delta_rows_total', app) === 200 - first.malformed - first.rejected &&
        sum(s, 'tributary_stream_consumer_lag_records', app) === 0
      );
    });
    await until('ready', async () => (await get('/health/ready')).status === 200);

    const one = await scrape();
    const check = await promtoolCheck(one.text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    const present = families(one.samples);
    const missing = Object.values(METRICS)
      .map((m) => m.name)
      .filter((n) => !present.has(n));
    expect(missing).toEqual([]);
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) expect(present.has(name)).toBe(true);

    const s1 = one.samples;
    expect(sum(s1, 'tributary_stream_state', { ...app, state: 'RUNNING' })).toBe(1);
    expect(sum(s1, 'tributary_stream_tasks_running', app)).toBe(2);
    expect(sum(s1, 'tributary_stream_task_process_total', app)).toBe(200 - first.malformed - first.rejected);
    expect(sum(s1, 'tributary_stream_task_dead_lettered_records_total', { ...app, reason: 'deserialization' })).toBe(first.malformed);
    expect(sum(s1, 'tributary_stream_task_dead_lettered_records_total', { ...app, reason: 'rejected' })).toBe(first.rejected);
    expect(sum(s1, 'tributary_stream_task_dropped_records_total', { ...app, reason: 'late' })).toBe(first.late);
    expect(sum(s1, 'tributary_stream_task_records_in_total', { ...app, task_id: '0_0', partition: '0', subtopology: '0' })).toBe(100);
    // The key-value count never reads the value (decoded lazily, by the Delta sink): every keyed record is counted,
    // malformed ones too; the window count skips the late ones.
    expect(sum(s1, 'tributary_stream_state_put_total', { ...app, store: 'counts' })).toBe(200);
    expect(sum(s1, 'tributary_stream_state_put_total', { ...app, store: 'window-counts' })).toBe(200 - first.late);
    expect(
      sum(s1, 'tributary_stream_state_cache_hits_total', { ...app, store: 'counts' }) +
        sum(s1, 'tributary_stream_state_cache_misses_total', { ...app, store: 'counts' }),
    ).toBeGreaterThan(0);
    const ratio = s1.filter((s) => s.name === 'tributary_stream_state_cache_hit_ratio' && s.labels['store'] === 'counts');
    expect(ratio.length).toBe(2);
    for (const r of ratio) expect(r.value).toBeGreaterThan(0.5); // 10 keys over 100 reads per task
    expect(sum(s1, 'tributary_stream_state_size_on_disk_bytes', { ...app, store: 'counts' })).toBeGreaterThan(0);
    expect(sum(s1, 'tributary_stream_state_restoring', app)).toBe(0);
    expect(sum(s1, 'tributary_delta_commits_total', app)).toBeGreaterThanOrEqual(1);
    expect(sum(s1, 'tributary_delta_table_version', app)).toBeGreaterThanOrEqual(1);
    expect(sum(s1, 'tributary_stream_consumer_lag_records', { ...app, topic: 'in' })).toBe(0);
    // Stream time: the highest timestamp per task (even i on partition 0: i = 198 → base + 1980).
    expect(sum(s1, 'tributary_stream_task_stream_time_seconds', { ...app, task_id: '0_0' })).toBeCloseTo((1_000_000 + 1980) / 1000, 6);
    expect(sum(s1, 'tributary_stream_watermark_seconds', app)).toBeCloseTo((1_000_000 + 1980) / 1000, 6);
    expect(sum(s1, 'tributary_stream_thread_commit_latency_seconds_count', app)).toBeGreaterThan(0);
    expect(sum(s1, 'tributary_stream_task_process_latency_seconds_count', app)).toBeGreaterThan(0);
    expect(sum(s1, 'tributary_stream_task_e2e_latency_seconds_count', app)).toBeGreaterThan(0);

    // A second batch: every counter moves by what it holds; stream time moves forward.
    const second = await produce(client, 200, 120, 2_000_000);
    await until('the second batch processed and committed to Delta', async () => {
      const s = (await scrape()).samples;
      return (
        sum(s, 'tributary_stream_task_records_in_total', app) === 320 &&
        sum(s, 'tributary_delta_rows_total', app) === 320 - first.malformed - first.rejected - second.malformed - second.rejected
      );
    });
    const s2 = (await scrape()).samples;
    const delta = (name: string, match: Record<string, string> = app) => sum(s2, name, match) - sum(s1, name, match);
    const good = 120 - second.malformed - second.rejected;
    expect(delta('tributary_stream_task_process_total')).toBe(good);
    expect(delta('tributary_stream_task_dead_lettered_records_total', { ...app, reason: 'deserialization' })).toBe(second.malformed);
    expect(delta('tributary_stream_task_dead_lettered_records_total', { ...app, reason: 'rejected' })).toBe(second.rejected);
    expect(delta('tributary_stream_task_dropped_records_total', { ...app, reason: 'late' })).toBe(second.late);
    expect(delta('tributary_stream_state_put_total', { ...app, store: 'counts' })).toBe(120);
    expect(delta('tributary_stream_state_get_total', { ...app, store: 'counts' })).toBe(120);
    expect(delta('tributary_stream_task_records_out_total')).toBeGreaterThan(0);
    expect(delta('tributary_delta_commits_total')).toBeGreaterThanOrEqual(1);
    expect(delta('tributary_delta_table_version')).toBeGreaterThanOrEqual(1);
    expect(delta('tributary_delta_bytes_total')).toBeGreaterThan(0);
    expect(delta('tributary_stream_thread_commit_total')).toBeGreaterThan(0);
    expect(delta('tributary_stream_task_e2e_latency_seconds_count')).toBeGreaterThan(0);
    // The lowest task stream time: partition 0's (even i) — i = 318 of the second batch, i = 198 of the first.
    expect(delta('tributary_stream_watermark_seconds')).toBeCloseTo((2_000_000 + 3180 - (1_000_000 + 1980)) / 1000, 6);

    // Closed: alive (not an error), not ready.
    await a.close();
    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/health/ready')).status).toBe(503);
  });

  it('a new instance restores the changelog and reports its progress; the app registry merges into another', async () => {
    const client = await fx.broker();
    const a = fx.app();
    await a.start();
    await produce(client, 0, 200);
    await until('processed', () => a.metrics().totals.recordsIn === 200);
    await a.close();

    // A new instance with an empty state directory restores 'counts' from its changelog (10 keys, 5 per partition).
    const b = fx.app();
    await b.start();
    await until('both tasks running', () => b.state === 'RUNNING' && b.observe().tasks.length === 2);
    const theirs = new Registry();
    new Counter({ name: 'their_requests_total', help: 'requests of the host application', registers: [theirs] }).inc(3);
    const merged = Registry.merge([theirs, b.metricsRegistry()]);
    const text = await merged.metrics();
    expect((await promtoolCheck(text)).code).toBe(0);
    const s = parseExposition(text);
    expect(sum(s, 'their_requests_total')).toBe(3);
    const restored = sum(s, 'tributary_stream_state_restore_records_done', { ...app, store: 'counts' });
    expect(restored).toBeGreaterThanOrEqual(10); // at least the latest changelog record of each of the 10 keys
    expect(sum(s, 'tributary_stream_state_restore_records_remaining', app)).toBe(0);
    expect(sum(s, 'tributary_stream_state_restoring', app)).toBe(0);
    expect(sum(s, 'tributary_stream_thread_task_created_total', app)).toBe(2);
  });
});
