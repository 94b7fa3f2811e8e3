/**
 * `tributary demo --ui` (what `npm start -- --ui` runs): the demo's two applications are served
 * on one metrics port while they run, and the page stays up after the demo finished — with the
 * final totals — until Ctrl-C, which then exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../lib/cli/main.js';
import { parseExposition, promtoolCheck, sum } from '../../helpers/prometheus.js';
import { captureContext } from '../../unit/cli/capture.js';
import { until } from '../../unit/observability/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('tributary demo --ui', () => {
  it('keeps the live page and /metrics up after the demo finishes, until interrupted', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tributary-demo-ui-'));
    dirs.push(out);
    const abort = new AbortController();
    const ctx = captureContext({ signal: abort.signal });
    const running = runCli(['demo', '--embedded', '--num-transactions', '600', '--seed', '5', '--output-dir', out, '--ui', '--metrics-port', '0'], ctx);
    let url = '';
    await until(
      'the page kept up',
      () => {
        const m = /stays up at (http:\/\/127\.0\.0\.1:\d+)\//.exec(ctx.err());
        if (m) url = m[1]!;
        return url !== '';
      },
      120_000,
    );
    expect(ctx.out()).toContain(`live page at ${url}/`);

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/assets/dagre.min.js');
    const graphs = (await (await fetch(`${url}/api/topology`)).json()) as Array<{ applicationId: string; nodes: unknown[] }>;
    expect(graphs.map((g) => g.applicationId).sort()).toEqual(['transactions-bronze', 'transactions-windowed']);
    for (const g of graphs) expect(g.nodes.length).toBeGreaterThan(5);

    const text = await (await fetch(`${url}/metrics`)).text();
    expect((await promtoolCheck(text)).code).toBe(0);
    const s = parseExposition(text);
    for (const app of ['transactions-bronze', 'transactions-windowed']) {
      expect(sum(s, 'tributary_stream_state', { application_id: app, state: 'NOT_RUNNING' })).toBe(1);
      // Each app's Delta table is still listed after its tasks closed.
      expect(s.filter((x) => x.name === 'tributary_delta_table_version' && x.labels['application_id'] === app)).toHaveLength(1);
    }
    // 600 events over 10 minutes: bronze commits them; no 1-minute window closes within the 10-minute grace.
    expect(sum(s, 'tributary_delta_commits_total', { application_id: 'transactions-bronze' })).toBeGreaterThan(0);
    expect(sum(s, 'tributary_delta_rows_total', { application_id: 'transactions-bronze' })).toBeGreaterThan(500);
    // The bronze app reads the input topic in one task; the windowed one reads it and its repartition topic.
    expect(sum(s, 'tributary_stream_task_records_in_total', { application_id: 'transactions-bronze' })).toBe(600);
    expect(sum(s, 'tributary_stream_task_records_in_total', { application_id: 'transactions-windowed' })).toBeGreaterThan(600);
    // The live page's feed still shows the last view of the stopped apps: tasks, stores, watermark.
    const events = await fetch(`${url}/events`);
    const reader = events.body!.getReader();
    let buffered = '';
    while (!buffered.includes('\n\n')) buffered += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const live = JSON.parse(buffered.slice('data: '.length, buffered.indexOf('\n\n'))) as Array<{
      applicationId: string;
      state: string;
      watermarkMs: number | null;
      tasks: Array<{ stores: unknown[] }>;
    }>;
    const windowed = live.find((a) => a.applicationId === 'transactions-windowed')!;
    expect(windowed.state).toBe('NOT_RUNNING');
    expect(windowed.watermarkMs).not.toBeNull();
    expect(windowed.tasks.flatMap((t) => t.stores).length).toBeGreaterThan(0);
    expect((await fetch(`${url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    abort.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });
});
