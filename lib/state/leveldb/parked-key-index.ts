/**
 * Key indexes of closed LevelDB key-value stores, kept for a short while so that the next open of
 * the same store in this process (a standby handing its stores to the active task, a task revoked
 * and assigned back in one rebalance) does not read every key again: for 1M keys that read is
 * ~2 s of a failover.
 *
 * An index is parked at close only when the store holds a checkpoint marker, with the list of the
 * closed database's files (name, size, modification time); it is taken at open only when the
 * directory still lists exactly those files (checked before LevelDB opens it) and the store still
 * holds that marker. Every write to a store goes through an open handle, and every open takes (or
 * discards) what is parked for its location, so a parked index describes the closed database; a
 * store wiped, rebuilt or damaged on disk in between loads its keys as usual. What nobody opens
 * again is dropped after `PARK_MS`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SortedKeyIndex } from '../internal/sorted-key-index.js';

const PARK_MS = 15_000;

interface Parked {
  readonly marker: string;
  readonly files: string;
  readonly index: SortedKeyIndex;
  readonly timer: NodeJS.Timeout;
}

const parked = new Map<string, Parked>();

/** The database directory's files as `name:size:mtime`, sorted (empty when unreadable). */
async function filesOf(location: string): Promise<string> {
  try {
    const names = (await readdir(location)).sort();
    const parts = await Promise.all(
      names.map(async (n) => {
        const s = await stat(join(location, n));
        return `${n}:${s.size}:${s.mtimeMs}`;
      }),
    );
    return parts.join('|');
  } catch {
    return '';
  }
}

/** Keeps `index` (the keys of the store closed at `location`, which holds `marker`) for its next open. */
export async function parkKeyIndex(location: string, marker: string, index: SortedKeyIndex): Promise<void> {
  discardKeyIndex(location);
  const files = await filesOf(location);
  if (files === '') return;
  const timer = setTimeout(() => parked.delete(location), PARK_MS);
  timer.unref();
  parked.set(location, { marker, files, index, timer });
}

/**
 * Before LevelDB opens `location`: the parked entry whose files are still there unchanged (it is
 * removed from the parking either way). `confirm` it with the marker the opened store holds.
 */
export async function parkedKeyIndexFor(location: string): Promise<{ readonly marker: string; readonly index: SortedKeyIndex } | undefined> {
  const p = parked.get(location);
  if (p === undefined) return undefined;
  discardKeyIndex(location);
  return (await filesOf(location)) === p.files ? p : undefined;
}

export function discardKeyIndex(location: string): void {
  const p = parked.get(location);
  if (p === undefined) return;
  clearTimeout(p.timer);
  parked.delete(location);
}

/** Whether an index is parked for `location` (tests). */
export function keyIndexParkedAt(location: string): boolean {
  return parked.has(location);
}
