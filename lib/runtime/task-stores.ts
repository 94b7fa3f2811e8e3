/**
 * Opens a task's stores: each gets a `StateStoreContext` with the task directory
 * (`<stateDir>/<applicationId>/<taskId>`) and, when logging is on, a changelog sink that appends
 * to the task's output buffer — so changelog records travel in the task's transaction — then the
 * stores are restored from their changelogs before any record is processed.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangelogSink, StateStoreContext } from '../state/types.js';
import type { StreamTask } from './task.js';

export function taskDirectory(stateDir: string, applicationId: string, taskId: string): string {
  return join(stateDir, applicationId, taskId);
}

/** Logged store of a task, with its changelog partition (the task's partition). */
export interface LoggedStore {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
}

export async function initTaskStores(task: StreamTask, stateDir: string): Promise<LoggedStore[]> {
  const taskDir = taskDirectory(stateDir, task.context.applicationId, task.id);
  const logged: LoggedStore[] = [];
  const ctx = task.context;
  for (const def of task.subtopology.stores) {
    const store = task.stores.get(def.name)!;
    const changelog: ChangelogSink | null =
      def.changelogTopic === null ? null : changelogSink(task, def.changelogTopic);
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
  return logged;
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

/** Deletes the task's local state (after a dirty close under exactly-once: it will be restored from the changelog). */
export async function wipeTaskDirectory(stateDir: string, applicationId: string, taskId: string): Promise<void> {
  await rm(taskDirectory(stateDir, applicationId, taskId), { recursive: true, force: true });
}
