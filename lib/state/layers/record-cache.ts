import { SortedKeyIndex } from '../internal/sorted-key-index.js';

/**
 * The record cache behind the caching layers: one entry per key (updates compact), a byte budget,
 * and LRU order (a `Map`'s insertion order; a touched entry moves to the back). Entries are dirty
 * until flushed to the layer below. When the budget is exceeded the least recently used entries
 * are evicted; dirty ones are handed to `onEvictDirty` first (written down and forwarded).
 */
export interface CacheEntry {
  readonly key: Buffer;
  /** null = cached deletion (tombstone). */
  value: Buffer | null;
  dirty: boolean;
  timestamp: number;
  size: number;
}

/** Fixed per-entry overhead counted against the budget (map slot, entry object, key string). */
const ENTRY_OVERHEAD = 64;

export class RecordCache {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;
  private dirtyCount = 0;
  /** Sorted keys of the cache, kept only for stores that range-scan through it (window/session). */
  private readonly index: SortedKeyIndex | null;

  constructor(
    readonly maxBytes: number,
    private readonly onEvictDirty: (entry: CacheEntry) => void,
    ordered = false,
  ) {
    this.index = ordered ? new SortedKeyIndex() : null;
  }

  /** Cached keys in `[from, to]`, ascending (ordered caches only). */
  keysInRange(from: string, to: string): string[] {
    return this.index === null ? [] : this.index.keys(from, to, false);
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get dirtySize(): number {
    return this.dirtyCount;
  }

  /** The entry for `key`, moved to most recently used. */
  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (e !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  /** The entry without touching LRU order. */
  peek(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  /** Caches a write (dirty) or a read (clean), then evicts while over budget. */
  put(key: string, keyBytes: Buffer, value: Buffer | null, dirty: boolean, timestamp: number): void {
    const size = ENTRY_OVERHEAD + 2 * keyBytes.length + (value === null ? 0 : value.length);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.size;
      if (old.dirty) this.dirtyCount--;
      // A clean read never overwrites a dirty write.
      if (!dirty && old.dirty) {
        dirty = true;
        value = old.value;
        timestamp = old.timestamp;
      }
    }
    else if (this.index !== null) this.index.add(key);
    this.entries.set(key, { key: keyBytes, value, dirty, timestamp, size });
    this.bytes += size;
    if (dirty) this.dirtyCount++;
    if (this.bytes > this.maxBytes) this.evict();
  }

  private evict(): void {
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.index?.delete(k);
      this.bytes -= e.size;
      if (e.dirty) {
        this.dirtyCount--;
        e.dirty = false;
        this.onEvictDirty(e);
      }
    }
  }

  /** Hands every dirty entry (LRU first) to `write` and marks it clean. */
  flushDirty(write: (entry: CacheEntry) => void): void {
    if (this.dirtyCount === 0) return;
    for (const e of this.entries.values()) {
      if (!e.dirty) continue;
      e.dirty = false;
      this.dirtyCount--;
      write(e);
      if (this.dirtyCount === 0) break;
    }
  }

  /** Entries in cache order (for range merges). */
  values(): IterableIterator<CacheEntry> {
    return this.entries.values();
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  clear(): void {
    this.entries.clear();
    this.index?.clear();
    this.bytes = 0;
    this.dirtyCount = 0;
  }
}
