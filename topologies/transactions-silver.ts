/**
 * The seed's next hop: "Silver layer processes new Bronze records incrementally". A Delta → Delta
 * hop (no Kafka), run by `runDeltaStreams`:
 *
 *   bronze (Delta stream, version order) ─▶ dedup by transaction_id within a retention
 *     ─▶ normalise (money as decimal(18,2), USD amount, upper-case ids, trimmed enums)
 *     ─▶ valid? ─┬─ yes ─▶ silver table (partitioned by event_date)
 *                └─ no  ─▶ quarantine table (the bronze row as JSON + the reason)
 *
 * Exactly once: both tables record the bronze position of their commits (txn); a restart resumes
 * after the smaller and each table skips what it holds. The dedup state is the silver table
 * itself: at start the hop reads the transaction ids (within the retention) back from silver, so
 * it never disagrees with what was committed.
 *
 * Invalid (quarantined): a currency without an exchange rate; an event time more than 5 minutes
 * after the ingest time (clock skew or a corrupt timestamp). Duplicates are dropped (counted),
 * not quarantined: within the retention, the first row of a transaction id (in bronze order) wins.
 */
import { deltaSink, field, loadSnapshot, readTable, struct, type DeltaStructType } from '../lib/connectors/delta/index.js';
import { canonicalIsoMs } from '../lib/connectors/delta/values.js';
import { Branched, Named, StreamsBuilder, type Topology } from '../lib/index.js';
import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '../lib/index.js';
import { Params, tablePath, type TopologyFactoryOptions } from './support/options.js';

export const applicationId = 'transactions-silver';

export const SILVER_PARAMS = ['bronze-table', 'table', 'quarantine-table', 'dedup-retention', 'commit-interval', 'batch-rows'] as const;

export interface SilverSettings {
  readonly bronzeTable: string;
  readonly silverTable: string;
  readonly quarantineTable: string;
  readonly dedupRetentionMs: number;
  readonly commitIntervalMs: number;
  readonly maxRowsPerBatch: number;
}

export function silverSettings(options: TopologyFactoryOptions = {}): SilverSettings {
  const p = new Params(options, SILVER_PARAMS);
  return {
    bronzeTable: p.string('bronze-table', tablePath(options, 'bronze', 'transactions')),
    silverTable: p.string('table', tablePath(options, 'silver', 'transactions')),
    quarantineTable: p.string('quarantine-table', tablePath(options, 'silver', 'transactions_quarantine')),
    dedupRetentionMs: p.durationMs('dedup-retention', '7 days'),
    commitIntervalMs: p.durationMs('commit-interval', '5 seconds'),
    maxRowsPerBatch: Number(p.string('batch-rows', '20000')),
  };
}

/** USD per unit of each currency the silver layer converts (fixed reference rates). */
export const USD_RATES: Readonly<globalThis.Record<string, number>> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  JPY: 0.0067,
  CAD: 0.73,
  AUD: 0.66,
  CHF: 1.12,
  SEK: 0.095,
};

/** An event time this far after the ingest time is invalid. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const SilverSchema: DeltaStructType = struct([
  field('transaction_id', 'string', false),
  field('account_id', 'string', false),
  field('merchant_id', 'string', false),
  field('transaction_type', 'string', false),
  field('status', 'string', false),
  field('amount', 'decimal(18,2)', false),
  field('currency', 'string', false),
  field('amount_usd', 'decimal(18,2)', false),
  field('transaction_ts', 'timestamp', false),
  field('event_date', 'date', false),
  field('ingest_time', 'timestamp', true),
]);

export const QuarantineSchema: DeltaStructType = struct([
  field('transaction_id', 'string', true),
  field('reason', 'string', false),
  field('bronze_row', 'string', false),
  field('quarantined_at', 'timestamp', false),
]);

/** A bronze row as the Delta stream delivers it (JSON form). */
export interface BronzeInput {
  readonly transaction_id: string;
  readonly account_id: string;
  readonly merchant_id: string;
  readonly amount: number;
  readonly currency: string;
  readonly transaction_type: string;
  readonly status: string;
  readonly transaction_timestamp: string;
  readonly event_date: string;
  readonly ingest_time?: string | null;
  readonly [column: string]: unknown;
}

export interface SilverRow {
  readonly transaction_id: string;
  readonly account_id: string;
  readonly merchant_id: string;
  readonly transaction_type: string;
  readonly status: string;
  readonly amount: string;
  readonly currency: string;
  readonly amount_usd: string;
  readonly transaction_ts: string;
  readonly event_date: string;
  readonly ingest_time: string | null;
}

/** A normalised row (with its event time in ms, for dedup) or why the bronze row is invalid. */
export type Normalised =
  | { readonly ok: true; readonly row: SilverRow; readonly ts: number }
  | { readonly ok: false; readonly reason: string; readonly input: BronzeInput };

const cents = (x: number): number => Math.round(x * 100);
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const decimal2 = (c: number): string => {
  const a = Math.abs(c);
  return `${c < 0 ? '-' : ''}${Math.floor(a / 100)}.${TWO_DIGITS[a % 100]}`;
};

/**
 * `s.trim()` then upper- (`upper`) or lower-case, without allocating when `s` is already so: plain
 * ASCII with no space at either end and no letter of the other case (the usual bronze value).
 */
function trimCase(s: string, upper: boolean): string {
  const n = s.length;
  if (n === 0 || s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) return upper ? s.trim().toUpperCase() : s.trim().toLowerCase();
  const lo = upper ? 97 : 65; // letters that must change: a-z for upper, A-Z for lower
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 126 || (c >= lo && c <= lo + 25)) return upper ? s.trim().toUpperCase() : s.trim().toLowerCase();
  }
  return s;
}

/** `Date.parse`, with the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` form parsed field by field (same result). */
function parseTime(s: string): number {
  const ms = canonicalIsoMs(s);
  return ms === ms ? ms : Date.parse(s);
}

/** Normalises one bronze row, or says why it is invalid. Pure: the model uses it too. */
export function normalise(b: BronzeInput): Normalised {
  const currency = trimCase(b.currency, true);
  const rate = USD_RATES[currency];
  if (rate === undefined) return { ok: false, reason: `no exchange rate for currency ${JSON.stringify(b.currency)}`, input: b };
  const ts = parseTime(b.transaction_timestamp);
  if (!Number.isFinite(ts)) return { ok: false, reason: `transaction_timestamp ${JSON.stringify(b.transaction_timestamp)} is not a time`, input: b };
  const ingest = b.ingest_time ? parseTime(b.ingest_time) : NaN;
  if (Number.isFinite(ingest) && ts > ingest + MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: `event time ${b.transaction_timestamp} is more than 5 minutes after the ingest time ${b.ingest_time}`, input: b };
  }
  const amountCents = cents(b.amount);
  // The canonical form (what Date#toISOString prints) is kept as it is.
  const iso = b.transaction_timestamp.length === 24 && b.transaction_timestamp.endsWith('Z') ? b.transaction_timestamp : new Date(ts).toISOString();
  return {
    ok: true,
    ts,
    row: {
      transaction_id: trimCase(b.transaction_id, false),
      account_id: trimCase(b.account_id, true),
      merchant_id: trimCase(b.merchant_id, true),
      transaction_type: trimCase(b.transaction_type, false),
      status: trimCase(b.status, false),
      amount: decimal2(amountCents),
      currency,
      amount_usd: decimal2(Math.round(amountCents * rate)),
      transaction_ts: iso,
      event_date: iso.slice(0, 10),
      ingest_time: b.ingest_time ?? null,
    },
  };
}

/**
 * Remembers transaction ids with their event time for `retentionMs` of event time behind the
 * newest seen; `firstSeen` says whether an id is new (and records it). Pure data: the model uses it.
 *
 * Ids in the lowercase canonical UUID form (what `normalise` makes of a UUID) are kept as 128 bits
 * in typed arrays (`UuidTable`): no string and no Map entry per id, so a window of a million ids
 * costs the garbage collector nothing to trace and no retained strings get promoted. Other ids go
 * to a Map. Both behave the same: the latest event time per id, expired entries dropped by `sweep`.
 */
export class DedupWindow {
  private readonly seen = new Map<string, number>();
  private readonly uuids = new UuidTable();
  private maxTs = -Infinity;
  private sinceSweep = 0;

  constructor(private readonly retentionMs: number) {}

  get size(): number {
    return this.seen.size + this.uuids.size;
  }

  firstSeen(id: string, ts: number): boolean {
    if (ts > this.maxTs) this.maxTs = ts;
    if (this.uuids.parse(id)) {
      const prev = this.uuids.get();
      if (prev !== undefined && prev >= this.maxTs - this.retentionMs) return false;
      this.uuids.set(ts);
    } else {
      const prev = this.seen.get(id);
      if (prev !== undefined && prev >= this.maxTs - this.retentionMs) return false;
      this.seen.set(id, ts);
    }
    // Expired entries already read as absent: sweeping only frees memory, so it runs after as many
    // inserts as the window holds (amortised O(1) per id), at least 50 000.
    if (++this.sinceSweep >= 50_000 && this.sinceSweep >= this.size) this.sweep();
    return true;
  }

  /** Records an id known to be in silver already (start-up). */
  remember(id: string, ts: number): void {
    if (ts > this.maxTs) this.maxTs = ts;
    if (this.uuids.parse(id)) this.uuids.set(ts);
    else this.seen.set(id, ts);
  }

  sweep(): void {
    this.sinceSweep = 0;
    const cutoff = this.maxTs - this.retentionMs;
    for (const [id, ts] of this.seen) if (ts < cutoff) this.seen.delete(id);
    this.uuids.dropBefore(cutoff);
  }
}

const EMPTY = 0,
  LIVE = 1,
  DELETED = 2;

/**
 * An open-addressing hash table (linear probing, tombstones) from a UUID's 128 bits to a number.
 * `parse(id)` loads the key (false when `id` is not a lowercase canonical UUID: 8-4-4-4-12 hex
 * digits 0-9a-f, which maps one to one to its 128 bits); `get` / `set` then act on that key.
 */
class UuidTable {
  private capacity = 1024;
  private keys = new Int32Array(this.capacity * 4);
  private values = new Float64Array(this.capacity);
  private states = new Uint8Array(this.capacity);
  private live = 0;
  private used = 0; // live + deleted
  private readonly key = new Int32Array(4);
  /** Slot of the key after `get` (when `probed`): ≥ 0 found there, else −(insertion slot) − 1. */
  private slot = 0;
  private probed = false;

  get size(): number {
    return this.live;
  }

  parse(id: string): boolean {
    if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
    const key = this.key;
    let word = 0,
      digits = 0,
      k = 0;
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) continue;
      const c = id.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else return false;
      word = (word << 4) | d;
      if (++digits === 8) {
        key[k++] = word;
        word = 0;
        digits = 0;
      }
    }
    this.probed = false;
    return true;
  }

  /** The value of the parsed key, or undefined. */
  get(): number | undefined {
    this.slot = this.find();
    this.probed = true;
    return this.slot >= 0 ? this.values[this.slot] : undefined;
  }

  /** Sets the parsed key's value (after `get`, reusing its probe). */
  set(value: number): void {
    let slot = this.probed ? this.slot : this.find();
    if (slot < 0) {
      if (this.used + 1 > this.capacity * 0.6) {
        this.rehash();
        slot = this.find();
      }
      slot = -slot - 1;
      if (this.states[slot] === EMPTY) this.used++;
      this.states[slot] = LIVE;
      this.live++;
      const o = slot * 4;
      this.keys[o] = this.key[0]!;
      this.keys[o + 1] = this.key[1]!;
      this.keys[o + 2] = this.key[2]!;
      this.keys[o + 3] = this.key[3]!;
    }
    this.values[slot] = value;
    this.probed = false;
  }

  /** Deletes the entries whose value is below `cutoff`. */
  dropBefore(cutoff: number): void {
    const { states, values } = this;
    for (let i = 0; i < this.capacity; i++) {
      if (states[i] === LIVE && values[i]! < cutoff) {
        states[i] = DELETED;
        this.live--;
      }
    }
  }

  private hash(k0: number, k1: number, k2: number, k3: number): number {
    let h = Math.imul(k0, 0x9e3779b1) ^ Math.imul(k1 ^ (k1 >>> 15), 0x85ebca6b) ^ Math.imul(k2 ^ (k2 >>> 13), 0xc2b2ae35) ^ k3;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** The key's slot (≥ 0), or −(slot to insert at) − 1: the first deleted slot on the probe, else the empty one ending it. */
  private find(): number {
    const { keys, states } = this;
    const k0 = this.key[0]!,
      k1 = this.key[1]!,
      k2 = this.key[2]!,
      k3 = this.key[3]!;
    const mask = this.capacity - 1;
    let i = this.hash(k0, k1, k2, k3) & mask;
    let firstDeleted = -1;
    for (;;) {
      const st = states[i];
      if (st === EMPTY) return -(firstDeleted >= 0 ? firstDeleted : i) - 1;
      if (st === LIVE) {
        const o = i * 4;
        if (keys[o] === k0 && keys[o + 1] === k1 && keys[o + 2] === k2 && keys[o + 3] === k3) return i;
      } else if (firstDeleted < 0) firstDeleted = i;
      i = (i + 1) & mask;
    }
  }

  /** Rebuilds without tombstones, at a capacity where the live entries fill at most 30%. */
  private rehash(): void {
    const { keys, values, states, capacity } = this;
    let next = 1024;
    while (next * 0.3 < this.live + 1) next *= 2;
    this.capacity = next;
    this.keys = new Int32Array(next * 4);
    this.values = new Float64Array(next);
    this.states = new Uint8Array(next);
    const mask = next - 1;
    for (let s = 0; s < capacity; s++) {
      if (states[s] !== LIVE) continue;
      const o = s * 4;
      let i = this.hash(keys[o]!, keys[o + 1]!, keys[o + 2]!, keys[o + 3]!) & mask;
      while (this.states[i] !== EMPTY) i = (i + 1) & mask;
      this.states[i] = LIVE;
      this.keys.set(keys.subarray(o, o + 4), i * 4);
      this.values[i] = values[s]!;
    }
    this.used = this.live;
  }
}

/** Drops rows whose transaction id silver already holds (within the retention); state rebuilt from silver at start. */
function dedup(silverTable: string, retentionMs: number, counters: SilverCounters): ProcessorSupplier<null, Normalised, null, Normalised> {
  return () => {
    const window = new DedupWindow(retentionMs);
    let ctx!: ProcessorContext<null, Normalised>;
    const p: Processor<null, Normalised, null, Normalised> = {
      init(context) {
        ctx = context;
        context.registerCommitParticipant?.({
          name: `dedup(${silverTable})`,
          open: async () => {
            if (!(await loadSnapshot(silverTable)).exists) return;
            for (const r of (await readTable(silverTable)).rows) window.remember(r['transaction_id'] as string, Date.parse(r['transaction_ts'] as string));
            window.sweep();
          },
          commit: async () => undefined,
        });
      },
      process(record: Record<null, Normalised>) {
        const v = record.value;
        if (v.ok && !window.firstSeen(v.row.transaction_id, v.ts)) {
          counters.duplicates++;
          return;
        }
        ctx.forward(record);
      },
    };
    return p;
  };
}

export interface SilverCounters {
  duplicates: number;
}

export function buildSilverTopology(s: SilverSettings, counters: SilverCounters = { duplicates: 0 }): Topology {
  const builder = new StreamsBuilder();
  const checked = builder
    .deltaStream<BronzeInput>(s.bronzeTable, { sourceName: 'bronze', maxRowsPerBatch: s.maxRowsPerBatch })
    .mapValues((b) => normalise(b), Named.as('normalise'))
    .process(dedup(s.silverTable, s.dedupRetentionMs, counters), { named: Named.as('dedup-transaction-id') });
  const branches = checked
    .split(Named.as('validity-'))
    .branch((_k, v) => v.ok, Branched.as('valid'))
    .defaultBranch(Branched.as('invalid'));
  branches
    .get('validity-valid')!
    .mapValues((v) => (v as Extract<Normalised, { ok: true }>).row, Named.as('silver-row'))
    .process(
      deltaSink({
        table: s.silverTable,
        schema: SilverSchema,
        partitionBy: ['event_date'],
        name: 'transactions_silver',
        description: 'Deduplicated, normalised transactions (tributary transactions-silver)',
        codec: 'snappy',
        commitIntervalMs: s.commitIntervalMs,
      }),
      { named: Named.as('silver-delta-sink') },
    );
  branches
    .get('validity-invalid')!
    .mapValues((v) => {
      const bad = v as Extract<Normalised, { ok: false }>;
      return {
        transaction_id: bad.input.transaction_id ?? null,
        reason: bad.reason,
        bronze_row: JSON.stringify(bad.input),
        quarantined_at: new Date().toISOString(),
      };
    }, Named.as('quarantine-row'))
    .process(
      deltaSink({
        table: s.quarantineTable,
        schema: QuarantineSchema,
        name: 'transactions_quarantine',
        description: 'Bronze rows the silver layer refused, with the reason (tributary transactions-silver)',
        codec: 'snappy',
        commitIntervalMs: s.commitIntervalMs,
      }),
      { named: Named.as('quarantine-delta-sink') },
    );
  return builder.build();
}

export default function buildSilver(options: TopologyFactoryOptions = {}): { topology: Topology; topics: { topic: string }[] } {
  return { topology: buildSilverTopology(silverSettings(options)), topics: [] };
}
