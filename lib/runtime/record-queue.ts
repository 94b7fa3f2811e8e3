/**
 * A FIFO of fetched records of one input partition of a task, with each record's timestamp
 * already extracted. Records stay raw (byte ranges of fetched columns, no object per record)
 * until processed; the head timestamp is what the partition group compares. The queue is a list
 * of fetched batches with a head batch and a head index.
 */
import type { FetchedColumns, IncomingRecord, TopicPartition } from '../kafka/types.js';
import { columnsOf, recordAt } from '../kafka/columns.js';
import type { SourceNode } from './runtime-node.js';

/** A fetched batch in a queue. */
export interface QueuedBatch {
  readonly cols: FetchedColumns;
  /** The timestamp each record is ordered by (the extracted one; often `cols.timestamps` itself). */
  readonly order: ArrayLike<number>;
  /** What the task noted for record i at enqueue time (a rejection, decoded key and value), else undefined; null: nothing noted. */
  readonly notes: readonly unknown[] | null;
}

export class RecordQueue {
  private batches: QueuedBatch[] = [];
  /** Index of the head batch in `batches`. */
  private first = 0;
  private head: QueuedBatch | null = null;
  private headOrder: ArrayLike<number> = [];
  /** Index of the head record in the head batch. */
  private index = 0;
  private count = 0;
  /** Max timestamp of the records enqueued into this partition so far; -1 before any. */
  private partitionTimeMs = -1;

  /** Offset of the last record taken from this queue and not yet committed; -1 for none. */
  uncommittedOffset = -1;

  /** The task's source node for this topic (set by the task once built): no lookup per record. */
  source: SourceNode | null = null;

  constructor(readonly tp: TopicPartition) {}

  get size(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Partition time: the largest timestamp enqueued here (what timestamp extractors are given). */
  partitionTime(): number {
    return this.partitionTimeMs;
  }

  /** Enqueues one record (a batch of one). */
  push(record: IncomingRecord, timestamp: number): void {
    this.pushBatch({ cols: columnsOf(record.topic, record.partition, [record]), order: [timestamp], notes: null });
  }

  /** Enqueues a batch; `partitionTime` moves to the largest of its `order` timestamps. */
  pushBatch(batch: QueuedBatch): void {
    const n = batch.cols.length;
    if (n === 0) return;
    const order = batch.order;
    let pt = this.partitionTimeMs;
    for (let i = 0; i < n; i++) if (order[i]! > pt) pt = order[i]!;
    this.partitionTimeMs = pt;
    this.batches.push(batch);
    this.count += n;
    if (this.head === null) this.setHead();
  }

  /** Timestamp of the head record; only valid when not empty. */
  headTimestamp(): number {
    return this.headOrder[this.index]!;
  }

  /** The head batch and, `headIndex()`, the head record's index in it; only valid when not empty. */
  headBatch(): QueuedBatch {
    return this.head!;
  }

  headIndex(): number {
    return this.index;
  }

  /** The head record as an object (tests, diagnostics; the task reads `headBatch`/`headIndex`). */
  headRecord(): IncomingRecord {
    return recordAt(this.head!.cols, this.index);
  }

  /** Removes the head. */
  shift(): void {
    this.count--;
    if (++this.index < this.head!.cols.length) return;
    this.index = 0;
    const batches = this.batches;
    batches[this.first] = EMPTY;
    this.first++;
    if (this.first >= batches.length) {
      batches.length = 0;
      this.first = 0;
    } else if (this.first >= 1024 && this.first * 2 >= batches.length) {
      this.batches = batches.slice(this.first);
      this.first = 0;
    }
    this.setHead();
  }

  clear(): void {
    this.batches = [];
    this.first = 0;
    this.index = 0;
    this.count = 0;
    this.head = null;
    this.headOrder = [];
  }

  private setHead(): void {
    const head = this.first < this.batches.length ? this.batches[this.first]! : null;
    this.head = head;
    this.headOrder = head === null ? [] : head.order;
  }
}

const EMPTY: QueuedBatch = { cols: columnsOf('', -1, []), order: [], notes: null };
