import { SortedKeyIndex } from '../internal/sorted-key-index.js';

/**
 * The record cache behind the caching layers: one entry per key (updates compact in place), a
 * byte budget, and strict LRU order kept in an intrusive doubly-linked list (a hit relinks two
 * pointers; no re-hashing). Dirty entries are also queued in first-dirtied order, so a flush
 * visits only them. When the budget is exceeded the least recently used entries are evicted;
 * dirty ones are handed to `onEvictDirty` first (written down and forwarded). The node of the
 * last lookup is remembered, so a read-modify-write of one key (get, then put) finds it without
 * a second map lookup.
 */
export interface CacheEntry {
  /** The key's latin1 string (see bytes.ts). */
  readonly k: string;
  readonly key: Buffer;
  /** null = cached deletion (tombstone). */
  value: Buffer | null;
  dirty: boolean;
  timestamp: number;
  size: number;
  /**
   * The store below is known to hold a value for this key: set for entries cached from a read
   * of the store below, and maintained by the owner as it writes entries down (false = unknown).
   */
  stored: boolean;
  /**
   * The owner's decoded form of `value` (see MeteredKeyValueStore), or undefined; cleared
   * whenever `value` changes.
   */
  decoded: unknown;
}

interface Node extends CacheEntry {
  prev: Node | null;
  next: Node | null;
  /** Still in the map (not evicted). */
  live: boolean;
}

/** Fixed per-entry overhead counted against the budget (map slot, entry object, key string). */
const ENTRY_OVERHEAD = 64;

export class RecordCache {
  private readonly entries = new Map<string, Node>();
  /** LRU list: head = least recently used. */
  private head: Node | null = null;
  private tail: Node | null = null;
  private dirtyQueue: Node[] = [];
  /** The node of the last `get`/`put` (check `live` before use). */
  private last: Node | null = null;
  /**
   * The key of the last `get` that found nothing, until the next `put`: a read-modify-write of a
   * new key (get, then put of the same string) skips the second map lookup.
   */
  private missed: string | null = null;
  private bytes = 0;
  private dirtyCount = 0;
  /**
   * Sorted keys of the cache, for stores that range-scan through it (window/session): built at
   * the first `keysInRange` and maintained from then on, so a store that only point-reads (a
   * tumbling-window aggregation) never pays for it.
   */
  private index: SortedKeyIndex | null = null;

  constructor(
    readonly maxBytes: number,
    private readonly onEvictDirty: (entry: CacheEntry) => void,
    private readonly ordered = false,
  ) {}

  get sizeBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get dirtySize(): number {
    return this.dirtyCount;
  }

  /** Cached keys in `[from, to]`, ascending (ordered caches only). */
  keysInRange(from: string, to: string): string[] {
    if (!this.ordered) return [];
    let index = this.index;
    if (index === null) {
      index = this.index = new SortedKeyIndex();
      for (const k of this.entries.keys()) index.add(k);
    }
    return index.keys(from, to, false);
  }

  private unlink(n: Node): void {
    if (n.prev) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = null;
  }

  private append(n: Node): void {
    n.prev = this.tail;
    n.next = null;
    if (this.tail) this.tail.next = n;
    else this.head = n;
    this.tail = n;
  }

  private touch(n: Node): void {
    if (this.tail !== n) {
      this.unlink(n);
      this.append(n);
    }
  }

  private find(key: string): Node | undefined {
    const last = this.last;
    if (last !== null && last.k === key && last.live) return last;
    return this.entries.get(key);
  }

  /** The entry for `key`, marked most recently used. */
  get(key: string): CacheEntry | undefined {
    const n = this.find(key);
    if (n !== undefined) {
      this.touch(n);
      this.last = n;
    } else this.missed = key;
    return n;
  }

  /** The entry of the last `get`/`put` when it is still cached and holds exactly `value` (by identity). */
  lastWith(value: Buffer): CacheEntry | undefined {
    const n = this.last;
    return n !== null && n.live && n.value === value ? n : undefined;
  }

  /** The entry without touching LRU order. */
  peek(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  /** Caches a write (dirty) or a read of the store below (clean), then evicts while over budget. */
  put(key: string, keyBytes: Buffer, value: Buffer | null, dirty: boolean, timestamp: number): void {
    const size = ENTRY_OVERHEAD + 2 * keyBytes.length + (value === null ? 0 : value.length);
    // Only puts add entries: a key missed by the last get, with no put since, is still absent.
    let n = key === this.missed ? undefined : this.find(key);
    this.missed = null;
    if (n !== undefined) {
      // A clean read never overwrites a dirty write.
      if (dirty || !n.dirty) {
        this.bytes += size - n.size;
        n.size = size;
        n.value = value;
        n.decoded = undefined;
        n.timestamp = timestamp;
        if (dirty && !n.dirty) {
          n.dirty = true;
          this.dirtyCount++;
          this.dirtyQueue.push(n);
        }
      }
      this.touch(n);
    } else {
      // A clean entry was read from the store below (which holds it); a dirty one may be new.
      n = { k: key, key: keyBytes, value, dirty, timestamp, size, stored: !dirty && value !== null, decoded: undefined, prev: null, next: null, live: true };
      this.entries.set(key, n);
      this.index?.add(key);
      this.append(n);
      this.bytes += size;
      if (dirty) {
        this.dirtyCount++;
        this.dirtyQueue.push(n);
      }
    }
    this.last = n;
    if (this.bytes > this.maxBytes) this.evict();
  }

  private evict(): void {
    while (this.bytes > this.maxBytes && this.head !== null) {
      const n = this.head;
      this.unlink(n);
      this.entries.delete(n.k);
      this.index?.delete(n.k);
      n.live = false;
      this.bytes -= n.size;
      if (n.dirty) {
        this.dirtyCount--;
        n.dirty = false;
        this.onEvictDirty(n);
      }
    }
  }

  /** Hands every dirty entry (in the order they became dirty) to `write` and marks it clean. */
  flushDirty(write: (entry: CacheEntry) => void): void {
    const queue = this.dirtyQueue;
    this.dirtyQueue = [];
    for (const n of queue) {
      if (!n.dirty || !n.live) continue;
      n.dirty = false;
      this.dirtyCount--;
      write(n);
    }
  }

  /** Entries, least recently used first (for range merges). */
  *values(): IterableIterator<CacheEntry> {
    for (let n = this.head; n !== null; n = n.next) yield n;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  clear(): void {
    for (const n of this.entries.values()) n.live = false;
    this.entries.clear();
    this.index?.clear();
    this.head = this.tail = null;
    this.last = null;
    this.missed = null;
    this.dirtyQueue = [];
    this.bytes = 0;
    this.dirtyCount = 0;
  }
}
