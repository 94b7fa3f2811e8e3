/**
 * Row shapes of the seed pipeline's tables and output topic, as zod schemas (the Delta table
 * schemas are derived from them; see docs/delta.md for the type mapping):
 *
 * - bronze (`transactions-bronze`): each valid, on-time transaction event plus where and when it
 *   was ingested, partitioned by the UTC date of its event time;
 * - aggregates (`transactions-windowed`): one final row per (dimension, key, window) with count,
 *   sum, average and max amount, partitioned by the UTC date of the window start.
 */
import { z } from 'zod';
import { parseEventTime } from '../lib/index.js';
import { TransactionEventSchema, type TransactionEvent } from './transactions-schema.js';

export const BronzeRowSchema = TransactionEventSchema.extend({
  /** UTC date of `transaction_timestamp`: the partition column. */
  event_date: z.iso.date(),
  source_topic: z.string(),
  source_partition: z.int32(),
  source_offset: z.int(),
  /** Wall-clock time the pipeline processed the record. */
  ingest_time: z.iso.datetime({ offset: true }),
});
export type BronzeRow = z.infer<typeof BronzeRowSchema>;

export const AGGREGATE_DIMENSIONS = ['merchant', 'account'] as const;
export type AggregateDimension = (typeof AGGREGATE_DIMENSIONS)[number];

export const AggregateRowSchema = z.object({
  dimension: z.enum(AGGREGATE_DIMENSIONS),
  /** The merchant id or account id. */
  key: z.string(),
  window_start: z.iso.datetime({ offset: true }),
  window_end: z.iso.datetime({ offset: true }),
  /** UTC date of `window_start`: the partition column. */
  window_date: z.iso.date(),
  transaction_count: z.int(),
  total_amount: z.number(),
  avg_amount: z.number(),
  max_amount: z.number(),
});
export type AggregateRow = z.infer<typeof AggregateRowSchema>;

/** Running aggregate of one window. Amounts are summed in integer cents, so sums are exact and order-independent. */
export interface AmountStats {
  readonly count: number;
  readonly sumCents: number;
  readonly maxAmount: number;
}

export const EMPTY_STATS: AmountStats = { count: 0, sumCents: 0, maxAmount: 0 };

export function addAmount(stats: AmountStats, amount: number): AmountStats {
  return { count: stats.count + 1, sumCents: stats.sumCents + Math.round(amount * 100), maxAmount: Math.max(stats.maxAmount, amount) };
}

export function aggregateRow(dimension: AggregateDimension, key: string, start: number, end: number, stats: AmountStats): AggregateRow {
  const windowStart = new Date(start).toISOString();
  return {
    dimension,
    key,
    window_start: windowStart,
    window_end: new Date(end).toISOString(),
    window_date: windowStart.slice(0, 10),
    transaction_count: stats.count,
    total_amount: stats.sumCents / 100,
    avg_amount: stats.sumCents / 100 / stats.count,
    max_amount: stats.maxAmount,
  };
}

/** The Kafka key of an aggregate row: `<dimension>:<key>@<window start ISO>` (one per window; compaction keeps the final row). */
export function aggregateKey(row: Pick<AggregateRow, 'dimension' | 'key' | 'window_start'>): string {
  return `${row.dimension}:${row.key}@${row.window_start}`;
}

/**
 * The UTC date of the event's time, read by the same parser as the source's timestamp extractor
 * (`TimestampExtractors.field('transaction_timestamp')`), so that the `event_date` partition and
 * the watermark always name the same instant.
 */
export function eventDate(event: TransactionEvent): string {
  const t = parseEventTime(event.transaction_timestamp);
  if (t === null) throw new Error(`transaction_timestamp ${JSON.stringify(event.transaction_timestamp)} is not a valid event time`);
  return new Date(t).toISOString().slice(0, 10);
}
