/**
 * A synchronous ordered map from key bytes (as latin1 strings) to value bytes: the unit both
 * backends provide. The in-memory table keeps values in a `Map`; the LevelDB table keeps them in
 * LevelDB (read with `getSync`, written as one batch at flush). Both keep a `SortedKeyIndex`
 * so ordered scans are synchronous.
 */
export interface ByteTable {
  get(key: string): Buffer | undefined;
  /**
   * `bytes`, when the caller has them, are the bytes of `key` (a backend may keep them; never
   * modified). `present` true promises the table holds `key` already (see `KeyValueBytesStore`).
   */
  put(key: string, value: Buffer, bytes?: Buffer, present?: boolean): void;
  /** True when the key existed. */
  delete(key: string, bytes?: Buffer): boolean;
  has(key: string): boolean;
  /** Calls `visit(key, value)` ascending for keys in the range (see `SortedKeyIndex.scan`); false stops. */
  scan(from: string | null, to: string | null, toExclusive: boolean, visit: (key: string, value: Buffer) => boolean | void): void;
  /** Keys only, ascending, same bounds as `scan`. */
  keys(from: string | null, to: string | null, toExclusive: boolean): string[];
  readonly size: number;
  /** Removes every entry (a whole segment at once). */
  drop(): void;
}
