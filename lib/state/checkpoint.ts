/**
 * The `.checkpoint` file of a task: changelog topic/partition → next offset to read, i.e. how far
 * the local stores are known to reflect their changelogs. Written atomically (temp file, fsync,
 * rename). Under exactly-once it is written only at a clean close and deleted once read at open,
 * so a crash while running leaves no checkpoint and the task's state is wiped and restored
 * (`openTaskState`).
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '../errors.js';

export const CHECKPOINT_FILE = '.checkpoint';

export interface CheckpointEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const ckey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Checkpointed offsets by `topic`/`partition` (use `checkpointOffset`), or null when there is no file. */
export async function readCheckpoint(taskDir: string): Promise<Map<string, number> | null> {
  let text: string;
  try {
    text = await readFile(join(taskDir, CHECKPOINT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TributaryError(`cannot read ${join(taskDir, CHECKPOINT_FILE)}`, { code: 'STATE', cause: e });
  }
  try {
    const parsed = JSON.parse(text) as { version: number; offsets: CheckpointEntry[] };
    if (parsed.version !== 1 || !Array.isArray(parsed.offsets)) throw new Error(`unknown checkpoint version ${parsed.version}`);
    const out = new Map<string, number>();
    for (const e of parsed.offsets) {
      if (typeof e.topic !== 'string' || !Number.isSafeInteger(e.partition) || !Number.isSafeInteger(e.offset)) throw new Error('malformed entry');
      out.set(ckey(e.topic, e.partition), e.offset);
    }
    return out;
  } catch (e) {
    throw new TributaryError(`corrupt checkpoint file ${join(taskDir, CHECKPOINT_FILE)}; delete the task directory to restore from the changelog`, { code: 'STATE', cause: e });
  }
}

export function checkpointOffset(checkpoint: Map<string, number> | null, topic: string, partition: number): number | undefined {
  return checkpoint?.get(ckey(topic, partition));
}

/** Writes the checkpoint atomically: temp file + fsync + rename. */
export async function writeCheckpoint(taskDir: string, offsets: readonly CheckpointEntry[]): Promise<void> {
  await mkdir(taskDir, { recursive: true });
  const path = join(taskDir, CHECKPOINT_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  const body = JSON.stringify({ version: 1, offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })) });
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
  /** True when local state was discarded because it could not be trusted. */
  readonly wiped: boolean;
}

/**
 * Prepares a task directory before its stores are opened. Under exactly-once: data without a
 * checkpoint (a crash) is wiped; a checkpoint is read and then deleted, so the state is trusted
 * only until the next clean close writes a new one. At-least-once keeps data and checkpoint.
 */
export async function openTaskState(taskDir: string, exactlyOnce: boolean): Promise<TaskStateOpening> {
  await mkdir(taskDir, { recursive: true });
  const checkpoint = await readCheckpoint(taskDir).catch(async (e: unknown) => {
    if (!exactlyOnce) throw e;
    return null; // corrupt checkpoint under EOS: treat as absent
  });
  if (!exactlyOnce) return { checkpoint, wiped: false };
  if (checkpoint === null) {
    const entries = (await readdir(taskDir)).filter((e) => !e.startsWith('.checkpoint'));
    if (entries.length > 0) {
      await wipeTaskDir(taskDir);
      return { checkpoint: null, wiped: true };
    }
    return { checkpoint: null, wiped: false };
  }
  await deleteCheckpoint(taskDir);
  return { checkpoint, wiped: false };
}
