/**
 * The `ProcessorContext` a processor node sees: forwards to the node's children (all, in order,
 * depth-first; or one by name), exposes the task's record metadata, stream time, wall clock and
 * stores, and schedules punctuations on the task.
 */
import { TributaryError } from '../errors.js';
import type { Cancellable, CommitParticipant, ProcessorContext, PunctuationType, Record, RecordMetadata } from '../topology/processor.js';
import type { StateStore } from '../state/types.js';
import type { TaskLocalContext, TaskSlot } from '../topology/task-slot.js';
import type { RuntimeNode } from './runtime-node.js';
import type { TaskRecordContext } from './task-record-context.js';
import { invalidForwardedTimestamp, MAX_TIMESTAMP_MS } from './timestamps.js';

export class ProcessorContextImpl implements ProcessorContext<unknown, unknown>, TaskLocalContext {
  constructor(
    private readonly task: TaskRecordContext,
    private readonly node: RuntimeNode,
    private readonly allowedStores: ReadonlySet<string>,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }

  get taskId(): string {
    return this.task.taskId;
  }

  recordMetadata(): RecordMetadata | null {
    return this.task.recordMetadata();
  }

  currentStreamTimeMs(): number {
    return this.task.streamTime();
  }

  currentSystemTimeMs(): number {
    return this.task.clock.now();
  }

  forward<K, V>(record: Record<K, V>, childName?: string): void {
    const ts = record.timestamp;
    // A safe integer in [0, MAX_TIMESTAMP_MS], before it reaches a store or a sink.
    if (!(Number.isSafeInteger(ts) && ts >= 0 && ts <= MAX_TIMESTAMP_MS)) throw invalidForwardedTimestamp(ts, this.node.name);
    if (childName === undefined) {
      // The common case inline: every child, in order (what `RuntimeNode.forward` does).
      const children = this.node.children;
      for (let i = 0; i < children.length; i++) children[i]!.process(record as Record<unknown, unknown>);
      return;
    }
    this.node.forward(record as Record<unknown, unknown>, childName);
  }

  /** The task's value of `slot`, created on first use (see `TaskSlot`). */
  taskLocal<T>(slot: TaskSlot<T>): T {
    const slots = this.task.slots;
    if (slots.has(slot)) return slots.get(slot) as T;
    const value = slot.create(this);
    slots.set(slot, value);
    return value;
  }

  getStateStore<S extends StateStore>(name: string): S {
    const store = this.allowedStores.has(name) ? this.task.stores.get(name) : this.task.globalStores.get(name);
    if (store === undefined) {
      throw new TributaryError(
        `Processor ${this.node.name} has no access to state store ${name}; connect it with connectProcessorAndStateStores or the operator's Materialized`,
        { code: 'STORE_NOT_AVAILABLE', context: { taskId: this.task.taskId, store: name } },
      );
    }
    return store as S;
  }

  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.task.scheduleFn(this.node.name, intervalMs, type, callback);
  }

  commit(): void {
    this.task.commitRequested = true;
  }

  registerCommitParticipant(participant: CommitParticipant): void {
    this.task.participants.push(participant);
  }

  /** tributary extension: counts a record an operator discarded (late, null key) in the task's `dropped` metric. */
  recordDropped(reason?: 'late'): void {
    this.task.metrics.dropped++;
    if (reason === 'late') this.task.metrics.droppedLate++;
  }
}
