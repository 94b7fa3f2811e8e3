/** What a downstream `suppress` needs to know about a windowed aggregation's table (`KTableImpl.windowed`). */
import type { EventTimeTracker } from '../../time/event-time-tracker.js';
import type { TaskSlot } from '../../topology/task-slot.js';

export interface WindowedTableInfo {
  /** The aggregation's processor. */
  readonly processorName: string;
  readonly storeName: string;
  readonly graceMs: number;
  /** How long after its end a window closes: grace; for session windows inactivity gap + grace. */
  readonly closeAfterMs: number;
  readonly kind: 'time' | 'sliding' | 'session';
  /** The aggregation's event-time clock in each task (a suppression closes windows by it). */
  readonly clock: TaskSlot<EventTimeTracker>;
}
