/**
 * Deterministic generator of the seed scenario's transaction events, including late and malformed
 * ones. Pure: the i-th event depends only on the options (seed, start time, spacing, shares), so
 * the producer, the demo and the tests can rebuild the exact reference sequence of what was sent
 * with `generateTransactions(count, options)`.
 *
 * Time model: event i has the nominal time `startTime + i * spacingMs`. On-time events carry that
 * time minus a small out-of-order jitter (well inside the watermark); late events are older than
 * their nominal time by more than the watermark (default 10 minutes, the seed's `withWatermark`),
 * so a job with that watermark drops them. Event 0 is always on time.
 */
import { type CURRENCIES, type TRANSACTION_STATUSES, type TRANSACTION_TYPES, type TransactionEvent } from '../../../topologies/transactions-schema.js';
import { SeededRandom, WeightedChoice, zipfWeights } from './random.js';

export const MALFORMED_KINDS = ['invalid_json', 'missing_field', 'wrong_type', 'bad_timestamp', 'invalid_value'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];
export type TransactionCategory = 'on_time' | 'late' | 'malformed';

export interface GeneratedTransaction {
  readonly index: number;
  /** Record key: the account id (also for malformed values). */
  readonly key: string;
  /** The exact record value text sent (UTF-8 JSON, or not JSON for `invalid_json`). */
  readonly value: string;
  readonly category: TransactionCategory;
  /** Set for malformed records. */
  readonly malformed?: MalformedKind;
  /** The valid event (on-time and late records); for malformed ones, the event it was broken from. */
  readonly event: TransactionEvent;
  /** Event time in epoch ms of `event`. */
  readonly eventTime: number;
  /** Nominal time in epoch ms: `startTime + index * spacingMs`. */
  readonly nominalTime: number;
}

export interface TransactionGeneratorOptions {
  readonly seed: number;
  /** Nominal time of event 0, epoch ms. */
  readonly startTime: number;
  /** Nominal time between consecutive events, ms. Default 0. */
  readonly spacingMs?: number;
  /** Share of late events in [0, 1]. Default 0.05. */
  readonly lateShare?: number;
  /** Share of malformed records in [0, 1]. Default 0.01. */
  readonly malformedShare?: number;
  /** Lateness that makes an event late, ms. Default 10 minutes. */
  readonly watermarkMs?: number;
  /** Number of distinct accounts. Default 5000. */
  readonly accounts?: number;
  /** Number of distinct merchants (Zipf-distributed: a few are hot). Default 300. */
  readonly merchants?: number;
}

export const DEFAULT_WATERMARK_MS = 10 * 60_000;
/** Upper bound of the jitter of on-time events. */
export const MAX_ON_TIME_JITTER_MS = 30_000;
/** Late events are at least this much older than the watermark allows. */
export const MIN_EXTRA_LATENESS_MS = 2 * 60_000;

const CURRENCY = new WeightedChoice<(typeof CURRENCIES)[number]>([
  ['USD', 55],
  ['EUR', 20],
  ['GBP', 10],
  ['CAD', 5],
  ['AUD', 4],
  ['JPY', 3],
  ['CHF', 2],
  ['SEK', 1],
]);
const TYPE = new WeightedChoice<(typeof TRANSACTION_TYPES)[number]>([
  ['purchase', 72],
  ['withdrawal', 10],
  ['transfer', 8],
  ['deposit', 6],
  ['refund', 4],
]);
const STATUS = new WeightedChoice<(typeof TRANSACTION_STATUSES)[number]>([
  ['completed', 90],
  ['pending', 5],
  ['failed', 3],
  ['declined', 2],
]);

/** Streams transaction records; `next()` returns record 0, 1, 2, … of the sequence. */
export class TransactionGenerator {
  private readonly random: SeededRandom;
  private readonly accountIds: readonly string[];
  private readonly merchantIds: readonly string[];
  private readonly account: WeightedChoice<number>;
  private readonly merchant: WeightedChoice<number>;
  private readonly spacingMs: number;
  private readonly lateShare: number;
  private readonly malformedShare: number;
  private readonly watermarkMs: number;
  private index = 0;

  constructor(private readonly options: TransactionGeneratorOptions) {
    this.random = new SeededRandom(options.seed);
    this.spacingMs = options.spacingMs ?? 0;
    this.lateShare = options.lateShare ?? 0.05;
    this.malformedShare = options.malformedShare ?? 0.01;
    this.watermarkMs = options.watermarkMs ?? DEFAULT_WATERMARK_MS;
    if (!(this.lateShare >= 0 && this.malformedShare >= 0 && this.lateShare + this.malformedShare <= 1)) {
      throw new RangeError('lateShare and malformedShare must be non-negative and sum to at most 1');
    }
    const accounts = options.accounts ?? 5000;
    const merchants = options.merchants ?? 300;
    this.accountIds = Array.from({ length: accounts }, (_, i) => `ACC${String(100001 + i * 7).padStart(8, '0')}`);
    // Merchant ids in a seeded order, so the hot ones are not simply the lowest numbers.
    const ids = Array.from({ length: merchants }, (_, i) => `MER${String(10001 + i).padStart(6, '0')}`);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    this.merchantIds = ids;
    this.account = new WeightedChoice(zipfWeights(accounts, 0.6).map((w, i) => [i, w] as const));
    this.merchant = new WeightedChoice(zipfWeights(merchants, 1.1).map((w, i) => [i, w] as const));
  }

  /** Number of records generated so far. */
  get generated(): number {
    return this.index;
  }

  next(): GeneratedTransaction {
    const index = this.index++;
    const r = this.random;
    const nominalTime = this.options.startTime + index * this.spacingMs;
    const roll = r.float();
    const category: TransactionCategory =
      index === 0 ? 'on_time' : roll < this.malformedShare ? 'malformed' : roll < this.malformedShare + this.lateShare ? 'late' : 'on_time';
    const eventTime =
      category === 'late'
        ? nominalTime - this.watermarkMs - MIN_EXTRA_LATENESS_MS - r.int(48 * 60_000)
        : nominalTime - Math.min(MAX_ON_TIME_JITTER_MS, Math.round(r.exponential(1500)));
    const event = this.event(eventTime);
    if (category !== 'malformed') {
      return { index, key: event.account_id, value: JSON.stringify(event), category, event, eventTime, nominalTime };
    }
    const kind = MALFORMED_KINDS[r.int(MALFORMED_KINDS.length)]!;
    return { index, key: event.account_id, value: this.malform(kind, event), category, malformed: kind, event, eventTime, nominalTime };
  }

  private event(eventTime: number): TransactionEvent {
    const r = this.random;
    const transaction_type = TYPE.pick(r);
    return {
      transaction_id: r.uuid(),
      account_id: this.accountIds[this.account.pick(r)]!,
      merchant_id: this.merchantIds[this.merchant.pick(r)]!,
      amount: this.amount(transaction_type),
      currency: CURRENCY.pick(r),
      transaction_type,
      status: STATUS.pick(r),
      transaction_timestamp: new Date(eventTime).toISOString(),
    };
  }

  private amount(type: (typeof TRANSACTION_TYPES)[number]): number {
    const r = this.random;
    let x: number;
    switch (type) {
      case 'withdrawal':
        return 20 * (1 + r.int(25));
      case 'purchase':
        x = r.logNormal(28, 1.0);
        break;
      case 'refund':
        x = r.logNormal(35, 0.9);
        break;
      case 'deposit':
        x = r.logNormal(900, 0.8);
        break;
      case 'transfer':
        x = r.logNormal(250, 1.2);
        break;
    }
    return Math.max(0.01, Math.min(250_000, Math.round(x * 100) / 100));
  }

  private malform(kind: MalformedKind, event: TransactionEvent): string {
    const r = this.random;
    const obj: Record<string, unknown> = { ...event };
    switch (kind) {
      case 'invalid_json': {
        const text = JSON.stringify(event);
        // Truncated mid-record (a torn write) or keys without quotes (a hand-written payload).
        return r.float() < 0.5 ? text.slice(0, 1 + r.int(text.length - 2)) : text.replace(/"([a-z_]+)":/g, '$1:');
      }
      case 'missing_field': {
        const fields = Object.keys(obj);
        delete obj[fields[r.int(fields.length)]!];
        return JSON.stringify(obj);
      }
      case 'wrong_type': {
        const v = r.int(3);
        if (v === 0) obj['amount'] = event.amount.toFixed(2);
        else if (v === 1) obj['account_id'] = Number(event.account_id.slice(3));
        else obj['transaction_timestamp'] = Date.parse(event.transaction_timestamp);
        return JSON.stringify(obj);
      }
      case 'bad_timestamp': {
        const iso = event.transaction_timestamp;
        const variants = [
          iso.slice(0, 19), // no timezone
          iso.replace(/^(\d{4})-\d{2}-\d{2}T\d{2}/, '$1-13-45T25'), // impossible date and hour
          iso.slice(0, 10).replace(/-/g, '/') + ' ' + iso.slice(11, 19), // not ISO-8601
          'yesterday',
        ];
        obj['transaction_timestamp'] = variants[r.int(variants.length)]!;
        return JSON.stringify(obj);
      }
      case 'invalid_value': {
        const v = r.int(3);
        if (v === 0) obj['amount'] = -event.amount;
        else if (v === 1) obj['currency'] = event.currency.toLowerCase().slice(0, 2);
        else obj['status'] = 'unknown';
        return JSON.stringify(obj);
      }
    }
  }
}

/** The first `count` records of the sequence defined by `options` — the reference model of a producer run. */
export function generateTransactions(count: number, options: TransactionGeneratorOptions): GeneratedTransaction[] {
  const gen = new TransactionGenerator(options);
  const out: GeneratedTransaction[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = gen.next();
  return out;
}
