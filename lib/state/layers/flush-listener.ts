/**
 * How a caching layer forwards the compacted updates it writes down (at flush/commit or on
 * eviction): `newValue` null is a deletion; `oldValue` is what the store held before (null if
 * nothing, or when old values were not requested).
 */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/** Stores that may cache. */
export interface CachedStateStore<K, V> {
  /**
   * Registers the listener that receives the compacted updates. Returns true when caching is
   * enabled — the operator then forwards only through the listener; false means there is no cache
   * and the operator must forward each update itself. `sendOldValues` false skips reading the old
   * value (saves a read per flushed key).
   */
  setFlushListener(listener: FlushListener<K, V>, sendOldValues?: boolean): boolean;
  /** Removes the listener: updates are written down and forwarded to nobody (the operator feeds its consumer itself). */
  clearFlushListener?(): void;
}
