/**
 * The reference model of the silver and gold hops: from the bronze rows (in bronze order), what
 * the silver, quarantine and gold tables must hold. Written from the rules in
 * topologies/transactions-silver.ts and transactions-gold.ts, reusing only their pure helpers
 * (normalise, DedupWindow, addRow), not the topologies.
 */
import { addRow, dailyRow, emptyTotals, merchantRow, type Totals } from '../../../topologies/transactions-gold.js';
import { DedupWindow, normalise, type BronzeInput, type SilverRow } from '../../../topologies/transactions-silver.js';

export interface LakehouseModel {
  readonly silver: readonly SilverRow[];
  /** transaction_id and reason of every quarantined row. */
  readonly quarantine: readonly { readonly transaction_id: string; readonly reason: string }[];
  readonly duplicates: number;
  readonly daily: readonly Record<string, unknown>[];
  readonly merchants: readonly Record<string, unknown>[];
}

export function lakehouseModel(bronze: readonly BronzeInput[], dedupRetentionMs: number): LakehouseModel {
  const window = new DedupWindow(dedupRetentionMs);
  const silver: SilverRow[] = [];
  const quarantine: { transaction_id: string; reason: string }[] = [];
  let duplicates = 0;
  for (const b of bronze) {
    const n = normalise(b);
    if (n.ok) {
      if (!window.firstSeen(n.row.transaction_id, n.ts)) duplicates++;
      else silver.push(n.row);
    } else quarantine.push({ transaction_id: b.transaction_id, reason: n.reason });
  }
  const daily = new Map<string, Totals>();
  const merchants = new Map<string, Totals>();
  for (const r of silver) {
    addRow(daily.get(r.event_date) ?? daily.set(r.event_date, emptyTotals()).get(r.event_date)!, r);
    addRow(merchants.get(r.merchant_id) ?? merchants.set(r.merchant_id, emptyTotals()).get(r.merchant_id)!, r);
  }
  return {
    silver,
    quarantine,
    duplicates,
    daily: [...daily].map(([k, t]) => dailyRow(k, t)),
    merchants: [...merchants].map(([k, t]) => merchantRow(k, t)),
  };
}

/** Rows as sorted JSON lines over `columns` (order-independent comparison of a table with the model). */
export function canonicalRows(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  return rows.map((r) => JSON.stringify(columns.map((c) => normaliseValue(r[c])))).sort();
}

function normaliseValue(v: unknown): unknown {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) return new Date(Date.parse(v)).toISOString();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return v ?? null;
}
