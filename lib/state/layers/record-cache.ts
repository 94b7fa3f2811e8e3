import { keyBytes as bytesOf } from '../internal/bytes.js';
import { SortedKeyIndex } from '../internal/sorted-key-index.js';

/**
 * The record cache behind the caching layers: one entry per key (updates compact in place), a
 * byte budget, and approximate LRU order by second chance (CLOCK): entries sit in an intrusive
 * list in insertion order, a hit only sets the entry's reference bit (no relinking, so a hit
 * touches no other entry), and eviction takes entries from the head, moving a referenced one to
 * the tail with its bit cleared instead of evicting it. Dirty entries are also queued in
 * first-dirtied order, so a flush visits only them. When the budget is exceeded entries are
 * evicted as above; dirty ones are handed to `onEvictDirty` first (written down and forwarded).
 * The node of the last lookup is remembered, so a read-modify-write of one key (get, then put)
 * finds it without a second lookup.
 *
 * Entries are found through an open-addressing table (linear probing, backward-shift deletion)
 * whose slots hold the nodes, each node with its key's hash: a hit reads a slot, its node and the
 * node's key string, where a `Map` would also read its bucket array and its own entry. The hash
 * is seeded per process, so which keys collide is not predictable.
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
  /** The owner's timestamp kept with `decoded` (meaningful only while `decoded` is set). */
  decodedTs: number;
}

interface Node extends CacheEntry {
  /** Hash of `k` (see `hashOf`). */
  readonly h: number;
  prev: Node | null;
  next: Node | null;
  /** Used since it was last passed over by eviction (second chance). */
  ref: boolean;
  /** Still in the table (not evicted). */
  live: boolean;
}

/** Fixed per-entry overhead counted against the budget (table slots, entry object, key string). */
const ENTRY_OVERHEAD = 64;

const MIN_SLOTS = 16;
const SEED = (Math.random() * 0x1_0000_0000) | 0;

/** A seeded 32-bit hash of a key string (FNV-1a steps, then a final avalanche). */
function hashOf(s: string): number {
  let h = SEED ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class RecordCache {
  /** Open-addressing table: a power-of-two number of slots, at most half of them used. */
  private slots: Array<Node | undefined> = new Array<Node | undefined>(MIN_SLOTS).fill(undefined);
  private mask = MIN_SLOTS - 1;
  private count = 0;
  /** Eviction order: head = next candidate (see `evict`). */
  private head: Node | null = null;
  private tail: Node | null = null;
  private dirtyQueue: Node[] = [];
  /** The node of the last `get`/`put` (check `live` before use). */
  private last: Node | null = null;
  /**
   * The key of the last `get` that found nothing, until the next `put`, with its hash and the
   * empty slot the probe ended at: a read-modify-write of a new key (get, then put of the same
   * string) inserts there without probing again. Only `put` and `clear` change the table.
   */
  private missed: string | null = null;
  private missedHash = 0;
  private missedSlot = 0;
  /** The empty slot where the last unsuccessful `lookup` ended. */
  private probeEnd = 0;
  private bytes = 0;
  private dirtyCount = 0;
  /** `get` calls that found an entry, and that did not (the cache hit ratio of the metrics endpoint). */
  hits = 0;
  misses = 0;
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
    return this.count;
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
      for (let n = this.head; n !== null; n = n.next) index.add(n.k);
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

  /** The node for `key` (hash `h`), or undefined; then `probeEnd` is the empty slot the probe reached. */
  private lookup(key: string, h: number): Node | undefined {
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const n = slots[i];
      if (n === undefined) {
        this.probeEnd = i;
        return undefined;
      }
      if (n.h === h && n.k === key) return n;
      i = (i + 1) & mask;
    }
  }

  /** The entry for `key`, marked used. */
  get(key: string): CacheEntry | undefined {
    const last = this.last;
    if (last !== null && last.k === key && last.live) {
      last.ref = true;
      this.hits++;
      return last;
    }
    const h = hashOf(key);
    const n = this.lookup(key, h);
    if (n !== undefined) {
      n.ref = true;
      this.last = n;
      this.hits++;
    } else {
      this.misses++;
      this.missed = key;
      this.missedHash = h;
      this.missedSlot = this.probeEnd;
    }
    return n;
  }

  /**
   * Adds `n` (listed, not yet in the table) at the empty slot its probe ended at; past half full,
   * the table doubles and every listed node is placed again.
   */
  private insert(n: Node, slot: number): void {
    this.slots[slot] = n;
    if (++this.count * 2 > this.slots.length) this.resize(this.slots.length * 2);
  }

  private resize(capacity: number): void {
    const slots = new Array<Node | undefined>(capacity).fill(undefined);
    const mask = capacity - 1;
    for (let n = this.head; n !== null; n = n.next) {
      let i = n.h & mask;
      while (slots[i] !== undefined) i = (i + 1) & mask;
      slots[i] = n;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Removes `n` from the table, shifting later entries of its probe run back into the hole. */
  private remove(n: Node): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = n.h & mask;
    while (slots[i] !== n) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const m = slots[j];
      if (m === undefined) break;
      const home = m.h & mask;
      // `m` stays when its home slot lies cyclically in (i, j]; otherwise it moves into the hole.
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        slots[i] = m;
        i = j;
      }
    }
    slots[i] = undefined;
    this.count--;
    // Slots moved: a remembered miss (from a get during eviction) no longer knows its slot.
    this.missed = null;
  }

  /** The entry of the last `get`/`put` when it is still cached and holds exactly `value` (by identity). */
  lastWith(value: Buffer): CacheEntry | undefined {
    const n = this.last;
    return n !== null && n.live && n.value === value ? n : undefined;
  }

  /** The entry without marking it used. */
  peek(key: string): CacheEntry | undefined {
    return this.lookup(key, hashOf(key));
  }

  /**
   * Caches a write (dirty) or a read of the store below (clean), then evicts while over budget.
   * `key` is the latin1 string of the key bytes; `keyBytes` may be null, and the bytes are then
   * made from `key` if a new entry needs them.
   */
  put(key: string, keyBytes: Buffer | null, value: Buffer | null, dirty: boolean, timestamp: number): void {
    // A latin1 key string has one character per key byte.
    const size = ENTRY_OVERHEAD + 2 * key.length + (value === null ? 0 : value.length);
    // Only puts add entries: a key missed by the last get, with no put since, is still absent,
    // and the slot its probe ended at is still the empty slot to insert it at.
    let n: Node | undefined;
    let h = 0;
    let slot = 0;
    if (key === this.missed) {
      h = this.missedHash;
      slot = this.missedSlot;
    } else {
      const last = this.last;
      if (last !== null && last.k === key && last.live) n = last;
      else {
        h = hashOf(key);
        n = this.lookup(key, h);
        slot = this.probeEnd;
      }
    }
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
      n.ref = true;
    } else {
      // A clean entry was read from the store below (which holds it); a dirty one may be new.
      const bytes = keyBytes ?? bytesOf(key);
      n = {
        k: key,
        h,
        key: bytes,
        value,
        dirty,
        timestamp,
        size,
        stored: !dirty && value !== null,
        decoded: undefined,
        decodedTs: 0,
        prev: null,
        next: null,
        ref: false,
        live: true,
      };
      // Listed before it is inserted: growing the table re-adds the listed nodes.
      this.append(n);
      this.insert(n, slot);
      this.index?.add(key);
      this.bytes += size;
      if (dirty) {
        this.dirtyCount++;
        this.dirtyQueue.push(n);
      }
    }
    this.last = n;
    if (this.bytes > this.maxBytes) this.evict();
  }

  /**
   * Evicts from the head while over budget; a referenced head gets a second chance (bit cleared,
   * moved to the tail). Ends: every pass over the list clears the bits it meets.
   */
  private evict(): void {
    while (this.bytes > this.maxBytes && this.head !== null) {
      const n = this.head;
      this.unlink(n);
      if (n.ref) {
        n.ref = false;
        this.append(n);
        continue;
      }
      this.remove(n);
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

  /** Entries in eviction order (for range merges). */
  *values(): IterableIterator<CacheEntry> {
    for (let n = this.head; n !== null; n = n.next) yield n;
  }

  *keys(): IterableIterator<string> {
    for (let n = this.head; n !== null; n = n.next) yield n.k;
  }

  clear(): void {
    for (let n = this.head; n !== null; n = n.next) n.live = false;
    this.slots = new Array<Node | undefined>(MIN_SLOTS).fill(undefined);
    this.mask = MIN_SLOTS - 1;
    this.count = 0;
    this.index?.clear();
    this.head = this.tail = null;
    this.last = null;
    this.missed = null;
    this.dirtyQueue = [];
    this.bytes = 0;
    this.dirtyCount = 0;
  }
}
