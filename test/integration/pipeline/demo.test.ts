import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineModel } from '../../../lib/cli/demo/model.js';
import { generateTransactions } from '../../../lib/cli/produce/transactions.js';
import { readWithDeltaRs } from '../delta/readers.js';
import { runBin } from './bin.js';
import { checkBronze, checkWindows } from './model-check.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('tributary demo (embedded broker, child process)', () => {
  it('writes the bronze and gold Delta tables the model predicts, and ends with wall time and peak RSS ≤ 320 MB', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tributary-demo-test-'));
    dirs.push(cwd);
    const n = 4000;
    const seed = 1234;
    const startTime = '2025-03-01T00:00:00Z';
    const from = Date.now();
    const r = await runBin(['demo', '--num-transactions', String(n), '--seed', String(seed), '--start-time', startTime], { cwd });
    const to = Date.now();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    // The summary: model check passed, last lines are wall time and peak RSS within budget.
    const lines = r.stdout.trimEnd().split('\n');
    expect(r.stdout).toContain('model check         ok');
    expect(lines.at(-2)).toMatch(/^ {2}wall time {11}\d+\.\d s$/);
    const rss = /^ {2}peak RSS {12}(\d+) MB$/.exec(lines.at(-1)!);
    expect(rss).not.toBeNull();
    expect(Number(rss![1])).toBeLessThanOrEqual(320);

    const generator = { seed, startTime: Date.parse(startTime), spacingMs: 1000, lateShare: 0.05, malformedShare: 0.02, watermarkMs: 600_000 };
    const records = generateTransactions(n, generator);
    const model = pipelineModel(records, { partitions: 1, watermarkMs: 600_000, windowMs: 60_000, graceMs: 600_000 });
    // The model is not vacuous: every category is present.
    expect(model.bronzeLate.length).toBeGreaterThan(100);
    expect(model.deadLettered.length).toBeGreaterThan(40);
    expect(model.merchantWindows!.length).toBeGreaterThan(1000);
    // The late events the generator made are exactly the ones the watermark catches.
    expect(model.bronzeLate.map((v) => v.record.index)).toEqual(records.filter((x) => x.category === 'late').map((x) => x.index));

    const bronze = await readWithDeltaRs(join(cwd, 'data/bronze/transactions'));
    expect(bronze.partitionColumns).toEqual(['event_date']);
    checkBronze(bronze.rows, model, 'transactions', { from, to });
    expect(r.stdout).toContain(`bronze rows         ${model.bronze.length.toLocaleString('en-US')} → ${join(cwd, 'data/bronze/transactions')}`);

    const gold = await readWithDeltaRs(join(cwd, 'data/gold/transaction_aggregates'));
    expect(gold.partitionColumns).toEqual(['window_date']);
    checkWindows(gold.rows, model);
  }, 180_000);
});
