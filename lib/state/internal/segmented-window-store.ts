import type { KeyValue, RestorableStore, RestoreRecord, StateStoreContext, StreamTimeKeepingStore, WindowStore, Windowed } from '../types.js';
import { keyBytes, keyString } from './bytes.js';
import type { ByteTable } from './byte-table.js';
import { SegmentedStore } from './segmented-store.js';
import { MAX_TIME, seqString, timeAt, timeString, WINDOW_SUFFIX, windowKeyParts } from './window-key-schema.js';

/** A window store over bytes; `lastPutSeq` tells the change-logging layer which key a put wrote. */
export interface WindowBytesStore extends WindowStore<Buffer, Buffer>, RestorableStore, StreamTimeKeepingStore {
  readonly windowSizeMs: number;
  readonly lastPutSeq: number;
  /**
   * `fetch` with the composite key `[key][start][seq 0]` already built, as its latin1 string `k`
   * (the caching layer has it; saves rebuilding it per layer).
   */
  fetchComposite(k: string, windowStart: number): Buffer | undefined;
  /**
   * `put` with the composite key `[key][start][seq 0]` already built: `k` its latin1 string,
   * `composite` its bytes (kept as they are, e.g. as the changelog record key; not modified after).
   */
  putComposite(k: string, composite: Buffer, value: Buffer | null, windowStart: number): void;
}

const MIN_SEQ = seqString(0);
const MAX_SEQ = seqString(0xffffffff);

/**
 * Segmented window store over `ByteTable`s (one per segment). Keys are
 * `[key][8-byte start][4-byte seq]` (see window-key-schema.ts), so the windows of one key are
 * contiguous and time-ordered in each segment's sorted index and `fetchRange` is one index scan
 * per segment. Backends supply how segment tables are opened, flushed and closed.
 *
 * Why an in-memory sorted key index rather than enumerating candidate window starts with
 * `getSync`: candidates only work for aligned windows, while join stores (retainDuplicates)
 * hold arbitrary record timestamps and unknown seqs. The index costs ~60 bytes + 2× key bytes
 * per live window (bounded by retention) and makes every read synchronous with at most one
 * `getSync` per returned value; absent windows cost no LevelDB read at all.
 */
export abstract class SegmentedWindowStore extends SegmentedStore implements WindowBytesStore {
  private seq = 0;
  lastPutSeq = 0;

  constructor(
    name: string,
    retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    segmentIntervalMs?: number,
  ) {
    super(name, retentionMs, segmentIntervalMs);
  }

  async init(context: StateStoreContext): Promise<void> {
    const segments = await this.openSegments(context);
    // Recover observed stream time and the duplicate seq from what is on disk.
    let maxTime = -1;
    let maxSeq = 0;
    for (const [, table] of segments.all()) {
      for (const k of table.keys(null, null, false)) {
        const t = timeAt(k, WINDOW_SUFFIX);
        if (t > maxTime) maxTime = t;
        if (this.retainDuplicates) {
          const sq =
            k.charCodeAt(k.length - 4) * 0x1000000 + (k.charCodeAt(k.length - 3) << 16) + (k.charCodeAt(k.length - 2) << 8) + k.charCodeAt(k.length - 1);
          if (sq > maxSeq) maxSeq = sq;
        }
      }
    }
    segments.observe(maxTime);
    this.seq = maxSeq;
    this.segments = segments;
  }

  private write(k: string, start: number, value: Buffer | null): void {
    const s = this.s;
    s.observe(start);
    if (start < s.minLiveTime()) return; // expired: dropped, as in Kafka Streams
    const table = s.getOrCreate(s.segmentId(start));
    if (value === null) table.delete(k);
    else table.put(k, value);
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    if (this.retainDuplicates) {
      if (value === null) return;
      this.seq = (this.seq + 1) >>> 0;
      this.lastPutSeq = this.seq;
    } else this.lastPutSeq = 0;
    this.write(keyString(key) + timeString(windowStart) + seqString(this.lastPutSeq), windowStart, value);
  }

  putComposite(k: string, composite: Buffer, value: Buffer | null, windowStart: number): void {
    if (this.retainDuplicates) {
      this.put(composite.subarray(0, composite.length - WINDOW_SUFFIX), value, windowStart);
      return;
    }
    this.lastPutSeq = 0;
    this.write(k, windowStart, value);
  }

  fetchComposite(k: string, windowStart: number): Buffer | undefined {
    if (this.retainDuplicates) return this.fetch(keyBytes(k.slice(0, k.length - WINDOW_SUFFIX)), windowStart);
    const s = this.s;
    if (windowStart < s.minLiveTime()) return undefined;
    return s.get(s.segmentId(windowStart))?.get(k);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    const s = this.s;
    if (windowStart < s.minLiveTime()) return undefined;
    const table = s.get(s.segmentId(windowStart));
    if (table === undefined) return undefined;
    const prefix = keyString(key) + timeString(windowStart);
    if (!this.retainDuplicates) return table.get(prefix + MIN_SEQ);
    let out: Buffer | undefined;
    table.scan(prefix + MIN_SEQ, prefix + MAX_SEQ, false, (_k, v) => {
      out = v;
      return false;
    });
    return out;
  }

  fetchRange(key: Buffer, timeFrom: number, timeTo: number): KeyValue<number, Buffer>[] {
    const s = this.s;
    const out: KeyValue<number, Buffer>[] = [];
    const from = Math.max(timeFrom, s.minLiveTime(), 0);
    if (from > timeTo) return out;
    const ks = keyString(key);
    const lo = ks + timeString(from) + MIN_SEQ;
    const hi = ks + timeString(Math.min(timeTo, MAX_TIME)) + MAX_SEQ;
    const len = ks.length + WINDOW_SUFFIX;
    for (const [, table] of s.inRange(s.segmentId(from), s.segmentId(Math.min(timeTo, MAX_TIME)))) {
      table.scan(lo, hi, false, (k, v) => {
        if (k.length === len) out.push({ key: timeAt(k, WINDOW_SUFFIX), value: v });
      });
    }
    return out;
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    const s = this.s;
    const from = Math.max(timeFrom, s.minLiveTime(), 0);
    const out: KeyValue<Windowed<Buffer>, Buffer>[] = [];
    if (from > timeTo) return out;
    for (const [, table] of s.inRange(s.segmentId(from), s.segmentId(Math.min(timeTo, MAX_TIME)))) this.collect(table, from, timeTo, out);
    return out;
  }

  all(): KeyValue<Windowed<Buffer>, Buffer>[] {
    const s = this.s;
    const out: KeyValue<Windowed<Buffer>, Buffer>[] = [];
    for (const [, table] of s.all()) this.collect(table, s.minLiveTime(), MAX_TIME, out);
    return out;
  }

  private collect(table: ByteTable, from: number, to: number, out: KeyValue<Windowed<Buffer>, Buffer>[]): void {
    table.scan(null, null, false, (k, v) => {
      const t = timeAt(k, WINDOW_SUFFIX);
      if (t < from || t > to) return;
      const key = keyBytes(k.slice(0, k.length - WINDOW_SUFFIX));
      out.push({ key: { key, window: { start: t, end: t + this.windowSizeMs } }, value: v });
    });
  }

  /** Number of live segments (for tests and metrics). */
  get segmentCount(): number {
    return this.s.segmentCount;
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    for (const r of records) {
      const { start, seq } = windowKeyParts(r.key);
      if (seq > this.seq) this.seq = seq;
      this.write(keyString(r.key), start, r.value);
    }
    await this.flushSegments();
  }
}
