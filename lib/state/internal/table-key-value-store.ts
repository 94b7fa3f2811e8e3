import { TributaryError } from '../../errors.js';
import type { KeyValue, KeyValueStore, RestorableStore, RestoreRecord, StateStoreContext } from '../types.js';
import type { ByteTable } from './byte-table.js';
import { keyBytes, keyString } from './bytes.js';

/**
 * A key-value store over bytes: every layer below the metered one. `get` and `put` take an
 * optional `keyStr`, the latin1 string of `key` (see bytes.ts) when the caller already has it, so
 * the layers below do not convert the same key again; it must equal `keyString(key)`. `put`'s
 * `present` true promises that the store holds a value for `key` right now (the caching layer
 * knows this for keys it read or wrote down), which lets the backend skip its key-index update.
 */
export interface KeyValueBytesStore extends KeyValueStore<Buffer, Buffer>, RestorableStore {
  get(key: Buffer, keyStr?: string): Buffer | undefined;
  put(key: Buffer, value: Buffer | null, keyStr?: string, present?: boolean): void;
}

/**
 * Key-value store over one `ByteTable`; the backends (memory, LevelDB) supply the table and how
 * it opens, flushes and closes. Reads and writes are synchronous.
 */
export abstract class TableKeyValueStore implements KeyValueBytesStore {
  abstract readonly persistent: boolean;
  private table: ByteTable | null = null;

  constructor(readonly name: string) {}

  /** Opens the backend and returns its table. */
  protected abstract openTable(context: StateStoreContext): Promise<ByteTable>;
  protected abstract flushTable(): Promise<void>;
  protected abstract closeTable(): Promise<void>;
  /**
   * Whether `restoreBatch` writes its records to the backend now (true) or may leave them
   * buffered for the next flush: reads see buffered writes, and the first commit after the
   * restoration — before any checkpoint — writes them. Backends bound what they leave buffered.
   */
  protected restoreWriteDue(): boolean {
    return true;
  }

  get isOpen(): boolean {
    return this.table !== null;
  }

  async init(context: StateStoreContext): Promise<void> {
    if (this.table) throw new TributaryError(`store ${this.name} is already open`, { code: 'ILLEGAL_STATE', context: { store: this.name } });
    this.table = await this.openTable(context);
  }

  protected get t(): ByteTable {
    const t = this.table;
    if (t === null) throw new TributaryError(`store ${this.name} is not open`, { code: 'STORE_NOT_AVAILABLE', context: { store: this.name } });
    return t;
  }

  get(key: Buffer, keyStr?: string): Buffer | undefined {
    return this.t.get(keyStr ?? keyString(key));
  }

  put(key: Buffer, value: Buffer | null, keyStr?: string, present = false): void {
    const k = keyStr ?? keyString(key);
    if (value === null) this.t.delete(k, key);
    else this.t.put(k, value, key, present);
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    const k = keyString(key);
    const old = this.t.get(k);
    if (old === undefined) this.t.put(k, value);
    return old;
  }

  delete(key: Buffer): Buffer | undefined {
    const k = keyString(key);
    const old = this.t.get(k);
    if (old !== undefined) this.t.delete(k);
    return old;
  }

  range(from: Buffer, to: Buffer): KeyValue<Buffer, Buffer>[] {
    const out: KeyValue<Buffer, Buffer>[] = [];
    const lo = keyString(from);
    const hi = keyString(to);
    if (lo > hi) return out;
    this.t.scan(lo, hi, false, (k, v) => {
      out.push({ key: keyBytes(k), value: v });
    });
    return out;
  }

  all(): KeyValue<Buffer, Buffer>[] {
    const out: KeyValue<Buffer, Buffer>[] = [];
    this.t.scan(null, null, false, (k, v) => {
      out.push({ key: keyBytes(k), value: v });
    });
    return out;
  }

  approximateNumEntries(): number {
    return this.t.size;
  }

  async restoreBatch(records: readonly RestoreRecord[]): Promise<void> {
    const t = this.t;
    for (const r of records) {
      // The record's key bytes go to the backend as they are (as its value bytes always did).
      if (r.value === null) t.delete(keyString(r.key), r.key);
      else t.put(keyString(r.key), r.value, r.key);
    }
    if (this.restoreWriteDue()) await this.flushTable();
  }

  async flush(): Promise<void> {
    if (this.table) await this.flushTable();
  }

  async close(): Promise<void> {
    if (!this.table) return;
    await this.flushTable();
    await this.closeTable();
    this.table = null;
  }
}
