/**
 * The reference model of the seed pipeline: from the generated records (what the producer sent,
 * `generateTransactions`), what the bronze and windowed topologies must output. Plain code over
 * the whole input, written from the semantics, not from the topologies:
 *
 * - dead letter: a value that fails the event schema (or has no usable event time);
 * - bronze watermark, per input partition in offset order: stream time `T` = max event time so
 *   far (this record included); late iff `ts < T − watermark`; the rest are bronze rows;
 * - windows (tumbling `[start, start + size)`), per aggregating operator in arrival order: `T` as
 *   above over every valid record it sees; a record is late for its window iff
 *   `end + grace <= T`; a window is emitted (once, final) iff `end + grace <= T_final`.
 *
 * Per-account windows are computed per input partition (their task's order is the partition's).
 * Per-merchant windows read a repartition topic fed by every input partition; their arrival order
 * is the input order only with one input partition, so the merchant model requires it
 * (`merchantWindows` is undefined otherwise).
 */
import { partitionForKey } from '../../kafka/partitioner.js';
import { parseEventTime } from '../../time/index.js';
import { addAmount, aggregateKey, aggregateRow, EMPTY_STATS, type AggregateRow, type AmountStats } from '../../../topologies/transactions-rows.js';
import { parseTransaction, type TransactionEvent } from '../../../topologies/transactions-schema.js';
import type { GeneratedTransaction } from '../produce/transactions.js';

export interface ModelOptions {
  readonly partitions: number;
  readonly watermarkMs: number;
  readonly windowMs: number;
  readonly graceMs: number;
}

export interface ValidRecord {
  readonly record: GeneratedTransaction;
  readonly event: TransactionEvent;
  readonly ts: number;
  readonly partition: number;
}

export interface PipelineModel {
  /** Records that must reach the dead-letter topic (both applications dead-letter them). */
  readonly deadLettered: readonly GeneratedTransaction[];
  /** Valid, on-time events: the bronze table's rows (without the ingest metadata). */
  readonly bronze: readonly ValidRecord[];
  /** Valid events behind the bronze watermark: the late-records topic. */
  readonly bronzeLate: readonly ValidRecord[];
  /** Final per-account rows (emitted windows). */
  readonly accountWindows: readonly AggregateRow[];
  /** Records late for their account window. */
  readonly accountLate: readonly ValidRecord[];
  /** Final per-merchant rows; undefined with more than one input partition (see the module doc). */
  readonly merchantWindows: readonly AggregateRow[] | undefined;
  readonly merchantLate: readonly ValidRecord[] | undefined;
}

function partitionOf(key: string, partitions: number): number {
  return partitions === 1 ? 0 : partitionForKey(Buffer.from(key, 'utf8'), partitions);
}

/** Event time of a valid record, or null when the record must be dead-lettered. */
function validEvent(r: GeneratedTransaction): { event: TransactionEvent; ts: number } | null {
  const parsed = parseTransaction(r.value);
  if (!parsed.ok) return null;
  const ts = parseEventTime(parsed.event.transaction_timestamp);
  return ts === null ? null : { event: parsed.event, ts };
}

class WindowModel {
  private streamTime = -1;
  private readonly windows = new Map<string, { key: string; start: number; stats: AmountStats }>();
  readonly late: ValidRecord[] = [];

  constructor(
    private readonly sizeMs: number,
    private readonly graceMs: number,
  ) {}

  add(key: string, v: ValidRecord): void {
    if (v.ts > this.streamTime) this.streamTime = v.ts;
    const start = Math.floor(v.ts / this.sizeMs) * this.sizeMs;
    if (start + this.sizeMs + this.graceMs <= this.streamTime) {
      this.late.push(v);
      return;
    }
    const id = `${key}\0${start}`;
    const w = this.windows.get(id) ?? { key, start, stats: EMPTY_STATS };
    w.stats = addAmount(w.stats, v.event.amount);
    this.windows.set(id, w);
  }

  emitted(dimension: 'account' | 'merchant'): AggregateRow[] {
    const out: AggregateRow[] = [];
    for (const w of this.windows.values()) {
      if (w.start + this.sizeMs + this.graceMs <= this.streamTime) out.push(aggregateRow(dimension, w.key, w.start, w.start + this.sizeMs, w.stats));
    }
    return out;
  }
}

export function pipelineModel(records: readonly GeneratedTransaction[], options: ModelOptions): PipelineModel {
  const deadLettered: GeneratedTransaction[] = [];
  const byPartition: ValidRecord[][] = Array.from({ length: options.partitions }, () => []);
  const inOrder: ValidRecord[] = [];
  for (const r of records) {
    const valid = validEvent(r);
    if (valid === null) {
      deadLettered.push(r);
      continue;
    }
    const v: ValidRecord = { record: r, event: valid.event, ts: valid.ts, partition: partitionOf(r.key, options.partitions) };
    byPartition[v.partition]!.push(v);
    inOrder.push(v);
  }

  const bronze: ValidRecord[] = [];
  const bronzeLate: ValidRecord[] = [];
  const accountWindows: AggregateRow[] = [];
  const accountLate: ValidRecord[] = [];
  for (const partition of byPartition) {
    let t = -1;
    const accounts = new WindowModel(options.windowMs, options.graceMs);
    for (const v of partition) {
      if (v.ts > t) t = v.ts;
      (v.ts < t - options.watermarkMs ? bronzeLate : bronze).push(v);
      accounts.add(v.event.account_id, v);
    }
    // A loop, not push(...rows): spreading 100k+ rows overflows the call stack.
    for (const row of accounts.emitted('account')) accountWindows.push(row);
    for (const row of accounts.late) accountLate.push(row);
  }

  let merchantWindows: AggregateRow[] | undefined;
  let merchantLate: ValidRecord[] | undefined;
  if (options.partitions === 1) {
    const merchants = new WindowModel(options.windowMs, options.graceMs);
    for (const v of inOrder) merchants.add(v.event.merchant_id, v);
    merchantWindows = merchants.emitted('merchant');
    merchantLate = merchants.late;
  }
  return { deadLettered, bronze, bronzeLate, accountWindows, accountLate, merchantWindows, merchantLate };
}

/** Model rows keyed like the output topic, for comparisons. */
export function rowsByKey(rows: readonly AggregateRow[]): Map<string, AggregateRow> {
  return new Map(rows.map((r) => [aggregateKey(r), r]));
}
