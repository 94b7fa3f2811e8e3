import type { ByteTable } from '../internal/byte-table.js';
import { SortedKeyIndex } from '../internal/sorted-key-index.js';

/** In-memory `ByteTable`: values in a `Map`, order from a `SortedKeyIndex`. */
export class MemoryByteTable implements ByteTable {
  private readonly values = new Map<string, Buffer>();
  private readonly index = new SortedKeyIndex();

  get size(): number {
    return this.values.size;
  }

  get(key: string): Buffer | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  put(key: string, value: Buffer): void {
    if (!this.values.has(key)) this.index.add(key);
    this.values.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.values.delete(key)) return false;
    this.index.delete(key);
    return true;
  }

  scan(from: string | null, to: string | null, toExclusive: boolean, visit: (key: string, value: Buffer) => boolean | void): void {
    const values = this.values;
    this.index.scan(from, to, toExclusive, (k) => visit(k, values.get(k)!));
  }

  keys(from: string | null, to: string | null, toExclusive: boolean): string[] {
    return this.index.keys(from, to, toExclusive);
  }

  drop(): void {
    this.values.clear();
    this.index.clear();
  }
}
