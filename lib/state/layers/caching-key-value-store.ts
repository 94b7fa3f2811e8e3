import type { KeyValue } from '../types.js';
import { keyBytes, keyString } from '../internal/bytes.js';
import type { KeyValueBytesStore } from '../internal/table-key-value-store.js';
import type { CacheEntry } from './record-cache.js';
import { CachingStoreLayer } from './caching-store-layer.js';

/**
 * Caching layer of a key-value stack: compacts updates per key in a `RecordCache` and writes the
 * latest value of each dirty key down (and to the flush listener) at `flush()` or when the byte
 * budget evicts it. Budget 0 writes every update through at once. Reads of the store below are
 * cached as clean entries, a key found absent as a clean tombstone (a stream-table join keeps
 * looking up the same missing keys).
 */
export class CachingKeyValueStore extends CachingStoreLayer<KeyValueBytesStore> implements KeyValueBytesStore {
  constructor(
    inner: KeyValueBytesStore,
    maxBytes: number,
    /** Timestamp forwarded with an update; defaults to the record timestamp at `put`. */
    private readonly timestampOf: ((value: Buffer | null) => number | undefined) | null = null,
  ) {
    super(inner, maxBytes);
  }

  protected override writeDown(e: CacheEntry): void {
    const listener = this.listener;
    const old = listener !== null && this.sendOldValues ? (this.inner.get(e.key, e.k) ?? null) : null;
    this.inner.put(e.key, e.value, e.k, e.stored);
    // Nothing else writes to the store below (restoration clears this cache), so this stays true.
    e.stored = e.value !== null;
    if (listener !== null) listener(e.key, e.value, old, e.timestamp);
  }

  private timestamp(value: Buffer | null): number {
    const ts = this.timestampOf?.(value);
    return ts ?? this.context?.currentTimestamp() ?? -1;
  }

  get(key: Buffer, keyStr?: string): Buffer | undefined {
    const k = keyStr ?? keyString(key);
    const e = this.cache.get(k);
    if (e !== undefined) return e.value ?? undefined;
    const v = this.inner.get(key, k);
    // An absent key is cached too (as a clean tombstone): nothing else writes below this cache.
    // With budget 0 every entry would be evicted at once: reads are not cached.
    if (this.cache.maxBytes > 0) this.cache.put(k, key, v ?? null, false, -1);
    return v;
  }

  put(key: Buffer, value: Buffer | null, keyStr?: string): void {
    this.cache.put(keyStr ?? keyString(key), key, value, true, this.timestamp(value));
  }

  /** `get` by the key's latin1 string alone: its bytes are made only when the store below is read. */
  getByKeyString(k: string): Buffer | undefined {
    const e = this.cache.get(k);
    if (e !== undefined) return e.value ?? undefined;
    const key = keyBytes(k);
    const v = this.inner.get(key, k);
    // An absent key is cached too (as a clean tombstone): nothing else writes below this cache.
    // With budget 0 every entry would be evicted at once: reads are not cached.
    if (this.cache.maxBytes > 0) this.cache.put(k, key, v ?? null, false, -1);
    return v;
  }

  /** `put` by the key's latin1 string alone: its bytes are made only when a new entry needs them. */
  putByKeyString(k: string, value: Buffer | null): void {
    this.cache.put(k, null, value, true, this.timestamp(value));
  }

  /**
   * The decoded form the layer above attached to `value`, when `value` is what the last
   * `get`/`put` returned or wrote (same buffer) and it is still cached; else undefined.
   */
  decodedOf(value: Buffer): unknown {
    return this.cache.lastWith(value)?.decoded;
  }

  /** The cached entry holding `value` (see `decodedOf`), whose decoded form and timestamp the layer above may set. */
  decodedSlotOf(value: Buffer): CacheEntry | undefined {
    return this.cache.lastWith(value);
  }

  /** Attaches a decoded form to the cached entry holding `value` (see `decodedOf`); dropped when the entry's value changes. */
  setDecoded(value: Buffer, decoded: unknown): void {
    const e = this.cache.lastWith(value);
    if (e !== undefined) e.decoded = decoded;
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    const old = this.get(key);
    if (old === undefined) this.put(key, value);
    return old;
  }

  delete(key: Buffer): Buffer | undefined {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  range(from: Buffer, to: Buffer): KeyValue<Buffer, Buffer>[] {
    const lo = keyString(from);
    const hi = keyString(to);
    return this.merge(this.inner.range(from, to), (k) => k >= lo && k <= hi);
  }

  all(): KeyValue<Buffer, Buffer>[] {
    return this.merge(this.inner.all(), () => true);
  }

  /** Overlays cached entries (which are newer) on the inner store's sorted result. */
  private merge(base: KeyValue<Buffer, Buffer>[], inRange: (k: string) => boolean): KeyValue<Buffer, Buffer>[] {
    if (this.cache.dirtySize === 0) return base;
    const merged = new Map<string, Buffer | null>();
    for (const kv of base) merged.set(keyString(kv.key), kv.value);
    let added = false;
    for (const e of this.cache.values()) {
      if (!e.dirty) continue;
      const k = keyString(e.key);
      if (!inRange(k)) continue;
      if (!merged.has(k)) added = true;
      merged.set(k, e.value);
    }
    const keys = [...merged.keys()];
    if (added) keys.sort();
    const out: KeyValue<Buffer, Buffer>[] = [];
    for (const k of keys) {
      const v = merged.get(k)!;
      if (v !== null) out.push({ key: keyBytes(k), value: v });
    }
    return out;
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries() + this.cache.dirtySize;
  }
}
