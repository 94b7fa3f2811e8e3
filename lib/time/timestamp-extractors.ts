/**
 * Timestamp extractors: how a source reads a record's event time. The default is the Kafka record
 * timestamp; `field(name)` reads a field of the (deserialized) value — epoch milliseconds or an
 * ISO-8601 string with a time zone, e.g. the seed's `transaction_timestamp`; `fromValue(fn)` is
 * the custom form. An invalid or missing timestamp throws `InvalidTimestampError`: the runtime
 * routes the record to the deserialization handler (by default the dead-letter topic, with the
 * reason in `tributary.error.reason`), it never enters the topology. Wrap an extractor in
 * `usePartitionTimeOnInvalid` to keep such records at the partition's current time instead.
 */
import { TributaryError } from '../errors.js';
import type { ConsumedRecord, TimestampExtractor } from '../topology/types.js';

/** A record whose event time cannot be read. Code SERDE: handled like a deserialization failure. */
export class InvalidTimestampError extends TributaryError {
  constructor(message: string, record?: Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>) {
    super(message, {
      code: 'SERDE',
      ...(record === undefined ? {} : { context: { topic: record.topic, partition: record.partition, offset: record.offset } }),
    });
  }
}

/** How `parseEventTime` and the field extractors read a timestamp text: whether one without a zone is taken as UTC. */
export interface TimestampParseOptions {
  /** Accept ISO strings without a time zone as UTC. Default false: such strings are invalid (ambiguous). */
  readonly assumeUtc?: boolean;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an event time: a non-negative safe integer (epoch ms), a `Date`, or an ISO-8601
 * date-time string with a time zone (`Z` or `±hh:mm`). Returns null when it is none of these or
 * names an impossible date (month 13, hour 25, February 30).
 */
export function parseEventTime(input: unknown, options: TimestampParseOptions = {}): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : null;
  if (input instanceof Date) {
    const t = input.getTime();
    return Number.isSafeInteger(t) && t >= 0 ? t : null;
  }
  if (typeof input !== 'string') return null;
  const fast = parseCanonicalIso(input);
  if (fast !== undefined) return fast;
  const m = ISO.exec(input.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (zone === undefined && !options.assumeUtc) return null;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = utcMillis(year, month - 1, day, hour, minute, second, ms);
  if (new Date(utc).getUTCDate() !== day) return null; // e.g. February 30
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  const t = utc - offsetMin * 60_000;
  return t >= 0 ? t : null;
}

/**
 * `Date.UTC` for the proleptic Gregorian calendar at every year: `Date.UTC` itself reads years
 * 0–99 as 1900–1999, so those go through `setUTCFullYear`, which takes the year as written.
 */
export function utcMillis(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year >= 100 || year < 0) return Date.UTC(year, month0, day, hour, minute, second, ms);
  const d = new Date(Date.UTC(2000, month0, day, hour, minute, second, ms));
  d.setUTCFullYear(year, month0, day);
  return d.getTime();
}

/** The decimal value of `len` ASCII digits at `at`, or -1 if one is not a digit. */
function digits(s: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Fast path of `parseEventTime` for the canonical form `Date.prototype.toISOString` writes,
 * `YYYY-MM-DDTHH:MM:SS.sssZ`: the same checks and arithmetic as the general path, without the
 * regular expression and its strings. Undefined when `s` does not have exactly that shape (the
 * general path decides).
 */
function parseCanonicalIso(s: string): number | null | undefined {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const fraction = digits(s, 20, 3);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || fraction < 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // For every 3-digit fraction nnn, the general path's floor(0.nnn × 1000) is exactly nnn.
  const utc = utcMillis(year, month - 1, day, hour, minute, second, fraction);
  if (new Date(utc).getUTCDate() !== day) return null; // e.g. February 30
  return utc >= 0 ? utc : null;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === undefined) return 'missing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function readPath(value: unknown, path: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (path in obj) return obj[path];
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Ready-made timestamp extractors: the record's Kafka timestamp, or a field of the value parsed as an instant; invalid timestamps throw `InvalidTimestampError`. */
export const TimestampExtractors = {
  /** The Kafka record timestamp (create time or log-append time). The default. */
  recordTimestamp(): TimestampExtractor {
    return (record) => {
      if (!(record.timestamp >= 0)) throw new InvalidTimestampError(`record timestamp ${record.timestamp} is invalid (negative)`, record);
      return record.timestamp;
    };
  },

  /**
   * Event time from a field of the deserialized value (a dotted path reaches nested fields):
   * epoch ms or an ISO-8601 string with a time zone. Missing or invalid → `InvalidTimestampError`.
   */
  field<V = unknown>(name: string, options: TimestampParseOptions = {}): TimestampExtractor<unknown, V> {
    if (typeof name !== 'string' || name === '') throw new TypeError('TimestampExtractors.field(name): name must be a non-empty string');
    return (record) => {
      const raw = readPath(record.value, name);
      const t = parseEventTime(raw, options);
      if (t === null) {
        throw new InvalidTimestampError(
          raw === undefined || raw === null
            ? `timestamp field '${name}' is missing`
            : `timestamp field '${name}' is invalid: ${describe(raw)} (expected epoch ms or ISO-8601 with a time zone)`,
          record,
        );
      }
      return t;
    };
  },

  /** Event time computed from key and value by `fn` (epoch ms, `Date` or ISO-8601 string). */
  fromValue<K = unknown, V = unknown>(fn: (value: V, key: K) => unknown, options: TimestampParseOptions = {}): TimestampExtractor<K, V> {
    return (record) => {
      const raw = fn(record.value, record.key);
      const t = parseEventTime(raw, options);
      if (t === null) throw new InvalidTimestampError(`extracted timestamp is invalid: ${describe(raw)}`, record);
      return t;
    };
  },

  /**
   * Wraps an extractor: a record whose timestamp is invalid gets the partition time (the highest
   * timestamp extracted so far from its partition) instead of going to the error handler; before
   * the partition's first valid record it still fails.
   */
  usePartitionTimeOnInvalid<K, V>(inner: TimestampExtractor<K, V>): TimestampExtractor<K, V> {
    return (record, partitionTime) => {
      try {
        const t = inner(record, partitionTime);
        if (Number.isFinite(t) && t >= 0) return t;
      } catch (error) {
        if (!(error instanceof InvalidTimestampError) || partitionTime < 0) throw error;
        return partitionTime;
      }
      if (partitionTime < 0) throw new InvalidTimestampError('invalid timestamp and no partition time yet', record);
      return partitionTime;
    };
  },
} as const;
