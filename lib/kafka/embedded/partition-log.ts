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
import type { IncomingRecord } from '../types.js';
import { Signal } from './signal.js';

/** The outcome of one transaction, shared by its records in every partition it touched. */
export interface TxnMark {
  state: 'open' | 'committed' | 'aborted';
}

export const SEGMENT_SIZE = 4096;
/** Bytes a record occupies beyond key, value and headers, roughly as in a Kafka record batch. */
export const RECORD_OVERHEAD = 24;

interface Segment {
  readonly baseOffset: number;
  /** `null` marks a control record. */
  readonly records: (IncomingRecord | null)[];
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

export function recordSize(r: IncomingRecord): number {
  let size = RECORD_OVERHEAD + (r.key ? r.key.length : 0) + (r.value ? r.value.length : 0);
  for (const k in r.headers) size += k.length + r.headers[k]!.length;
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
   * Appends one record, whose `offset` must be `nextOffset`; `txn`/`producerId` mark it
   * transactional. The caller fires `signal` once per batch.
   */
  append(record: IncomingRecord, size: number, txn: TxnMark | null, producerId: number): void {
    const offset = this.endOffset;
    const seg = this.activeSegment();
    if (txn !== null) {
      if (!this.openTxns.has(producerId)) {
        this.openTxns.set(producerId, offset);
        if (this.openTxns.size === 1) this.stableOffset = offset;
      }
      if (seg.txns === null) seg.txns = new Array<TxnMark | null>(seg.records.length).fill(null);
    }
    const idx = seg.records.length;
    seg.records.push(record);
    if (seg.txns !== null) seg.txns.push(txn);
    seg.sizes[idx] = size;
    seg.bytes += size;
    this.totalBytes += size;
    if (record.timestamp > seg.maxTimestamp) seg.maxTimestamp = record.timestamp;
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
    if (seg.txns === null) seg.txns = new Array<TxnMark | null>(seg.records.length).fill(null);
    const idx = seg.records.length;
    seg.records.push(null);
    seg.txns.push(txn);
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
    let pos = offset;
    let bytes = 0;
    let taken = 0;
    if (pos < this.startOffset) pos = this.startOffset;
    let segIdx = this.segmentIndex(pos);
    outer: while (pos < end && segIdx < this.segments.length) {
      const seg = this.segments[segIdx]!;
      const recs = seg.records;
      const txns = seg.txns;
      const sizes = seg.sizes;
      const segEnd = Math.min(end, seg.baseOffset + recs.length);
      for (let i = pos - seg.baseOffset; pos < segEnd; pos++, i++) {
        const r = recs[i]!;
        if (r === null) continue;
        if (txns !== null && limits.readCommitted) {
          const t = txns[i];
          if (t != null && t.state === 'aborted') continue;
        }
        const size = sizes[i]!;
        if (taken > 0 && (taken >= limits.maxRecords || bytes + size > limits.maxBytes)) break outer;
        out.push(r);
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
      if (this.openTxns.size > 0 && this.stableOffset < seg.baseOffset + seg.records.length) break;
      this.segments.shift();
      this.totalBytes -= seg.bytes;
      this.startOffset = seg.baseOffset + seg.records.length;
    }
  }

  private activeSegment(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.records.length < SEGMENT_SIZE) return last;
    const seg: Segment = {
      baseOffset: this.endOffset,
      records: [],
      txns: null,
      sizes: new Int32Array(SEGMENT_SIZE),
      bytes: 0,
      maxTimestamp: -1,
    };
    this.segments.push(seg);
    return seg;
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
