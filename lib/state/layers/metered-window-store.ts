import { performance } from 'node:perf_hooks';
import type { Serde } from '../../serde/types.js';
import type { KeyValue, RestorableStore, RestoreRecord, StateStoreContext, Windowed } from '../types.js';
import type { WindowBytesStore } from '../internal/segmented-window-store.js';
import { windowKeyParts } from '../internal/window-key-schema.js';
import type { CachedStateStore, FlushListener } from './flush-listener.js';
import { isCachedStore, type WriteBackWindowStore } from '../abilities.js';
import { StoreMetrics, type StoreMetricsSnapshot } from './store-metrics.js';
import { CachingWindowStore } from './caching-window-store.js';
import { ValueDecoder } from './decoded-memo.js';
import { WindowedStoreLayer } from './windowed-store-layer.js';
import { cacheStatsOf } from './caching-store-layer.js';

/** Outermost layer of a window stack: serdes and counters. Windows are `[start, start + windowSize)`. */
export class MeteredWindowStore<K, V>
  extends WindowedStoreLayer<WindowBytesStore>
  implements WriteBackWindowStore<K, V>, RestorableStore, CachedStateStore<Windowed<K>, V>
{
  private readonly m: StoreMetrics;
  private topic: string | undefined;
  /**
   * Last primitive key serialized and its bytes (null = none): a fetch-then-put of one key
   * serializes it once and hands the layers below the same buffer (see MeteredKeyValueStore).
   */
  private memoKey: unknown = undefined;
  private memoBytes: Buffer | null = null;
  /** Decodes values, through the decoded values the caching layer below keeps (see decoded-memo.ts). */
  private readonly values: ValueDecoder<V>;
  /** Run first in `flush` (an operator that keeps its own working set writes it here). */
  private beforeFlush: (() => void) | null = null;

  constructor(
    inner: WindowBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(inner);
    this.m = new StoreMetrics(inner.name);
    this.values = new ValueDecoder(valueSerde, inner instanceof CachingWindowStore ? inner : null);
  }

  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }

  metrics(): StoreMetricsSnapshot {
    return this.m.snapshot(cacheStatsOf(this.inner));
  }

  async init(context: StateStoreContext): Promise<void> {
    this.topic = context.changelog?.topic;
    await this.inner.init(context);
  }

  setFlushListener(listener: FlushListener<Windowed<K>, V>, sendOldValues = true): boolean {
    const inner = this.inner;
    if (!isCachedStore<Buffer, Buffer>(inner)) return false;
    const size = this.inner.windowSizeMs;
    return inner.setFlushListener((composite, nv, ov, ts) => {
      const { key, start } = windowKeyParts(composite);
      listener({ key: this.keySerde.deserialize(key, this.topic), window: { start, end: start + size } }, this.val(nv), this.val(ov), ts);
    }, sendOldValues);
  }

  /** The byte budget of the record cache below, 0 without one. */
  get cacheMaxBytes(): number {
    return this.inner instanceof CachingWindowStore ? this.inner.cacheMaxBytes : 0;
  }

  setBeforeFlush(hook: (() => void) | null): void {
    this.beforeFlush = hook;
  }

  clearFlushListener(): void {
    if (isCachedStore<Buffer, Buffer>(this.inner)) this.inner.clearFlushListener?.();
  }

  private val(b: Buffer | null): V | null {
    return b === null ? null : this.values.decode(b, this.topic);
  }

  private keyBytes(key: K): Buffer {
    if (this.memoBytes !== null && Object.is(key, this.memoKey)) return this.memoBytes;
    const bytes = this.keySerde.serialize(key, this.topic);
    const t = typeof key;
    if (t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean') {
      this.memoKey = key;
      this.memoBytes = bytes;
    } else this.memoBytes = null;
    return bytes;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.m.puts++;
    const bytes = value === null ? null : this.valueSerde.serialize(value, this.topic);
    this.inner.put(this.keyBytes(key), bytes, windowStart);
    if (bytes !== null) this.values.written(value as V, bytes);
  }

  /** `put` that skips the record cache unless it holds the window (see CachingWindowStore.putThrough). */
  putThrough(key: K, value: V | null, windowStart: number): void {
    const inner = this.inner;
    if (!(inner instanceof CachingWindowStore)) {
      this.put(key, value, windowStart);
      return;
    }
    this.m.puts++;
    inner.putThrough(this.keyBytes(key), value === null ? null : this.valueSerde.serialize(value, this.topic), windowStart);
  }

  fetch(key: K, windowStart: number): V | undefined {
    this.m.gets++;
    const b = this.inner.fetch(this.keyBytes(key), windowStart);
    return b === undefined ? undefined : this.values.decode(b, this.topic);
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[] {
    this.m.ranges++;
    return this.inner
      .fetchRange(this.keySerde.serialize(key, this.topic), timeFrom, timeTo)
      .map((e) => ({ key: e.key, value: this.valueSerde.deserialize(e.value, this.topic) }));
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[] {
    this.m.ranges++;
    return this.decode(this.inner.fetchAll(timeFrom, timeTo));
  }

  all(): KeyValue<Windowed<K>, V>[] {
    this.m.ranges++;
    return this.decode(this.inner.all());
  }

  private decode(entries: KeyValue<Windowed<Buffer>, Buffer>[]): KeyValue<Windowed<K>, V>[] {
    return entries.map((e) => ({
      key: { key: this.keySerde.deserialize(e.key.key, this.topic), window: e.key.window },
      value: this.valueSerde.deserialize(e.value, this.topic),
    }));
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    this.m.restored += records.length;
    await this.inner.restoreBatch(records);
  }

  override async flush(): Promise<void> {
    const t0 = performance.now();
    this.beforeFlush?.();
    await this.inner.flush();
    this.m.recordFlush(performance.now() - t0);
  }
}
