/**
 * The output buffer of one task: records for sink topics, changelog records of its stores, and
 * dead-letter records, in the order they were produced. Adding is synchronous (the per-record
 * path); `drain` hands the buffered records to the task's producer at a batch boundary.
 *
 * Records are kept by column (`OutgoingBatch`, the seam's `RecordColumns`): their key and value
 * bytes are written one after the other into a shared chunk — a sink encodes text straight into it — so buffering a record
 * allocates no object and no Buffer. Chunks are append-only: bytes handed out by `drain` are
 * never written again (a producer may keep the chunks instead of copying).
 *
 * Every record is checked against its topic's size limit as it is buffered (`record-limits.ts`):
 * an output or changelog record that is too large is taken back and thrown as a
 * `RecordTooLargeError` (the per-record path hands it to the production handler); a dead letter
 * that is too large is truncated to fit.
 */
import type { Headers, OutgoingBatch, OutgoingRecord } from '../kafka/types.js';
import { outgoingRecords } from '../kafka/columns.js';
import { writeUtf8 } from '../serde/utf8.js';
import type { TaskMetrics } from './task-metrics.js';
import { fitDeadLetter, RECORD_FRAMING_BYTES, RecordLimits, recordBytes, recordTooLarge, type RecordKind } from './record-limits.js';
import { TributaryError } from '../errors.js';

const CHUNK_SIZE = 1 << 20;

const COPY_LOOP_MAX = 32;

/** Bytes of `text` in UTF-8 when they may not fit `room`; a cheap upper bound otherwise. */
function textBytesWithin(text: string, room: number): number {
  const bound = text.length * 3;
  return bound <= room ? bound : Buffer.byteLength(text, 'utf8');
}

/** Buffered records by column; the numeric columns are typed arrays that double when full. */
class Columns implements OutgoingBatch {
  length = 0;
  readonly topics: string[] = [];
  readonly keyChunks: (Buffer | null)[] = [];
  readonly valueChunks: (Buffer | null)[] = [];
  readonly headers: (Headers | undefined)[] = [];
  partitions: Int32Array;
  timestamps: Float64Array;
  keyStarts: Int32Array;
  keyEnds: Int32Array;
  valueStarts: Int32Array;
  valueEnds: Int32Array;

  constructor(private capacity: number) {
    this.partitions = new Int32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.keyStarts = new Int32Array(capacity);
    this.keyEnds = new Int32Array(capacity);
    this.valueStarts = new Int32Array(capacity);
    this.valueEnds = new Int32Array(capacity);
  }

  /** A record whose key (length -1: null) starts at `start` in `chunk`, its value (-1: null) right after it. */
  add(
    topic: string,
    partition: number,
    timestamp: number,
    chunk: Buffer,
    start: number,
    keyLength: number,
    valueLength: number,
    headers: Headers | undefined,
  ): void {
    const i = this.length;
    if (i === this.capacity) this.grow();
    this.topics.push(topic);
    this.headers.push(headers);
    this.partitions[i] = partition;
    this.timestamps[i] = timestamp;
    const valueStart = keyLength > 0 ? start + keyLength : start;
    this.keyChunks.push(keyLength < 0 ? null : chunk);
    this.keyStarts[i] = start;
    this.keyEnds[i] = valueStart;
    this.valueChunks.push(valueLength < 0 ? null : chunk);
    this.valueStarts[i] = valueStart;
    this.valueEnds[i] = valueLength > 0 ? valueStart + valueLength : valueStart;
    this.length = i + 1;
  }

  /** Empties the columns for reuse (after the batch was sent). */
  reset(): void {
    this.length = 0;
    this.topics.length = 0;
    this.keyChunks.length = 0;
    this.valueChunks.length = 0;
    this.headers.length = 0;
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.partitions = grown(new Int32Array(n), this.partitions);
    this.timestamps = grown(new Float64Array(n), this.timestamps);
    this.keyStarts = grown(new Int32Array(n), this.keyStarts);
    this.keyEnds = grown(new Int32Array(n), this.keyEnds);
    this.valueStarts = grown(new Int32Array(n), this.valueStarts);
    this.valueEnds = grown(new Int32Array(n), this.valueEnds);
    this.capacity = n;
  }
}

function grown<T extends Float64Array | Int32Array>(next: T, old: T): T {
  next.set(old);
  return next;
}

const INITIAL_CAPACITY = 256;

export class RecordCollector {
  private cols = new Columns(INITIAL_CAPACITY);
  /** A drained batch handed back after its send (`recycle`), reused by the next `drainBatch`. */
  private spare: Columns | null = null;
  private chunk: Buffer = Buffer.allocUnsafeSlow(0);
  private pos = 0;
  /** Start of the record being written (its key, then its value). */
  private recordStart = 0;
  private keyLength = -1;
  /** The last frozen empty headers object seen (the runtime shares one per source). */
  private emptyHeaders: Headers | null = null;
  /** Internal topics (repartition) written since the last commit: the driver commits to let them flow under EOS. */
  private internalWrites = 0;

  /** Key + value bytes up to which a record without headers fits every topic (no lookup). */
  private readonly fastBytes: number;

  constructor(
    private readonly metrics: TaskMetrics,
    private readonly internalTopics: ReadonlySet<string>,
    private readonly limits: RecordLimits = new RecordLimits(),
  ) {
    this.fastBytes = limits.min - RECORD_FRAMING_BYTES - 2;
  }

  get size(): number {
    return this.cols.length;
  }

  /** True when `topic` is an internal (repartition) topic. */
  isInternal(topic: string): boolean {
    return this.internalTopics.has(topic);
  }

  // --- Writing one record: startRecord, a key (or none: null), endRecord with its value. ---

  /** Starts a record; its key is null unless a `key*` call follows. */
  startRecord(): void {
    this.recordStart = this.pos;
    this.keyLength = -1;
  }

  keyText(text: string): void {
    this.keyLength = this.writeText(text);
  }

  keyBytes(bytes: Uint8Array): void {
    this.keyLength = this.writeBytes(bytes, 0, bytes.length);
  }

  /** The key as the bytes `source[start, end)`. */
  keyRange(source: Uint8Array, start: number, end: number): void {
    this.keyLength = this.writeBytes(source, start, end);
  }

  /** Ends a sink record whose value is `text` (UTF-8); `internal`: the topic is a repartition topic. */
  endOutputText(topic: string, partition: number, timestamp: number, headers: Headers | undefined, text: string, internal: boolean): void {
    this.end(topic, partition, timestamp, headers, this.writeText(text));
    this.counted(internal);
  }

  /** Ends a sink record whose value is `bytes` (null: tombstone). */
  endOutputBytes(topic: string, partition: number, timestamp: number, headers: Headers | undefined, bytes: Uint8Array | null, internal: boolean): void {
    this.end(topic, partition, timestamp, headers, bytes === null ? -1 : this.writeBytes(bytes, 0, bytes.length));
    this.counted(internal);
  }

  /** A record for a sink topic. */
  output(record: OutgoingRecord): void {
    this.add(record);
    this.counted(this.internalTopics.has(record.topic));
  }

  /** `output` for a sink that already knows whether its topic is internal (no set lookup per record). */
  outputKnown(record: OutgoingRecord, internal: boolean): void {
    this.add(record);
    this.counted(internal);
  }

  changelog(record: OutgoingRecord): void {
    this.add(record, 'changelog');
    this.metrics.changelogRecords++;
  }

  /**
   * A dead letter, truncated to fit its topic's limit (see `fitDeadLetter`): the dead-letter topic
   * never refuses one. `count` false: not a failed input record (e.g. from a punctuation).
   */
  deadLetter(record: OutgoingRecord, count = true): void {
    const limit = this.limits.limitFor(record.topic);
    const fitted = fitDeadLetter(record, limit);
    if (fitted === null) {
      throw new TributaryError(
        `The dead-letter topic ${record.topic} cannot hold even an empty dead letter with its error headers: max.message.bytes is ${limit}; raise it (at least 4096)`,
        { code: 'CONFIG', context: { topic: record.topic } },
      );
    }
    this.add(fitted);
    if (count) this.metrics.deadLettered++;
  }

  /** True when records were written to internal topics since `resetInternalWrites`. */
  hasInternalWrites(): boolean {
    return this.internalWrites > 0;
  }

  resetInternalWrites(): void {
    this.internalWrites = 0;
  }

  /** Takes everything buffered, by column. */
  drainBatch(): OutgoingBatch {
    const out = this.cols;
    const spare = this.spare;
    this.spare = null;
    this.cols = spare ?? new Columns(Math.max(INITIAL_CAPACITY, out.length));
    return out;
  }

  /** Hands back a batch from `drainBatch` once sent (the producer keeps no reference to its arrays): its columns are reused. */
  recycle(batch: OutgoingBatch): void {
    if (!(batch instanceof Columns) || batch === this.cols) return;
    batch.reset();
    this.spare = batch;
  }

  /** Takes everything buffered, as record objects (views of the chunks). */
  drain(): OutgoingRecord[] {
    return outgoingRecords(this.drainBatch());
  }

  clear(): void {
    // The chunk position stays: bytes already handed out are never overwritten.
    this.cols = new Columns(INITIAL_CAPACITY);
    this.internalWrites = 0;
  }

  private counted(internal: boolean): void {
    this.metrics.recordsOut++;
    if (internal) this.internalWrites++;
  }

  private add(r: OutgoingRecord, kind: RecordKind = 'output'): void {
    this.startRecord();
    if (r.key !== null) this.keyBytes(r.key);
    const value = r.value;
    this.end(r.topic, r.partition ?? -1, r.timestamp ?? Number.NaN, r.headers, value === null ? -1 : this.writeBytes(value, 0, value.length), kind);
  }

  private end(topic: string, partition: number, timestamp: number, headers: Headers | undefined, valueLength: number, kind: RecordKind = 'output'): void {
    const h = this.nonEmpty(headers);
    if (h !== undefined || this.keyLength + valueLength > this.fastBytes) this.checkSize(topic, partition, timestamp, h, valueLength, kind);
    this.cols.add(topic, partition, timestamp, this.chunk, this.recordStart, this.keyLength, valueLength, h);
  }

  /** Throws `RecordTooLargeError` (with a copy of the record) after taking the record back, when it exceeds its topic's limit. */
  private checkSize(topic: string, partition: number, timestamp: number, headers: Headers | undefined, valueLength: number, kind: RecordKind): void {
    const size = recordBytes(this.keyLength, valueLength, headers);
    const limit = this.limits.limitFor(topic);
    if (size <= limit) return;
    const start = this.recordStart;
    const keyLength = this.keyLength;
    const valueStart = keyLength > 0 ? start + keyLength : start;
    const record: OutgoingRecord = {
      topic,
      ...(partition === -1 ? {} : { partition }),
      key: keyLength < 0 ? null : Buffer.from(this.chunk.subarray(start, start + keyLength)),
      value: valueLength < 0 ? null : Buffer.from(this.chunk.subarray(valueStart, valueStart + valueLength)),
      ...(timestamp === timestamp ? { timestamp } : {}),
      ...(headers === undefined ? {} : { headers }),
    };
    this.pos = start; // never handed out: the next record reuses the bytes
    throw recordTooLarge(kind, record, size, limit);
  }

  /** The headers, or undefined when there are none (so the producer skips them without a loop). */
  private nonEmpty(headers: Headers | undefined): Headers | undefined {
    if (headers === undefined || headers === this.emptyHeaders) return undefined;
    for (const _ in headers) return headers;
    // A frozen empty object stays empty: remember it to skip the loop next time.
    if (Object.isFrozen(headers)) this.emptyHeaders = headers;
    return undefined;
  }

  private writeText(text: string): number {
    const need = textBytesWithin(text, this.chunk.length - this.pos);
    if (this.pos + need > this.chunk.length) this.grow(need);
    const n = writeUtf8(this.chunk, text, this.pos, this.chunk.length - this.pos);
    this.pos += n;
    return n;
  }

  private writeBytes(source: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (this.pos + n > this.chunk.length) this.grow(n);
    const chunk = this.chunk;
    const pos = this.pos;
    if (n <= COPY_LOOP_MAX) {
      for (let j = 0; j < n; j++) chunk[pos + j] = source[start + j]!;
    } else {
      chunk.set(start === 0 && end === source.length ? source : source.subarray(start, end), pos);
    }
    this.pos = pos + n;
    return n;
  }

  /** A new chunk with room for `need` more bytes, taking along the part of the current record already written. */
  private grow(need: number): void {
    const written = this.pos - this.recordStart;
    const next = Buffer.allocUnsafeSlow(Math.max(CHUNK_SIZE, written + need));
    if (written > 0) this.chunk.copy(next, 0, this.recordStart, this.pos);
    this.chunk = next;
    this.recordStart = 0;
    this.pos = written;
  }
}
