import { performance } from 'node:perf_hooks';
import { stringSerde } from '../../serde/primitive-serdes.js';
import type { Serde } from '../../serde/types.js';
import type { KeyValue, KeyValueStore, RestorableStore, RestoreRecord, StateStoreContext } from '../types.js';
import type { KeyValueBytesStore } from '../internal/table-key-value-store.js';
import { keyBytes, keyString } from '../internal/bytes.js';
import type { CachedStateStore, FlushListener } from './flush-listener.js';
import { isCachedStore } from '../abilities.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ValueDecoder } from './decoded-memo.js';
import { SAMPLE_EVERY, StoreMetrics, type StoreMetricsSnapshot } from './store-metrics.js';
import { StoreLayer } from './store-layer.js';
import { cacheStatsOf } from './caching-store-layer.js';

/**
 * Outermost layer of a key-value stack: serializes keys and values once (the layers below see
 * bytes only) and counts operations. Restoration passes through to the backend untouched.
 *
 * The last primitive key's bytes (and their latin1 string) are kept, so the usual
 * read-modify-write of one key (`get(k)` then `put(k, …)`) serializes `k` once. This relies on
 * what a store key serde must do anyway: the same value always serializes to the same bytes
 * (the store's topic is fixed), into a fresh buffer nobody modifies.
 *
 * An ASCII string key under the built-in string serde is its own latin1 key string (its UTF-8
 * bytes are its characters), so it goes down as it is: no serialization, and over a caching
 * layer its bytes are made only when the cache needs a new entry or reads the store below.
 *
 * Over a caching layer, decoded values are kept on the cached entries (see decoded-memo.ts):
 * a read of a cached entry that was decoded before, or written from a primitive, returns a
 * fresh copy instead of deserializing again (a `ValueAndTimestamp` is rebuilt around a copy of
 * its value). Only values whose copy equals a fresh decode are kept.
 */
export class MeteredKeyValueStore<K, V> extends StoreLayer<KeyValueBytesStore> implements KeyValueStore<K, V>, RestorableStore, CachedStateStore<K, V> {
  private readonly m: StoreMetrics;
  private topic: string | undefined;
  /** Last primitive key serialized, its bytes and their latin1 string (`memoBytes` null = none). */
  private memoKey: unknown = undefined;
  private memoBytes: Buffer | null = null;
  private memoStr = '';
  /** Decodes values, through the values the caching layer below keeps (if any). */
  private readonly values: ValueDecoder<V>;
  /** The caching layer below, if the layer below is one. */
  private readonly caching: CachingKeyValueStore | null;
  /** Keys use the built-in string serde (ASCII keys go down as their own key strings). */
  private readonly stringKeys: boolean;
  /** The last string key found to be ASCII. */
  private asciiKey: string | null = null;

  constructor(
    inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(inner);
    this.m = new StoreMetrics(inner.name);
    this.caching = inner instanceof CachingKeyValueStore ? inner : null;
    this.values = new ValueDecoder(valueSerde, this.caching);
    this.stringKeys = (keySerde as unknown) === stringSerde;
  }

  metrics(): StoreMetricsSnapshot {
    return this.m.snapshot(cacheStatsOf(this.inner));
  }

  async init(context: StateStoreContext): Promise<void> {
    this.topic = context.changelog?.topic;
    await this.inner.init(context);
  }

  setFlushListener(listener: FlushListener<K, V>, sendOldValues = true): boolean {
    const inner = this.inner;
    if (!isCachedStore<Buffer, Buffer>(inner)) return false;
    return inner.setFlushListener(
      (k, nv, ov, ts) =>
        listener(
          this.keySerde.deserialize(k, this.topic),
          nv === null ? null : this.valueSerde.deserialize(nv, this.topic),
          ov === null ? null : this.valueSerde.deserialize(ov, this.topic),
          ts,
        ),
      sendOldValues,
    );
  }

  private k(key: K): Buffer {
    return this.keySerde.serialize(key, this.topic);
  }

  /** Serializes `key` (or reuses the last bytes); leaves the latin1 string in `memoStr` when it returns. */
  private keyBytes(key: K): Buffer {
    if (this.memoBytes !== null && Object.is(key, this.memoKey)) return this.memoBytes;
    const bytes = this.keySerde.serialize(key, this.topic);
    const t = typeof key;
    if (t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean') {
      this.memoKey = key;
      this.memoBytes = bytes;
    } else {
      this.memoBytes = null;
    }
    this.memoStr = keyString(bytes);
    return bytes;
  }

  private v(bytes: Buffer | undefined): V | undefined {
    return bytes === undefined ? undefined : this.values.decode(bytes, this.topic);
  }

  /** True when `key` is its own latin1 key string (see the class comment). */
  private ownKeyString(key: K): key is K & string {
    if (!this.stringKeys || typeof key !== 'string') return false;
    // A read-modify-write passes the same string twice: checked once.
    if (key === this.asciiKey) return true;
    if (!isAscii(key)) return false;
    this.asciiKey = key;
    return true;
  }

  private getBytes(key: K): Buffer | undefined {
    if (this.ownKeyString(key)) {
      const caching = this.caching;
      return caching !== null ? caching.getByKeyString(key) : this.inner.get(keyBytes(key), key);
    }
    const kb = this.keyBytes(key);
    return this.inner.get(kb, this.memoStr);
  }

  get(key: K): V | undefined {
    const m = this.m;
    if (++m.gets % SAMPLE_EVERY !== 0) return this.v(this.getBytes(key));
    const t0 = performance.now();
    const out = this.v(this.getBytes(key));
    m.getSampleUs += (performance.now() - t0) * 1000;
    m.getSamples++;
    return out;
  }

  put(key: K, value: V | null): void {
    const m = this.m;
    const sampled = ++m.puts % SAMPLE_EVERY === 0;
    const t0 = sampled ? performance.now() : 0;
    const bytes = value === null ? null : this.valueSerde.serialize(value, this.topic);
    if (this.ownKeyString(key)) {
      const caching = this.caching;
      if (caching !== null) caching.putByKeyString(key, bytes);
      else this.inner.put(keyBytes(key), bytes, key);
    } else {
      const kb = this.keyBytes(key);
      this.inner.put(kb, bytes, this.memoStr);
    }
    // Numbers written through an exact number serde are kept: the next read skips the decode.
    if (bytes !== null) this.values.written(value as V, bytes);
    if (sampled) {
      m.putSampleUs += (performance.now() - t0) * 1000;
      m.putSamples++;
    }
  }

  putIfAbsent(key: K, value: V): V | undefined {
    this.m.puts++;
    return this.v(this.inner.putIfAbsent(this.keyBytes(key), this.valueSerde.serialize(value, this.topic)));
  }

  delete(key: K): V | undefined {
    this.m.deletes++;
    return this.v(this.inner.delete(this.keyBytes(key)));
  }

  range(from: K, to: K): KeyValue<K, V>[] {
    this.m.ranges++;
    return this.decode(this.inner.range(this.k(from), this.k(to)));
  }

  all(): KeyValue<K, V>[] {
    this.m.ranges++;
    return this.decode(this.inner.all());
  }

  private decode(entries: KeyValue<Buffer, Buffer>[]): KeyValue<K, V>[] {
    return entries.map((e) => ({ key: this.keySerde.deserialize(e.key, this.topic), value: this.valueSerde.deserialize(e.value, this.topic) }));
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    this.m.restored += records.length;
    await this.inner.restoreBatch(records);
  }

  override async flush(): Promise<void> {
    const t0 = performance.now();
    await this.inner.flush();
    this.m.recordFlush(performance.now() - t0);
  }
}

/** Every character is below 0x80 (its UTF-8 bytes are its character codes). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
