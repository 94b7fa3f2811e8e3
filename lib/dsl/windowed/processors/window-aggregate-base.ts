/**
 * What every window aggregation processor shares: the event-time clock (a task slot, so a
 * downstream suppression of the same task reads the same clock), the late-records router, and the wall-clock punctuation that
 * moves the clock in watermark/quiet-close modes (it requests a commit when the clock advanced,
 * so a suppression downstream gets to emit).
 */
import type { ProcessorContext } from '../../../topology/processor.js';
import { keepsStreamTime } from '../../../state/types.js';
import { EventTimeTracker } from '../../../time/event-time-tracker.js';
import { taskLocal, TaskSlot } from '../../../topology/task-slot.js';
import type { EventTime } from '../../../time/event-time.js';
import { LateRecordRouter, type LateRecordsCallback } from '../late-records.js';
import type { UpstreamTopics } from '../operator-node.js';

/** The task's input partitions feeding the operator: partition p (from the task id `<sub>_<p>`) of each upstream topic. */
function inputPartitions(context: ProcessorContext<unknown, unknown>, upstream: UpstreamTopics | undefined): Array<{ topic: string; partition: number }> {
  if (upstream === undefined) return [];
  const m = /_(\d+)$/.exec(context.taskId);
  if (m === null) return [];
  const partition = Number(m[1]);
  return upstream.topics.map((t) => ({ topic: upstream.internal.has(t) ? `${context.applicationId}-${t}` : t, partition }));
}

/** The slot of a windowed operator's event-time clock, shared with a downstream suppression in each task. */
export function eventTimeSlot(processorName: string, eventTime: EventTime, upstream: UpstreamTopics): TaskSlot<EventTimeTracker> {
  return new TaskSlot(`event time of ${processorName}`, (context) => new EventTimeTracker(eventTime, context, inputPartitions(context, upstream)));
}

export interface WindowOperatorOptions<K, V> {
  readonly processorName: string;
  readonly storeName: string;
  readonly graceMs: number;
  /** How long after its end a window closes: grace; for session windows inactivity gap + grace. */
  readonly closeAfterMs: number;
  readonly eventTime: EventTime;
  /** The operator's clock in each task (see `eventTimeSlot`). */
  readonly clock: TaskSlot<EventTimeTracker>;
  readonly lateCallback: LateRecordsCallback<K, V> | null;
  /** Child receiving late records (topic output), or null. */
  readonly lateChild: string | null;
  /** Child receiving updates when a late child exists; undefined = all children. */
  readonly emitChild: string | undefined;
  /** Read at init: whether downstream needs old values. */
  readonly flags: { sendOldValues: boolean };
}

export interface WindowOperatorRuntime<K, V> {
  readonly tracker: EventTimeTracker;
  readonly late: LateRecordRouter<K, V>;
}

export function initWindowOperator<K, V>(
  context: ProcessorContext<unknown, unknown>,
  store: object,
  options: WindowOperatorOptions<K, V>,
): WindowOperatorRuntime<K, V> {
  const tracker = taskLocal(context, options.clock);
  // Stores are open and restored before processors init: a clock that starts over with the task
  // starts where the store's own expiry clock stands (#19: else a clean restart loses counts).
  if (keepsStreamTime(store)) tracker.seed(store.observedStreamTime);
  const interval = tracker.punctuationIntervalMs();
  if (interval !== null) {
    context.schedule(interval, 'wall-clock', (now) => {
      if (tracker.tick(now)) context.commit();
    });
  }
  const late = new LateRecordRouter<K, V>(context, options.processorName, options.graceMs, options.closeAfterMs, options.lateCallback, options.lateChild);
  return { tracker, late };
}
