/**
 * The output buffer of one task: records for sink topics, changelog records of its stores, and
 * dead-letter records, in the order they were produced. Adding is synchronous (the per-record
 * path); `drain` hands the buffered records to the task's producer at a batch boundary.
 */
import type { OutgoingRecord } from '../kafka/types.js';
import type { TaskMetrics } from './task-metrics.js';

export class RecordCollector {
  private buffer: OutgoingRecord[] = [];
  /** Internal topics (repartition) written since the last commit: the driver commits to let them flow under EOS. */
  private internalWrites = 0;

  constructor(
    private readonly metrics: TaskMetrics,
    private readonly internalTopics: ReadonlySet<string>,
  ) {}

  get size(): number {
    return this.buffer.length;
  }

  /** True when `topic` is an internal (repartition) topic. */
  isInternal(topic: string): boolean {
    return this.internalTopics.has(topic);
  }

  /** `output` for a sink that already knows whether its topic is internal (no set lookup per record). */
  outputKnown(record: OutgoingRecord, internal: boolean): void {
    this.buffer.push(record);
    this.metrics.recordsOut++;
    if (internal) this.internalWrites++;
  }

  /** A record for a sink topic. */
  output(record: OutgoingRecord): void {
    this.buffer.push(record);
    this.metrics.recordsOut++;
    if (this.internalTopics.has(record.topic)) this.internalWrites++;
  }

  changelog(record: OutgoingRecord): void {
    this.buffer.push(record);
    this.metrics.changelogRecords++;
  }

  deadLetter(record: OutgoingRecord): void {
    this.buffer.push(record);
    this.metrics.deadLettered++;
  }

  /** True when records were written to internal topics since `resetInternalWrites`. */
  hasInternalWrites(): boolean {
    return this.internalWrites > 0;
  }

  resetInternalWrites(): void {
    this.internalWrites = 0;
  }

  /** Takes everything buffered. */
  drain(): OutgoingRecord[] {
    const out = this.buffer;
    this.buffer = [];
    return out;
  }

  clear(): void {
    this.buffer = [];
    this.internalWrites = 0;
  }
}
