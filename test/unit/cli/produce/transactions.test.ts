import { describe, expect, it } from 'vitest';
import { DEFAULT_WATERMARK_MS, MALFORMED_KINDS, MAX_ON_TIME_JITTER_MS, generateTransactions } from '../../../../lib/cli/produce/transactions.js';
import { TransactionEventSchema, parseTransaction } from '../../../../topologies/transactions-schema.js';

const startTime = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('generateTransactions', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateTransactions(500, { seed: 7, startTime, spacingMs: 10 });
    const b = generateTransactions(500, { seed: 7, startTime, spacingMs: 10 });
    const c = generateTransactions(500, { seed: 8, startTime, spacingMs: 10 });
    expect(b).toEqual(a);
    expect(c.map((r) => r.value)).not.toEqual(a.map((r) => r.value));
  });

  it('produces valid events that pass the schema, keyed by account id, with unique ids', () => {
    const records = generateTransactions(5000, { seed: 1, startTime, lateShare: 0, malformedShare: 0 });
    const ids = new Set<string>();
    for (const r of records) {
      const parsed = TransactionEventSchema.parse(JSON.parse(r.value));
      expect(r.key).toBe(parsed.account_id);
      expect(parsed.transaction_timestamp.endsWith('Z')).toBe(true);
      ids.add(parsed.transaction_id);
    }
    expect(ids.size).toBe(records.length);
  });

  it('has the configured shares of late and malformed records, with every malformed kind', () => {
    const n = 40_000;
    const records = generateTransactions(n, { seed: 42, startTime, lateShare: 0.05, malformedShare: 0.01 });
    const late = records.filter((r) => r.category === 'late').length;
    const malformed = records.filter((r) => r.category === 'malformed');
    expect(late / n).toBeGreaterThan(0.045);
    expect(late / n).toBeLessThan(0.055);
    expect(malformed.length / n).toBeGreaterThan(0.008);
    expect(malformed.length / n).toBeLessThan(0.012);
    for (const kind of MALFORMED_KINDS) expect(malformed.some((r) => r.malformed === kind)).toBe(true);
  });

  it('makes late events older than the watermark and keeps on-time jitter inside it', () => {
    const records = generateTransactions(20_000, { seed: 3, startTime, spacingMs: 5 });
    for (const r of records) {
      const lag = r.nominalTime - r.eventTime;
      if (r.category === 'late') expect(lag).toBeGreaterThan(DEFAULT_WATERMARK_MS);
      else expect(lag).toBeLessThanOrEqual(MAX_ON_TIME_JITTER_MS);
      if (r.category !== 'malformed') expect(Date.parse(r.event.transaction_timestamp)).toBe(r.eventTime);
    }
    expect(records[0]!.category).toBe('on_time');
  });

  it('every malformed record fails the schema and every other record passes it', () => {
    const records = generateTransactions(30_000, { seed: 11, startTime, malformedShare: 0.05 });
    const failedKinds = new Set<string>();
    for (const r of records) {
      const result = parseTransaction(r.value);
      if (r.category === 'malformed') {
        expect(result.ok, `${r.malformed}: ${r.value}`).toBe(false);
        failedKinds.add(r.malformed!);
      } else {
        expect(result.ok, r.value).toBe(true);
      }
    }
    expect([...failedKinds].sort()).toEqual([...MALFORMED_KINDS].sort());
  });

  it('has hot merchants: the top 5% of merchants take a large share of transactions', () => {
    const records = generateTransactions(20_000, { seed: 5, startTime, lateShare: 0, malformedShare: 0 });
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.event.merchant_id, (counts.get(r.event.merchant_id) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.ceil(counts.size * 0.05)).reduce((s, x) => s + x, 0);
    expect(top / records.length).toBeGreaterThan(0.3);
  });
});

describe('TransactionEventSchema', () => {
  const valid = {
    transaction_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    account_id: 'ACC00100001',
    merchant_id: 'MER010001',
    amount: 12.5,
    currency: 'EUR',
    transaction_type: 'purchase',
    status: 'completed',
    transaction_timestamp: '2025-01-15T12:00:00.000+01:00',
  };

  it('accepts a valid event with any timezone offset', () => {
    expect(TransactionEventSchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    ['amount: 0', { amount: 0 }],
    ['amount: 3 decimals', { amount: 1.234 }],
    ['amount: infinite', { amount: Number.POSITIVE_INFINITY }],
    ['currency: lowercase', { currency: 'eur' }],
    ['timestamp: no timezone', { transaction_timestamp: '2025-01-15T12:00:00' }],
    ['timestamp: impossible date', { transaction_timestamp: '2025-02-30T12:00:00Z' }],
    ['status: unknown', { status: 'unknown' }],
    ['transaction_id: not a uuid', { transaction_id: 'tx-1' }],
  ])('rejects %s', (_name, patch) => {
    expect(TransactionEventSchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });
});
