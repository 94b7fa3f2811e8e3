/**
 * Conversion of fetched kafkajs messages into seam records: offsets and timestamps as numbers,
 * headers as Buffers. This runs once per record, so it stays a plain loop without allocations
 * beyond the record object itself (records without headers share one frozen empty object).
 */
import './aborted-filter.js';
import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { FetchedBatch, Headers, IncomingRecord, RecordVisitor } from '../types.js';

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

export function toFetchedBatch(batch: Batch): FetchedBatch {
  const { topic, partition } = batch;
  const messages: KafkaMessage[] = batch.messages;
  const n = messages.length;
  const records = new Array<IncomingRecord>(n);
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    records[i] = {
      topic,
      partition,
      offset: +m.offset,
      key: m.key ?? null,
      value: m.value ?? null,
      timestamp: +m.timestamp,
      headers: toHeaders(m.headers),
    };
  }
  return { topic, partition, records, highWatermark: batch.highWatermark === undefined ? -1 : +batch.highWatermark };
}

/**
 * Records of one partition's fetch response as seam records, in one pass: records below
 * `fromOffset` (the fetch returns whole record batches) and control records are skipped.
 * Aborted transactional records must already be gone (see `assigned.ts`).
 */
export function toIncomingRecords(topic: string, partition: number, messages: readonly KafkaMessage[], fromOffset: number): IncomingRecord[] {
  const out: IncomingRecord[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as KafkaMessage & { isControlRecord?: boolean };
    if (m.isControlRecord === true) continue;
    const offset = +m.offset;
    if (offset < fromOffset) continue;
    out.push({ topic, partition, offset, key: m.key ?? null, value: m.value ?? null, timestamp: +m.timestamp, headers: toHeaders(m.headers) });
  }
  return out;
}

/** Whether `toIncomingRecords` would return any record: the last record that is not a control record is at or past `fromOffset`. */
export function hasVisibleRecord(messages: readonly { readonly offset: string; readonly isControlRecord?: boolean }[], fromOffset: number): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.isControlRecord !== true) return +m.offset >= fromOffset;
  }
  return false;
}

/** The records `toIncomingRecords` would return, handed to `visitor` field by field (no record objects); returns their number. */
export function visitRecords(messages: readonly KafkaMessage[], fromOffset: number, visitor: RecordVisitor): number {
  let n = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as KafkaMessage & { isControlRecord?: boolean };
    if (m.isControlRecord === true) continue;
    const offset = +m.offset;
    if (offset < fromOffset) continue;
    visitor.record(offset, m.key ?? null, m.value ?? null, +m.timestamp);
    n++;
  }
  return n;
}
