import type { ChangelogSink, KeyValue, RestoreRecord, StateStoreContext } from '../types.js';
import { readInt64BE, writeInt64BE } from '../internal/bytes.js';
import type { KeyValueBytesStore } from '../internal/table-key-value-store.js';
import { StoreLayer } from './store-layer.js';

/**
 * Change-logging layer of a key-value stack: every write also goes to the changelog sink
 * (`null` value = tombstone). With `timestamped`, store values are `[8-byte ts][value]` and the
 * changelog carries the plain value with the record timestamp set to `ts` (the Kafka Streams
 * layout), so restoration re-adds the prefix.
 */
export class ChangeLoggingKeyValueStore extends StoreLayer<KeyValueBytesStore> implements KeyValueBytesStore {
  private sink: ChangelogSink | null = null;
  private context: StateStoreContext | null = null;

  constructor(
    inner: KeyValueBytesStore,
    private readonly timestamped = false,
  ) {
    super(inner);
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.sink = context.changelog;
    await this.inner.init(context);
  }

  private log(key: Buffer, value: Buffer | null): void {
    const sink = this.sink;
    if (sink === null) return;
    if (this.timestamped && value !== null) {
      sink.log(key, value.subarray(8), readInt64BE(value, 0));
    } else {
      sink.log(key, value, this.context!.currentTimestamp());
    }
  }

  get(key: Buffer, keyStr?: string): Buffer | undefined {
    return this.inner.get(key, keyStr);
  }

  put(key: Buffer, value: Buffer | null, keyStr?: string, present?: boolean): void {
    this.inner.put(key, value, keyStr, present);
    this.log(key, value);
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    const old = this.inner.putIfAbsent(key, value);
    if (old === undefined) this.log(key, value);
    return old;
  }

  delete(key: Buffer): Buffer | undefined {
    const old = this.inner.delete(key);
    this.log(key, null);
    return old;
  }

  range(from: Buffer, to: Buffer): KeyValue<Buffer, Buffer>[] {
    return this.inner.range(from, to);
  }

  all(): KeyValue<Buffer, Buffer>[] {
    return this.inner.all();
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    if (!this.timestamped) return this.inner.restoreBatch(records);
    const mapped = records.map((r) => {
      if (r.value === null) return r;
      const v = Buffer.allocUnsafe(8 + r.value.length);
      writeInt64BE(v, r.timestamp, 0);
      r.value.copy(v, 8);
      return { key: r.key, value: v, timestamp: r.timestamp };
    });
    return this.inner.restoreBatch(mapped);
  }
}
