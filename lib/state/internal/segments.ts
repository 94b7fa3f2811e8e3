import type { ByteTable } from './byte-table.js';

/**
 * Time-partitioned tables of a window or session store. A record at time t lives in segment
 * `floor(t / segmentIntervalMs)`. Expiry is driven by the observed stream time (max time put):
 * everything with time `< observed - retention + 1` is expired; reads skip it, puts of it are
 * dropped, and a segment is dropped as a whole (one table drop — a key-range clear in LevelDB)
 * once all of its times are expired. Nothing ever scans keys to expire them.
 */
export class Segments {
  private readonly tables = new Map<number, ByteTable>();
  /** Live segment ids, ascending. */
  private ids: number[] = [];
  observedStreamTime = -1;

  constructor(
    readonly retentionMs: number,
    readonly segmentIntervalMs: number,
    private readonly makeTable: (segmentId: number) => ByteTable,
  ) {}

  /** Kafka Streams' default: max(retention / 2, 60 s). */
  static defaultInterval(retentionMs: number): number {
    return Math.max(Math.floor(retentionMs / 2), 60_000);
  }

  segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs);
  }

  /** Smallest time that is not expired. */
  minLiveTime(): number {
    return this.observedStreamTime - this.retentionMs + 1;
  }

  /** Adds an existing table (at open). */
  adopt(segmentId: number, table: ByteTable): void {
    this.tables.set(segmentId, table);
    this.ids.push(segmentId);
    this.ids.sort((a, b) => a - b);
  }

  get(segmentId: number): ByteTable | undefined {
    return this.tables.get(segmentId);
  }

  getOrCreate(segmentId: number): ByteTable {
    let t = this.tables.get(segmentId);
    if (t === undefined) {
      t = this.makeTable(segmentId);
      this.tables.set(segmentId, t);
      const ids = this.ids;
      if (ids.length === 0 || ids[ids.length - 1]! < segmentId) ids.push(segmentId);
      else {
        ids.push(segmentId);
        ids.sort((a, b) => a - b);
      }
    }
    return t;
  }

  /** Advances observed stream time and drops the segments that are wholly expired. */
  observe(time: number): void {
    if (time <= this.observedStreamTime) return;
    this.observedStreamTime = time;
    const minLiveSegment = this.segmentId(this.minLiveTime());
    const ids = this.ids;
    let n = 0;
    while (n < ids.length && ids[n]! < minLiveSegment) {
      this.tables.get(ids[n]!)!.drop();
      this.tables.delete(ids[n]!);
      n++;
    }
    if (n > 0) this.ids = ids.slice(n);
  }

  /** Live tables with id in `[fromId, toId]`, ascending. */
  inRange(fromId: number, toId: number): Array<[number, ByteTable]> {
    const out: Array<[number, ByteTable]> = [];
    for (const id of this.ids) {
      if (id < fromId) continue;
      if (id > toId) break;
      out.push([id, this.tables.get(id)!]);
    }
    return out;
  }

  all(): Array<[number, ByteTable]> {
    return this.ids.map((id) => [id, this.tables.get(id)!]);
  }

  get segmentCount(): number {
    return this.ids.length;
  }

  dropAll(): void {
    for (const t of this.tables.values()) t.drop();
    this.tables.clear();
    this.ids = [];
  }
}
