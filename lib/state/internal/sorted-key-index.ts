/**
 * An ordered set of latin1 key strings: a list of sorted chunks (each at most `MAX_CHUNK` keys),
 * so insert/delete cost a binary search plus a short splice, and range scans walk chunks in
 * order. Backends use it as the sorted key index that makes `range`/`all`/`fetchRange`
 * synchronous (LevelDB only offers synchronous point reads).
 *
 * Membership is also kept in a hash set (the same strings, ~20 more bytes per key): `has`, and
 * `add` of a key already present — every write of an existing key — cost one hash lookup instead
 * of a binary search whose ~log2(n) string comparisons each touch a different cache line
 * (measured ~40 ns vs ~250–400 ns per call at 100k keys).
 *
 * Inserts are deferred: a new key greater than every placed key is appended to the last chunk
 * (window-store segments and time-ordered keys mostly grow at the end); any other new key waits
 * in `pending` (unsorted, possibly holding deleted or repeated keys) and is placed by the next
 * ordered read (`scan`, `keys`, `last`). A store that is only written and point-read (`has`) —
 * a window segment under a tumbling aggregation, a cache nobody range-scans — never sorts. A few
 * pending keys are placed one by one (the cost of an eager insert); many are sorted once and
 * merged (linear).
 */
const MAX_CHUNK = 512;
/** Up to this many pending keys are placed by binary search; more are sorted and merged. */
const PLACE_ONE_BY_ONE = 64;

export class SortedKeyIndex {
  private chunks: string[][] = [];
  private members = new Set<string>();
  /** Members not yet placed in `chunks`, plus possibly keys deleted (or re-added) since; see `place`. */
  private pending: string[] = [];

  /** Builds an index from keys already in ascending order without duplicates. */
  static fromSorted(keys: readonly string[]): SortedKeyIndex {
    const index = new SortedKeyIndex();
    const half = MAX_CHUNK >> 1;
    for (let i = 0; i < keys.length; i += half) index.chunks.push(keys.slice(i, i + half));
    index.members = new Set(keys);
    return index;
  }

  get size(): number {
    return this.members.size;
  }

  /** Index of the first chunk whose last key is >= key (chunks.length if none). */
  private chunkFor(key: string): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      if (c[c.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static lowerBound(chunk: readonly string[], key: string): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunk[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: string): boolean {
    return this.members.has(key);
  }

  /** Adds `key`; false when it was present already. */
  add(key: string): boolean {
    const members = this.members;
    if (members.has(key)) return false;
    members.add(key);
    const chunks = this.chunks;
    if (this.pending.length === 0) {
      if (chunks.length === 0) {
        chunks.push([key]);
        return true;
      }
      const last = chunks[chunks.length - 1]!;
      if (last[last.length - 1]! < key) {
        last.push(key);
        if (last.length > MAX_CHUNK) this.split(chunks.length - 1);
        return true;
      }
    }
    const pending = this.pending;
    pending.push(key);
    // Keys deleted while pending stay in it until placed: bound them (amortized, linear merge).
    if (pending.length > 1024 && pending.length > 2 * members.size) this.place();
    return true;
  }

  /** Inserts one key that is not in `chunks` (binary search and splice). */
  private insert(key: string): void {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push([key]);
      return;
    }
    let ci = this.chunkFor(key);
    if (ci === chunks.length) {
      ci--;
      const last = chunks[ci]!;
      last.push(key);
      if (last.length > MAX_CHUNK) this.split(ci);
      return;
    }
    const chunk = chunks[ci]!;
    chunk.splice(SortedKeyIndex.lowerBound(chunk, key), 0, key);
    if (chunk.length > MAX_CHUNK) this.split(ci);
  }

  /** Whether `key` is in `chunks`. */
  private placed(key: string): boolean {
    const chunks = this.chunks;
    const ci = this.chunkFor(key);
    if (ci === chunks.length) return false;
    const chunk = chunks[ci]!;
    return chunk[SortedKeyIndex.lowerBound(chunk, key)] === key;
  }

  /**
   * Places the pending keys: those still members and not placed yet (a key deleted while
   * pending stays in `pending` until here; one re-added while pending appears twice).
   */
  private place(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    const members = this.members;
    if (pending.length <= PLACE_ONE_BY_ONE) {
      for (const k of pending) if (members.has(k) && !this.placed(k)) this.insert(k);
      return;
    }
    pending.sort();
    const placed: string[] = [];
    for (const c of this.chunks) for (const k of c) placed.push(k);
    const merged: string[] = new Array<string>(placed.length + pending.length);
    let n = 0;
    let i = 0;
    let j = 0;
    let prev: string | undefined;
    while (i < placed.length || j < pending.length) {
      let k: string;
      if (j === pending.length || (i < placed.length && placed[i]! <= pending[j]!)) k = placed[i++]!;
      else {
        k = pending[j++]!;
        if (!members.has(k)) continue;
      }
      if (k === prev) continue;
      merged[n++] = prev = k;
    }
    merged.length = n;
    const chunks: string[][] = [];
    const half = MAX_CHUNK >> 1;
    for (let c = 0; c < n; c += half) chunks.push(merged.slice(c, c + half));
    this.chunks = chunks;
  }

  private split(ci: number): void {
    const chunk = this.chunks[ci]!;
    const tail = chunk.splice(chunk.length >> 1);
    this.chunks.splice(ci + 1, 0, tail);
  }

  /** Removes `key`; false when it was absent. */
  delete(key: string): boolean {
    if (!this.members.delete(key)) return false;
    const chunks = this.chunks;
    const ci = this.chunkFor(key);
    if (ci === chunks.length) return true; // pending: dropped when placed
    const chunk = chunks[ci]!;
    const pos = SortedKeyIndex.lowerBound(chunk, key);
    if (chunk[pos] !== key) return true; // pending
    chunk.splice(pos, 1);
    if (chunk.length === 0) chunks.splice(ci, 1);
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.members = new Set();
    this.pending = [];
  }

  /**
   * Calls `visit` for every key with `from <= key` and `key <= to` (or `key < to` when
   * `toExclusive`), ascending; null bounds are open. `visit` returning false stops the scan.
   * The index must not be modified during the scan.
   */
  scan(from: string | null, to: string | null, toExclusive: boolean, visit: (key: string) => boolean | void): void {
    this.place();
    const chunks = this.chunks;
    let ci = from === null ? 0 : this.chunkFor(from);
    let pos = from === null || ci === chunks.length ? 0 : SortedKeyIndex.lowerBound(chunks[ci]!, from);
    for (; ci < chunks.length; ci++, pos = 0) {
      const chunk = chunks[ci]!;
      for (; pos < chunk.length; pos++) {
        const k = chunk[pos]!;
        if (to !== null && (toExclusive ? k >= to : k > to)) return;
        if (visit(k) === false) return;
      }
    }
  }

  /** Keys in the range, as `scan` selects them. */
  keys(from: string | null = null, to: string | null = null, toExclusive = false): string[] {
    const out: string[] = [];
    this.scan(from, to, toExclusive, (k) => {
      out.push(k);
    });
    return out;
  }

  /** Last (largest) key, or undefined. */
  last(): string | undefined {
    this.place();
    const c = this.chunks[this.chunks.length - 1];
    return c === undefined ? undefined : c[c.length - 1];
  }
}
