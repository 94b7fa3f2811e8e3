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
import type { Headers } from '../types.js';
import type { ColumnsBuilder } from './columns-builder.js';
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

/**
 * Up to SEGMENT_SIZE consecutive offsets, stored by column: the bytes of keys and values live in
 * shared chunks and records are materialized only when read, so a million stored records are a
 * few typed arrays rather than millions of heap objects for the garbage collector to trace.
 */
interface Segment {
  readonly baseOffset: number;
  /** Entries stored. */
  length: number;
  /**
   * Offsets covered: `[baseOffset, baseOffset + span)`. Equal to `length` until the segment is
   * compacted; a compacted (closed) segment keeps its span with fewer entries.
   */
  span: number;
  /** For a compacted segment, each entry's offset minus `baseOffset` (ascending); null = dense. */
  rel: Int32Array | null;
  /** Wall-clock time of the first compaction that went over this segment (-1 = never). */
  cleanedAt: number;
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
  /** Leading segments the last compaction went over (their keys are unique but for later ones). */
  private cleanedSegments = 0;

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
    let keyChunk: Buffer | null = null;
    let keyPos = 0;
    if (key !== null) {
      keyChunk = this.store(key);
      keyPos = this.chunkPos - key.length;
    }
    let valueChunk: Buffer | null = null;
    let valuePos = 0;
    if (value !== null) {
      valueChunk = this.store(value);
      valuePos = this.chunkPos - value.length;
    }
    this.appendRef(
      keyChunk,
      keyPos,
      key === null ? 0 : key.length,
      valueChunk,
      valuePos,
      value === null ? 0 : value.length,
      timestamp,
      headers,
      size,
      txn,
      producerId,
    );
  }

  /**
   * `append` without copying: the key is `keyChunk[keyPos, keyPos + keyLen)` (null chunk: null
   * key), likewise the value. The log keeps the chunks, whose bytes the caller never modifies.
   */
  appendRef(
    keyChunk: Buffer | null,
    keyPos: number,
    keyLen: number,
    valueChunk: Buffer | null,
    valuePos: number,
    valueLen: number,
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
    seg.keyChunk[i] = keyChunk;
    if (keyChunk !== null) {
      seg.keyPos[i] = keyPos;
      seg.keyLen[i] = keyLen;
    }
    seg.valueChunk[i] = valueChunk;
    if (valueChunk !== null) {
      seg.valuePos[i] = valuePos;
      seg.valueLen[i] = valueLen;
    }
    seg.timestamps[i] = timestamp;
    seg.sizes[i] = size;
    seg.length = i + 1;
    seg.span = i + 1;
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
    seg.keyChunk[idx] = null;
    seg.valueChunk[idx] = null;
    seg.marker[idx] = 1;
    seg.timestamps[idx] = -1;
    seg.length = idx + 1;
    seg.span = idx + 1;
    seg.sizes[idx] = RECORD_OVERHEAD;
    seg.bytes += RECORD_OVERHEAD;
    this.totalBytes += RECORD_OVERHEAD;
    this.endOffset += 1;
    this.openTxns.delete(producerId);
    this.stableOffset = this.computeStableOffset();
    this.signal.fire();
  }

  /**
   * Reads from `offset` into `out` by column (no object or Buffer per record), up to the LSO
   * (read_committed) or the high watermark, within the limits. `offset` must be within
   * `[logStartOffset, highWatermark]`.
   */
  readColumns(offset: number, limits: ReadLimits, out: ColumnsBuilder): ReadResult {
    return this.scan(offset, limits, (seg, i, at) => {
      const kc = seg.keyChunk[i]!;
      const vc = seg.valueChunk[i]!;
      const kp = seg.keyPos[i]!;
      const vp = seg.valuePos[i]!;
      out.add(
        at,
        seg.timestamps[i]!,
        kc,
        kp,
        kc === null ? kp : kp + seg.keyLen[i]!,
        vc,
        vp,
        vc === null ? vp : vp + seg.valueLen[i]!,
        seg.headers === null ? null : (seg.headers[i] ?? null),
      );
    });
  }

  /** Visits the entries a read from `offset` returns (skipping markers and, read_committed, aborted records). */
  private scan(offset: number, limits: ReadLimits, take: (seg: Segment, i: number, offset: number) => void): ReadResult {
    const end = limits.readCommitted ? this.stableOffset : this.endOffset;
    let pos = offset;
    let bytes = 0;
    let taken = 0;
    if (pos < this.startOffset) pos = this.startOffset;
    let segIdx = this.segmentIndex(pos);
    outer: while (pos < end && segIdx < this.segments.length) {
      const seg = this.segments[segIdx]!;
      const { txns, sizes, marker, rel } = seg;
      const base = seg.baseOffset;
      const segEnd = Math.min(end, base + seg.span);
      // Dense: entry i is offset base + i. Compacted: the first entry at or after pos.
      let i = rel === null ? pos - base : lowerBound(rel, seg.length, pos - base);
      for (; i < seg.length; i++) {
        const at = rel === null ? base + i : base + rel[i]!;
        if (at >= segEnd) break;
        pos = at;
        if (txns !== null) {
          if (marker[i] === 1) continue;
          if (limits.readCommitted) {
            const t = txns[i];
            if (t?.state === 'aborted') continue;
          }
        }
        const size = sizes[i]!;
        if (taken > 0 && (taken >= limits.maxRecords || bytes + size > limits.maxBytes)) break outer;
        take(seg, i, at);
        taken++;
        bytes += size;
      }
      pos = segEnd;
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
      if (this.openTxns.size > 0 && this.stableOffset < seg.baseOffset + seg.span) break;
      this.segments.shift();
      this.totalBytes -= seg.bytes;
      this.startOffset = seg.baseOffset + seg.span;
      if (this.cleanedSegments > 0) this.cleanedSegments--;
    }
  }

  /**
   * Log compaction (`cleanup.policy` with `compact`), as Kafka's log cleaner does it: in closed
   * segments wholly below the LSO, every record whose key has a later record (at an offset below
   * the LSO, not aborted) is removed; so are records of aborted transactions. Offsets are kept
   * (a compacted segment has gaps), as are control markers and null-key records. Tombstones
   * survive until `deleteRetentionMs` after the first compaction over their segment. Runs when
   * the not-yet-compacted closed segments hold at least half of the log's bytes (Kafka's
   * `min.cleanable.dirty.ratio` 0.5), so its cost stays linear in what is appended.
   */
  compact(deleteRetentionMs: number, now: number): void {
    const segs = this.segments;
    // Closed segments wholly below the LSO.
    let closed = 0;
    while (closed < segs.length - 1 && segs[closed]!.baseOffset + segs[closed]!.span <= this.stableOffset) closed++;
    if (closed <= this.cleanedSegments) return;
    let dirtyBytes = 0;
    for (let i = this.cleanedSegments; i < closed; i++) dirtyBytes += segs[i]!.bytes;
    if (dirtyBytes * 2 < this.totalBytes) return;
    // Latest offset below the LSO of every key written since the last compaction (keys of the
    // segments compacted before are unique there, so only later records can supersede them).
    // Keyed by a 30-bit hash of the key bytes (small-integer map keys, no strings); a record is
    // dropped only when the later record its hash points at has the very same key bytes, so a
    // collision can only keep a superseded record, never drop a live one.
    const latest = new Map<number, number>();
    for (let s = this.cleanedSegments; s < segs.length; s++) {
      const seg = segs[s]!;
      const { rel, keyChunk, marker, txns } = seg;
      for (let i = 0; i < seg.length; i++) {
        const at = seg.baseOffset + (rel === null ? i : rel[i]!);
        if (at >= this.stableOffset) break;
        const kc = keyChunk[i];
        if (kc === null || kc === undefined || marker[i] === 1) continue;
        if (txns !== null && txns[i]?.state === 'aborted') continue;
        latest.set(hashBytes(kc, seg.keyPos[i]!, seg.keyLen[i]!), at);
      }
    }
    for (let s = 0; s < closed; s++) {
      const seg = segs[s]!;
      if (seg.cleanedAt < 0) seg.cleanedAt = now;
      const dropTombstones = deleteRetentionMs >= 0 && now - seg.cleanedAt >= deleteRetentionMs;
      const keep: number[] = [];
      const { rel, keyChunk, valueChunk, marker, txns } = seg;
      for (let i = 0; i < seg.length; i++) {
        const at = seg.baseOffset + (rel === null ? i : rel[i]!);
        if (marker[i] === 1) {
          keep.push(i);
          continue;
        }
        if (txns !== null && txns[i]?.state === 'aborted') continue;
        const kc = keyChunk[i];
        if (kc === null || kc === undefined) {
          keep.push(i);
          continue;
        }
        const kp = seg.keyPos[i]!;
        const kl = seg.keyLen[i]!;
        const last = latest.get(hashBytes(kc, kp, kl));
        if (last !== undefined && last !== at && this.keyAtEquals(last, kc, kp, kl)) continue; // superseded
        if (valueChunk[i] === null && dropTombstones) continue;
        keep.push(i);
      }
      if (keep.length < seg.length) segs[s] = this.rewrite(seg, keep);
    }
    this.cleanedSegments = closed;
  }

  /** Whether the record at `offset` (present, below the LSO) has the key `chunk[pos, pos + len)`. */
  private keyAtEquals(offset: number, chunk: Buffer, pos: number, len: number): boolean {
    const seg = this.segments[this.segmentIndex(offset)]!;
    const i = seg.rel === null ? offset - seg.baseOffset : lowerBound(seg.rel, seg.length, offset - seg.baseOffset);
    const kc = seg.keyChunk[i];
    if (kc === null || kc === undefined || seg.keyLen[i] !== len) return false;
    const kp = seg.keyPos[i]!;
    for (let j = 0; j < len; j++) if (kc[kp + j] !== chunk[pos + j]) return false;
    return true;
  }

  /** A copy of `seg` holding only the entries `keep` (ascending), their bytes copied into fresh chunks. */
  private rewrite(seg: Segment, keep: number[]): Segment {
    const n = keep.length;
    const out: Segment = {
      baseOffset: seg.baseOffset,
      length: n,
      span: seg.span,
      rel: new Int32Array(n),
      cleanedAt: seg.cleanedAt,
      keyChunk: new Array<Buffer | null>(n),
      keyPos: new Int32Array(n),
      keyLen: new Int32Array(n),
      valueChunk: new Array<Buffer | null>(n),
      valuePos: new Int32Array(n),
      valueLen: new Int32Array(n),
      timestamps: new Float64Array(n),
      marker: new Uint8Array(n),
      headers: seg.headers === null ? null : new Array<Headers | null>(n),
      txns: seg.txns === null ? null : new Array<TxnMark | null>(n),
      sizes: new Int32Array(n),
      bytes: 0,
      maxTimestamp: seg.maxTimestamp,
    };
    for (let j = 0; j < n; j++) {
      const i = keep[j]!;
      out.rel![j] = seg.rel === null ? i : seg.rel[i]!;
      const kc = seg.keyChunk[i] ?? null;
      if (kc === null) out.keyChunk[j] = null;
      else {
        const len = seg.keyLen[i]!;
        out.keyChunk[j] = this.store(kc.subarray(seg.keyPos[i]!, seg.keyPos[i]! + len));
        out.keyPos[j] = this.chunkPos - len;
        out.keyLen[j] = len;
      }
      const vc = seg.valueChunk[i] ?? null;
      if (vc === null) out.valueChunk[j] = null;
      else {
        const len = seg.valueLen[i]!;
        out.valueChunk[j] = this.store(vc.subarray(seg.valuePos[i]!, seg.valuePos[i]! + len));
        out.valuePos[j] = this.chunkPos - len;
        out.valueLen[j] = len;
      }
      out.timestamps[j] = seg.timestamps[i]!;
      out.marker[j] = seg.marker[i]!;
      if (out.headers !== null) out.headers[j] = seg.headers![i] ?? null;
      if (out.txns !== null) out.txns[j] = seg.txns![i] ?? null;
      out.sizes[j] = seg.sizes[i]!;
      out.bytes += seg.sizes[i]!;
    }
    this.totalBytes += out.bytes - seg.bytes;
    return out;
  }

  private activeSegment(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.length < SEGMENT_SIZE) return last;
    const seg: Segment = {
      baseOffset: this.endOffset,
      length: 0,
      span: 0,
      rel: null,
      cleanedAt: -1,
      keyChunk: new Array<Buffer | null>(SEGMENT_SIZE).fill(null),
      keyPos: new Int32Array(SEGMENT_SIZE),
      keyLen: new Int32Array(SEGMENT_SIZE),
      valueChunk: new Array<Buffer | null>(SEGMENT_SIZE).fill(null),
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
    // Every segment but the last spans SEGMENT_SIZE offsets (compaction keeps spans).
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

/** First index in `rel[0, n)` with `rel[i] >= target`. */
function lowerBound(rel: Int32Array, n: number, target: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rel[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** FNV-1a over `bytes[pos, pos + len)`, folded to 30 bits (a small integer). */
function hashBytes(bytes: Buffer, pos: number, len: number): number {
  let h = 0x811c9dc5;
  for (let j = pos, end = pos + len; j < end; j++) h = Math.imul(h ^ bytes[j]!, 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fffffff;
}
