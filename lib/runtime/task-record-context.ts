/**
 * What the nodes of one task share while a record (or a punctuation) is being processed: the
 * input record's metadata and timestamp, the stream time, the wall clock, stores, the output
 * collector and the punctuation queues. One instance per task; nodes hold a reference.
 */
import type { Headers } from '../kafka/types.js';
import type { Cancellable, CommitParticipant, PunctuationType, RecordMetadata } from '../topology/processor.js';
import type { RecordContext } from '../topology/types.js';
import type { StateStore } from '../state/types.js';
import type { TaskSlot } from '../topology/task-slot.js';
import type { Clock } from './clock.js';
import { DecodedValueMemo } from './decoded-value-memo.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskMetrics } from './task-metrics.js';

const NO_HEADERS: Headers = Object.freeze({}) as Headers;

export interface TaskRecordContextOptions {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly clock: Clock;
  readonly collector: RecordCollector;
  readonly metrics: TaskMetrics;
  readonly streamTime: () => number;
  readonly schedule: (nodeName: string, intervalMs: number, type: PunctuationType, callback: (ts: number) => void) => Cancellable;
  readonly partitionsFor: (topic: string) => number | undefined;
}

export class TaskRecordContext implements RecordContext {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition0: number;
  readonly clock: Clock;
  readonly collector: RecordCollector;
  readonly metrics: TaskMetrics;
  readonly streamTime: () => number;
  readonly scheduleFn: TaskRecordContextOptions['schedule'];
  readonly partitionsFor: (topic: string) => number | undefined;
  readonly stores = new Map<string, StateStore>();
  /** Global stores, readable from every processor. */
  readonly globalStores = new Map<string, StateStore>();
  /** Values shared by processors of this task, by slot (see `TaskSlot`); dropped with the task. */
  readonly slots = new Map<TaskSlot<unknown>, unknown>();
  /** External systems committed with the task (see `CommitParticipant`). */
  readonly participants: CommitParticipant[] = [];

  // The current input record (null topic inside punctuations and flushes).
  topic: string | null = null;
  partition: number | null = null;
  offset: number | null = null;
  timestamp = -1;
  headers: Headers = NO_HEADERS;
  commitRequested = false;
  /**
   * Serialize once: the key of the current input record as decoded, its bytes and serde. A sink
   * writing this same (primitive) key with the same topic-independent serde reuses the bytes.
   */
  sourceKey: unknown = undefined;
  /** The key bytes are `sourceKeyChunk[sourceKeyStart, sourceKeyEnd)` (null chunk: null key). */
  sourceKeyChunk: Buffer | null = null;
  sourceKeyStart = 0;
  sourceKeyEnd = 0;
  sourceKeySerde: unknown = null;
  /** Serialize-once for values: the last value a source decoded, for sinks that may reuse its bytes. */
  readonly decodedValues = new DecodedValueMemo();

  constructor(options: TaskRecordContextOptions) {
    this.applicationId = options.applicationId;
    this.taskId = options.taskId;
    this.partition0 = options.partition;
    this.clock = options.clock;
    this.collector = options.collector;
    this.metrics = options.metrics;
    this.streamTime = options.streamTime;
    this.scheduleFn = options.schedule;
    this.partitionsFor = options.partitionsFor;
  }

  setRecord(topic: string, partition: number, offset: number, timestamp: number, headers: Headers): void {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.headers = headers;
  }

  /** No input record: punctuation or store flush at `timestamp`. */
  setNoRecord(timestamp: number): void {
    this.sourceKeySerde = null;
    this.topic = null;
    this.partition = null;
    this.offset = null;
    this.timestamp = timestamp;
    this.headers = NO_HEADERS;
  }

  recordMetadata(): RecordMetadata | null {
    if (this.topic === null) return null;
    return { topic: this.topic, partition: this.partition!, offset: this.offset! };
  }
}
