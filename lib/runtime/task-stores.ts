/**
 * A task's local state over its life:
 *
 * - open: prepare the task directory (`<stateDir>/<applicationId>/<taskId>`; under exactly-once
 *   state without a checkpoint is wiped, a checkpoint is consumed), init every store with a
 *   `StateStoreContext` whose changelog sink appends to the task's output buffer — so changelog
 *   records travel in the task's transaction — then restore logged stores from their changelogs
 *   (persistent stores from the checkpoint, else the log start; in-memory stores always from the
 *   log start), all before the first record is processed;
 * - checkpoint: the changelogs' end offsets after a commit (at-least-once: every commit;
 *   exactly-once: only at a clean close);
 * - dirty close under exactly-once: wipe the directory; the next owner restores from the log.
 */
import { checkpointOffset, openTaskState, wipeTaskDir, writeCheckpoint } from '../state/checkpoint.js';
import { changelogCheckpointOffsets, restoreStores, type RestoreProgress } from '../state/restore.js';
import { TributaryError } from '../errors.js';
import type { KafkaClient } from '../kafka/types.js';
import type { ChangelogSink, RestorableStore, StateStoreContext } from '../state/types.js';
import { join } from 'node:path';
import type { StreamTask } from './task.js';

export function taskDirectory(stateDir: string, applicationId: string, taskId: string): string {
  return join(stateDir, applicationId, taskId);
}

/** A logged store of a task, with its changelog partition (the task's partition). */
export interface LoggedStore {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
}

export interface TaskStateOptions {
  readonly client: KafkaClient;
  readonly stateDir: string;
  readonly exactlyOnce: boolean;
  /** Progress of the changelog restoration of the task's stores (metrics, readiness). */
  readonly onRestoreProgress?: (task: StreamTask, progress: RestoreProgress) => void;
}

/** Opens and restores the stores of `task`; returns its logged stores (for checkpoints). */
export async function openTaskStores(task: StreamTask, options: TaskStateOptions): Promise<LoggedStore[]> {
  const ctx = task.context;
  const taskDir = taskDirectory(options.stateDir, ctx.applicationId, task.id);
  const opening = task.subtopology.stores.length > 0 ? await openTaskState(taskDir, options.exactlyOnce) : { checkpoint: null };
  const logged: LoggedStore[] = [];
  for (const def of task.subtopology.stores) {
    const store = task.stores.get(def.name)!;
    const changelog = def.changelogTopic === null ? null : changelogSink(task, def.changelogTopic);
    if (def.changelogTopic !== null) logged.push({ store: def.name, topic: def.changelogTopic, partition: task.partition });
    const storeContext: StateStoreContext = {
      applicationId: ctx.applicationId,
      taskId: task.id,
      partition: task.partition,
      taskDir,
      changelog,
      currentTimestamp: () => ctx.timestamp,
      streamTime: () => ctx.streamTime(),
    };
    await store.init(storeContext);
  }
  if (logged.length > 0) {
    await restoreStores({
      client: options.client,
      groupId: `${ctx.applicationId}-${task.id}`,
      ...(options.onRestoreProgress === undefined ? {} : { onProgress: (p: RestoreProgress) => options.onRestoreProgress!(task, p) }),
      partitions: logged.map((l) => ({
        topic: l.topic,
        partition: l.partition,
        store: restorable(task, l.store),
        // An in-memory store starts empty in every process: it replays its whole changelog.
        checkpoint: task.stores.get(l.store)!.persistent ? checkpointOffset(opening.checkpoint, l.topic, l.partition) : undefined,
      })),
    });
  }
  return logged;
}

function restorable(task: StreamTask, name: string): RestorableStore {
  const store = task.stores.get(name) as Partial<RestorableStore> & { name: string };
  if (typeof store.restoreBatch !== 'function') {
    throw new TributaryError(`Store ${name} has a changelog but cannot be restored (no restoreBatch)`, { code: 'STATE', context: { taskId: task.id, store: name } });
  }
  return store as RestorableStore;
}

function changelogSink(task: StreamTask, topic: string): ChangelogSink {
  const collector = task.collector;
  const partition = task.partition;
  return {
    topic,
    partition,
    log(key: Buffer, value: Buffer | null, timestamp: number): void {
      collector.changelog({ topic, partition, key, value, timestamp: Math.max(timestamp, 0) });
    },
  };
}

/** Writes the task's checkpoint: the end offsets of its changelog partitions (call right after a commit). */
export async function checkpointTask(task: StreamTask, logged: readonly LoggedStore[], options: TaskStateOptions): Promise<void> {
  if (logged.length === 0) return;
  const offsets = await changelogCheckpointOffsets(options.client, logged);
  await writeCheckpoint(taskDirectory(options.stateDir, task.context.applicationId, task.id), offsets);
}

/** Deletes the task's local state (after a dirty close under exactly-once: the next owner restores from the changelog). */
export async function wipeTaskState(task: StreamTask, stateDir: string): Promise<void> {
  await wipeTaskDir(taskDirectory(stateDir, task.context.applicationId, task.id));
}
