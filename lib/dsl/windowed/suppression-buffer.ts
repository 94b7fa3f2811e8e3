/**
 * The suppression buffer: a state store holding, per key, the latest `Change` (with the value
 * the key had before it was first buffered), the update's timestamp and the buffer time that
 * decides emission. In memory, ordered by buffer time (a binary heap; a key's buffer time never
 * changes while it is buffered), and — unless logging is disabled — backed by a compacted
 * changelog: every put logs the entry, every emission a tombstone, so a restarted task resumes
 * with exactly the windows/keys that were not emitted yet (nothing emitted twice or lost under
 * exactly-once). `flush()` (every commit, after the upstream store flushed) runs the owner's hook.
 */
import { TributaryError } from '../../errors.js';
import type { Serde } from '../../serde/types.js';
import { keyValueChangelogConfigs } from '../../state/changelog-configs.js';
import type { ChangelogSink, RestorableStore, RestoreRecord, StateStoreContext, StoreBuilder } from '../../state/types.js';
import { changeSerde, type Change } from '../change.js';

export interface BufferedEntry<K, V> {
  readonly key: K;
  readonly keyBytes: Buffer;
  change: Change<V>;
  timestamp: number;
  readonly bufferTime: number;
  size: number;
}

const ENTRY_OVERHEAD = 48;

export class SuppressionBufferStore<K, V> implements RestorableStore {
  readonly persistent = false;
  private open = false;
  private changelog: ChangelogSink | null = null;
  private readonly entries = new Map<string, BufferedEntry<K, V>>();
  private heap: BufferedEntry<K, V>[] = [];
  private bytes = 0;
  private readonly changes: ReturnType<typeof changeSerde<V>> | null;
  /** Called at `flush()` (the task commit). */
  onFlush: (() => void) | null = null;

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    valueSerde: Serde<V> | null,
    private readonly measureBytes: boolean,
  ) {
    this.changes = valueSerde === null ? null : changeSerde(valueSerde);
  }

  get isOpen(): boolean {
    return this.open;
  }

  get size(): number {
    return this.entries.size;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.changelog = context.changelog;
    if (this.changelog !== null && this.changes === null) {
      throw new TributaryError(`Suppression buffer ${this.name} logs to a changelog and needs a value serde`, { code: 'CONFIG', context: { store: this.name } });
    }
    this.open = true;
  }

  /** Buffers `change` for `key`; a key already buffered keeps its buffer time and prior value. */
  put(key: K, change: Change<V>, timestamp: number, bufferTime: number): void {
    const keyBytes = this.keySerde.serialize(key);
    const id = keyBytes.toString('latin1');
    const existing = this.entries.get(id);
    let entry: BufferedEntry<K, V>;
    if (existing !== undefined) {
      existing.change = { newValue: change.newValue, oldValue: existing.change.oldValue };
      existing.timestamp = timestamp;
      entry = existing;
    } else {
      entry = { key, keyBytes, change, timestamp, bufferTime, size: 0 };
      this.entries.set(id, entry);
      this.push(entry);
    }
    const encoded = this.changelog !== null || this.measureBytes ? this.encode(entry) : null;
    const size = ENTRY_OVERHEAD + keyBytes.length + (encoded?.length ?? 0);
    this.bytes += size - entry.size;
    entry.size = size;
    if (this.changelog !== null) this.changelog.log(keyBytes, encoded, timestamp);
  }

  /** The smallest buffer time, or +Infinity when empty. */
  minBufferTime(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0]!.bufferTime;
  }

  /** Removes and returns the entry with the smallest buffer time. */
  pollMin(): BufferedEntry<K, V> | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    this.entries.delete(top.keyBytes.toString('latin1'));
    this.bytes -= top.size;
    if (this.changelog !== null) this.changelog.log(top.keyBytes, null, top.timestamp);
    return top;
  }

  private encode(e: BufferedEntry<K, V>): Buffer {
    const change = this.changes === null ? Buffer.alloc(0) : this.changes.serialize(e.change);
    const out = Buffer.allocUnsafe(16 + change.length);
    out.writeDoubleBE(e.bufferTime, 0);
    out.writeDoubleBE(e.timestamp, 8);
    change.copy(out, 16);
    return out;
  }

  private push(e: BufferedEntry<K, V>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.bufferTime <= e.bufferTime) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.bufferTime < h[l]!.bufferTime ? r : l;
      if (h[c]!.bufferTime >= e.bufferTime) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = e;
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    for (const r of records) {
      const id = r.key.toString('latin1');
      const old = this.entries.get(id);
      if (old !== undefined) {
        this.entries.delete(id);
        this.bytes -= old.size;
        this.heap = this.heap.filter((e) => e !== old);
      }
      if (r.value === null) continue;
      const bufferTime = r.value.readDoubleBE(0);
      const timestamp = r.value.readDoubleBE(8);
      const change = this.changes!.deserialize(r.value.subarray(16));
      const entry: BufferedEntry<K, V> = { key: this.keySerde.deserialize(r.key), keyBytes: Buffer.from(r.key), change, timestamp, bufferTime, size: ENTRY_OVERHEAD + r.key.length + r.value.length };
      this.entries.set(id, entry);
      this.bytes += entry.size;
      this.push(entry);
    }
  }

  async flush(): Promise<void> {
    this.onFlush?.();
  }

  async close(): Promise<void> {
    this.open = false;
    this.onFlush = null;
    this.entries.clear();
    this.heap = [];
    this.bytes = 0;
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
  ) {}

  get loggingEnabled(): boolean {
    return this.logging !== null;
  }

  get changelogConfigs(): Readonly<Record<string, string>> {
    return this.logging === null ? {} : { ...keyValueChangelogConfigs(), ...this.logging };
  }

  build(): SuppressionBufferStore<K, V> {
    return new SuppressionBufferStore(this.name, this.keySerde, this.valueSerde, this.measureBytes);
  }
}
