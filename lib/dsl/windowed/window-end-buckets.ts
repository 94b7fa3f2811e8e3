/**
 * The pending windows of a derived final-results buffer (see suppression-buffer.ts), grouped by
 * window end: one bucket per end (all of its windows share the start, time windows having one
 * size), holding per key the latest aggregate and timestamp, in first-buffered order. A binary
 * min-heap orders the distinct ends. Keys that are strings or numbers are their own map keys; any
 * other key is identified by its serialized bytes.
 *
 * Why not one map of all windows: a lookup per update in a map of every open window (10k keys
 * × 11 windows in the seed's job) costs a composite key string and a cache miss; here it is a
 * lookup in the bucket of the update's window (usually the one used last) by the key itself.
 */
import type { Windowed } from '../../state/types.js';
import { TimeHeap } from './time-heap.js';

export interface Pending<K, V> {
  /** The key object when the map key is its serialized form; undefined when the map key is the key. */
  readonly key: K | undefined;
  readonly id: unknown;
  readonly start: number;
  value: V;
  timestamp: number;
  /** Changed since the last `drainDirty` (only tracked for `put(..., dirty = true)`). */
  dirty: boolean;
}

interface Bucket<K, V> {
  readonly end: number;
  readonly start: number;
  readonly windows: Map<unknown, Pending<K, V>>;
  /** Set while the bucket is being polled. */
  cursor: Iterator<[unknown, Pending<K, V>]> | null;
  polled: number;
}

export interface PolledWindow<K, V> {
  readonly key: Windowed<K>;
  readonly value: V;
  readonly timestamp: number;
  readonly end: number;
}

export class WindowEndBuckets<K, V> {
  private readonly buckets = new Map<number, Bucket<K, V>>();
  private readonly ends = new TimeHeap();
  private front: Bucket<K, V> | null = null;
  private last: Bucket<K, V> | null = null;
  private count = 0;
  private dirty: Pending<K, V>[] = [];

  /** `identify`: a unique string for a key that is neither a string nor a number (e.g. its serialized bytes as latin1). */
  constructor(private readonly identify: (key: K, start: number, end: number) => string) {}

  get size(): number {
    return this.count;
  }

  /** The pending window `[start, end)` of `key`, or undefined. */
  get(key: K, start: number, end: number): Pending<K, V> | undefined {
    const b = this.last !== null && this.last.end === end ? this.last : this.buckets.get(end);
    if (b === undefined) return undefined;
    this.last = b;
    const t = typeof key;
    return b.windows.get(t === 'string' || t === 'number' ? key : this.identify(key, start, end));
  }

  /**
   * Sets the window `[start, end)` of `key` to `value` (first time: appended to its bucket).
   * `dirty`: remember it for the next `drainDirty`. `known`: the entry `get` just returned for it.
   */
  put(key: K, start: number, end: number, value: V, timestamp: number, dirty = false, known?: Pending<K, V>): void {
    let p = known;
    if (p === undefined) {
      let b = this.last;
      if (b === null || b.end !== end) {
        b = this.buckets.get(end) ?? this.addBucket(start, end);
        this.last = b;
      }
      const t = typeof key;
      const id: unknown = t === 'string' || t === 'number' ? key : this.identify(key, start, end);
      p = b.windows.get(id);
      if (p === undefined) {
        p = { key: id === key ? undefined : key, id, start, value, timestamp, dirty: false };
        b.windows.set(id, p);
        this.count++;
      }
    }
    p.value = value;
    p.timestamp = timestamp;
    if (dirty && !p.dirty) {
      p.dirty = true;
      this.dirty.push(p);
    }
  }

  /** Windows changed since the last `drainDirty`. */
  get dirtyCount(): number {
    return this.dirty.length;
  }

  /**
   * Hands every window changed since the last call to `write` (in first-changed order); the
   * entry itself carries `value` and `timestamp` (read it during the call only).
   */
  drainDirty(write: (key: K, start: number, entry: Pending<K, V>) => void): void {
    const dirty = this.dirty;
    this.dirty = [];
    for (const p of dirty) {
      p.dirty = false;
      write(p.key === undefined ? (p.id as K) : p.key, p.start, p);
    }
  }

  /** The smallest end with a window still pending, or +Infinity (drops polled-out buckets). */
  minEnd(): number {
    for (;;) {
      const b = this.front;
      if (b === null) return Number.POSITIVE_INFINITY;
      if (b.polled < b.windows.size) return b.end;
      this.dropFront();
    }
  }

  /** Removes and returns the first-buffered window of the smallest end, or undefined. */
  poll(): PolledWindow<K, V> | undefined {
    if (this.minEnd() === Number.POSITIVE_INFINITY) return undefined;
    const b = this.front!;
    b.cursor ??= b.windows.entries();
    const p = (b.cursor.next().value as [unknown, Pending<K, V>])[1];
    b.polled++;
    this.count--;
    return {
      key: { key: p.key === undefined ? (p.id as K) : p.key, window: { start: b.start, end: b.end } },
      value: p.value,
      timestamp: p.timestamp,
      end: b.end,
    };
  }

  clear(): void {
    this.buckets.clear();
    this.ends.clear();
    this.front = this.last = null;
    this.count = 0;
    this.dirty = [];
  }

  private addBucket(start: number, end: number): Bucket<K, V> {
    const bucket: Bucket<K, V> = { end, start, windows: new Map(), cursor: null, polled: 0 };
    this.buckets.set(end, bucket);
    if (this.ends.push(end)) this.front = bucket;
    return bucket;
  }

  private dropFront(): void {
    const b = this.front!;
    this.buckets.delete(b.end);
    if (this.last === b) this.last = null;
    const next = this.ends.pop();
    this.front = next === undefined ? null : this.buckets.get(next)!;
  }
}
