/**
 * The seed's lakehouse chain bronze → silver (+ quarantine) → gold (daily, merchant) on Delta
 * tables, with no Kafka: run straight through, and under SIGKILLs of each hop (child processes
 * killed at random moments, restarted), every table must equal the reference model
 * (lib/cli/demo/lakehouse-model.ts); silver is also read back by delta-rs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable, runDeltaStreams } from '../../../lib/connectors/delta/index.js';
import { canonicalRows, lakehouseModel, type LakehouseModel } from '../../../lib/cli/demo/lakehouse-model.js';
import { buildGoldTopology, goldSettings } from '../../../topologies/transactions-gold.js';
import { buildSilverTopology, silverSettings } from '../../../topologies/transactions-silver.js';
import { readWithDeltaRs } from '../delta/readers.js';
import { writeBronze } from './bronze-fixture.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-lakehouse-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SILVER_COLS = ['transaction_id', 'account_id', 'merchant_id', 'transaction_type', 'status', 'amount', 'currency', 'amount_usd', 'transaction_ts', 'event_date'];
const DAILY_COLS = ['event_date', 'transaction_count', 'completed_count', 'total_amount_usd', 'max_amount_usd'];
const MERCHANT_COLS = ['merchant_id', 'transaction_count', 'completed_count', 'total_amount_usd', 'first_transaction_ts', 'last_transaction_ts'];
const RETENTION = 7 * 86_400_000;

async function expectTablesEqualModel(dataDir: string, model: LakehouseModel): Promise<void> {
  const s = silverSettings({ dataDir });
  const g = goldSettings({ dataDir });
  const silver = (await readTable(s.silverTable)).rows;
  expect(silver.length).toBe(model.silver.length);
  expect(canonicalRows(silver, SILVER_COLS)).toEqual(canonicalRows(model.silver as unknown as Record<string, unknown>[], SILVER_COLS));
  const quarantine = (await readTable(s.quarantineTable)).rows;
  expect(canonicalRows(quarantine, ['transaction_id', 'reason'])).toEqual(canonicalRows(model.quarantine, ['transaction_id', 'reason']));
  expect(canonicalRows((await readTable(g.dailyTable)).rows, DAILY_COLS)).toEqual(canonicalRows(model.daily, DAILY_COLS));
  expect(canonicalRows((await readTable(g.merchantTable)).rows, MERCHANT_COLS)).toEqual(canonicalRows(model.merchants, MERCHANT_COLS));
  const rs = await readWithDeltaRs(s.silverTable);
  expect(canonicalRows(rs.rows, SILVER_COLS)).toEqual(canonicalRows(model.silver as unknown as Record<string, unknown>[], SILVER_COLS));
  const rsDaily = await readWithDeltaRs(g.dailyTable);
  expect(canonicalRows(rsDaily.rows, DAILY_COLS)).toEqual(canonicalRows(model.daily, DAILY_COLS));
}

function runHop(hop: 'silver' | 'gold', dataDir: string, untilCaughtUp: boolean) {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'chain-app.ts')], {
    env: { ...process.env, HOP: hop, DATA_DIR: dataDir, STATE_DIR: path.join(dataDir, 'state'), UNTIL_CAUGHT_UP: untilCaughtUp ? '1' : '0', COMMIT_MS: '200', BATCH_ROWS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let committed!: () => void;
  const firstCommit = new Promise<void>((resolve) => (committed = resolve));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('commit ')) committed();
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, firstCommit, output: () => out, errors: () => err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lakehouse chain bronze → silver → gold (Delta only)', () => {
  it('straight through, then incrementally: every table equals the model', async () => {
    const dataDir = tmp();
    const bronzeTable = silverSettings({ dataDir }).bronzeTable;
    const first = await writeBronze(bronzeTable, 8, 400, 3);
    const opts = { stateDir: path.join(dataDir, 'state'), untilCaughtUp: true } as const;
    await runDeltaStreams(buildSilverTopology(silverSettings({ dataDir })), { applicationId: 'lh-silver', ...opts });
    await runDeltaStreams(buildGoldTopology(goldSettings({ dataDir })), { applicationId: 'lh-gold', ...opts });
    await expectTablesEqualModel(dataDir, lakehouseModel(first, RETENTION));
    const more = await writeBronze(bronzeTable, 3, 300, 4, Date.UTC(2024, 5, 2));
    const s2 = await runDeltaStreams(buildSilverTopology(silverSettings({ dataDir })), { applicationId: 'lh-silver', ...opts });
    expect(s2.records).toBe(900);
    await runDeltaStreams(buildGoldTopology(goldSettings({ dataDir })), { applicationId: 'lh-gold', ...opts });
    const model = lakehouseModel([...first, ...more], RETENTION);
    expect(model.duplicates).toBeGreaterThan(0);
    expect(model.quarantine.length).toBeGreaterThan(0);
    await expectTablesEqualModel(dataDir, model);
  }, 120_000);

  it('SIGKILL during each hop, restart: every table equals the model', async () => {
    const dataDir = tmp();
    const bronzeTable = silverSettings({ dataDir }).bronzeTable;
    const bronze = await writeBronze(bronzeTable, 30, 1000, 5);
    const kills: string[] = [];
    for (const hop of ['silver', 'gold'] as const) {
      for (let k = 0; k < 4; k++) {
        const child = runHop(hop, dataDir, false);
        // Killed at a random moment after its first commit: mid-batch, mid-commit or between commits.
        const first = await Promise.race([child.firstCommit.then(() => 'commit'), child.exited.then(() => 'exited')]);
        if (first === 'exited') throw new Error(`${hop} run ${k} exited before committing: ${child.errors()}`);
        const delay = Math.floor(Math.random() * 600);
        const outcome = await Promise.race([child.exited.then(() => 'exited'), sleep(delay).then(() => 'timer')]);
        if (outcome === 'exited') throw new Error(`${hop} run ${k} exited by itself: ${child.errors()}`);
        child.proc.kill('SIGKILL');
        await child.exited;
        const commits = child.output().split('\n').filter((l) => l.startsWith('commit ')).length;
        const resumed = /resumes at (.*)/.exec(child.output())?.[1] ?? '';
        kills.push(`${hop} run ${k}: killed +${delay}ms after its first commit (${commits} commits seen) ${resumed}`);
      }
      const last = runHop(hop, dataDir, true);
      const code = await last.exited;
      if (code !== 0) throw new Error(`final ${hop} run failed (${code}): ${last.errors()}`);
      const finalLine = last.output().split('\n').find((l) => l.startsWith('done ')) ?? '';
      kills.push(`${hop} final: ${finalLine}`);
      // The final run resumed where the killed ones left off (not from the start).
      expect(finalLine).not.toContain('"start"');
      // While gold runs, silver must be complete: the final silver run above caught up.
    }
    process.stderr.write(`lakehouse kills: ${kills.join('; ')}\n`);
    await expectTablesEqualModel(dataDir, lakehouseModel(bronze, RETENTION));
  }, 300_000);
});
