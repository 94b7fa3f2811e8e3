import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, USD_RATES, normalise, type BronzeInput, type Normalised } from '../../../topologies/transactions-silver.js';

/** normalise as it was before its fast paths (trim + case conversions, Date.parse, padStart): the result must not change. */
function reference(b: BronzeInput): Normalised {
  const cents = (x: number): number => Math.round(x * 100);
  const decimal2 = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
  const currency = b.currency.trim().toUpperCase();
  const rate = USD_RATES[currency];
  if (rate === undefined) return { ok: false, reason: `no exchange rate for currency ${JSON.stringify(b.currency)}`, input: b };
  const ts = Date.parse(b.transaction_timestamp);
  if (!Number.isFinite(ts)) return { ok: false, reason: `transaction_timestamp ${JSON.stringify(b.transaction_timestamp)} is not a time`, input: b };
  const ingest = b.ingest_time ? Date.parse(b.ingest_time) : NaN;
  if (Number.isFinite(ingest) && ts > ingest + MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: `event time ${b.transaction_timestamp} is more than 5 minutes after the ingest time ${b.ingest_time}`, input: b };
  }
  const amountCents = cents(b.amount);
  const iso = b.transaction_timestamp.length === 24 && b.transaction_timestamp.endsWith('Z') ? b.transaction_timestamp : new Date(ts).toISOString();
  return {
    ok: true,
    ts,
    row: {
      transaction_id: b.transaction_id.trim().toLowerCase(),
      account_id: b.account_id.trim().toUpperCase(),
      merchant_id: b.merchant_id.trim().toUpperCase(),
      transaction_type: b.transaction_type.trim().toLowerCase(),
      status: b.status.trim().toLowerCase(),
      amount: decimal2(amountCents),
      currency,
      amount_usd: decimal2(Math.round(amountCents * rate)),
      transaction_ts: iso,
      event_date: iso.slice(0, 10),
      ingest_time: b.ingest_time ?? null,
    },
  };
}

// Strings mixing what the fast paths must detect: spaces and tabs at the ends, both cases, non-ASCII
// letters whose case changes (é, ß, ı, ǅ), NBSP / BOM (trimmed by trim()), control characters (not trimmed).
const piece = fc.constantFrom(
  'a',
  'Z',
  'm',
  'Q',
  '0',
  '9',
  '-',
  ' ',
  '\t',
  '\n',
  'é',
  'É',
  'ß',
  'ı',
  'ǅ',
  '\u00a0',
  '\ufeff',
  '\u0001',
  '\u007f',
  'usd',
  'EUR',
  'gBp',
);
const messy = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));
const text = fc.oneof(
  messy,
  fc.string({ maxLength: 12 }),
  fc.uuid().map((u) => (Math.random() < 0.5 ? u : u.toUpperCase())),
);
// Times: canonical ISO (valid and invalid fields: month 13, Feb 30, hour 24, years 0000–9999), other ISO forms, garbage.
const d2 = (n: number) => String(n).padStart(2, '0');
const canonical = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([y, mo, d, h, mi, ms]) => `${String(y).padStart(4, '0')}-${d2(mo)}-${d2(d)}T${d2(h)}:${d2(mi)}:${d2(mi % 60)}.${String(ms).padStart(3, '0')}Z`);
const time = fc.oneof(
  canonical,
  fc.date({ min: new Date(-62_000_000_000_000), max: new Date(250_000_000_000_000), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2024-06-01T10:00:00Z', '2024-06-01T10:00:00.123456Z', '2024-06-01 10:00:00', '2024-06-01T10:00:00.000+02:00', 'nope', ''),
);

describe('silver normalise (fast paths)', () => {
  it('gives exactly what the plain trim/case/Date.parse version gives', () => {
    fc.assert(
      fc.property(
        fc.record({
          transaction_id: text,
          account_id: text,
          merchant_id: text,
          transaction_type: text,
          status: text,
          currency: fc.oneof(fc.constantFrom(...Object.keys(USD_RATES), ' usd ', 'eUr', 'GBP\t', 'XXX'), messy),
          amount: fc.oneof(
            fc.double({ min: -1e9, max: 1e9, noNaN: true }),
            fc.integer({ min: -100000, max: 100000 }).map((c) => c / 100),
          ),
          transaction_timestamp: time,
          event_date: fc.constant('2024-06-01'),
          ingest_time: fc.option(time),
        }),
        (b) => {
          expect(normalise(b as BronzeInput)).toEqual(reference(b as BronzeInput));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
