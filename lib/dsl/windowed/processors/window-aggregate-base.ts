/**
 * What every window aggregation processor shares: the event-time clock (registered by store so a
 * downstream suppression reads it), the late-records router, and the wall-clock punctuation that
 * moves the clock in watermark/quiet-close modes (it requests a commit when the clock advanced,
 * so a suppression downstream gets to emit).
 */
import type { ProcessorContext } from '../../../topology/processor.js';
import { keepsStreamTime } from '../../../state/types.js';
import { EventTimeTracker, registerTracker } from '../../../time/event-time-tracker.js';
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

export interface WindowOperatorOptions<K, V> {
  readonly processorName: string;
  readonly storeName: string;
  readonly graceMs: number;
  /** How long after its end a window closes: grace; for session windows inactivity gap + grace. */
  readonly closeAfterMs: number;
  readonly eventTime: EventTime;
  readonly lateCallback: LateRecordsCallback<K, V> | null;
  /** Child receiving late records (topic output), or null. */
  readonly lateChild: string | null;
  /** Child receiving updates when a late child exists; undefined = all children. */
  readonly emitChild: string | undefined;
  /** Read at init: whether downstream needs old values. */
  readonly flags: { sendOldValues: boolean };
  /** Source topics feeding the operator (filled at build), for the watermark's partition set. */
  readonly upstream?: UpstreamTopics;
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
  const tracker = new EventTimeTracker(options.eventTime, context, inputPartitions(context, options.upstream));
  registerTracker(store, tracker);
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
