/**
 * Helpers over `FetchedColumns`, the form in which tasks buffer input records: a batch of records
 * (`IncomingRecord`s from a consumer without `pollColumns`) turned into columns, and one record
 * turned back into an `IncomingRecord` where an object is needed (failure handlers, dead letters).
 */
import type { FetchedColumns, Headers, IncomingRecord } from '../kafka/types.js';

const NO_HEADERS: Headers = Object.freeze({}) as Headers;

/** The records (all of `topic`-`partition`, in offset order) by column; keys and values stay their own Buffers. */
export function columnsOf(topic: string, partition: number, records: readonly IncomingRecord[], highWatermark = -1): FetchedColumns {
  const n = records.length;
  const offsets = new Array<number>(n);
  const timestamps = new Array<number>(n);
  const keyChunks = new Array<Buffer | null>(n);
  const keyStarts = new Array<number>(n);
  const keyEnds = new Array<number>(n);
  const valueChunks = new Array<Buffer | null>(n);
  const valueStarts = new Array<number>(n);
  const valueEnds = new Array<number>(n);
  const headers = new Array<Headers>(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    offsets[i] = r.offset;
    timestamps[i] = r.timestamp;
    keyChunks[i] = r.key;
    keyStarts[i] = 0;
    keyEnds[i] = r.key === null ? 0 : r.key.length;
    valueChunks[i] = r.value;
    valueStarts[i] = 0;
    valueEnds[i] = r.value === null ? 0 : r.value.length;
    headers[i] = r.headers;
  }
  return { topic, partition, length: n, offsets, timestamps, keyChunks, keyStarts, keyEnds, valueChunks, valueStarts, valueEnds, headers, highWatermark };
}

export function headersAt(cols: FetchedColumns, i: number): Headers {
  return cols.headers === null ? NO_HEADERS : cols.headers[i]!;
}

/** The key bytes of record i (a view), or null. */
export function keyAt(cols: FetchedColumns, i: number): Buffer | null {
  const chunk = cols.keyChunks[i]!;
  return chunk === null ? null : view(chunk, cols.keyStarts[i]!, cols.keyEnds[i]!);
}

/** The value bytes of record i (a view), or null. */
export function valueAt(cols: FetchedColumns, i: number): Buffer | null {
  const chunk = cols.valueChunks[i]!;
  return chunk === null ? null : view(chunk, cols.valueStarts[i]!, cols.valueEnds[i]!);
}

/** Record i as an `IncomingRecord` (its key and value are views of the chunks). */
export function recordAt(cols: FetchedColumns, i: number): IncomingRecord {
  return {
    topic: cols.topic,
    partition: cols.partition,
    offset: cols.offsets[i]!,
    key: keyAt(cols, i),
    value: valueAt(cols, i),
    timestamp: cols.timestamps[i]!,
    headers: headersAt(cols, i),
  };
}

function view(chunk: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
}
