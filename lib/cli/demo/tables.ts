/** What the demo reports about a Delta table it wrote: version, files and row count (from the log's exact stats). */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSnapshot, readTable } from '../../connectors/delta/index.js';
import { TributaryError } from '../../errors.js';

export interface TableSummary {
  readonly path: string;
  readonly version: number;
  readonly files: number;
  readonly rows: number;
}

export async function summarizeTable(path: string): Promise<TableSummary> {
  const snapshot = await loadSnapshot(path);
  if (!snapshot.exists) return { path, version: -1, files: 0, rows: 0 };
  let rows = 0;
  let exact = true;
  for (const add of snapshot.files.values()) {
    const n = add.stats ? (JSON.parse(add.stats) as { numRecords?: number }).numRecords : undefined;
    if (n === undefined) exact = false;
    else rows += n;
  }
  if (!exact) rows = (await readTable(path)).rows.length;
  return { path, version: snapshot.version, files: snapshot.files.size, rows };
}

/**
 * Removes a table a previous demo run left at `path` so this run starts from version 0 (the
 * demo's fresh broker restarts offsets at 0, which the old txn versions would skip as
 * duplicates). Refuses to delete a directory that is not a Delta table.
 */
export async function removeDemoTable(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const entries = readdirSync(path);
  if (entries.length === 0) return false;
  if (!entries.includes('_delta_log')) {
    throw new TributaryError(`${path} exists and is not a Delta table; choose another --output-dir`, { code: 'CONFIG' });
  }
  await rm(path, { recursive: true, force: true });
  return true;
}

export function demoTablePaths(outputDir: string): { bronze: string; gold: string } {
  return { bronze: join(outputDir, 'bronze', 'transactions'), gold: join(outputDir, 'gold', 'transaction_aggregates') };
}
