/**
 * Exactly-once Delta sink for Kafka sources. Rows are appended with their source position
 * (topic, partition, offset); `commit()` writes the files and, in the same Delta version, one
 * `txn` action per source partition: appId `<applicationId>-<topic>-<partition>`, version = the
 * last offset written. The Delta log is the source of truth: after a restart or rebalance,
 * `lastCommittedOffsets` tells the consumer where to resume (offset + 1), and rows at or below a
 * committed offset are skipped on append. Another writer committing a txn for one of our appIds
 * that overlaps our buffered offsets means we were fenced: the commit throws DELTA_CONFLICT
 * (not retriable), buffers are dropped, the snapshot is reloaded, and the caller re-seeks.
 */
import { TributaryError } from '../../errors.js';
import type { TxnFence } from './commit.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import { DeltaTableWriter, type AppendResult, type DeltaWriterOptions, type WriterCommitResult } from './table-writer.js';
import type { TxnAction } from './types.js';

/** A Kafka input position: topic, partition and offset. */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Options of a `DeltaSink`: the writer options plus the application id naming its `txn` entries. */
export interface DeltaSinkOptions extends DeltaWriterOptions {
  /** Kafka Streams `application.id`; part of every txn appId. */
  readonly applicationId: string;
}

/** Result of `DeltaSink.append`: accepted, refused with a reason, or a duplicate of an already committed offset. */
export type SinkAppendResult = AppendResult | { readonly ok: true; readonly duplicate: true };

const DUPLICATE: SinkAppendResult = { ok: true, duplicate: true };

/** The Delta `txn` app id under which a sink records its last input offset for one topic partition. */
export function txnAppId(applicationId: string, topic: string, partition: number): string {
  return `${applicationId}-${topic}-${partition}`;
}

interface Range {
  readonly topic: string;
  readonly partition: number;
  first: number;
  last: number;
}

/** Offsets already in the table, per topic and partition (the last offset written, not the next). */
export function committedOffsetsOf(snapshot: Snapshot, applicationId: string, topics: readonly string[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>(topics.map((t) => [t, new Map()]));
  for (const topic of topics) {
    const prefix = `${applicationId}-${topic}-`;
    for (const [appId, txn] of snapshot.txns) {
      if (!appId.startsWith(prefix)) continue;
      const rest = appId.slice(prefix.length);
      if (!/^\d+$/.test(rest)) continue;
      out.get(topic)!.set(Number(rest), txn.version);
    }
  }
  return out;
}

/** Reads the table's txn versions for `applicationId` and `topics` (see `committedOffsetsOf`). */
export async function lastCommittedOffsets(tableDir: string, applicationId: string, topics: readonly string[]): Promise<Map<string, Map<number, number>>> {
  return committedOffsetsOf(await loadSnapshot(tableDir), applicationId, topics);
}

/** Appends Kafka records to a Delta table exactly once: the input offsets are stored with the data (`txn` actions) and replays are skipped. */
export class DeltaSink {
  private readonly ranges = new Map<string, Range>();
  /** The txn app id of the last topic/partition asked for: consecutive rows mostly share it (one string, hashed once). */
  private lastTopic: string | undefined;
  private lastPartition = -1;
  private lastAppId = '';

  private constructor(
    readonly writer: DeltaTableWriter,
    readonly applicationId: string,
  ) {}

  static async open(options: DeltaSinkOptions): Promise<DeltaSink> {
    if (!options.applicationId) throw new TributaryError('DeltaSink needs an applicationId', { code: 'CONFIG' });
    return new DeltaSink(await DeltaTableWriter.open(options), options.applicationId);
  }

  /** Offsets already in the table per topic/partition, from the writer's snapshot. */
  lastCommittedOffsets(topics: readonly string[]): Map<string, Map<number, number>> {
    return committedOffsetsOf(this.writer.snapshot, this.applicationId, topics);
  }

  /** Re-reads the log and returns the committed offsets (use after a rebalance). */
  async refresh(topics: readonly string[]): Promise<Map<string, Map<number, number>>> {
    await this.writer.reload();
    return this.lastCommittedOffsets(topics);
  }

  /**
   * Buffers a row from `source`. Rows at or below the offset the table already holds for that
   * partition are skipped (`duplicate: true`) — but still checked, so a misfit row is reported
   * again on every replay (its dead-letter record lives in the Kafka transaction, which a crash
   * between the Delta and the Kafka commit aborts). Offsets must not decrease within a partition
   * (several rows from one input record share its offset).
   * A row that does not fit the schema returns `{ok:false, reason}` and still advances the
   * partition's position, so the committed txn covers it (it went to the dead-letter path).
   */
  append(row: Record<string, unknown>, source: SourcePosition): SinkAppendResult {
    const appId = this.appIdOf(source.topic, source.partition);
    const committed = this.writer.snapshot.txns.get(appId)?.version;
    if (committed !== undefined && source.offset <= committed) {
      const check = this.writer.validate(row);
      return check.ok ? DUPLICATE : check;
    }
    const r = this.ranges.get(appId);
    if (r && source.offset < r.last) {
      throw new TributaryError(`offset ${source.offset} is before ${r.last} already buffered for ${source.topic}-${source.partition}`, {
        code: 'ILLEGAL_STATE',
        context: { topic: source.topic, partition: source.partition, offset: source.offset },
      });
    }
    const result = this.writer.append(row);
    if (r) r.last = source.offset;
    else this.ranges.set(appId, { topic: source.topic, partition: source.partition, first: source.offset, last: source.offset });
    return result;
  }

  private appIdOf(topic: string, partition: number): string {
    if (topic !== this.lastTopic || partition !== this.lastPartition) {
      this.lastTopic = topic;
      this.lastPartition = partition;
      this.lastAppId = txnAppId(this.applicationId, topic, partition);
    }
    return this.lastAppId;
  }

  /**
   * Records that every input record of `source.topic`/`source.partition` up to `source.offset`
   * was processed, whether or not it produced a row here: the next commit records that position
   * (a txn-only version if no rows are buffered). Ignored at or below what the table holds.
   */
  advance(source: SourcePosition): void {
    const appId = this.appIdOf(source.topic, source.partition);
    const r = this.ranges.get(appId);
    if (r) {
      if (source.offset > r.last) r.last = source.offset;
      return;
    }
    const held = this.writer.snapshot.txns.get(appId)?.version;
    if (held !== undefined && source.offset <= held) return;
    this.ranges.set(appId, { topic: source.topic, partition: source.partition, first: source.offset, last: source.offset });
  }

  /** True when the next commit has positions to record (with or without rows). */
  get hasPositions(): boolean {
    return this.ranges.size > 0;
  }

  get bufferedRows(): number {
    return this.writer.bufferedRows;
  }

  get bufferedBytes(): number {
    return this.writer.bufferedBytes;
  }

  /** The source positions the next commit will record (last offset per topic-partition). */
  positions(): SourcePosition[] {
    return [...this.ranges.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: r.last }));
  }

  commitDue(now = Date.now()): boolean {
    return this.writer.commitDue(now) || (this.ranges.size > 0 && this.writer.bufferedRows === 0);
  }

  /** Commits buffered rows and the source positions they cover, atomically. */
  async commit(): Promise<WriterCommitResult | undefined> {
    const now = Date.now();
    const txns: TxnAction[] = [];
    const fences: TxnFence[] = [];
    for (const [appId, r] of this.ranges) {
      txns.push({ appId, version: r.last, lastUpdated: now });
      fences.push({ appId, fromVersion: r.first });
    }
    try {
      const res = await this.writer.commit({ txns, fences });
      this.ranges.clear();
      return res;
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'DELTA_CONFLICT' && !err.retriable) this.ranges.clear();
      throw err;
    }
  }

  /** Drops buffered rows and positions (e.g. on partition revocation); the caller re-seeks. */
  async abandon(): Promise<void> {
    this.ranges.clear();
    await this.writer.discard(false);
    await this.writer.reload();
  }
}
