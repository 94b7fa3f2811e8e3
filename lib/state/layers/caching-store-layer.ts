import type { RestorableStore, RestoreRecord, StateStoreContext } from '../types.js';
import type { CachedStateStore, FlushListener } from './flush-listener.js';
import { type CacheEntry, RecordCache } from './record-cache.js';
import { StoreLayer } from './store-layer.js';

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
}

/** The record cache's statistics when `store` is a caching layer. */
export function cacheStatsOf(store: unknown): CacheStats | undefined {
  return store instanceof CachingStoreLayer ? store.cacheStats() : undefined;
}

/**
 * What the key-value, window and session caching layers share: the record cache in front of the
 * store below, the flush listener it forwards to, and the cache's lifecycle — cleared by
 * restoration (nothing else writes below it), written down at flush before the store below
 * flushes, flushed and cleared at close. Each layer writes one entry down in its own key layout.
 */
export abstract class CachingStoreLayer<S extends RestorableStore> extends StoreLayer<S> implements CachedStateStore<Buffer, Buffer> {
  protected readonly cache: RecordCache;
  protected listener: FlushListener<Buffer, Buffer> | null = null;
  protected sendOldValues = true;
  protected context: StateStoreContext | null = null;

  /** `ordered`: the cache can answer range reads in key order (window and session layouts). */
  constructor(inner: S, maxBytes: number, ordered = false) {
    super(inner);
    this.cache = new RecordCache(maxBytes, (e) => this.writeDown(e), ordered);
  }

  /** Writes one dirty entry to the store below and tells the listener (flush or eviction). */
  protected abstract writeDown(e: CacheEntry): void;

  setFlushListener(listener: FlushListener<Buffer, Buffer>, sendOldValues = true): boolean {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
    return true;
  }

  /** Reads answered by the cache and reads that went below, entries and bytes held now. */
  cacheStats(): CacheStats {
    return { hits: this.cache.hits, misses: this.cache.misses, entries: this.cache.size, bytes: this.cache.sizeBytes };
  }

  /** The record cache's byte budget. */
  get cacheMaxBytes(): number {
    return this.cache.maxBytes;
  }

  clearFlushListener(): void {
    this.listener = null;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    await this.inner.init(context);
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    this.cache.clear();
    await this.inner.restoreBatch(records);
  }

  override async flush(): Promise<void> {
    this.cache.flushDirty((e) => this.writeDown(e));
    await this.inner.flush();
  }

  override async close(): Promise<void> {
    if (this.inner.isOpen) await this.flush();
    this.cache.clear();
    await this.inner.close();
  }
}
