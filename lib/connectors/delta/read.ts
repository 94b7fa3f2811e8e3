/**
 * Reading a table back: the live files of a snapshot, decoded with parquet-wasm, with partition
 * values restored and columns missing from older files filled with null. Meant for inspection
 * (`tributary delta show`), tests and maintenance, not for large scans.
 */
import { rowToJsonForm, tableRows, toJsonForm } from './arrow-rows.js';
import { readDataFile } from './object-store.js';
import { decodeParquet } from './parquet.js';
import { parsePartitionValue } from './partition.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import type { AddAction, DeltaStructType } from './types.js';

/** A table version as `readTable` returns it: schema, partition columns, file count and all rows. */
export interface TableContents {
  readonly version: number;
  readonly schema: DeltaStructType;
  readonly partitionColumns: readonly string[];
  readonly files: number;
  /** Rows in JSON form (see arrow-rows.ts). */
  readonly rows: Record<string, unknown>[];
}

/** Rows of one data file, partition values included, in JSON form or (`writer`) writer form. */
export async function readFileRows(snapshot: Snapshot, add: AddAction, writer = false): Promise<Record<string, unknown>[]> {
  const schema = snapshot.schema!;
  const meta = snapshot.requireMetadata();
  const rows = tableRows(decodeParquet(await readDataFile(snapshot.tableDir, add.path)), writer);
  const partition: Record<string, unknown> = {};
  for (const c of meta.partitionColumns) {
    const f = schema.fields.find((x) => x.name === c)!;
    const v = parsePartitionValue(add.partitionValues[c], f.type);
    partition[c] = writer ? v : toJsonForm(f.type, v);
  }
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const f of schema.fields) out[f.name] = f.name in partition ? partition[f.name] : (r[f.name] ?? null);
    return out;
  });
}

/** All rows of the table at `version` (default latest). */
export async function readTable(tableDir: string, version?: number): Promise<TableContents> {
  const snap = await loadSnapshot(tableDir, version);
  const meta = snap.requireMetadata();
  const rows: Record<string, unknown>[] = [];
  for (const add of snap.files.values()) rows.push(...(await readFileRows(snap, add)));
  return { version: snap.version, schema: snap.schema!, partitionColumns: meta.partitionColumns, files: snap.files.size, rows };
}

export { rowToJsonForm };
