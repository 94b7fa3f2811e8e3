import type { KeyValue, RestoreRecord, StateStoreContext, Windowed } from '../types.js';
import { keyBytes, keyString } from '../internal/bytes.js';
import type { WindowBytesStore } from '../internal/segmented-window-store.js';
import { seqString, timeAt, timeString, WINDOW_SUFFIX, windowKey, windowKeyParts } from '../internal/window-key-schema.js';
import type { CachedStateStore, FlushListener } from './flush-listener.js';
import { type CacheEntry, RecordCache } from './record-cache.js';

const SEQ0 = seqString(0);

/**
 * Caching layer of a window stack (not used with retainDuplicates): compacts updates per
 * (key, window start) and writes them down at flush/eviction. The listener receives the
 * composite key `[key][start][seq]`; the metered layer turns it into `Windowed<K>`.
 */
export class CachingWindowStore implements WindowBytesStore, CachedStateStore<Buffer, Buffer> {
  private readonly cache: RecordCache;
  private listener: FlushListener<Buffer, Buffer> | null = null;
  private sendOldValues = true;
  private context: StateStoreContext | null = null;

  constructor(
    private readonly inner: WindowBytesStore,
    maxBytes: number,
  ) {
    this.cache = new RecordCache(maxBytes, (e) => this.writeDown(e), true);
  }

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
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

  setFlushListener(listener: FlushListener<Buffer, Buffer>, sendOldValues = true): boolean {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
    return true;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    await this.inner.init(context);
  }

  private writeDown(e: CacheEntry): void {
    const { key, start } = windowKeyParts(e.key);
    const listener = this.listener;
    const old = listener !== null && this.sendOldValues ? (this.inner.fetch(key, start) ?? null) : null;
    this.inner.put(key, e.value, start);
    if (listener !== null) listener(e.key, e.value, old, e.timestamp);
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    const composite = windowKey(key, windowStart, 0);
    this.cache.put(keyString(composite), composite, value, true, this.context?.currentTimestamp() ?? -1);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    const e = this.cache.get(keyString(key) + timeString(windowStart) + SEQ0);
    if (e !== undefined) return e.value ?? undefined;
    return this.inner.fetch(key, windowStart);
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

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    this.cache.clear();
    await this.inner.restoreBatch(records);
  }

  async flush(): Promise<void> {
    this.cache.flushDirty((e) => this.writeDown(e));
    await this.inner.flush();
  }

  async close(): Promise<void> {
    if (this.inner.isOpen) await this.flush();
    this.cache.clear();
    await this.inner.close();
  }
}
