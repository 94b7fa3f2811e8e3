import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { runCli } from '../../../lib/cli/main.js';
import { applicationIdFromFile, loadTopology, parseParams } from '../../../lib/cli/run/topology-module.js';
import { captureContext } from './capture.js';

const fixtures = join(import.meta.dirname, '../../integration/pipeline/fixtures');
const base = { applicationId: undefined, windowMs: undefined, dataDir: 'data', params: {} };

describe('topology files', () => {
  it('loads a default-exported Topology, naming the application after the file', async () => {
    const loaded = await loadTopology(join(fixtures, 'plain-topology.ts'), base);
    expect(loaded.applicationId).toBe('plain-topology');
    expect(loaded.topology.describe().toString()).toContain('plain-in');
    expect(loaded.topics).toEqual([]);
  });

  it('calls a factory with the window, data dir, params and the module application id', async () => {
    const loaded = await loadTopology(join(fixtures, 'factory-echo.ts'), { ...base, windowMs: 60_000, params: { 'input-topic': 'tx' } });
    expect(loaded.applicationId).toBe('echo-app');
    const text = loaded.topology.describe().toString();
    expect(text).toContain('window-60000');
    expect(text).toContain('(topics: [tx])');
    expect(text).toContain('echo-app-out');
  });

  it('lets --application-id win over the module and reach the factory', async () => {
    const loaded = await loadTopology(join(fixtures, 'factory-echo.ts'), { ...base, applicationId: 'override' });
    expect(loaded.applicationId).toBe('override');
    expect(loaded.topology.describe().toString()).toContain('override-out');
  });

  it('returns the definition form of the seed topologies with their output topics', async () => {
    const loaded = await loadTopology('topologies/transactions-windowed.ts', { ...base, params: { 'output-topic': 'agg' } });
    expect(loaded.applicationId).toBe('transactions-windowed');
    expect(loaded.topics.map((t) => t.topic).sort()).toEqual(['agg', 'transactions-windowed-late']);
  });

  it.each([
    ['no-default-export.ts', /exports no topology: it needs a default export .*; it exports only 'buildTopology'/],
    ['default-not-topology.ts', /exports no topology: its default export is an object with keys name, version/],
  ])('%s: a clear ConfigError', async (file, message) => {
    const err = await loadTopology(join(fixtures, file), base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it('rejects a missing file and a param without =', async () => {
    await expect(loadTopology('topologies/nope.ts', base)).rejects.toThrow('Topology file not found: topologies/nope.ts');
    expect(() => parseParams(['novalue'])).toThrow('Invalid --param: "novalue"');
    expect(parseParams(['a=1', 'b=x=y'])).toEqual({ a: '1', b: 'x=y' });
  });

  it('rejects unknown params and bad durations inside a seed topology', async () => {
    await expect(loadTopology('topologies/transactions-bronze.ts', { ...base, params: { 'input-topik': 'x' } })).rejects.toThrow(
      "Unknown --param 'input-topik'",
    );
    await expect(loadTopology('topologies/transactions-bronze.ts', { ...base, params: { watermark: 'soon' } })).rejects.toThrow(
      'Invalid duration for --param watermark: "soon"',
    );
  });

  it('derives application ids from file names', () => {
    expect(applicationIdFromFile('/x/topologies/transactions-bronze.ts')).toBe('transactions-bronze');
    expect(applicationIdFromFile('/x/my topology.mts')).toBe('my-topology');
  });
});

describe('tributary describe', () => {
  it('prints the Kafka Streams description and the resolved internal topics', async () => {
    const ctx = captureContext();
    const code = await runCli(['describe', 'topologies/transactions-windowed.ts', '--application-id', 'wapp'], ctx);
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);
    const out = ctx.out();
    expect(out).toMatch(/^Topologies:\n {3}Sub-topology: 0\n/);
    expect(out).toContain('Source: transactions-source (topics: [transactions])');
    expect(out).toContain('Sink: merchant-aggregates-sink (topic: transactions-aggregates)');
    expect(out).toContain('Repartition topics: wapp-by-merchant-repartition');
    expect(out).toContain('wapp-account-window-stats-changelog (store account-window-stats)');
  });

  it('prints JSON with --json', async () => {
    const ctx = captureContext();
    expect(await runCli(['describe', 'topologies/transactions-bronze.ts', '--json', '--param', 'input-topic=tx'], ctx)).toBe(0);
    const json = JSON.parse(ctx.out()) as { applicationId: string; sourceTopics: string[]; subtopologies: { nodes: { name: string }[] }[] };
    expect(json.applicationId).toBe('transactions-bronze');
    expect(json.sourceTopics).toEqual(['tx']);
    expect(json.subtopologies[0]!.nodes.map((n) => n.name)).toContain('bronze-watermark');
  });

  it('exits 2 for a file without a topology', async () => {
    const ctx = captureContext();
    expect(await runCli(['describe', join(fixtures, 'default-not-topology.ts')], ctx)).toBe(2);
    expect(ctx.err()).toContain('exports no topology');
  });

  it('exits 2 (configuration error) for a topology file that throws on import, with a one-line message (#19)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-throwing-'));
    try {
      const file = join(dir, 'throwing-topology.mjs');
      writeFileSync(file, "throw new Error('boom at import');\n");
      const ctx = captureContext();
      expect(await runCli(['describe', file], ctx)).toBe(2);
      expect(ctx.err()).toBe(
        `error: Cannot load topology file ${file}: importing it threw: boom at import. Fix the file (run it with node/tsx to see the stack) and retry.\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tributary run: the app config', () => {
  it("validates a topology's config as a TributaryApp does: exit 2, every bad key named", async () => {
    const ctx = captureContext();
    const code = await runCli(['run', join(fixtures, 'misconfigured-topology.ts'), '--embedded'], ctx);
    expect(code).toBe(2);
    expect(ctx.err()).toContain("comitIntervalMs: unknown configuration key; did you mean 'commitIntervalMs'?");
    expect(ctx.err()).toContain('sessionTimeoutMs: must be >= 1000');
    expect(ctx.out()).toBe('');
  });
});
