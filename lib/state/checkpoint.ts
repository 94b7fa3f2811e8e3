/**
 * The `.checkpoint` file of a task: changelog topic/partition → next offset to read, i.e. how far
 * the local stores are known to reflect their changelogs. Written atomically (temp file, fsync,
 * rename). Under exactly-once it is written only at a clean close and deleted once read at open,
 * so a crash while running leaves no checkpoint and the task's state is wiped and restored
 * (`openTaskState`).
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { unusableStateDir } from './state-directory.js';
import { TributaryError } from '../errors.js';

export const CHECKPOINT_FILE = '.checkpoint';

export interface CheckpointEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const ckey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** A parsed `.checkpoint`: offsets by `topic`/`partition` (use `checkpointOffset`) and the marker each store was given. */
export interface TaskCheckpoint {
  readonly offsets: Map<string, number>;
  /** Store name → the marker written into it with this checkpoint (version 2; empty for version 1 files). */
  readonly markers: ReadonlyMap<string, string>;
}

/** The task's checkpoint, or null when there is no file; throws a `STATE` error naming the file when it is corrupt. */
export async function readTaskCheckpoint(taskDir: string): Promise<TaskCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(join(taskDir, CHECKPOINT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TributaryError(`cannot read ${join(taskDir, CHECKPOINT_FILE)}`, { code: 'STATE', cause: e });
  }
  try {
    const parsed = JSON.parse(text) as { version: number; offsets: CheckpointEntry[]; markers?: Record<string, unknown> };
    if ((parsed.version !== 1 && parsed.version !== 2) || !Array.isArray(parsed.offsets)) throw new Error(`unknown checkpoint version ${parsed.version}`);
    const offsets = new Map<string, number>();
    for (const e of parsed.offsets) {
      if (typeof e.topic !== 'string' || !Number.isSafeInteger(e.partition) || !Number.isSafeInteger(e.offset) || e.offset < 0)
        throw new Error('malformed entry');
      offsets.set(ckey(e.topic, e.partition), e.offset);
    }
    const markers = new Map<string, string>();
    if (parsed.version === 2) {
      if (typeof parsed.markers !== 'object' || parsed.markers === null) throw new Error('malformed markers');
      for (const [store, id] of Object.entries(parsed.markers)) {
        if (typeof id !== 'string') throw new Error(`malformed marker of store ${store}`);
        markers.set(store, id);
      }
    }
    return { offsets, markers };
  } catch (e) {
    throw new TributaryError(`corrupt checkpoint file ${join(taskDir, CHECKPOINT_FILE)}: ${e instanceof Error ? e.message : String(e)}`, {
      code: 'STATE',
      cause: e,
    });
  }
}

/** Checkpointed offsets by `topic`/`partition` (use `checkpointOffset`), or null when there is no file. */
export async function readCheckpoint(taskDir: string): Promise<Map<string, number> | null> {
  return (await readTaskCheckpoint(taskDir))?.offsets ?? null;
}

export function checkpointOffset(checkpoint: Map<string, number> | null, topic: string, partition: number): number | undefined {
  return checkpoint?.get(ckey(topic, partition));
}

/**
 * Writes the checkpoint atomically: temp file + fsync + rename. `markers`: store name → the
 * marker just written into that store (see `MarkedStore`); the checkpoint vouches for a store
 * only while the store holds it.
 */
export async function writeCheckpoint(taskDir: string, offsets: readonly CheckpointEntry[], markers: Readonly<Record<string, string>> = {}): Promise<void> {
  await mkdir(taskDir, { recursive: true });
  const path = join(taskDir, CHECKPOINT_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  const body = JSON.stringify({ version: 2, offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })), markers });
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await rename(tmp, path);
}

export async function deleteCheckpoint(taskDir: string): Promise<void> {
  await unlink(join(taskDir, CHECKPOINT_FILE)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Removes everything in the task directory (stores and checkpoint), keeping the directory. */
export async function wipeTaskDir(taskDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(taskDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await Promise.all(entries.map((e) => rm(join(taskDir, e), { recursive: true, force: true })));
}

export interface TaskStateOpening {
  /** Offsets to restore from (null: restore every store from the log start). */
  readonly checkpoint: Map<string, number> | null;
  /** Store name → marker the checkpoint expects in the store (empty without a checkpoint). */
  readonly markers: ReadonlyMap<string, string>;
  /** True when local state was discarded because it could not be trusted. */
  readonly wiped: boolean;
  /** Why the state was wiped (for the log), when it was. */
  readonly reason?: string;
}

const NO_MARKERS: ReadonlyMap<string, string> = new Map();

/**
 * Prepares a task directory before its stores are opened. Under exactly-once: data without a
 * checkpoint (a crash) is wiped; a checkpoint is read and then deleted, so the state is trusted
 * only until the next clean close writes a new one. At-least-once keeps data and checkpoint.
 * A corrupt checkpoint vouches for nothing: under both guarantees the task's state is wiped
 * (and restored from the changelogs by the caller).
 */
export async function openTaskState(taskDir: string, exactlyOnce: boolean): Promise<TaskStateOpening> {
  try {
    await mkdir(taskDir, { recursive: true });
  } catch (e) {
    throw unusableStateDir(dirname(dirname(taskDir)), taskDir, e);
  }
  let read: TaskCheckpoint | null;
  try {
    read = await readTaskCheckpoint(taskDir);
  } catch (e) {
    await wipeTaskDir(taskDir);
    return {
      checkpoint: null,
      markers: NO_MARKERS,
      wiped: true,
      reason: `${e instanceof Error ? e.message : String(e)}; wiped the task's state to restore it from the changelogs`,
    };
  }
  const markers = read?.markers ?? NO_MARKERS;
  if (!exactlyOnce) return { checkpoint: read?.offsets ?? null, markers, wiped: false };
  if (read === null) {
    const entries = (await readdir(taskDir)).filter((e) => !e.startsWith('.checkpoint'));
    if (entries.length > 0) {
      await wipeTaskDir(taskDir);
      return {
        checkpoint: null,
        markers,
        wiped: true,
        reason: 'no checkpoint (the last run did not close cleanly): wiped local state to restore it from the changelogs',
      };
    }
    return { checkpoint: null, markers, wiped: false };
  }
  await deleteCheckpoint(taskDir);
  return { checkpoint: read.offsets, markers, wiped: false };
}
