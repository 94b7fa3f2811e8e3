/**
 * The demo's lakehouse hops after bronze: silver (dedup, normalise, quarantine) and gold (daily
 * and per-merchant totals), each a Delta → Delta run of its topology (`runDeltaStreams`, until
 * caught up), then every table checked against the lakehouse model computed from the bronze rows.
 */
import { join } from 'node:path';
import { readTable, runDeltaStreams } from '../../connectors/delta/index.js';
import { buildGoldTopology, goldSettings } from '../../../topologies/transactions-gold.js';
import { buildSilverTopology, silverSettings, type BronzeInput } from '../../../topologies/transactions-silver.js';
import { canonicalRows, lakehouseModel } from './lakehouse-model.js';
import { removeDemoTable, summarizeTable, type TableSummary } from './tables.js';

export interface LakehouseSummary {
  readonly silver: TableSummary;
  readonly quarantine: TableSummary;
  readonly duplicates: number;
  readonly daily: TableSummary;
  readonly merchants: TableSummary;
  readonly silverMs: number;
  readonly goldMs: number;
  readonly mismatches: readonly string[];
}

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

/** Tables the hops write under `outputDir`, removed before a run (see removeDemoTable). */
export function lakehouseTablePaths(outputDir: string): string[] {
  const s = silverSettings({ dataDir: outputDir });
  const g = goldSettings({ dataDir: outputDir });
  return [s.silverTable, s.quarantineTable, g.dailyTable, g.merchantTable];
}

export async function removeLakehouseTables(outputDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const t of lakehouseTablePaths(outputDir)) if (await removeDemoTable(t)) removed.push(t);
  return removed;
}

export async function runLakehouse(outputDir: string, stateDir: string, prefix: string): Promise<LakehouseSummary> {
  const options = { dataDir: outputDir, params: { 'commit-interval': '1s' } };
  const s = silverSettings(options);
  const g = goldSettings(options);
  const counters = { duplicates: 0 };
  let t = performance.now();
  await runDeltaStreams(buildSilverTopology(s, counters), {
    applicationId: `${prefix}transactions-silver`,
    stateDir: join(stateDir, 'silver'),
    untilCaughtUp: true,
  });
  const silverMs = performance.now() - t;
  t = performance.now();
  await runDeltaStreams(buildGoldTopology(g), { applicationId: `${prefix}transactions-gold`, stateDir: join(stateDir, 'gold'), untilCaughtUp: true });
  const goldMs = performance.now() - t;

  const [bronze, silver, quarantine, daily, merchants] = await Promise.all(
    [s.bronzeTable, s.silverTable, s.quarantineTable, g.dailyTable, g.merchantTable].map((p) => readTable(p)),
  );
  const model = lakehouseModel(bronze!.rows as unknown as BronzeInput[], s.dedupRetentionMs);
  const mismatches: string[] = [];
  const compare = (what: string, actual: Record<string, unknown>[], expected: readonly Record<string, unknown>[], cols: readonly string[]) => {
    const a = canonicalRows(actual, cols);
    const e = canonicalRows(expected, cols);
    if (a.length !== e.length) mismatches.push(`${what}: ${a.length} rows, model ${e.length}`);
    else {
      const diff = a.findIndex((x, i) => x !== e[i]);
      if (diff >= 0) mismatches.push(`${what}: row ${a[diff]} differs from the model's ${e[diff]}`);
    }
  };
  compare('silver rows', silver!.rows, model.silver as unknown as Record<string, unknown>[], SILVER_COLS);
  compare('quarantine rows', quarantine!.rows, model.quarantine, ['transaction_id', 'reason']);
  compare('gold daily totals', daily!.rows, model.daily, DAILY_COLS);
  compare('gold merchant totals', merchants!.rows, model.merchants, MERCHANT_COLS);
  if (counters.duplicates !== model.duplicates) mismatches.push(`silver duplicates dropped: ${counters.duplicates}, model ${model.duplicates}`);
  const [silverT, quarantineT, dailyT, merchantsT] = await Promise.all(
    [s.silverTable, s.quarantineTable, g.dailyTable, g.merchantTable].map((p) => summarizeTable(p)),
  );
  return { silver: silverT!, quarantine: quarantineT!, duplicates: counters.duplicates, daily: dailyT!, merchants: merchantsT!, silverMs, goldMs, mismatches };
}
