/**
 * A summary of a table for people (`tributary delta show`): the current version, live files and
 * rows per partition, and the history still in the log with the files and rows each commit added
 * or removed and the txn (Kafka positions) it recorded. Row counts come from the `numRecords`
 * stats; a file without them is opened and counted, so the figures are exact.
 */
import { decodeParquet } from './parquet.js';
import { readDataFile } from './object-store.js';
import { partitionDirectory } from './partition.js';
import { listLog, readCommit } from './log-store.js';
import { loadSnapshot } from './snapshot.js';
import type { AddAction, CommitInfoAction, TxnAction } from './types.js';

/** Files, rows and bytes of one partition of a table. */
export interface PartitionSummary {
  /** `col=value/...` directory, '' for an unpartitioned table. */
  readonly partition: string;
  readonly files: number;
  readonly rows: number;
  readonly bytes: number;
}

/** One version of a table as `inspectTable` reports it: time, operation, files added and removed, rows added and txn actions. */
export interface VersionSummary {
  readonly version: number;
  readonly timestamp: number | undefined;
  readonly operation: string | undefined;
  readonly filesAdded: number;
  readonly filesRemoved: number;
  /** Rows in added files with dataChange=true (new data; compaction rewrites are not counted). */
  readonly rowsAdded: number;
  readonly txns: readonly TxnAction[];
}

/** What `inspectTable` reports: location, version, name, partition columns, files, rows, bytes, per-partition figures and history. */
export interface TableSummary {
  readonly tableDir: string;
  readonly version: number;
  readonly name: string | null | undefined;
  readonly partitionColumns: readonly string[];
  readonly files: number;
  readonly rows: number;
  readonly bytes: number;
  readonly partitions: readonly PartitionSummary[];
  /** Newest first, at most `limit`. */
  readonly history: readonly VersionSummary[];
}

async function rowsOf(tableDir: string, add: AddAction): Promise<number> {
  if (add.stats) {
    const n = (JSON.parse(add.stats) as { numRecords?: unknown }).numRecords;
    if (typeof n === 'number') return n;
  }
  return decodeParquet(await readDataFile(tableDir, add.path)).numRows;
}

/** Summarizes the table at its latest version; `limit` bounds the history (default 20). */
export async function describeTable(tableDir: string, options: { readonly limit?: number } = {}): Promise<TableSummary> {
  const snap = await loadSnapshot(tableDir);
  const meta = snap.requireMetadata();
  const parts = new Map<string, { files: number; rows: number; bytes: number }>();
  let rows = 0;
  let bytes = 0;
  for (const add of snap.files.values()) {
    const n = await rowsOf(tableDir, add);
    const key = partitionDirectory(meta.partitionColumns, add.partitionValues);
    const p = parts.get(key) ?? { files: 0, rows: 0, bytes: 0 };
    p.files++;
    p.rows += n;
    p.bytes += add.size;
    parts.set(key, p);
    rows += n;
    bytes += add.size;
  }
  const limit = options.limit ?? 20;
  const { commits } = await listLog(tableDir);
  const history: VersionSummary[] = [];
  for (let k = commits.length - 1; k >= 0 && history.length < limit; k--) {
    const v = commits[k]!;
    const actions = await readCommit(tableDir, v);
    let info: CommitInfoAction | undefined;
    let filesAdded = 0;
    let filesRemoved = 0;
    let rowsAdded = 0;
    const txns: TxnAction[] = [];
    for (const a of actions) {
      if ('commitInfo' in a) info = a.commitInfo;
      else if ('add' in a) {
        filesAdded++;
        if (a.add.dataChange) rowsAdded += await rowsOf(tableDir, a.add).catch(() => 0);
      } else if ('remove' in a) filesRemoved++;
      else if ('txn' in a) txns.push(a.txn);
    }
    history.push({ version: v, timestamp: info?.timestamp, operation: info?.operation, filesAdded, filesRemoved, rowsAdded, txns });
  }
  return {
    tableDir,
    version: snap.version,
    name: meta.name,
    partitionColumns: meta.partitionColumns,
    files: snap.files.size,
    rows,
    bytes,
    partitions: [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([partition, p]) => ({ partition, ...p })),
    history,
  };
}
