/**
 * The log of one partition: an append-only sequence of offsets, each holding a data record or a
 * transaction control marker, stored in fixed-size segments.
 *
 * Like a Kafka partition, it tracks the high watermark (next offset; one replica, so also the log
 * end) and the last stable offset (LSO): the first offset of the oldest open transaction, or the
 * high watermark when none is open. read_committed reads stop at the LSO and skip records of
 * aborted transactions; both isolation levels skip control markers, which still occupy an offset,
 * so committed offsets have gaps exactly as on a real broker.
 *
 * ```
 *  offset   0    1    2    3    4    5    6
 *         [ a ][ t1][ b ][ t1][C t1][ t2][ c ]      t1 committed (marker at 4), t2 open
 *                               LSO = 5 ┘          HW = 7
 * ```
 */
import type { Headers, IncomingRecord } from '../types.js';
import { Signal } from './signal.js';

/** The outcome of one transaction, shared by its records in every partition it touched. */
export interface TxnMark {
  state: 'open' | 'committed' | 'aborted';
}

export const SEGMENT_SIZE = 4096;
/** Bytes a record occupies beyond key, value and headers, roughly as in a Kafka record batch. */
export const RECORD_OVERHEAD = 24;
/** Keys and values are copied into chunks that double from the first size to the largest (a larger record gets a chunk of its own). */
const FIRST_CHUNK_SIZE = 4096;
const MAX_CHUNK_SIZE = 1 << 20;
const EMPTY_HEADERS: Headers = Object.freeze({}) as Headers;

/**
 * Up to SEGMENT_SIZE consecutive offsets, stored by column: the bytes of keys and values live in
 * shared chunks and records are materialized only when read, so a million stored records are a
 * few typed arrays rather than millions of heap objects for the garbage collector to trace.
 */
interface Segment {
  readonly baseOffset: number;
  length: number;
  /** Chunk holding the key of each entry; null for a null key. Entries that are control markers have `marker[i] = 1`. */
  readonly keyChunk: (Buffer | null)[];
  readonly keyPos: Int32Array;
  readonly keyLen: Int32Array;
  readonly valueChunk: (Buffer | null)[];
  readonly valuePos: Int32Array;
  readonly valueLen: Int32Array;
  readonly timestamps: Float64Array;
  readonly marker: Uint8Array;
  /** Headers of each entry; allocated when the segment gets its first record with headers. */
  headers: (Headers | null)[] | null;
  /** Transaction of each entry; allocated when the segment gets its first transactional entry. */
  txns: (TxnMark | null)[] | null;
  readonly sizes: Int32Array;
  bytes: number;
  maxTimestamp: number;
}

export interface ReadLimits {
  readonly readCommitted: boolean;
  readonly maxRecords: number;
  /** At least one record is returned even if it alone exceeds this. */
  readonly maxBytes: number;
}

export interface ReadResult {
  /** Position after the read: past every record returned and every marker or aborted record skipped. */
  readonly nextOffset: number;
  readonly bytes: number;
}

/** The bytes a record accounts for in size limits and fetch budgets. */
export function recordSize(key: Uint8Array | null, value: Uint8Array | null, headers: Headers | undefined): number {
  let size = RECORD_OVERHEAD + (key ? key.length : 0) + (value ? value.length : 0);
  if (headers !== undefined) for (const k in headers) size += k.length + headers[k]!.length;
  return size;
}

export class PartitionLog {
  /** Fired whenever the high watermark or the LSO moves. */
  readonly signal = new Signal();
  private readonly segments: Segment[] = [];
  private startOffset = 0;
  private endOffset = 0;
  /** producerId → first offset of its open transaction in this partition. */
  private readonly openTxns = new Map<number, number>();
  private stableOffset = 0;
  private totalBytes = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private chunkPos = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get logStartOffset(): number {
    return this.startOffset;
  }

  get highWatermark(): number {
    return this.endOffset;
  }

  get lastStableOffset(): number {
    return this.stableOffset;
  }

  get sizeInBytes(): number {
    return this.totalBytes;
  }

  /** Offset the next appended entry will get. */
  get nextOffset(): number {
    return this.endOffset;
  }

  /**
   * Appends one record at `nextOffset`, copying its key and value (the caller may reuse its
   * buffers, as with a network client); `headers` must already be the log's own copy.
   * `txn`/`producerId` mark it transactional. The caller fires `signal` once per batch.
   */
  append(
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: Headers | null,
    size: number,
    txn: TxnMark | null,
    producerId: number,
  ): void {
    const offset = this.endOffset;
    const seg = this.activeSegment();
    const i = seg.length;
    if (txn !== null) {
      if (!this.openTxns.has(producerId)) {
        this.openTxns.set(producerId, offset);
        if (this.openTxns.size === 1) this.stableOffset = offset;
      }
      if (seg.txns === null) seg.txns = new Array<TxnMark | null>(i).fill(null);
    }
    if (seg.txns !== null) seg.txns.push(txn);
    if (headers !== null && seg.headers === null) seg.headers = new Array<Headers | null>(i).fill(null);
    if (seg.headers !== null) seg.headers.push(headers);
    if (key === null) {
      seg.keyChunk.push(null);
    } else {
      seg.keyChunk.push(this.store(key));
      seg.keyPos[i] = this.chunkPos - key.length;
      seg.keyLen[i] = key.length;
    }
    if (value === null) {
      seg.valueChunk.push(null);
    } else {
      seg.valueChunk.push(this.store(value));
      seg.valuePos[i] = this.chunkPos - value.length;
      seg.valueLen[i] = value.length;
    }
    seg.timestamps[i] = timestamp;
    seg.sizes[i] = size;
    seg.length = i + 1;
    seg.bytes += size;
    this.totalBytes += size;
    if (timestamp > seg.maxTimestamp) seg.maxTimestamp = timestamp;
    this.endOffset = offset + 1;
    if (this.openTxns.size === 0) this.stableOffset = this.endOffset;
  }

  /** Whether `producerId` has an open transaction with records in this partition. */
  hasOpenTransaction(producerId: number): boolean {
    return this.openTxns.has(producerId);
  }

  /** Writes the COMMIT/ABORT control marker of `producerId`'s transaction, which takes one offset, and moves the LSO. */
  writeMarker(producerId: number, txn: TxnMark): void {
    const seg = this.activeSegment();
    const idx = seg.length;
    if (seg.txns === null) seg.txns = new Array<TxnMark | null>(idx).fill(null);
    seg.txns.push(txn);
    seg.headers?.push(null);
    seg.keyChunk.push(null);
    seg.valueChunk.push(null);
    seg.marker[idx] = 1;
    seg.timestamps[idx] = -1;
    seg.length = idx + 1;
    seg.sizes[idx] = RECORD_OVERHEAD;
    seg.bytes += RECORD_OVERHEAD;
    this.totalBytes += RECORD_OVERHEAD;
    this.endOffset += 1;
    this.openTxns.delete(producerId);
    this.stableOffset = this.computeStableOffset();
    this.signal.fire();
  }

  /**
   * Reads from `offset` into `out`, up to the LSO (read_committed) or the high watermark, within
   * the limits. `offset` must be within `[logStartOffset, highWatermark]`.
   */
  read(offset: number, limits: ReadLimits, out: IncomingRecord[]): ReadResult {
    const end = limits.readCommitted ? this.stableOffset : this.endOffset;
    const { topic, partition } = this;
    let pos = offset;
    let bytes = 0;
    let taken = 0;
    if (pos < this.startOffset) pos = this.startOffset;
    let segIdx = this.segmentIndex(pos);
    outer: while (pos < end && segIdx < this.segments.length) {
      const seg = this.segments[segIdx]!;
      const { txns, sizes, marker, keyChunk, valueChunk } = seg;
      const segEnd = Math.min(end, seg.baseOffset + seg.length);
      for (let i = pos - seg.baseOffset; pos < segEnd; pos++, i++) {
        if (txns !== null) {
          if (marker[i] === 1) continue;
          if (limits.readCommitted) {
            const t = txns[i];
            if (t != null && t.state === 'aborted') continue;
          }
        }
        const size = sizes[i]!;
        if (taken > 0 && (taken >= limits.maxRecords || bytes + size > limits.maxBytes)) break outer;
        const kc = keyChunk[i]!;
        const vc = valueChunk[i]!;
        const kp = seg.keyPos[i]!;
        const vp = seg.valuePos[i]!;
        out.push({
          topic,
          partition,
          offset: pos,
          key: kc === null ? null : kc.subarray(kp, kp + seg.keyLen[i]!),
          value: vc === null ? null : vc.subarray(vp, vp + seg.valueLen[i]!),
          timestamp: seg.timestamps[i]!,
          headers: seg.headers === null ? EMPTY_HEADERS : (seg.headers[i] ?? EMPTY_HEADERS),
        });
        taken++;
        bytes += size;
      }
      segIdx++;
    }
    return { nextOffset: pos, bytes };
  }

  /**
   * Drops whole closed segments past the retention limits (`retention.ms` against the segment's
   * largest timestamp, `retention.bytes` against the partition size), moving the log start offset.
   */
  enforceRetention(retentionMs: number, retentionBytes: number, now: number): void {
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      const tooOld = retentionMs >= 0 && seg.maxTimestamp < now - retentionMs;
      const tooBig = retentionBytes >= 0 && this.totalBytes - seg.bytes >= retentionBytes;
      if (!tooOld && !tooBig) break;
      // A segment holding the first offset of an open transaction stays (it bounds the LSO).
      if (this.openTxns.size > 0 && this.stableOffset < seg.baseOffset + seg.length) break;
      this.segments.shift();
      this.totalBytes -= seg.bytes;
      this.startOffset = seg.baseOffset + seg.length;
    }
  }

  private activeSegment(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.length < SEGMENT_SIZE) return last;
    const seg: Segment = {
      baseOffset: this.endOffset,
      length: 0,
      keyChunk: [],
      keyPos: new Int32Array(SEGMENT_SIZE),
      keyLen: new Int32Array(SEGMENT_SIZE),
      valueChunk: [],
      valuePos: new Int32Array(SEGMENT_SIZE),
      valueLen: new Int32Array(SEGMENT_SIZE),
      timestamps: new Float64Array(SEGMENT_SIZE),
      marker: new Uint8Array(SEGMENT_SIZE),
      headers: null,
      txns: null,
      sizes: new Int32Array(SEGMENT_SIZE),
      bytes: 0,
      maxTimestamp: -1,
    };
    this.segments.push(seg);
    return seg;
  }

  /** Copies bytes into the current chunk (starting a new one when full); returns the chunk, with `chunkPos` just past the copy. */
  private store(bytes: Uint8Array): Buffer {
    const n = bytes.length;
    if (this.chunkPos + n > this.chunk.length) {
      const next = Math.min(MAX_CHUNK_SIZE, Math.max(FIRST_CHUNK_SIZE, this.chunk.length * 2));
      this.chunk = Buffer.allocUnsafeSlow(Math.max(next, n));
      this.chunkPos = 0;
    }
    this.chunk.set(bytes, this.chunkPos);
    this.chunkPos += n;
    return this.chunk;
  }

  private segmentIndex(offset: number): number {
    const first = this.segments[0];
    if (first === undefined) return 0;
    return Math.floor((offset - first.baseOffset) / SEGMENT_SIZE);
  }

  private computeStableOffset(): number {
    let min = this.endOffset;
    for (const first of this.openTxns.values()) if (first < min) min = first;
    return min;
  }
}
