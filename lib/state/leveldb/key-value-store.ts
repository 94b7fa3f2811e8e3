import { join } from 'node:path';
import type { StateStoreContext } from '../types.js';
import type { ByteTable } from '../internal/byte-table.js';
import { TableKeyValueStore } from '../internal/table-key-value-store.js';
import { loadKeysOrClose } from './segments.js';
import { LevelDbDatabase } from './database.js';
import type { LevelDbByteTable } from './byte-table.js';
import { parkKeyIndex, parkedKeyIndexFor } from './parked-key-index.js';

const RESTORE_BUFFERED_WRITES = 250_000;

/**
 * Persistent key-value store over bytes in LevelDB at `<taskDir>/<name>`. Point reads use
 * `getSync`; writes are buffered and written as one batch at `flush()` (each commit). `range` and
 * `all` are synchronous thanks to an in-memory sorted index of the keys, loaded at `init` (memory
 * ≈ key bytes × 2 + ~60 bytes per key).
 */
export class LevelDbKeyValueStore extends TableKeyValueStore {
  readonly persistent = true;
  readonly keepsMarkers = true;
  private db: LevelDbDatabase | null = null;
  private byteTable: LevelDbByteTable | null = null;

  readMarker(): string | null {
    return this.db?.readMarker() ?? null;
  }

  async writeMarker(id: string): Promise<void> {
    await this.db?.writeMarker(id);
  }

  protected async openTable(context: StateStoreContext): Promise<ByteTable> {
    const location = join(context.taskDir, this.name);
    // The index a close in this process parked (same files, same marker: the same data), else every key read.
    const parked = await parkedKeyIndexFor(location);
    const db = await LevelDbDatabase.open(location, this.name);
    const index = parked !== undefined && db.readMarker() === parked.marker ? parked.index : undefined;
    const table = db.table('', index ?? (await loadKeysOrClose(db)));
    this.db = db;
    this.byteTable = table;
    return table;
  }

  /** A restore's writes wait in the buffer up to this many (the last batch then reaches disk with the first commit, not before processing starts). */
  protected override restoreWriteDue(): boolean {
    return (this.db?.pendingWrites ?? 0) >= RESTORE_BUFFERED_WRITES;
  }

  protected async flushTable(): Promise<void> {
    await this.db?.flush();
  }

  protected async closeTable(): Promise<void> {
    const db = this.db;
    const table = this.byteTable;
    this.db = null;
    this.byteTable = null;
    if (db === null) return;
    const marker = db.readMarker();
    await db.close();
    // Flushed and closed: the index is exactly the database's keys. Parked only with a marker to check it by.
    if (marker !== null && table !== null) await parkKeyIndex(db.location, marker, table.keyIndex());
  }
}
