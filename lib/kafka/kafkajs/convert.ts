/**
 * Conversion of fetched kafkajs messages into the seam's columns (`FetchedColumns`): offsets and
 * timestamps as numbers, headers as Buffers. This runs once per record, so it stays a plain loop
 * that allocates nothing per record beyond what kafkajs decoded (no record object).
 */
import './aborted-filter.js';
import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { FetchedColumns, Headers } from '../types.js';

const NO_HEADERS: Headers = Object.freeze({}) as Headers;

function toHeaders(h: IHeaders | undefined): Headers {
  if (h === undefined) return NO_HEADERS;
  let out: Record<string, Buffer> | undefined;
  for (const name in h) {
    let v = h[name];
    // kafkajs folds repeated header names into an array; like Java's lastHeader, keep the last.
    if (Array.isArray(v)) v = v[v.length - 1];
    if (v === undefined) continue;
    (out ??= {})[name] = typeof v === 'string' ? Buffer.from(v) : v;
  }
  return out ?? NO_HEADERS;
}

/**
 * One partition's fetched kafkajs messages as seam columns, in one pass: records below
 * `fromOffset` (a fetch returns whole record batches) and control records are skipped; aborted
 * transactional records must already be gone (see `aborted-filter.ts`). Keys and values stay the
 * Buffers kafkajs decoded (views of the fetch response): each is its own chunk.
 */
export function toFetchedColumns(
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
  fromOffset: number,
  highWatermark: number,
): FetchedColumns {
  const n = messages.length;
  const offsets = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const keyChunks = new Array<Buffer | null>(n);
  const keyEnds = new Int32Array(n);
  const valueChunks = new Array<Buffer | null>(n);
  const valueEnds = new Int32Array(n);
  let headers: Headers[] | null = null;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i] as KafkaMessage & { isControlRecord?: boolean };
    if (m.isControlRecord === true) continue;
    const offset = +m.offset;
    if (offset < fromOffset) continue;
    offsets[j] = offset;
    timestamps[j] = +m.timestamp;
    const k = m.key ?? null;
    const v = m.value ?? null;
    keyChunks[j] = k;
    keyEnds[j] = k === null ? 0 : k.length;
    valueChunks[j] = v;
    valueEnds[j] = v === null ? 0 : v.length;
    const h = toHeaders(m.headers);
    if (h !== NO_HEADERS) (headers ??= new Array<Headers>(n).fill(NO_HEADERS))[j] = h;
    j++;
  }
  keyChunks.length = j;
  valueChunks.length = j;
  // Every key and value starts at 0 of its own chunk: one zero column serves both.
  const zeros = new Int32Array(j);
  return {
    topic,
    partition,
    length: j,
    offsets,
    timestamps,
    keyChunks,
    keyStarts: zeros,
    keyEnds,
    valueChunks,
    valueStarts: zeros,
    valueEnds,
    headers,
    highWatermark,
  };
}

/** `toFetchedColumns` of a kafkajs `Batch` handed out by its group consumer (`eachBatch`). */
export function batchColumns(batch: Batch): FetchedColumns {
  const hw = batch.highWatermark === undefined ? -1 : +batch.highWatermark;
  return toFetchedColumns(batch.topic, batch.partition, batch.messages, -1, hw);
}

/** Whether `toFetchedColumns` would return any record: the last record that is not a control record is at or past `fromOffset`. */
export function hasVisibleRecord(messages: readonly { readonly offset: string; readonly isControlRecord?: boolean }[], fromOffset: number): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.isControlRecord !== true) return +m.offset >= fromOffset;
  }
  return false;
}
