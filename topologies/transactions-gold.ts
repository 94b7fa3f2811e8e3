/**
 * The seed's last hop: "Gold layer aggregates streaming data". A Delta → Delta hop (no Kafka),
 * run by `runDeltaStreams`, from the silver table to two small tables of current totals, updated
 * incrementally (each commit folds the new silver rows into the totals and rewrites the table,
 * whose size is the number of keys, not the history):
 *
 *   silver (Delta stream) ─┬─▶ daily totals     (event_date: count, completed count, USD sum, USD max)
 *                          └─▶ merchant totals  (merchant_id: count, completed count, USD sum, first/last event time)
 *
 * Exactly once: each gold table is its own state and records the silver position it includes
 * (`deltaAggregateSink`); a restart reads the totals back and skips the rows they hold. Sums are
 * in integer cents, so they are exact and independent of the order rows arrive in.
 */
import { deltaAggregateSink, field, struct, type DeltaStructType } from '../lib/connectors/delta/index.js';
import { Named, StreamsBuilder, type Topology } from '../lib/index.js';
import { Params, tablePath, type TopologyFactoryOptions } from './support/options.js';
import type { SilverRow } from './transactions-silver.js';

export const applicationId = 'transactions-gold';

export const GOLD_PARAMS = ['silver-table', 'daily-table', 'merchant-table', 'commit-interval', 'batch-rows'] as const;

export interface GoldSettings {
  readonly silverTable: string;
  readonly dailyTable: string;
  readonly merchantTable: string;
  readonly commitIntervalMs: number;
  readonly maxRowsPerBatch: number;
}

export function goldSettings(options: TopologyFactoryOptions = {}): GoldSettings {
  const p = new Params(options, GOLD_PARAMS);
  return {
    silverTable: p.string('silver-table', tablePath(options, 'silver', 'transactions')),
    dailyTable: p.string('daily-table', tablePath(options, 'gold', 'daily_totals')),
    merchantTable: p.string('merchant-table', tablePath(options, 'gold', 'merchant_totals')),
    commitIntervalMs: p.durationMs('commit-interval', '5 seconds'),
    maxRowsPerBatch: Number(p.string('batch-rows', '20000')),
  };
}

export const DailySchema: DeltaStructType = struct([
  field('event_date', 'date', false),
  field('transaction_count', 'long', false),
  field('completed_count', 'long', false),
  field('total_amount_usd', 'decimal(18,2)', false),
  field('max_amount_usd', 'decimal(18,2)', false),
]);

export const MerchantSchema: DeltaStructType = struct([
  field('merchant_id', 'string', false),
  field('transaction_count', 'long', false),
  field('completed_count', 'long', false),
  field('total_amount_usd', 'decimal(18,2)', false),
  field('first_transaction_ts', 'timestamp', false),
  field('last_transaction_ts', 'timestamp', false),
]);

/** Running totals of one key; amounts in cents. */
export interface Totals {
  count: number;
  completed: number;
  sumCents: number;
  maxCents: number;
  first: number;
  last: number;
}

export const emptyTotals = (): Totals => ({ count: 0, completed: 0, sumCents: 0, maxCents: 0, first: Infinity, last: -Infinity });

const toCents = (d: string | number): number => {
  const s = String(d);
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const c = Number(i) * 100 + Number((f + '00').slice(0, 2));
  return neg ? -c : c;
};
const decimal2 = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/** Adds one silver row to totals (mutates). Pure otherwise: the model uses it too. */
export function addRow(t: Totals, r: Pick<SilverRow, 'amount_usd' | 'status' | 'transaction_ts'>): Totals {
  const c = toCents(r.amount_usd);
  const ts = Date.parse(r.transaction_ts);
  t.count++;
  if (r.status === 'completed') t.completed++;
  t.sumCents += c;
  if (c > t.maxCents) t.maxCents = c;
  if (ts < t.first) t.first = ts;
  if (ts > t.last) t.last = ts;
  return t;
}

export function dailyRow(date: string, t: Totals): globalThis.Record<string, unknown> {
  return {
    event_date: date,
    transaction_count: t.count,
    completed_count: t.completed,
    total_amount_usd: decimal2(t.sumCents),
    max_amount_usd: decimal2(t.maxCents),
  };
}

export function merchantRow(merchant: string, t: Totals): globalThis.Record<string, unknown> {
  return {
    merchant_id: merchant,
    transaction_count: t.count,
    completed_count: t.completed,
    total_amount_usd: decimal2(t.sumCents),
    first_transaction_ts: new Date(t.first).toISOString(),
    last_transaction_ts: new Date(t.last).toISOString(),
  };
}

export function buildGoldTopology(s: GoldSettings): Topology {
  const builder = new StreamsBuilder();
  const silver = builder.deltaStream<SilverRow>(s.silverTable, { sourceName: 'silver', maxRowsPerBatch: s.maxRowsPerBatch });
  silver.process(
    deltaAggregateSink<null, SilverRow, Totals>({
      table: s.dailyTable,
      schema: DailySchema,
      name: 'transactions_daily_totals',
      description: 'Transactions per event date (tributary transactions-gold)',
      key: (r) => r.event_date,
      initial: emptyTotals,
      add: addRow,
      toRow: dailyRow,
      commitIntervalMs: s.commitIntervalMs,
      fromRow: (r) => [
        r['event_date'] as string,
        {
          count: Number(r['transaction_count']),
          completed: Number(r['completed_count']),
          sumCents: toCents(r['total_amount_usd'] as string),
          maxCents: toCents(r['max_amount_usd'] as string),
          first: Infinity,
          last: -Infinity,
        },
      ],
    }),
    { named: Named.as('gold-daily') },
  );
  silver.process(
    deltaAggregateSink<null, SilverRow, Totals>({
      table: s.merchantTable,
      schema: MerchantSchema,
      name: 'transactions_merchant_totals',
      description: 'Transactions per merchant (tributary transactions-gold)',
      key: (r) => r.merchant_id,
      initial: emptyTotals,
      add: addRow,
      toRow: merchantRow,
      commitIntervalMs: s.commitIntervalMs,
      fromRow: (r) => [
        r['merchant_id'] as string,
        {
          count: Number(r['transaction_count']),
          completed: Number(r['completed_count']),
          sumCents: toCents(r['total_amount_usd'] as string),
          maxCents: 0,
          first: Date.parse(r['first_transaction_ts'] as string),
          last: Date.parse(r['last_transaction_ts'] as string),
        },
      ],
    }),
    { named: Named.as('gold-merchant') },
  );
  return builder.build();
}

export default function buildGold(options: TopologyFactoryOptions = {}): { topology: Topology; topics: { topic: string }[] } {
  return { topology: buildGoldTopology(goldSettings(options)), topics: [] };
}
