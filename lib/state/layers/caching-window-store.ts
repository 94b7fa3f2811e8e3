import type { KeyValue, Windowed } from '../types.js';
import { keyBytes, keyString } from '../internal/bytes.js';
import type { WindowBytesStore } from '../internal/segmented-window-store.js';
import { readUint64BE } from '../internal/bytes.js';
import { seqString, timeAt, timeString, WINDOW_SUFFIX, windowKey } from '../internal/window-key-schema.js';
import type { CacheEntry } from './record-cache.js';
import { CachingStoreLayer } from './caching-store-layer.js';

const SEQ0 = seqString(0);

/**
 * Caching layer of a window stack (not used with retainDuplicates): compacts updates per
 * (key, window start) and writes them down at flush/eviction. The listener receives the
 * composite key `[key][start][seq]`; the metered layer turns it into `Windowed<K>`.
 */
export class CachingWindowStore extends CachingStoreLayer<WindowBytesStore> implements WindowBytesStore {
  /**
   * The last composite key built: for key bytes `memoKey` (by identity; callers do not modify
   * key buffers they pass) and start `memoStart`, its bytes and latin1 string. A read-modify-write
   * of one window (fetch, then put) builds it once.
   */
  private memoKey: Buffer | null = null;
  private memoStart = 0;
  private memoComposite: Buffer = Buffer.alloc(0);
  private memoStr = '';
  /** The entry being written down while the flush listener runs (its kept decoded value is offered). */
  private flushing: CacheEntry | null = null;

  constructor(inner: WindowBytesStore, maxBytes: number) {
    super(inner, maxBytes, true);
  }

  get retentionMs(): number {
    return this.inner.retentionMs;
  }

  /** The backend's (cached puts not written down yet are not counted: read at operator init, when the cache is empty). */
  get observedStreamTime(): number {
    return this.inner.observedStreamTime;
  }

  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get lastPutSeq(): number {
    return 0;
  }

  protected override writeDown(e: CacheEntry): void {
    const start = readUint64BE(e.key, e.key.length - WINDOW_SUFFIX);
    const listener = this.listener;
    const old = listener !== null && this.sendOldValues ? (this.inner.fetchComposite(e.k, start) ?? null) : null;
    this.inner.putComposite(e.k, e.key, e.value, start);
    if (listener === null) return;
    this.flushing = e;
    try {
      listener(e.key, e.value, old, e.timestamp);
    } finally {
      this.flushing = null;
    }
  }

  /**
   * The decoded form the layer above attached to `value` (see MeteredKeyValueStore): for the
   * entry being written down to the flush listener, or the entry of the last fetch/put, when it
   * holds exactly `value` (same buffer).
   */
  decodedOf(value: Buffer): unknown {
    const f = this.flushing;
    if (f !== null && f.value === value) return f.decoded;
    return this.cache.lastWith(value)?.decoded;
  }

  setDecoded(value: Buffer, decoded: unknown): void {
    const e = this.cache.lastWith(value);
    if (e !== undefined) e.decoded = decoded;
  }

  /** The composite key string of (key, start); its bytes are left in `memoComposite`. */
  private composite(key: Buffer, windowStart: number): string {
    if (key === this.memoKey && windowStart === this.memoStart) return this.memoStr;
    const composite = windowKey(key, windowStart, 0);
    this.memoKey = key;
    this.memoStart = windowStart;
    this.memoComposite = composite;
    return (this.memoStr = keyString(composite));
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    const k = this.composite(key, windowStart);
    this.cache.put(k, this.memoComposite, value, true, this.context?.currentTimestamp() ?? -1);
  }

  putComposite(k: string, composite: Buffer, value: Buffer | null, windowStart: number): void {
    this.cache.put(k, composite, value, true, this.context?.currentTimestamp() ?? -1);
    void windowStart;
  }

  /**
   * `put` straight to the store below, for a writer that keeps its own working set and writes at
   * flush (it would only pass through the cache); a window the cache holds goes through it.
   */
  putThrough(key: Buffer, value: Buffer | null, windowStart: number): void {
    const k = this.composite(key, windowStart);
    if (this.cache.peek(k) !== undefined) this.cache.put(k, this.memoComposite, value, true, this.context?.currentTimestamp() ?? -1);
    else this.inner.putComposite(k, this.memoComposite, value, windowStart);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    const k = this.composite(key, windowStart);
    const e = this.cache.get(k);
    if (e !== undefined) return e.value ?? undefined;
    return this.inner.fetchComposite(k, windowStart);
  }

  fetchComposite(k: string, windowStart: number): Buffer | undefined {
    const e = this.cache.get(k);
    if (e !== undefined) return e.value ?? undefined;
    return this.inner.fetchComposite(k, windowStart);
  }

  fetchRange(key: Buffer, timeFrom: number, timeTo: number): KeyValue<number, Buffer>[] {
    const base = this.inner.fetchRange(key, timeFrom, timeTo);
    if (this.cache.dirtySize === 0 || timeFrom > timeTo) return base;
    const ks = keyString(key);
    const cached = this.cache.keysInRange(ks + timeString(Math.max(0, timeFrom)) + SEQ0, ks + timeString(timeTo) + SEQ0);
    if (cached.length === 0) return base;
    const merged = new Map<number, Buffer | null>();
    for (const kv of base) merged.set(kv.key, kv.value);
    const len = ks.length + WINDOW_SUFFIX;
    for (const k of cached) {
      const e = this.cache.peek(k)!;
      if (!e.dirty || k.length !== len) continue;
      merged.set(timeAt(k, WINDOW_SUFFIX), e.value);
    }
    const out: KeyValue<number, Buffer>[] = [];
    for (const t of [...merged.keys()].sort((a, b) => a - b)) {
      const v = merged.get(t)!;
      if (v !== null) out.push({ key: t, value: v });
    }
    return out;
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.mergeAll(this.inner.fetchAll(timeFrom, timeTo), timeFrom, timeTo);
  }

  all(): KeyValue<Windowed<Buffer>, Buffer>[] {
    return this.mergeAll(this.inner.all(), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  private mergeAll(base: KeyValue<Windowed<Buffer>, Buffer>[], from: number, to: number): KeyValue<Windowed<Buffer>, Buffer>[] {
    if (this.cache.dirtySize === 0) return base;
    const merged = new Map<string, Buffer | null>();
    for (const kv of base) merged.set(keyString(kv.key.key) + timeString(kv.key.window.start) + SEQ0, kv.value);
    for (const e of this.cache.values()) {
      if (!e.dirty) continue;
      const k = keyString(e.key);
      const t = timeAt(k, WINDOW_SUFFIX);
      if (t >= from && t <= to) merged.set(k, e.value);
    }
    const out: KeyValue<Windowed<Buffer>, Buffer>[] = [];
    for (const k of [...merged.keys()].sort()) {
      const v = merged.get(k)!;
      if (v === null) continue;
      const t = timeAt(k, WINDOW_SUFFIX);
      out.push({ key: { key: keyBytes(k.slice(0, k.length - WINDOW_SUFFIX)), window: { start: t, end: t + this.windowSizeMs } }, value: v });
    }
    return out;
  }
}
