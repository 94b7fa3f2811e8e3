/**
 * The transaction event of the seed scenario: what `tributary produce transactions` writes to the
 * `transactions` topic (key = `account_id`, value = this object as UTF-8 JSON) and what the
 * topologies read. A value that fails this schema is malformed and belongs in the dead-letter
 * topic; `transaction_timestamp` is the event time the watermark works on.
 */
import { z } from 'zod';

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'SEK'] as const;
export const TRANSACTION_TYPES = ['purchase', 'refund', 'withdrawal', 'deposit', 'transfer'] as const;
export const TRANSACTION_STATUSES = ['completed', 'pending', 'failed', 'declined'] as const;

/** Largest amount accepted; larger values are treated as corrupt. */
export const MAX_AMOUNT = 1_000_000_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `x` has at most two decimal places (tolerating binary floating point). */
function hasCents(x: number): boolean {
  return Math.abs(x * 100 - Math.round(x * 100)) < 1e-6;
}

export const TransactionEventSchema = z.object({
  /** Unique id, lowercase UUID text. */
  transaction_id: z.string().regex(UUID, 'transaction_id must be a lowercase UUID'),
  account_id: z.string().min(1).max(64),
  merchant_id: z.string().min(1).max(64),
  /** Positive, finite, at most two decimals. Refunds are positive amounts with type `refund`. */
  amount: z.number().positive().max(MAX_AMOUNT).refine(hasCents, 'amount must have at most two decimals'),
  /** ISO 4217 code: three uppercase letters. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be three uppercase letters'),
  transaction_type: z.enum(TRANSACTION_TYPES),
  status: z.enum(TRANSACTION_STATUSES),
  /** Event time: ISO-8601 with a timezone (`Z` or `±hh:mm`), a real calendar date. */
  transaction_timestamp: z.iso.datetime({ offset: true }),
});

export type TransactionEvent = z.infer<typeof TransactionEventSchema>;

/** Parses a record value (bytes or text) into a valid event, or returns the reason it is malformed. */
export function parseTransaction(
  value: Buffer | string | null,
): { readonly ok: true; readonly event: TransactionEvent } | { readonly ok: false; readonly reason: string } {
  if (value === null) return { ok: false, reason: 'null value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const result = TransactionEventSchema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, reason: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}
