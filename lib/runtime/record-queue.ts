/**
 * A FIFO of fetched records of one input partition of a task, with each record's timestamp
 * already extracted. Records stay raw (bytes) until processed; the head timestamp is what the
 * partition group compares. Array with a moving head: push/shift are O(1) amortized.
 */
import type { IncomingRecord, TopicPartition } from '../kafka/types.js';
import type { SourceNode } from './runtime-node.js';

export class RecordQueue {
  private records: IncomingRecord[] = [];
  private timestamps: number[] = [];
  private head = 0;
  /** Max timestamp of the records enqueued into this partition so far; -1 before any. */
  private partitionTimeMs = -1;

  /** Offset of the last record taken from this queue and not yet committed; -1 for none. */
  uncommittedOffset = -1;

  /** The task's source node for this topic (set by the task once built): no lookup per record. */
  source: SourceNode | null = null;

  constructor(readonly tp: TopicPartition) {}

  get size(): number {
    return this.records.length - this.head;
  }

  isEmpty(): boolean {
    return this.head >= this.records.length;
  }

  /** Partition time: the largest timestamp enqueued here (what timestamp extractors are given). */
  partitionTime(): number {
    return this.partitionTimeMs;
  }

  push(record: IncomingRecord, timestamp: number): void {
    this.records.push(record);
    this.timestamps.push(timestamp);
    if (timestamp > this.partitionTimeMs) this.partitionTimeMs = timestamp;
  }

  /** Timestamp of the head record; only valid when not empty. */
  headTimestamp(): number {
    return this.timestamps[this.head]!;
  }

  headRecord(): IncomingRecord {
    return this.records[this.head]!;
  }

  /** Removes the head. Compacts the backing arrays when the consumed prefix grows large. */
  shift(): void {
    this.head++;
    if (this.head >= this.records.length) {
      this.records.length = 0;
      this.timestamps.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.timestamps = this.timestamps.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.records = [];
    this.timestamps = [];
    this.head = 0;
  }
}
