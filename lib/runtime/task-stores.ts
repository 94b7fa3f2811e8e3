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
import { isRestorableStore } from '../state/abilities.js';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { checkpointOffset, openTaskState, wipeTaskDir, writeCheckpoint } from '../state/checkpoint.js';
import { changelogCheckpointOffsets, restoreStores, type RestoreProgress } from '../state/restore.js';
import { TributaryError } from '../errors.js';
import type { KafkaClient } from '../kafka/types.js';
import { isMarkedStore, type ChangelogSink, type RestorableStore, type StateStore, type StateStoreContext } from '../state/types.js';
import type { RuntimeLogger } from './config.js';
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
  /** Where the reasons for distrusting local state are reported. */
  readonly logger?: RuntimeLogger;
  /** Progress of the changelog restoration of the task's stores (metrics, readiness). */
  readonly onRestoreProgress?: (task: StreamTask, progress: RestoreProgress) => void;
}

/**
 * Opens and restores the stores of `task`; returns its logged stores (for checkpoints).
 *
 * Stores are verified before the checkpoint is trusted for them: a logged persistent store that
 * cannot be opened (corrupt MANIFEST, unreadable files) or that does not hold the marker the
 * checkpoint expects (directory deleted, emptied or replaced, log truncated; see `MarkedStore`)
 * is wiped and restored from its changelog's start, under both guarantees, and the reason is
 * logged at warn. A store without a changelog that cannot be opened fails with the remedy.
 */
export async function openTaskStores(task: StreamTask, options: TaskStateOptions): Promise<LoggedStore[]> {
  const ctx = task.context;
  const taskDir = taskDirectory(options.stateDir, ctx.applicationId, task.id);
  const log = options.logger ?? (() => undefined);
  const opening = task.subtopology.stores.length > 0 ? await openTaskState(taskDir, options.exactlyOnce) : null;
  // A crash under exactly-once (no checkpoint) is routine; a corrupt checkpoint is not.
  if (opening?.reason !== undefined)
    log(opening.reason.startsWith('no checkpoint') ? 'info' : 'warn', `task ${task.id}: ${opening.reason}`, { taskId: task.id });
  const logged: LoggedStore[] = [];
  /** Logged stores whose local data the checkpoint does not vouch for: restored from the log start. */
  const distrusted = new Set<string>();
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
    const storeDir = join(taskDir, def.name);
    try {
      await store.init(storeContext);
    } catch (error) {
      if (!store.persistent) throw error;
      if (def.changelogTopic === null) {
        throw new TributaryError(
          `Store ${def.name} of task ${task.id} cannot be opened at ${storeDir} and has no changelog to restore it from: ${errorText(error)}; ` +
            'move the directory away (or delete it, losing its data) and restart',
          { code: 'STATE', cause: error, context: { taskId: task.id, store: def.name } },
        );
      }
      log(
        'warn',
        `task ${task.id}: store ${def.name} cannot be opened at ${storeDir} (${errorText(error)}); wiping it and restoring it from ${def.changelogTopic}`,
        { taskId: task.id, store: def.name },
      );
      await rm(storeDir, { recursive: true, force: true });
      await store.init(storeContext);
      distrusted.add(def.name);
      continue;
    }
    if (def.changelogTopic === null || !store.persistent || distrusted.has(def.name)) continue;
    const offset = checkpointOffset(opening?.checkpoint ?? null, def.changelogTopic, task.partition);
    if (offset === undefined) continue; // restored from the log start anyway
    const problem = markerProblem(store, opening!.markers.get(def.name));
    if (problem === null) continue;
    log(
      'warn',
      `task ${task.id}: store ${def.name} at ${storeDir} ${problem}; ignoring the checkpoint, wiping the store and restoring it from ${def.changelogTopic}`,
      { taskId: task.id, store: def.name },
    );
    await store.close();
    await rm(storeDir, { recursive: true, force: true });
    await store.init(storeContext);
    distrusted.add(def.name);
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
        checkpoint:
          task.stores.get(l.store)!.persistent && !distrusted.has(l.store) ? checkpointOffset(opening?.checkpoint ?? null, l.topic, l.partition) : undefined,
      })),
    });
  }
  return logged;
}

/** Why the checkpoint does not vouch for `store` (null: it does). Stores that keep no markers are trusted as before. */
function markerProblem(store: StateStore, expected: string | undefined): string | null {
  if (!isMarkedStore(store)) return null;
  if (expected === undefined) return 'is not covered by the checkpoint (no marker recorded for it)';
  const found = store.readMarker();
  if (found === null) return "does not hold the checkpoint's marker (missing, emptied or truncated store)";
  if (found !== expected) return `holds marker ${found}, the checkpoint expects ${expected} (the store is not the one checkpointed)`;
  return null;
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } };
  const inner = typeof e.cause?.message === 'string' ? `: ${e.cause.message}` : '';
  return `${typeof e.message === 'string' ? e.message : String(error)}${inner}`;
}

function restorable(task: StreamTask, name: string): RestorableStore {
  const store = task.stores.get(name)!;
  if (!isRestorableStore(store)) {
    throw new TributaryError(`Store ${name} has a changelog but cannot be restored (no restoreBatch)`, {
      code: 'STATE',
      context: { taskId: task.id, store: name },
    });
  }
  return store;
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

/** A fresh checkpoint marker id. */
export function newCheckpointMarker(): string {
  return randomUUID();
}

/**
 * Writes the task's checkpoint: the end offsets of its changelog partitions (call right after a
 * commit). `marker`: the id already written into the closed stores (clean close); without it a
 * fresh id is written into every open logged store that keeps markers first (after a commit, the
 * stores flushed), then recorded in the file.
 */
export async function checkpointTask(task: StreamTask, logged: readonly LoggedStore[], options: TaskStateOptions, marker?: string): Promise<void> {
  if (logged.length === 0) return;
  const id = marker ?? newCheckpointMarker();
  const markers: Record<string, string> = {};
  for (const l of logged) {
    const store = task.stores.get(l.store);
    if (store === undefined || !store.persistent || !isMarkedStore(store)) continue;
    if (marker === undefined) {
      if (!store.isOpen) continue;
      await store.writeMarker(id);
    }
    markers[l.store] = id;
  }
  const offsets = await changelogCheckpointOffsets(options.client, logged);
  await writeCheckpoint(taskDirectory(options.stateDir, task.context.applicationId, task.id), offsets, markers);
}

/** Deletes the task's local state (after a dirty close under exactly-once: the next owner restores from the changelog). */
export async function wipeTaskState(task: StreamTask, stateDir: string): Promise<void> {
  await wipeTaskDir(taskDirectory(stateDir, task.context.applicationId, task.id));
}
