/**
 * The suppression buffer: a state store holding, per key, the latest `Change` (with the value
 * the key had before it was first buffered), the update's timestamp and the buffer time that
 * decides emission. In memory, ordered by buffer time: entries sharing a buffer time (a window
 * end, under untilWindowCloses: thousands of keys) sit in one first-in first-out bucket, and a
 * binary heap orders the distinct times (a key's buffer time never changes while it is
 * buffered), and — unless logging is disabled — backed by a compacted changelog, in one of two
 * ways:
 *
 * - entries: every put logs the entry, every emission a tombstone; a restarted task replays them.
 * - derived (final results of a time-window aggregation): the buffer holds nothing the upstream
 *   window store does not also hold, so it logs only how far it has emitted — one record per
 *   commit under the empty key, `[8-byte emitted-through buffer time]` — and a restarted task
 *   rebuilds it from the restored window store: every window whose end is past that time
 *   (`rebuild`). Both live in the task's transaction, so under exactly-once a restarted task
 *   resumes with exactly the windows that were not emitted yet (nothing emitted twice or lost),
 *   and the buffer writes one changelog record per commit instead of two per window.
 *
 * `flush()` (every commit, after the upstream store flushed) runs the owner's hook.
 */
import { TributaryError } from '../../errors.js';
import type { Serde } from '../../serde/types.js';
import { keyValueChangelogConfigs } from '../../state/changelog-configs.js';
import type { ChangelogSink, RestorableStore, RestoreRecord, StateStoreContext, StoreBuilder, Windowed } from '../../state/types.js';
import { changeSerde, type Change } from '../change.js';
import { TimeHeap } from './time-heap.js';
import { WindowEndBuckets, type Pending } from './window-end-buckets.js';

export interface BufferedEntry<K, V> {
  readonly key: K;
  /** The serialized key; null for an entry of a derived buffer's window buckets. */
  readonly keyBytes: Buffer | null;
  change: Change<V>;
  timestamp: number;
  readonly bufferTime: number;
  size: number;
}

interface Entry<K, V> extends BufferedEntry<K, V> {
  /** The latin1 form of `keyBytes` (the map key). */
  readonly id: string;
  /** Replaced by a restored record: skipped when its bucket is polled. */
  dead: boolean;
}

/** The entries sharing one buffer time, in the order they were first buffered; `head` = next to poll. */
interface Bucket<K, V> {
  readonly time: number;
  items: Entry<K, V>[];
  head: number;
}

const ENTRY_OVERHEAD = 48;
/** Changelog key of the derived buffer's emitted-through time (a windowed key is never empty). */
const EMITTED_KEY = Buffer.alloc(0);

export class SuppressionBufferStore<K, V> implements RestorableStore {
  readonly persistent = false;
  private open = false;
  private changelog: ChangelogSink | null = null;
  private context: StateStoreContext | null = null;
  /** Derived mode: every entry with a buffer time up to this was emitted (restored from the changelog). */
  private emitted = Number.NEGATIVE_INFINITY;
  private loggedEmitted = Number.NEGATIVE_INFINITY;
  private readonly entries = new Map<string, Entry<K, V>>();
  /** A derived buffer that does not measure bytes keeps its windows here instead of `entries`/`buckets`. */
  private readonly windows: WindowEndBuckets<unknown, V | null> | null;
  private readonly buckets = new Map<number, Bucket<K, V>>();
  /** Distinct buffer times of `buckets`. */
  private readonly times = new TimeHeap();
  /** The bucket of the smallest time, or null when empty. */
  private front: Bucket<K, V> | null = null;
  private bytes = 0;
  private readonly valueSerde: Serde<V> | null;
  private readonly changes: ReturnType<typeof changeSerde<V>> | null;
  /** Called at `flush()` (the task commit). */
  onFlush: (() => void) | null = null;

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    valueSerde: Serde<V> | null,
    private readonly measureBytes: boolean,
    /** Log only the emitted-through time and rebuild from the upstream window store (see the module doc). */
    readonly derived = false,
  ) {
    this.valueSerde = valueSerde;
    this.changes = valueSerde === null ? null : changeSerde(valueSerde);
    this.windows =
      derived && !measureBytes ? new WindowEndBuckets((key, start, end) => keySerde.serialize({ key, window: { start, end } } as K).toString('latin1')) : null;
  }

  get isOpen(): boolean {
    return this.open;
  }

  get size(): number {
    return this.windows !== null ? this.windows.size : this.entries.size;
  }

  get sizeBytes(): number {
    return this.windows !== null ? this.windows.size * ENTRY_OVERHEAD : this.bytes;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.changelog = context.changelog;
    this.context = context;
    if (this.changelog !== null && this.changes === null && !this.derived) {
      throw new TributaryError(`Suppression buffer ${this.name} logs to a changelog and needs a value serde`, {
        code: 'CONFIG',
        context: { store: this.name },
      });
    }
    this.open = true;
  }

  /** Buffers `change` for `key`; a key already buffered keeps its buffer time and prior value. */
  put(key: K, change: Change<V>, timestamp: number, bufferTime: number): void {
    if (this.windows !== null) {
      const w = key as unknown as Windowed<unknown>;
      this.windows.put(w.key, w.window.start, w.window.end, change.newValue, timestamp);
      return;
    }
    const keyBytes = this.keySerde.serialize(key);
    const id = keyBytes.toString('latin1');
    const existing = this.entries.get(id);
    let entry: Entry<K, V>;
    if (existing !== undefined) {
      existing.change = { newValue: change.newValue, oldValue: existing.change.oldValue };
      existing.timestamp = timestamp;
      entry = existing;
    } else {
      entry = { key, keyBytes, change, timestamp, bufferTime, size: 0, id, dead: false };
      this.entries.set(id, entry);
      this.push(entry);
    }
    const logs = this.changelog !== null && !this.derived;
    const encoded = logs || this.measureBytes ? this.encode(entry) : null;
    const size = ENTRY_OVERHEAD + keyBytes.length + (encoded?.length ?? 0);
    this.bytes += size - entry.size;
    entry.size = size;
    if (logs) this.changelog!.log(keyBytes, encoded, timestamp);
  }

  /** True when the buffer keeps its windows by end and can serve as the aggregation's working set (see window-closer.ts). */
  get holdsWindows(): boolean {
    return this.windows !== null;
  }

  /** The buffered window (holdsWindows only). */
  getWindow(key: unknown, start: number, end: number): Pending<unknown, V | null> | undefined {
    return this.windows!.get(key, start, end);
  }

  /** Sets a window the aggregation changed (holdsWindows only); `drainDirty` hands it to the window store. */
  updateWindow(key: unknown, start: number, end: number, value: V, timestamp: number, known: Pending<unknown, V | null> | undefined): void {
    this.windows!.put(key, start, end, value, timestamp, true, known);
  }

  /** Windows changed by `updateWindow` since the last `drainDirty`. */
  get dirtyCount(): number {
    return this.windows?.dirtyCount ?? 0;
  }

  /** Hands the windows changed by `updateWindow` since the last call to `write`. */
  drainDirty(write: (key: unknown, start: number, entry: Pending<unknown, V | null>) => void): void {
    this.windows?.drainDirty(write);
  }

  /** The bucket with the smallest buffer time and a live entry at its head, or null (drops emptied buckets). */
  private frontBucket(): Bucket<K, V> | null {
    for (;;) {
      const b = this.front;
      if (b === null) return null;
      const items = b.items;
      while (b.head < items.length && items[b.head]!.dead) b.head++;
      if (b.head < items.length) return b;
      this.buckets.delete(b.time);
      this.popTime();
    }
  }

  /** The smallest buffer time, or +Infinity when empty. */
  minBufferTime(): number {
    if (this.windows !== null) return this.windows.minEnd();
    const b = this.frontBucket();
    return b === null ? Number.POSITIVE_INFINITY : b.time;
  }

  /** Removes and returns the entry with the smallest buffer time (the first buffered among equals). */
  pollMin(): BufferedEntry<K, V> | undefined {
    if (this.windows !== null) {
      const w = this.windows.poll();
      if (w === undefined) return undefined;
      return {
        key: w.key as K,
        keyBytes: null,
        change: { newValue: w.value, oldValue: null },
        timestamp: w.timestamp,
        bufferTime: w.end,
        size: ENTRY_OVERHEAD,
      };
    }
    const b = this.frontBucket();
    if (b === null) return undefined;
    const top = b.items[b.head]!;
    b.items[b.head++] = undefined as unknown as Entry<K, V>; // release the entry
    if (b.head === b.items.length) {
      this.buckets.delete(b.time);
      this.popTime();
    } else if (b.head >= 1024 && b.head * 2 >= b.items.length) {
      b.items = b.items.slice(b.head);
      b.head = 0;
    }
    this.entries.delete(top.id);
    this.bytes -= top.size;
    if (this.changelog !== null && !this.derived) this.changelog.log(top.keyBytes!, null, top.timestamp);
    return top;
  }

  /** Derived mode: how far emission has gone (the entries up to it are gone and never come back). */
  get emittedThrough(): number {
    return this.emitted;
  }

  /** Derived mode: the owner emitted every entry with a buffer time up to `bufferTime`; logged at the next flush. */
  markEmittedThrough(bufferTime: number): void {
    if (bufferTime > this.emitted) this.emitted = bufferTime;
  }

  /** `[8-byte buffer time][8-byte timestamp][change]`, the change in `changeSerde`'s layout, written in place. */
  private encode(e: BufferedEntry<K, V>): Buffer {
    const inner = this.valueSerde;
    if (inner === null) {
      const out = Buffer.allocUnsafe(16);
      out.writeDoubleBE(e.bufferTime, 0);
      out.writeDoubleBE(e.timestamp, 8);
      return out;
    }
    const { newValue, oldValue } = e.change;
    const n = newValue === null ? null : inner.serialize(newValue);
    const o = oldValue === null ? null : inner.serialize(oldValue);
    const nLen = n === null ? 0 : n.length;
    const out = Buffer.allocUnsafe(21 + nLen + (o === null ? 0 : o.length));
    out.writeDoubleBE(e.bufferTime, 0);
    out.writeDoubleBE(e.timestamp, 8);
    out[16] = (n !== null ? 1 : 0) | (o !== null ? 2 : 0);
    out.writeUInt32BE(nLen, 17);
    if (n !== null) out.set(n, 21);
    if (o !== null) out.set(o, 21 + nLen);
    return out;
  }

  private push(e: Entry<K, V>): void {
    const t = e.bufferTime;
    const b = this.buckets.get(t);
    if (b !== undefined) {
      b.items.push(e);
      return;
    }
    const bucket: Bucket<K, V> = { time: t, items: [e], head: 0 };
    this.buckets.set(t, bucket);
    if (this.times.push(t)) this.front = bucket;
  }

  /** Removes the smallest time from the heap and moves `front` to the next bucket. */
  private popTime(): void {
    const next = this.times.pop();
    this.front = next === undefined ? null : this.buckets.get(next)!;
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    for (const r of records) {
      if (r.key.length === 0) {
        if (r.value !== null) this.emitted = this.loggedEmitted = r.value.readDoubleBE(0);
        continue;
      }
      if (this.derived) continue; // entries of an entries-mode changelog: the rebuild from the window store replaces them
      const id = r.key.toString('latin1');
      const old = this.entries.get(id);
      if (old !== undefined) {
        this.entries.delete(id);
        this.bytes -= old.size;
        old.dead = true;
      }
      if (r.value === null) continue;
      const bufferTime = r.value.readDoubleBE(0);
      const timestamp = r.value.readDoubleBE(8);
      const change = this.changes!.deserialize(r.value.subarray(16));
      const entry: Entry<K, V> = {
        key: this.keySerde.deserialize(r.key),
        keyBytes: Buffer.from(r.key),
        change,
        timestamp,
        bufferTime,
        size: ENTRY_OVERHEAD + r.key.length + r.value.length,
        id,
        dead: false,
      };
      this.entries.set(id, entry);
      this.bytes += entry.size;
      this.push(entry);
    }
  }

  async flush(): Promise<void> {
    this.onFlush?.();
    if (this.derived && this.changelog !== null && this.emitted > this.loggedEmitted) {
      const value = Buffer.allocUnsafe(8);
      value.writeDoubleBE(this.emitted, 0);
      this.changelog.log(EMITTED_KEY, value, Math.max(0, this.context?.streamTime() ?? 0));
      this.loggedEmitted = this.emitted;
    }
  }

  async close(): Promise<void> {
    this.open = false;
    this.onFlush = null;
    this.entries.clear();
    this.buckets.clear();
    this.times.clear();
    this.front = null;
    this.bytes = 0;
    this.windows?.clear();
    this.emitted = this.loggedEmitted = Number.NEGATIVE_INFINITY;
  }
}

/** Builder registered with the topology (one buffer per task). */
export class SuppressionBufferBuilder<K, V> implements StoreBuilder<SuppressionBufferStore<K, V>> {
  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V> | null,
    private readonly logging: Readonly<Record<string, string>> | null,
    private readonly measureBytes: boolean,
    private readonly derived = false,
  ) {}

  get loggingEnabled(): boolean {
    return this.logging !== null;
  }

  get changelogConfigs(): Readonly<Record<string, string>> {
    return this.logging === null ? {} : { ...keyValueChangelogConfigs(), ...this.logging };
  }

  build(): SuppressionBufferStore<K, V> {
    return new SuppressionBufferStore(this.name, this.keySerde, this.valueSerde, this.measureBytes, this.derived);
  }
}
