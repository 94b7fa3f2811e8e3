import { performance } from 'node:perf_hooks';
import type { Serde } from '../../serde/types.js';
import type { KeyValue, RestorableStore, RestoreRecord, SessionStore, StateStoreContext, Windowed } from '../types.js';
import type { SessionBytesStore } from '../internal/segmented-session-store.js';
import { sessionKeyParts } from '../internal/window-key-schema.js';
import type { CachedStateStore, FlushListener } from './flush-listener.js';
import { isCachedStore } from '../abilities.js';
import { StoreMetrics, type StoreMetricsSnapshot } from './store-metrics.js';
import { WindowedStoreLayer } from './windowed-store-layer.js';
import { cacheStatsOf } from './caching-store-layer.js';

/** Outermost layer of a session stack: serdes and counters. Session windows have inclusive ends. */
export class MeteredSessionStore<K, V>
  extends WindowedStoreLayer<SessionBytesStore>
  implements SessionStore<K, V>, RestorableStore, CachedStateStore<Windowed<K>, V>
{
  private readonly m: StoreMetrics;
  private topic: string | undefined;

  constructor(
    inner: SessionBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(inner);
    this.m = new StoreMetrics(inner.name);
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
    return inner.setFlushListener((composite, nv, ov, ts) => {
      const { key, start, end } = sessionKeyParts(composite);
      listener({ key: this.keySerde.deserialize(key, this.topic), window: { start, end } }, this.val(nv), this.val(ov), ts);
    }, sendOldValues);
  }

  private val(b: Buffer | null): V | null {
    return b === null ? null : this.valueSerde.deserialize(b, this.topic);
  }

  private k(key: K): Buffer {
    return this.keySerde.serialize(key, this.topic);
  }

  put(session: Windowed<K>, value: V): void {
    this.m.puts++;
    this.inner.put({ key: this.k(session.key), window: session.window }, this.valueSerde.serialize(value, this.topic));
  }

  remove(session: Windowed<K>): void {
    this.m.deletes++;
    this.inner.remove({ key: this.k(session.key), window: session.window });
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined {
    this.m.gets++;
    const b = this.inner.fetchSession(this.k(key), sessionStart, sessionEnd);
    return b === undefined ? undefined : this.valueSerde.deserialize(b, this.topic);
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[] {
    this.m.ranges++;
    return this.decode(key, this.inner.findSessions(this.k(key), earliestSessionEnd, latestSessionStart));
  }

  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    this.m.ranges++;
    return this.decode(key, this.inner.fetch(this.k(key)));
  }

  private decode(key: K, entries: KeyValue<Windowed<Buffer>, Buffer>[]): KeyValue<Windowed<K>, V>[] {
    return entries.map((e) => ({ key: { key, window: e.key.window }, value: this.valueSerde.deserialize(e.value, this.topic) }));
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
