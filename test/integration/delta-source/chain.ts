/**
 * Shared by the lakehouse chain tests (local and S3): the check of every table against the
 * reference model (lib/cli/demo/lakehouse-model.ts, and delta-rs reading silver and gold), and
 * the kill test driving chain-app.ts child processes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { readTable } from '../../../lib/connectors/delta/index.js';
import { canonicalRows, lakehouseModel, type LakehouseModel } from '../../../lib/cli/demo/lakehouse-model.js';
import { lakehouseTables } from './lakehouse-tables.js';
import { writeBronze } from './bronze-fixture.js';

const SILVER_COLS = [
  'transaction_id',
  'account_id',
  'merchant_id',
  'transaction_type',
  'status',
  'amount',
  'currency',
  'amount_usd',
  'transaction_ts',
  'event_date',
];
const DAILY_COLS = ['event_date', 'transaction_count', 'completed_count', 'total_amount_usd', 'max_amount_usd'];
const MERCHANT_COLS = ['merchant_id', 'transaction_count', 'completed_count', 'total_amount_usd', 'first_transaction_ts', 'last_transaction_ts'];
export const RETENTION = 7 * 86_400_000;

export interface ChainReader {
  read(table: string): Promise<{ rows: Record<string, unknown>[] }>;
}

export async function expectTablesEqualModel(root: string, model: LakehouseModel, deltaRs: ChainReader): Promise<void> {
  const { silver: s, gold: g } = lakehouseTables(root);
  const silver = (await readTable(s.silverTable)).rows;
  expect(silver.length).toBe(model.silver.length);
  expect(canonicalRows(silver, SILVER_COLS)).toEqual(canonicalRows(model.silver as unknown as Record<string, unknown>[], SILVER_COLS));
  const quarantine = (await readTable(s.quarantineTable)).rows;
  expect(canonicalRows(quarantine, ['transaction_id', 'reason'])).toEqual(canonicalRows(model.quarantine, ['transaction_id', 'reason']));
  expect(canonicalRows((await readTable(g.dailyTable)).rows, DAILY_COLS)).toEqual(canonicalRows(model.daily, DAILY_COLS));
  expect(canonicalRows((await readTable(g.merchantTable)).rows, MERCHANT_COLS)).toEqual(canonicalRows(model.merchants, MERCHANT_COLS));
  const rs = await deltaRs.read(s.silverTable);
  expect(canonicalRows(rs.rows, SILVER_COLS)).toEqual(canonicalRows(model.silver as unknown as Record<string, unknown>[], SILVER_COLS));
  const rsDaily = await deltaRs.read(g.dailyTable);
  expect(canonicalRows(rsDaily.rows, DAILY_COLS)).toEqual(canonicalRows(model.daily, DAILY_COLS));
  const rsMerchants = await deltaRs.read(g.merchantTable);
  expect(canonicalRows(rsMerchants.rows, MERCHANT_COLS)).toEqual(canonicalRows(model.merchants, MERCHANT_COLS));
}

function runHop(hop: 'silver' | 'gold', root: string, stateDir: string, untilCaughtUp: boolean, extraEnv: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'chain-app.ts')], {
    env: {
      ...process.env,
      ...extraEnv,
      HOP: hop,
      TABLE_ROOT: root,
      STATE_DIR: stateDir,
      UNTIL_CAUGHT_UP: untilCaughtUp ? '1' : '0',
      COMMIT_MS: '200',
      BATCH_ROWS: '1500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let committed!: () => void;
  let idle!: () => void;
  const firstCommit = new Promise<void>((resolve) => (committed = resolve));
  const caughtUp = new Promise<void>((resolve) => (idle = resolve));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('commit ')) committed();
    else if (out.includes('caught up')) idle();
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, firstCommit, caughtUp, output: () => out, errors: () => err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes a bronze table under `root`, then runs silver and gold, each SIGKILLed `kills` times at a
 * random moment after a commit and restarted, then once until caught up; checks every table.
 */
export async function chainKillTest(
  root: string,
  stateDir: string,
  options: { kills: number; commits: number; rows: number; env?: Record<string, string>; deltaRs: ChainReader },
): Promise<string[]> {
  const bronze = await writeBronze(lakehouseTables(root).bronze, options.commits, options.rows, 5);
  if (process.env['CHAIN_DEBUG']) process.stderr.write(`${new Date().toISOString()} bronze written\n`);
  const log: string[] = [];
  for (const hop of ['silver', 'gold'] as const) {
    for (let k = 0; k < options.kills; k++) {
      const child = runHop(hop, root, stateDir, false, options.env ?? {});
      // Killed at a random moment after its first commit: mid-batch, mid-commit or between commits.
      const first = await Promise.race([child.firstCommit.then(() => 'commit'), child.exited.then(() => 'exited'), child.caughtUp.then(() => 'caught-up')]);
      if (first === 'exited') throw new Error(`${hop} run ${k} exited before committing: ${child.errors()}`);
      if (first === 'caught-up') {
        // An earlier run committed everything: nothing left to kill this hop in.
        child.proc.kill('SIGKILL');
        await child.exited;
        log.push(`${hop} run ${k}: nothing left to do (${/resumes at (.*)/.exec(child.output())?.[1] ?? ''})`);
        break;
      }
      const delay = Math.floor(Math.random() * 600);
      const outcome = await Promise.race([child.exited.then(() => 'exited'), sleep(delay).then(() => 'timer')]);
      if (outcome === 'exited') throw new Error(`${hop} run ${k} exited by itself: ${child.errors()}`);
      child.proc.kill('SIGKILL');
      await child.exited;
      const commits = child
        .output()
        .split('\n')
        .filter((l) => l.startsWith('commit ')).length;
      const resumed = /resumes at (.*)/.exec(child.output())?.[1] ?? '';
      if (process.env['CHAIN_DEBUG']) process.stderr.write(`${new Date().toISOString()} ${hop} run ${k} killed\n`);
      log.push(`${hop} run ${k}: killed +${delay}ms after its first commit (${commits} commits seen) ${resumed}`);
    }
    if (process.env['CHAIN_DEBUG']) process.stderr.write(`${new Date().toISOString()} ${hop} final run\n`);
    const last = runHop(hop, root, stateDir, true, options.env ?? {});
    const code = await last.exited;
    if (code !== 0) throw new Error(`final ${hop} run failed (${code}): ${last.errors()}`);
    const finalLine =
      last
        .output()
        .split('\n')
        .find((l) => l.startsWith('done ')) ?? '';
    log.push(`${hop} final: ${finalLine}`);
    // The final run resumed where the killed ones left off (not from the start).
    expect(finalLine).not.toContain('"start"');
  }
  await expectTablesEqualModel(root, lakehouseModel(bronze, RETENTION), options.deltaRs);
  return log;
}
