import { performance } from 'node:perf_hooks';
import type { Serde } from '../../serde/types.js';
import type { KeyValue, KeyValueStore, RestorableStore, RestoreRecord, StateStoreContext } from '../types.js';
import type { KeyValueBytesStore } from '../internal/table-key-value-store.js';
import { keyString } from '../internal/bytes.js';
import type { CachedStateStore, FlushListener } from './flush-listener.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ValueDecoder } from './decoded-memo.js';
import { SAMPLE_EVERY, StoreMetrics, type StoreMetricsSnapshot } from './store-metrics.js';
import { StoreLayer } from './store-layer.js';

/**
 * Outermost layer of a key-value stack: serializes keys and values once (the layers below see
 * bytes only) and counts operations. Restoration passes through to the backend untouched.
 *
 * The last primitive key's bytes (and their latin1 string) are kept, so the usual
 * read-modify-write of one key (`get(k)` then `put(k, …)`) serializes `k` once. This relies on
 * what a store key serde must do anyway: the same value always serializes to the same bytes
 * (the store's topic is fixed), into a fresh buffer nobody modifies.
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

  constructor(
    inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(inner);
    this.m = new StoreMetrics(inner.name);
    this.values = new ValueDecoder(valueSerde, inner instanceof CachingKeyValueStore ? inner : null);
  }

  metrics(): StoreMetricsSnapshot {
    return this.m.snapshot();
  }

  async init(context: StateStoreContext): Promise<void> {
    this.topic = context.changelog?.topic;
    await this.inner.init(context);
  }

  setFlushListener(listener: FlushListener<K, V>, sendOldValues = true): boolean {
    const inner = this.inner as Partial<CachedStateStore<Buffer, Buffer>>;
    if (typeof inner.setFlushListener !== 'function') return false;
    return inner.setFlushListener(
      (k, nv, ov, ts) =>
        listener(this.keySerde.deserialize(k, this.topic), nv === null ? null : this.valueSerde.deserialize(nv, this.topic), ov === null ? null : this.valueSerde.deserialize(ov, this.topic), ts),
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

  get(key: K): V | undefined {
    const m = this.m;
    if (++m.gets % SAMPLE_EVERY !== 0) {
      const kb = this.keyBytes(key);
      return this.v(this.inner.get(kb, this.memoStr));
    }
    const t0 = performance.now();
    const kb = this.keyBytes(key);
    const out = this.v(this.inner.get(kb, this.memoStr));
    m.getSampleUs += (performance.now() - t0) * 1000;
    m.getSamples++;
    return out;
  }

  put(key: K, value: V | null): void {
    const m = this.m;
    const sampled = ++m.puts % SAMPLE_EVERY === 0;
    const t0 = sampled ? performance.now() : 0;
    const kb = this.keyBytes(key);
    const ks = this.memoStr;
    const bytes = value === null ? null : this.valueSerde.serialize(value, this.topic);
    this.inner.put(kb, bytes, ks);
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

