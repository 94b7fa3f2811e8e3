/**
 * The `_delta_log` of a table, wherever the table lives (a local directory or `s3://…`, see
 * object-store.ts): listing versions and checkpoints, reading commit files, and the atomic
 * put-if-absent commit (locally: temp file, then `link` to the version name, EEXIST = another
 * writer won that version; on S3: a conditional PUT, 412 = the same).
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TributaryError } from '../../errors.js';
import { tableStore } from './object-store.js';
import type { Action } from './types.js';

export const LOG_DIR = '_delta_log';

export function logDir(tableDir: string): string {
  return path.join(tableDir, LOG_DIR);
}

export function commitFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

export function checkpointFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.checkpoint.parquet`;
}

export interface CheckpointRef {
  readonly version: number;
  /** File names of the checkpoint (one, or all parts of a multi-part checkpoint). */
  readonly files: readonly string[];
}

export interface LogListing {
  /** Commit versions present as JSON files, ascending. */
  readonly commits: readonly number[];
  /** Complete checkpoints, ascending by version. */
  readonly checkpoints: readonly CheckpointRef[];
}

const COMMIT_RE = /^(\d{20})\.json$/;
const CHECKPOINT_RE = /^(\d{20})\.checkpoint\.parquet$/;
const MULTIPART_RE = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;

export async function listLog(tableDir: string): Promise<LogListing> {
  const names = await tableStore(tableDir).list(LOG_DIR);
  const commits: number[] = [];
  const single: CheckpointRef[] = [];
  const parts = new Map<string, { version: number; total: number; files: string[] }>();
  for (const n of names) {
    let m = COMMIT_RE.exec(n);
    if (m) {
      commits.push(Number(m[1]));
      continue;
    }
    m = CHECKPOINT_RE.exec(n);
    if (m) {
      single.push({ version: Number(m[1]), files: [n] });
      continue;
    }
    m = MULTIPART_RE.exec(n);
    if (m) {
      const key = `${m[1]}/${m[3]}`;
      const e = parts.get(key) ?? { version: Number(m[1]), total: Number(m[3]), files: [] };
      e.files.push(n);
      parts.set(key, e);
    }
  }
  const multi = [...parts.values()].filter((p) => p.files.length === p.total).map((p) => ({ version: p.version, files: p.files.sort() }));
  commits.sort((a, b) => a - b);
  return { commits, checkpoints: [...single, ...multi].sort((a, b) => a.version - b.version) };
}

export function parseActions(text: string, where: string): Action[] {
  const out: Action[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Action);
    } catch (err) {
      throw new TributaryError(`corrupt Delta log file ${where}`, { code: 'DELTA', cause: err });
    }
  }
  return out;
}

export async function readCommit(tableDir: string, version: number): Promise<Action[]> {
  const store = tableStore(tableDir);
  const rel = `${LOG_DIR}/${commitFileName(version)}`;
  return parseActions(Buffer.from(await store.read(rel)).toString('utf8'), store.describe(rel));
}

export function serializeActions(actions: readonly Action[]): string {
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}

/**
 * Writes `actions` as version `version` if, and only if, no such version exists yet.
 * Returns false when another writer already committed that version.
 */
export async function putCommitIfAbsent(tableDir: string, version: number, actions: readonly Action[]): Promise<boolean> {
  const store = tableStore(tableDir);
  try {
    return await store.putIfAbsent(`${LOG_DIR}/${commitFileName(version)}`, serializeActions(actions));
  } catch (err) {
    throw new TributaryError(`cannot commit version ${version} to ${store.describe(LOG_DIR)}`, {
      code: 'DELTA',
      cause: err,
      retriable: true,
      context: { table: tableDir, version },
    });
  }
}

/** Writes (replacing) a file of the log directory, e.g. `_last_checkpoint`, atomically for readers. */
export async function writeLogFile(tableDir: string, name: string, data: string | Uint8Array): Promise<void> {
  await tableStore(tableDir).write(`${LOG_DIR}/${name}`, data);
}

/** Reads a file of the log directory (undefined when absent). */
export async function readLogFile(tableDir: string, name: string): Promise<Uint8Array | undefined> {
  return tableStore(tableDir).readIfExists(`${LOG_DIR}/${name}`);
}

/** Writes a file via temp + rename (replacing any previous one atomically). */
export async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}`)}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}
