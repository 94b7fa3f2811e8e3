/**
 * `tributary run --metrics-port` against the real broker (kafkajs): the bronze topology of the
 * seed scenario runs as a child process; /metrics is scraped while transactions flow, promtool
 * accepts it, and the counters move by exactly the records produced. SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../lib/cli/main.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { parseExposition, promtoolCheck, sum, type Sample } from '../../helpers/prometheus.js';
import { captureContext } from '../../unit/cli/capture.js';
import { until } from '../../unit/observability/fixture.js';

let child: ChildProcess | undefined;
const dirs: string[] = [];
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function produce(servers: string, topic: string, n: number, seed: number): Promise<{ sent: number; malformed: number; late: number }> {
  const ctx = captureContext();
  const code = await runCli(
    ['produce', 'transactions', '--bootstrap-servers', servers, '--topic', topic, '--partitions', '2', '--num-transactions', String(n), '--seed', String(seed)],
    ctx,
  );
  expect(ctx.err()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(ctx.out().trim()) as { sent: number; malformed: number; late: number };
}

describe('tributary run --metrics-port (real broker)', () => {
  it('serves /metrics that promtool accepts, with totals that follow the records, and health probes', async () => {
    const servers = realBootstrapServers();
    const topic = uniqueName('metrics-in');
    const appId = uniqueName('metrics-bronze');
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-metrics-data-'));
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-metrics-state-'));
    dirs.push(dataDir, stateDir);
    const first = await produce(servers, topic, 400, 11);

    child = spawn(
      process.execPath,
      [
        'bin/tributary.js',
        'run',
        'topologies/transactions-bronze.ts',
        '--application-id',
        appId,
        '--param',
        `input-topic=${topic}`,
        '--param',
        `late-topic=${topic}-late`,
        '--param',
        'commit-interval=500ms',
        '--data-dir',
        dataDir,
        '--state-dir',
        stateDir,
        '--metrics-port',
        '0',
        '--progress-interval',
        '1s',
        '--processes',
        '1',
      ],
      { env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: servers }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('close', resolve));

    let url = '';
    await until(
      'the metrics event',
      () => {
        const line = stdout.split('\n').find((l) => l.includes('"event":"metrics"'));
        if (line !== undefined) url = (JSON.parse(line) as { url: string }).url;
        return url !== '';
      },
      60_000,
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return { text, samples: parseExposition(text) };
    };
    const app = { application_id: appId };
    await until('the first batch in', async () => sum((await scrape()).samples, 'tributary_stream_task_records_in_total', app) === first.sent, 60_000);
    await until('ready', async () => (await fetch(`${url}/health/ready`)).status === 200, 30_000);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    await until(
      'the first batch committed (lag 0)',
      async () => {
        const s = (await scrape()).samples;
        return (
          s.some((x) => x.name === 'tributary_stream_consumer_lag_records') &&
          sum(s, 'tributary_stream_consumer_lag_records', { ...app, topic }) === 0 &&
          sum(s, 'tributary_delta_commits_total', app) > 0
        );
      },
      60_000,
    );
    const one = await scrape();
    const check = await promtoolCheck(one.text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    const s1 = one.samples;
    expect(sum(s1, 'tributary_stream_tasks_running', app)).toBe(2);
    expect(sum(s1, 'tributary_stream_task_dead_lettered_records_total', { ...app, reason: 'deserialization' })).toBe(first.malformed);
    expect(
      s1
        .filter((x) => x.name === 'tributary_stream_consumer_lag_records' && x.labels['topic'] === topic)
        .map((x) => x.labels['partition'])
        .sort(),
    ).toEqual(['0', '1']);

    const second = await produce(servers, topic, 300, 12);
    await until(
      'the second batch in',
      async () => sum((await scrape()).samples, 'tributary_stream_task_records_in_total', app) === first.sent + second.sent,
      60_000,
    );
    await until(
      'the second batch in Delta',
      async () => {
        const s = (await scrape()).samples;
        return (
          sum(s, 'tributary_delta_rows_total', app) +
            sum(s, 'tributary_stream_task_dead_lettered_records_total', app) +
            sum(s, 'tributary_stream_task_dropped_records_total', app) ===
          first.sent + second.sent
        );
      },
      60_000,
    );
    const s2 = (await scrape()).samples;
    const moved = (name: string, match: Record<string, string> = app) => sum(s2, name, match) - sum(s1, name, match);
    expect(moved('tributary_stream_task_records_in_total')).toBe(second.sent);
    expect(moved('tributary_stream_task_dead_lettered_records_total', { ...app, reason: 'deserialization' })).toBe(second.malformed);
    expect(moved('tributary_delta_commits_total')).toBeGreaterThan(0);
    expect(moved('tributary_delta_table_version')).toBeGreaterThan(0);
    expect(moved('tributary_stream_thread_commit_latency_seconds_count')).toBeGreaterThan(0);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
