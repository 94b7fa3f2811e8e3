/**
 * Process-group bookkeeping for broker JVMs and clean-up of temp dirs left by crashed runs.
 * Linux reads /proc (zombies do not count as alive); elsewhere falls back to `kill(pid, 0)`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIR_PREFIX = 'tributary-kafka-';
export const OWNER_FILE = 'owner.json';
/** A temp dir without an owner file younger than this may be mid-creation by another process. */
const UNOWNED_GRACE_MS = 10 * 60_000;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Start time (clock ticks since boot) of a live, non-zombie process, or undefined. Linux only. */
function procStat(pid: number): { state: string; pgrp: number; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] = state (field 3), fields[2] = pgrp (field 5), fields[19] = starttime (field 22)
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

const HAS_PROC = existsSync('/proc/self/stat');

function processAlive(pid: number, startTime?: string): boolean {
  if (HAS_PROC) {
    const st = procStat(pid);
    if (!st || st.state === 'Z') return false;
    return startTime === undefined || startTime === '' || st.start === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!HAS_PROC) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (st && st.pgrp === pgid && st.state !== 'Z') members.push(pid);
  }
  return members;
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (groupMembers(pgid).length === 0) return true;
    await delay(25);
  }
  return groupMembers(pgid).length === 0;
}

export interface Owner {
  readonly ownerPid: number;
  readonly ownerStart: string;
  readonly createdAt: string;
  pgid?: number;
}

export function ownerOfSelf(): Owner {
  return { ownerPid: process.pid, ownerStart: procStat(process.pid)?.start ?? '', createdAt: new Date().toISOString() };
}

/**
 * Removes `tributary-kafka-*` temp dirs left by crashed runs: those whose owning process is gone
 * (pid + start time, so a recycled pid is not mistaken for the owner). If such a run left its JVM
 * behind, that process group is killed first — but only when its command line names that very dir.
 * Dirs of live owners, and young dirs without an owner file, are left alone. Returns removed dirs.
 */
export async function cleanStaleBrokerDirs(root: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(root, name);
    let owner: Owner | undefined;
    try {
      owner = JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')) as Owner;
    } catch {
      owner = undefined;
    }
    if (owner) {
      if (processAlive(owner.ownerPid, owner.ownerStart)) continue;
      if (owner.pgid !== undefined) {
        const orphans = groupMembers(owner.pgid).filter((pid) => commandLine(pid).includes(dir));
        if (orphans.length > 0) {
          killGroup(owner.pgid, 'SIGKILL');
          await waitGroupGone(owner.pgid, 5_000);
        }
      }
    } else {
      try {
        if (Date.now() - (await stat(dir)).mtimeMs < UNOWNED_GRACE_MS) continue;
      } catch {
        continue;
      }
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
