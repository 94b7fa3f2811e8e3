/**
 * Commits tasks: their stores, their outputs and their input offsets, as one unit.
 *
 * ```
 *   poll ─▶ process (sync, per record) ─▶ outputs + changelog records buffered per task
 *                                               │  (sent after every loop iteration,
 *                                               │   inside the open transaction)
 *   every commit.interval.ms (a task with a pacing commit participant: when the participant is due),
 *   or on context.commit(), revocation and close:
 *
 *   ┌──────────────┐   ┌─────────────────────┐   ┌────────────────────┐   ┌──────────────────────┐
 *   │ flush stores │──▶│ commit participants │──▶│ send outputs and   │──▶│ exactly_once:        │
 *   │ (caches emit │   │ (external sinks,    │   │ changelog records  │   │  sendOffsets(last+1) │──┐
 *   │  downstream) │   │  e.g. a Delta table)│   │ (begin txn first)  │   │  commitTransaction   │  │
 *   └──────────────┘   └─────────────────────┘   └────────────────────┘   │ at_least_once:       │  │
 *                                                                         │  consumer.commit     │  │
 *                                                                         │  Offsets(last+1)     │  │
 *                                                                         └──────────────────────┘  │
 *                 ┌─────────────────────────────────────────────────────────────────────────────────┘
 *                 ▼
 *   ┌──────────────────────────────────────────────────────────────────────┐
 *   │ checkpoint: at_least_once after every commit; exactly_once only when │
 *   │ the task closes cleanly (a crash leaves no checkpoint: wipe+restore) │
 *   └──────────────────────────────────────────────────────────────────────┘
 * ```
 *
 * The committed offset of an input partition is last+1, or the consumer's position when the task
 * has processed everything fetched from it and the position is further: past the commit marker
 * that ends a transactional input (as Kafka Streams commits `consumer.position()`).
 *
 * Under exactly-once every task has its own transactional producer, id
 * `<application.id>-<taskId>` (the EOS-v1 shape); a fenced producer means another instance owns
 * the task now: `TaskMigratedError`, close the task dirty (abort, wipe state) and rejoin.
 * Under exactly_once_v2 (KIP-447) one transactional producer of the runner (the shared producer,
 * id `<application.id>-<process or group instance id>-<thread>`) sends for every task: a commit
 * commits all tasks with work in one transaction, their offsets sent with the consumer's group
 * metadata (generation, member id), so the group coordinator refuses a commit from a member of an
 * older generation (a zombie): `TaskMigratedError`, and the runner closes all tasks dirty and
 * rejoins. Pacing by commit participants is ignored under v2 (the one transaction holds every
 * task's sends, so every task with work commits with it).
 * Under at-least-once one producer sends for all tasks and offsets are committed by the consumer
 * after every send was acknowledged.
 */
import { TaskMigratedError, TributaryError } from '../errors.js';
import type { Consumer, OutgoingBatch, Producer, TopicPartition, TopicPartitionOffset } from '../kafka/types.js';
import type { StreamTask } from './task.js';

export interface CommitTargets {
  readonly groupId: string;
  readonly exactlyOnce: boolean;
  /** exactly_once_v2: `producer` is the runner's transactional producer, one transaction for all tasks. */
  readonly eosV2?: boolean;
  /** The shared producer under at-least-once and exactly_once_v2 (tasks have their own under exactly-once v1). */
  readonly producer: Producer | null;
  readonly consumer: Consumer;
  /** Called after a task's commit (checkpoint under at-least-once). */
  readonly afterCommit?: (task: StreamTask) => Promise<void>;
}

/** Sends what a task has buffered (opening its transaction under exactly-once). */
export async function sendBuffered(task: StreamTask, targets: CommitTargets): Promise<void> {
  if (task.collector.size === 0) return;
  const records = task.collector.drainBatch();
  // End-to-end latency, once per batch: its first (oldest) record's timestamp to now.
  const oldest = records.timestamps[0]!;
  if (oldest === oldest && oldest >= 0) task.metrics.endToEndLatency.observeMs(Date.now() - oldest);
  if (targets.exactlyOnce) {
    const producer = requireProducer(task);
    await guardFenced(task, async () => {
      if (!producer.inTransaction) await producer.beginTransaction();
      await sendTo(producer, records);
    });
  } else {
    await sendTo(targets.producer!, records);
    task.collector.resetInternalWrites();
  }
  task.collector.recycle(records);
}

export interface CommitTasksOptions {
  /**
   * The periodic commit: skip tasks whose commit participants pace them and are not due (unless
   * the task asked with `context.commit()`). Default false: commit every task that has work.
   */
  readonly paced?: boolean;
  readonly nowMs?: number;
}

/**
 * Runs the commit lifecycle above for `tasks`. Commit participants (external sinks, see
 * `CommitParticipant`) commit after the stores are flushed and before the task's Kafka commit:
 * a crash in between re-processes records the participant already holds, and it skips them.
 */
export async function commitTasks(tasks: readonly StreamTask[], targets: CommitTargets, options: CommitTasksOptions = {}): Promise<void> {
  const now = options.nowMs ?? Date.now();
  let due = tasks.filter(
    (t) => t.isRunning && (t.commitNeeded() || t.commitRequested) && (options.paced !== true || t.commitRequested || t.participantsDue(now)),
  );
  if (due.length === 0) return;
  if (targets.eosV2 === true) {
    // One transaction holds every task's sends: every task with work commits with it.
    due = tasks.filter((t) => t.isRunning && (t.commitNeeded() || t.commitRequested));
  }
  for (const task of due) await flushAndSend(task, targets);
  if (targets.eosV2 === true) {
    for (const task of due) await task.commitParticipants();
    await commitExactlyOnceV2(due, targets);
  } else if (targets.exactlyOnce) {
    for (const task of due) {
      await task.commitParticipants();
      await commitExactlyOnce(task, targets);
    }
  } else {
    for (const task of due) await task.commitParticipants();
    await commitAtLeastOnce(due, targets);
  }
  for (const task of due) {
    task.markCommitted();
    await targets.afterCommit?.(task);
  }
}

/**
 * Flushes a task's stores and meanwhile sends what their caches wrote down: a cache writes down
 * synchronously as its flush starts (changelog records and downstream outputs reach the
 * collector then) while LevelDB applies its batch off the main thread. Both are awaited before
 * the commit proceeds, so a flushed store has applied its batch before any commit; records
 * buffered later (by stores flushed after the first) are sent by the commit as before.
 */
async function flushAndSend(task: StreamTask, targets: CommitTargets): Promise<void> {
  const flushed = task.flushStores();
  if (task.collector.size === 0) return flushed;
  const [f, s] = await Promise.allSettled([flushed, sendBuffered(task, targets)]);
  if (f.status === 'rejected') throw f.reason;
  if (s.status === 'rejected') throw s.reason;
}

/** The consumer's position of a partition (past commit markers fetched after its last record). */
function positionOf(targets: CommitTargets): (tp: TopicPartition) => number | undefined {
  const consumer = targets.consumer;
  return (tp) => consumer.position(tp);
}

async function commitExactlyOnce(task: StreamTask, targets: CommitTargets): Promise<void> {
  const { groupId } = targets;
  const producer = requireProducer(task);
  const records = task.collector.drainBatch();
  const offsets = task.offsetsToCommit(positionOf(targets));
  if (records.length === 0 && offsets.length === 0 && !producer.inTransaction) return;
  await guardFenced(task, async () => {
    if (!producer.inTransaction) await producer.beginTransaction();
    if (records.length > 0) await sendTo(producer, records);
    if (offsets.length > 0) await producer.sendOffsets(groupId, offsets);
    await producer.commitTransaction();
  });
}

/** One transaction for all `tasks`: their remaining records, their offsets with the group metadata, commit. */
async function commitExactlyOnceV2(tasks: readonly StreamTask[], targets: CommitTargets): Promise<void> {
  const producer = targets.producer;
  if (producer === null) throw new TributaryError('exactly_once_v2 without the runner producer', { code: 'ILLEGAL_STATE' });
  const { batches, offsets } = drainTasks(tasks, targets);
  if (batches.length === 0 && offsets.length === 0 && !producer.inTransaction) return;
  try {
    if (!producer.inTransaction) await producer.beginTransaction();
    for (const batch of batches) await sendTo(producer, batch);
    if (offsets.length > 0) await producer.sendOffsets(targets.groupId, offsets, targets.consumer.groupMetadata());
    await producer.commitTransaction();
  } catch (error) {
    if (error instanceof TributaryError && (error.code === 'PRODUCER_FENCED' || error.code === 'TASK_MIGRATED')) {
      throw new TaskMigratedError(`Tasks ${tasks.map((t) => t.id).join(', ')} were migrated: ${error.message}`, {
        cause: error,
        context: { transactionalId: producer.transactionalId ?? '' },
      });
    }
    throw error;
  }
}

async function commitAtLeastOnce(tasks: readonly StreamTask[], targets: CommitTargets): Promise<void> {
  const { batches, offsets } = drainTasks(tasks, targets);
  for (const batch of batches) await sendTo(targets.producer!, batch);
  if (offsets.length > 0) await targets.consumer.commitOffsets(offsets);
}

/** Every task's buffered records (one batch per task that has any) and its offsets to commit. */
function drainTasks(tasks: readonly StreamTask[], targets: CommitTargets): { batches: OutgoingBatch[]; offsets: TopicPartitionOffset[] } {
  const batches: OutgoingBatch[] = [];
  const offsets: TopicPartitionOffset[] = [];
  for (const task of tasks) {
    const drained = task.collector.drainBatch();
    if (drained.length > 0) batches.push(drained);
    offsets.push(...task.offsetsToCommit(positionOf(targets)));
  }
  return { batches, offsets };
}

/** Sends a drained batch (by column: the seam's `OutgoingBatch`). */
function sendTo(producer: Producer, batch: OutgoingBatch): Promise<void> {
  return producer.send(batch);
}

/** Aborts the open transaction of a task that is being closed dirty; fencing is expected and ignored. */
export async function abortQuietly(task: StreamTask): Promise<void> {
  const producer = task.producer;
  if (producer === null || !producer.inTransaction) return;
  try {
    await producer.abortTransaction();
  } catch {
    // A fenced or broken producer is discarded anyway.
  }
}

function requireProducer(task: StreamTask): Producer {
  if (task.producer === null) {
    throw new TributaryError(`Task ${task.id} has no transactional producer`, { code: 'ILLEGAL_STATE', context: { taskId: task.id } });
  }
  return task.producer;
}

async function guardFenced(task: StreamTask, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof TributaryError && (error.code === 'PRODUCER_FENCED' || error.code === 'TASK_MIGRATED')) {
      throw new TaskMigratedError(`Task ${task.id} was migrated: its producer was fenced`, {
        cause: error,
        context: { taskId: task.id, transactionalId: task.producer?.transactionalId ?? '' },
      });
    }
    throw error;
  }
}
