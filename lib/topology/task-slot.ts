/**
 * State that several processors of one task share (a windowed operator's event-time clock that a
 * downstream suppression reads; the stream time both sides of a stream-stream join advance).
 * The DSL makes one `TaskSlot` per shared thing when it builds the topology and hands it to every
 * processor that shares it; at run time each task holds the slot's value (created on first use,
 * whichever processor asks first, so init order does not matter) and drops it with the task.
 * Nothing is registered globally: the task owns the values, the processors' options name the slot.
 */
import type { ProcessorContext } from './processor.js';

export class TaskSlot<T> {
  constructor(
    /** Names the shared thing (for debugging). */
    readonly description: string,
    /** Makes the task's value; `context` is the context of the first processor asking. */
    readonly create: (context: ProcessorContext<unknown, unknown>) => T,
  ) {}
}

/** A processor context that keeps its task's slot values (the runtime's does). */
export interface TaskLocalContext {
  taskLocal<T>(slot: TaskSlot<T>): T;
}

export function hasTaskLocals(context: object): context is TaskLocalContext {
  return 'taskLocal' in context && typeof context.taskLocal === 'function';
}

/**
 * The task's value of `slot`. A context that keeps no slot values (a hand-made one in a unit
 * test) gets a fresh value per call: nothing is shared there.
 */
export function taskLocal<T>(context: ProcessorContext<unknown, unknown>, slot: TaskSlot<T>): T {
  return hasTaskLocals(context) ? context.taskLocal(slot) : slot.create(context);
}
