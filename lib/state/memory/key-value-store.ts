import type { ByteTable } from '../internal/byte-table.js';
import { TableKeyValueStore } from '../internal/table-key-value-store.js';
import { MemoryByteTable } from './byte-table.js';

/**
 * In-memory key-value store over bytes, sorted by key bytes. Not persistent: it starts empty at
 * every `init` and is rebuilt from its changelog by restoration.
 */
export class InMemoryKeyValueStore extends TableKeyValueStore {
  readonly persistent = false;

  protected async openTable(): Promise<ByteTable> {
    return new MemoryByteTable();
  }

  protected async flushTable(): Promise<void> {}

  protected async closeTable(): Promise<void> {}
}
