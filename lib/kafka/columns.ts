/**
 * Helpers over the seam's record columns (`RecordColumns`, `types.ts`): one record's bytes as a
 * view, and conversions from and to record objects for callers that want objects (tools, tests,
 * dead letters). The runtime's per-record path reads the columns directly.
 */
import type { FetchedColumns, Headers, IncomingRecord, OutgoingBatch, OutgoingRecord, RecordColumns } from './types.js';

const NO_HEADERS: Headers = Object.freeze({}) as Headers;

/** The records of one partition's fetch as objects (`fetchedBatches`). */
export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly IncomingRecord[];
  readonly highWatermark: number;
}

/** The headers of record i (a shared frozen empty object when it has none). */
export function headersAt(cols: RecordColumns, i: number): Headers {
  const h = cols.headers === null ? undefined : cols.headers[i];
  return h ?? NO_HEADERS;
}

/** The key bytes of record i (a view of its chunk), or null. */
export function keyAt(cols: RecordColumns, i: number): Buffer | null {
  const chunk = cols.keyChunks[i]!;
  return chunk === null ? null : view(chunk, cols.keyStarts[i]!, cols.keyEnds[i]!);
}

/** The value bytes of record i (a view of its chunk), or null. */
export function valueAt(cols: RecordColumns, i: number): Buffer | null {
  const chunk = cols.valueChunks[i]!;
  return chunk === null ? null : view(chunk, cols.valueStarts[i]!, cols.valueEnds[i]!);
}

/** Record i of a fetch as an `IncomingRecord` (its key and value are views of the chunks). */
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

/** The records of a fetch as objects. */
export function fetchedRecords(cols: FetchedColumns): IncomingRecord[] {
  const out = new Array<IncomingRecord>(cols.length);
  for (let i = 0; i < cols.length; i++) out[i] = recordAt(cols, i);
  return out;
}

/** A poll's columns as record objects, one batch per partition. */
export function fetchedBatches(polled: readonly FetchedColumns[]): FetchedBatch[] {
  return polled.map((c) => ({ topic: c.topic, partition: c.partition, records: fetchedRecords(c), highWatermark: c.highWatermark }));
}

/**
 * Records (all of `topic`-`partition`, in offset order) as `FetchedColumns`; each key and value
 * is its own chunk.
 */
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
  let headers: Headers[] | null = null;
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
    if (r.headers !== NO_HEADERS) (headers ??= new Array<Headers>(n).fill(NO_HEADERS))[i] = r.headers;
  }
  return { topic, partition, length: n, offsets, timestamps, keyChunks, keyStarts, keyEnds, valueChunks, valueStarts, valueEnds, headers, highWatermark };
}

/**
 * Records as an `OutgoingBatch`. Their keys and values are copied, one after the other, into one
 * new chunk (as a Kafka client serializes at send time): the caller may reuse its Buffers.
 */
export function outgoingBatch(records: readonly OutgoingRecord[]): OutgoingBatch {
  const n = records.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += (records[i]!.key?.length ?? 0) + (records[i]!.value?.length ?? 0);
  const chunk = Buffer.allocUnsafe(bytes);
  const topics = new Array<string>(n);
  const partitions = new Array<number>(n);
  const timestamps = new Array<number>(n);
  const keyChunks = new Array<Buffer | null>(n);
  const keyStarts = new Array<number>(n);
  const keyEnds = new Array<number>(n);
  const valueChunks = new Array<Buffer | null>(n);
  const valueStarts = new Array<number>(n);
  const valueEnds = new Array<number>(n);
  let headers: (Headers | undefined)[] | null = null;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    topics[i] = r.topic;
    partitions[i] = r.partition ?? -1;
    timestamps[i] = r.timestamp ?? Number.NaN;
    keyChunks[i] = r.key === null ? null : chunk;
    keyStarts[i] = pos;
    if (r.key !== null) pos += r.key.copy(chunk, pos);
    keyEnds[i] = pos;
    valueChunks[i] = r.value === null ? null : chunk;
    valueStarts[i] = pos;
    if (r.value !== null) pos += r.value.copy(chunk, pos);
    valueEnds[i] = pos;
    if (r.headers !== undefined) (headers ??= new Array<Headers | undefined>(n))[i] = r.headers;
  }
  return { length: n, topics, partitions, timestamps, keyChunks, keyStarts, keyEnds, valueChunks, valueStarts, valueEnds, headers };
}

/** Record i of a batch as an `OutgoingRecord` (key and value are views of the chunks). */
export function outgoingRecordAt(b: OutgoingBatch, i: number): OutgoingRecord {
  const partition = b.partitions[i]!;
  const timestamp = b.timestamps[i]!;
  const headers = b.headers === null ? undefined : b.headers[i];
  return {
    topic: b.topics[i]!,
    ...(partition === -1 ? {} : { partition }),
    key: keyAt(b, i),
    value: valueAt(b, i),
    ...(timestamp === timestamp ? { timestamp } : {}),
    ...(headers === undefined ? {} : { headers }),
  };
}

/** The records of a batch as `OutgoingRecord`s whose keys and values are views of its chunks. */
export function outgoingRecords(b: OutgoingBatch): OutgoingRecord[] {
  const out = new Array<OutgoingRecord>(b.length);
  for (let i = 0; i < b.length; i++) out[i] = outgoingRecordAt(b, i);
  return out;
}

function view(chunk: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
}
