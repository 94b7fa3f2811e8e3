/**
 * How large a record each topic accepts, and the check the task's output buffer applies to every
 * record before it is sent, so a record the broker would refuse never reaches the producer (where
 * one refused record fails the whole send, and under exactly-once the transaction): an output
 * that is too large goes to the production exception handler, a changelog record that is too large
 * fails the task with the remedy, and a dead letter that is too large is truncated to fit.
 *
 * The size is an upper bound of the record's v2 record batch when sent alone (what the broker
 * compares with `max.message.bytes`): batch header 61 bytes, record framing at most 36 bytes,
 * each header at most 10 bytes of framing plus its key and value.
 */
import { RecordTooLargeError } from '../errors.js';
import type { Headers, OutgoingRecord } from '../kafka/types.js';
import { DLQ_HEADER_PREFIX } from './error-handlers.js';

/** Kafka's default `max.message.bytes` (topic) / `message.max.bytes` (broker). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 36;
const HEADER_OVERHEAD = 10;

/** Batch and record framing of one record, without its key, value and headers. */
export const RECORD_FRAMING_BYTES = BATCH_OVERHEAD + RECORD_OVERHEAD;

/** Bytes of `headers` in a record (framing included); header keys count as UTF-8. */
export function headerBytes(headers: Headers | undefined): number {
  if (headers === undefined) return 0;
  let n = 0;
  for (const k in headers) n += HEADER_OVERHEAD + Buffer.byteLength(k, 'utf8') + headers[k]!.length;
  return n;
}

/** Upper bound of a record's size as the broker counts it (`keyLength`/`valueLength` -1 = null). */
export function recordBytes(keyLength: number, valueLength: number, headers: Headers | undefined): number {
  return RECORD_FRAMING_BYTES + (keyLength > 0 ? keyLength : 0) + (valueLength > 0 ? valueLength : 0) + headerBytes(headers);
}

/** The record size limit of every topic a task writes to (`max.message.bytes`, read at start). */
export class RecordLimits {
  /** The smallest limit of any topic: records up to it need no per-topic lookup. */
  readonly min: number;

  constructor(
    private readonly limits: ReadonlyMap<string, number> = new Map(),
    private readonly defaultLimit = DEFAULT_MAX_MESSAGE_BYTES,
  ) {
    let min = defaultLimit;
    for (const v of limits.values()) if (v < min) min = v;
    this.min = min;
  }

  limitFor(topic: string): number {
    return this.limits.get(topic) ?? this.defaultLimit;
  }
}

/** Where a too-large record was going. */
export type RecordKind = 'output' | 'changelog';

/** The error for a record of `size` bytes over `limit`; carries a copy of the record for the production handler. */
export function recordTooLarge(kind: RecordKind, record: OutgoingRecord, size: number, limit: number): RecordTooLargeError {
  const what = kind === 'changelog' ? 'Changelog record' : 'Record';
  const remedy =
    kind === 'changelog'
      ? `; the store cannot be restored without it: raise max.message.bytes of ${record.topic} (and the broker's message.max.bytes) or keep the store's values smaller`
      : `; raise max.message.bytes of ${record.topic} or make the record smaller`;
  return new RecordTooLargeError(`${what} of ${size} bytes for ${record.topic} is larger than its max.message.bytes (${limit})${remedy}`, size, limit, {
    context: { topic: record.topic },
    record,
    kind,
  });
}

const TRUNCATED = `${DLQ_HEADER_PREFIX}truncated`;

/**
 * A dead letter that fits `limit`: unchanged when it does; else, keeping every
 * `tributary.error.*` header, the original headers are dropped if they alone do not fit, then the
 * value and if needed the key are cut to what is left, and headers say what was cut
 * (`tributary.error.truncated`: `headers`, `value`, `key`; `tributary.error.original-size`: the
 * record's size; `tributary.error.original-key-size` / `original-value-size`). Null when even an
 * empty record with the error headers exceeds `limit`.
 */
export function fitDeadLetter(record: OutgoingRecord, limit: number): OutgoingRecord | null {
  const key = record.key;
  const value = record.value;
  const size = recordBytes(key === null ? -1 : key.length, value === null ? -1 : value.length, record.headers);
  if (size <= limit) return record;
  const cut: string[] = [];
  let headers: Record<string, Buffer> = { ...(record.headers ?? {}) };
  const info = (): Record<string, Buffer> => ({
    [TRUNCATED]: Buffer.from('headers,value,key'), // longest form: the room is reserved up front
    [`${DLQ_HEADER_PREFIX}original-size`]: Buffer.from(String(size)),
    [`${DLQ_HEADER_PREFIX}original-key-size`]: Buffer.from(String(key?.length ?? -1)),
    [`${DLQ_HEADER_PREFIX}original-value-size`]: Buffer.from(String(value?.length ?? -1)),
  });
  let room = limit - RECORD_FRAMING_BYTES - headerBytes({ ...headers, ...info() });
  if (room < 0) {
    const kept: Record<string, Buffer> = {};
    for (const k in headers) if (k.startsWith(DLQ_HEADER_PREFIX)) kept[k] = headers[k]!;
    headers = kept;
    cut.push('headers');
    room = limit - RECORD_FRAMING_BYTES - headerBytes({ ...headers, ...info() });
    if (room < 0) return null;
  }
  const keyLength = key?.length ?? 0;
  let newValue = value;
  let newKey = key;
  if (value !== null && keyLength + value.length > room) {
    newValue = value.subarray(0, Math.max(0, room - keyLength));
    cut.push('value');
  }
  if (key !== null && key.length > room) {
    newKey = key.subarray(0, room);
    cut.push('key');
  }
  const out = { ...headers, ...info(), [TRUNCATED]: Buffer.from(cut.join(',')) };
  return { ...record, key: newKey, value: newValue, headers: out };
}
