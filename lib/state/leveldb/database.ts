import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { TributaryError } from '../../errors.js';
import { keyBytes, keyString, prefixEnd } from '../internal/bytes.js';
import { LevelDbByteTable } from './byte-table.js';

type Db = ClassicLevel<Buffer, Buffer>;

/**
 * One LevelDB database of a store, shared by its tables (a key-value store has one table with
 * prefix ''; a window/session store has one table per segment, prefixed by the 8-byte segment id).
 *
 * Writes are buffered in `pending` (latin1 full key → value, null = delete) and reach LevelDB as
 * ONE batch in `flush()`; whole-table drops are queued as `clear({gte,lt})` ranges and run
 * before that batch. Reads check the pending and in-flight buffers, then `getSync`.
 */
export class LevelDbDatabase {
  pending = new Map<string, Buffer | null>();
  private inflight: Map<string, Buffer | null> | null = null;
  private clears: Array<[string, string | null]> = [];
  private flushing: Promise<void> | null = null;

  private constructor(
    private readonly db: Db,
    readonly location: string,
  ) {}

  static async open(location: string, store: string): Promise<LevelDbDatabase> {
    try {
      await mkdir(location, { recursive: true });
      const db: Db = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      await db.open();
      return new LevelDbDatabase(db, location);
    } catch (e) {
      throw new TributaryError(`cannot open LevelDB store at ${location}`, { code: 'STATE', cause: e, context: { store } });
    }
  }

  /** Every key in the database as latin1 strings, ascending. Used once at open to build the key indexes. */
  async loadKeys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.db.keys()) out.push(keyString(k));
    return out;
  }

  table(prefix: string, sortedKeys: readonly string[] = []): LevelDbByteTable {
    return new LevelDbByteTable(this, prefix, sortedKeys);
  }

  /** The stored value of a full key, honouring buffered writes. */
  read(fullKey: string): Buffer | undefined {
    const p = this.pending.get(fullKey);
    if (p !== undefined) return p ?? undefined;
    if (this.inflight !== null) {
      const f = this.inflight.get(fullKey);
      if (f !== undefined) return f ?? undefined;
    }
    return this.db.getSync(keyBytes(fullKey));
  }

  /** Queues the removal of every key starting with `prefix` (a segment drop). */
  dropPrefix(prefix: string): void {
    for (const k of this.pending.keys()) if (k.startsWith(prefix)) this.pending.delete(k);
    this.clears.push([prefix, prefixEnd(prefix)]);
  }

  get pendingWrites(): number {
    return this.pending.size;
  }

  /** Applies queued clears, then all buffered writes as one batch. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0 && this.clears.length === 0) return;
    const ops = this.pending;
    const clears = this.clears;
    this.pending = new Map();
    this.clears = [];
    this.inflight = ops;
    this.flushing = (async () => {
      try {
        for (const [gte, lt] of clears) {
          await this.db.clear(lt === null ? { gte: keyBytes(gte) } : { gte: keyBytes(gte), lt: keyBytes(lt) });
        }
        if (ops.size > 0) {
          const batch = new Array<{ type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer }>(ops.size);
          let i = 0;
          for (const [k, v] of ops) batch[i++] = v === null ? { type: 'del', key: keyBytes(k) } : { type: 'put', key: keyBytes(k), value: v };
          await this.db.batch(batch);
        }
      } finally {
        this.inflight = null;
        this.flushing = null;
      }
    })();
    await this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.db.close();
  }
}
