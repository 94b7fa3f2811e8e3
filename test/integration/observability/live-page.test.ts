/**
 * The live page in a real browser (headless Chromium, Debian's /usr/bin/chromium, driven by
 * playwright-core) while an application runs on the embedded broker: the topology graph has a
 * node for every node of describe(), the input rate shown changes between two reads while records
 * flow, every request stays on the runner's port (no internet needed) and the console has no
 * errors. A screenshot goes to test-output/observability/live-page.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryMetrics } from '../../../lib/observability/collector.js';
import { topologyGraph } from '../../../lib/observability/live-view.js';
import { startMetricsServer, type MetricsServer } from '../../../lib/observability/server.js';
import { Fixture, produce, until } from '../../unit/observability/fixture.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const OUT = resolve(import.meta.dirname, '../../../test-output/observability');

const fx = new Fixture();
let server: MetricsServer | undefined;
let browser: BrowserContext | undefined;
let profile: string | undefined;
afterEach(async () => {
  await browser?.close().catch(() => undefined);
  if (profile) rmSync(profile, { recursive: true, force: true });
  await server?.close();
  await fx.close();
});

describe('live page (headless Chromium)', () => {
  it('draws the topology, shows moving rates, loads nothing from outside and logs no error', async () => {
    const client = await fx.broker();
    const app = fx.app();
    server = await startMetricsServer({ metrics: new TributaryMetrics().add(app), port: 0 });
    await app.start();

    // Records keep flowing with an uneven pace, so the rate differs from one second to the next.
    let stop = false;
    let next = 0;
    const flow = (async () => {
      for (let round = 0; !stop; round++) {
        const n = round % 2 === 0 ? 40 : 240;
        await produce(client, next, n, 1_000_000);
        next += n;
        await new Promise((r) => setTimeout(r, 330));
      }
    })();

    try {
      profile = mkdtempSync(join(tmpdir(), 'tributary-chromium-'));
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1440, height: 900 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const page = browser.pages()[0] ?? (await browser.newPage());
      const errors: string[] = [];
      const outside: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      page.on('request', (r) => {
        if (!r.url().startsWith(server!.url) && !r.url().startsWith('data:')) outside.push(r.url());
      });
      await page.goto(`${server.url}/`);

      // Every node of describe() (plus its topics and stores) is drawn by the layout.
      const graph = topologyGraph(app.applicationId, app.topologyDescription);
      expect(graph.nodes.length).toBeGreaterThan(8);
      await page.locator('svg.topology g.node').first().waitFor({ timeout: 15_000 });
      const drawn = await page.locator('svg.topology g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
      expect(new Set(drawn)).toEqual(new Set(graph.nodes.map((n) => n.id)));
      expect(drawn).toContain('KSTREAM-SOURCE-0000000000');

      // The input rate (records/s, from two consecutive server-sent events) changes while records flow.
      const rateIn = page.locator('#rate-in-metrics-app');
      await until('a first rate', async () => /\d\/s$/.test((await rateIn.textContent()) ?? ''), 20_000);
      const reads: string[] = [(await rateIn.textContent())!];
      await until(
        'a different rate',
        async () => {
          const t = (await rateIn.textContent())!;
          if (t !== reads[reads.length - 1]) reads.push(t);
          return reads.length >= 3;
        },
        20_000,
      );
      expect(new Set(reads).size).toBeGreaterThanOrEqual(2);
      // The source node shows its rate too; the tasks table has both tasks; the Delta table is listed.
      await until(
        'the source node rate',
        async () => /\d\/s$/.test((await page.locator('g.node[data-node="KSTREAM-SOURCE-0000000000"] .node-rate').textContent()) ?? ''),
        10_000,
      );
      expect(await page.locator('tr[data-task]').count()).toBe(2);
      await until('a Delta commit shown', async () => (await page.locator('td.path').count()) === 1, 15_000);

      mkdirSync(OUT, { recursive: true });
      await page.waitForTimeout(1_500);
      await page.screenshot({ path: join(OUT, 'live-page.png'), fullPage: true });
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      stop = true;
      await flow;
    }
  });
});
