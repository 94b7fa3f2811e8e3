/**
 * The record queues of one task, one per input partition, and the task's stream time.
 *
 * Choice (Kafka Streams' PartitionGroup): the next record comes from the non-empty queue whose
 * head has the lowest timestamp; ties go to the queue registered first, so the order is
 * deterministic. Stream time is the max timestamp of the records taken so far, -1 before the
 * first, and never decreases. The group does not wait for empty partitions (max.task.idle.ms = 0).
 */
import type { IncomingRecord, TopicPartition } from '../kafka/types.js';
import { RecordQueue, type QueuedBatch } from './record-queue.js';

export interface NextRecord {
  readonly record: IncomingRecord;
  readonly timestamp: number;
  readonly queue: RecordQueue;
}

export class PartitionGroup {
  private readonly queues: RecordQueue[] = [];
  private readonly byTopic = new Map<string, RecordQueue>();
  private streamTimeMs = -1;
  private buffered = 0;

  constructor(partitions: readonly TopicPartition[]) {
    for (const tp of partitions) {
      const queue = new RecordQueue(tp);
      this.queues.push(queue);
      this.byTopic.set(tp.topic, queue);
    }
  }

  /** True when the task reads a single partition: its records are taken in offset order, no choice to make. */
  get single(): boolean {
    return this.queues.length === 1;
  }

  /** The queue for a topic of this task (a task reads one partition of each of its topics). */
  queue(topic: string): RecordQueue | undefined {
    return this.byTopic.get(topic);
  }

  partitions(): TopicPartition[] {
    return this.queues.map((q) => q.tp);
  }

  add(queue: RecordQueue, record: IncomingRecord, timestamp: number): void {
    queue.push(record, timestamp);
    this.buffered++;
  }

  addBatch(queue: RecordQueue, batch: QueuedBatch): void {
    queue.pushBatch(batch);
    this.buffered += batch.cols.length;
  }

  numBuffered(): number {
    return this.buffered;
  }

  streamTime(): number {
    return this.streamTimeMs;
  }

  /** Takes the record with the lowest head timestamp across queues, advancing stream time. */
  next(): NextRecord | null {
    const queue = this.nextQueue();
    if (queue === null) return null;
    const record = queue.headRecord();
    const timestamp = queue.headTimestamp();
    this.pop(queue);
    return { record, timestamp, queue };
  }

  /**
   * The allocation-free form of `next` for the hot path: the queue whose head is next (or null).
   * Read its `headRecord()`/`headTimestamp()`, then call `pop(queue)`.
   */
  nextQueue(): RecordQueue | null {
    if (this.buffered === 0) return null;
    const queues = this.queues;
    if (queues.length === 1) return queues[0]!;
    let best: RecordQueue | null = null;
    let bestTs = 0;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i]!;
      if (q.isEmpty()) continue;
      const ts = q.headTimestamp();
      if (best === null || ts < bestTs) {
        best = q;
        bestTs = ts;
      }
    }
    return best;
  }

  /** Removes the head of `queue` (from `nextQueue`), advancing stream time to its timestamp. */
  pop(queue: RecordQueue): void {
    const ts = queue.headTimestamp();
    queue.shift();
    this.buffered--;
    if (ts > this.streamTimeMs) this.streamTimeMs = ts;
  }

  clear(): void {
    for (const q of this.queues) q.clear();
    this.buffered = 0;
  }
}
