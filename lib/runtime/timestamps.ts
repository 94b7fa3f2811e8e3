/**
 * The range of record timestamps tributary accepts, checked wherever a timestamp enters: records
 * fetched from Kafka, custom timestamp extractors, and records forwarded by processors and
 * punctuations. A timestamp is valid when it is a safe integer in `[0, MAX_TIMESTAMP_MS]`
 * (8.64e15 ms, the largest instant a JavaScript `Date` can hold: +275760-09-13) and, for input
 * records, not further than `maxFutureSkewMs` ahead of the wall clock. Everything else is an
 * `InvalidTimestampError`: the record goes to the deserialization handler (default: the
 * dead-letter topic) before it touches a store or moves stream time.
 */
import { InvalidTimestampError } from '../time/timestamp-extractors.js';

/** Largest accepted timestamp: `new Date(8.64e15)` is the last instant JavaScript can represent. */
export const MAX_TIMESTAMP_MS = 8_640_000_000_000_000;

/** Default `maxFutureSkewMs`: one day ahead of the wall clock. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 86_400_000;

/** True for a safe integer in [0, MAX_TIMESTAMP_MS]. */
export function isValidTimestamp(ts: number): boolean {
  return Number.isSafeInteger(ts) && ts >= 0 && ts <= MAX_TIMESTAMP_MS;
}

/**
 * The largest input timestamp accepted at wall-clock time `nowMs`: `nowMs + maxFutureSkewMs`,
 * capped at `MAX_TIMESTAMP_MS` (no cap from the clock when the skew is disabled).
 */
export function futureLimit(nowMs: number, maxFutureSkewMs: number): number {
  return maxFutureSkewMs === Number.POSITIVE_INFINITY ? MAX_TIMESTAMP_MS : Math.min(MAX_TIMESTAMP_MS, nowMs + maxFutureSkewMs);
}

/** Why an input timestamp is refused (`limit` from `futureLimit`), or null when it is accepted. */
export function timestampProblem(ts: number, limit: number): string | null {
  if (typeof ts !== 'number' || Number.isNaN(ts)) return 'it is not a number';
  if (!Number.isSafeInteger(ts))
    return Number.isFinite(ts) && Math.abs(ts) <= Number.MAX_SAFE_INTEGER ? 'it is not an integer (epoch milliseconds)' : 'it is not a safe integer';
  if (ts < 0) return 'it is negative';
  if (ts > MAX_TIMESTAMP_MS) return `it is beyond ${MAX_TIMESTAMP_MS} (the largest JavaScript Date)`;
  if (ts > limit) return `it is more than maxFutureSkewMs ahead of the wall clock (accepted up to ${limit}, ${new Date(limit).toISOString()})`;
  return null;
}

/** The error for a refused input timestamp of the record at `topic-partition@offset`. */
export function invalidInputTimestamp(
  ts: number,
  limit: number,
  where: { topic: string; partition: number; offset: number },
  source = 'record',
): InvalidTimestampError {
  const problem = timestampProblem(ts, limit) ?? 'it is out of range';
  return new InvalidTimestampError(
    `Invalid ${source} timestamp ${String(ts)} of the record at ${where.topic}-${where.partition}@${where.offset}: ${problem}`,
    where,
  );
}

/** The error for a processor (or punctuation) forwarding a record with an invalid timestamp. */
export function invalidForwardedTimestamp(ts: number, nodeName: string): InvalidTimestampError {
  const problem = timestampProblem(ts, MAX_TIMESTAMP_MS) ?? 'it is out of range';
  return new InvalidTimestampError(`Processor ${nodeName} forwarded a record with timestamp ${String(ts)}: ${problem}`);
}
