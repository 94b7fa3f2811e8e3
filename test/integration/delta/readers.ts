/**
 * Spawns the Delta readers we did not write (delta-rs via Python, Delta Kernel via Java) on a
 * table directory and returns their JSON; and Delta Kernel's writer (tables we did not write). A missing reader is an error, never a skip: run
 * `bash scripts/delta-readers/setup.sh` first (CI does).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const cache = path.join(process.env['TRIBUTARY_CACHE'] ?? path.join(os.homedir(), '.cache', 'tributary'), 'delta-kernel');

export interface ReaderOutput {
  readonly reader: string;
  readonly version: number;
  readonly numFiles: number;
  readonly partitionColumns: string[];
  readonly rows: Record<string, unknown>[];
  readonly txn: Record<string, number | null>;
  readonly history?: { version: number; operation: string }[];
  readonly deltalake?: string;
  readonly protocol?: { minReaderVersion: number; minWriterVersion: number };
  readonly addStats?: Record<string, unknown>[];
}

const SETUP_HINT = 'run `bash scripts/delta-readers/setup.sh` to install the Delta readers';

export async function readWithDeltaRs(table: string, appIds: string[] = [], filter?: [string, string, string], stats = false): Promise<ReaderOutput> {
  const args = [path.join(root, 'scripts/delta-readers/delta_rs_read.py'), table, ...appIds.flatMap((a) => ['--app-id', a])];
  if (filter) args.push('--filter', ...filter);
  if (stats) args.push('--stats');
  try {
    const { stdout } = await run(process.env['PYTHON'] ?? 'python3', args, { maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout) as ReaderOutput;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    if (/No module named 'deltalake'/.test(e.stderr ?? '')) throw new Error(`delta-rs reader missing: ${SETUP_HINT}`, { cause: err });
    throw new Error(`delta-rs failed to read ${table}: ${e.stderr ?? e.message}`, { cause: err });
  }
}

export async function readWithKernel(table: string, appIds: string[] = []): Promise<ReaderOutput> {
  if (!existsSync(path.join(cache, 'classes', 'KernelRead.class'))) throw new Error(`Delta Kernel reader missing in ${cache}: ${SETUP_HINT}`);
  const cp = `${path.join(cache, 'jars')}/*${path.delimiter}${path.join(cache, 'classes')}`;
  try {
    const { stdout } = await run(
      'java',
      ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', cp, 'KernelRead', table, ...appIds.flatMap((a) => ['--app-id', a])],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as ReaderOutput;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`Delta Kernel failed to read ${table}: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/**
 * Writes (or continues) a table with Delta Kernel's write path (scripts/delta-readers/kernel/KernelWrite.java):
 * `commits` commits of `rows` rows, a checkpoint after version `checkpointAt`. Returns the rows
 * written in commit order, in JSON form, each with `_commit` (its version).
 */
export async function writeWithKernel(table: string, commits: number, rows: number, checkpointAt: number): Promise<Record<string, unknown>[]> {
  if (!existsSync(path.join(cache, 'classes', 'KernelWrite.class'))) throw new Error(`Delta Kernel writer missing in ${cache}: ${SETUP_HINT}`);
  const cp = `${path.join(cache, 'jars')}/*${path.delimiter}${path.join(cache, 'classes')}`;
  try {
    const { stdout } = await run(
      'java',
      ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', cp, 'KernelWrite', table, String(commits), String(rows), String(checkpointAt)],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`Delta Kernel failed to write ${table}: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/** Order-independent comparison key for rows in JSON form. */
export function sortRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows
    .map((r) => ({ r, k: stable(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
}

export function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}
