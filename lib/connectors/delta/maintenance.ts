/**
 * Table maintenance. `optimize` compacts small files per partition: it bin-packs files below
 * `minFileSize` up to `targetFileSize`, rewrites each bin as one file, and commits `remove` +
 * `add` with dataChange=false (readers of the change stream see nothing new). `vacuum` deletes
 * files no longer referenced by the table once they are older than the retention period
 * (default and minimum: the table's `delta.deletedFileRetentionDuration`, 7 days), refusing a
 * shorter retention unless forced.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TributaryError } from '../../errors.js';
import { commitActions, parseInterval } from './commit.js';
import { LOG_DIR } from './log-store.js';
import { codecSuffix, encodeParquet, type ParquetCodec } from './parquet.js';
import { encodeAddPath, partitionDirectory, resolveInTable } from './partition.js';
import { assertWritable } from './protocol.js';
import { readFileRows } from './read.js';
import { RowBuffer } from './row-buffer.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import { DEFAULT_NUM_INDEXED_COLS } from './stats.js';
import type { Action, AddAction } from './types.js';
import { isS3Location } from './s3-store.js';

function refuseRemote(tableDir: string, op: string): void {
  if (isS3Location(tableDir))
    throw new TributaryError(`${op} of ${tableDir}: maintenance of tables on object storage is not implemented yet (local tables only)`, {
      code: 'NOT_IMPLEMENTED',
      context: { table: tableDir },
    });
}

/** Options of `optimizeTable`: which files count as small, the target file size and the compression codec. */
export interface OptimizeOptions {
  /** Files smaller than this are compacted (default 3/4 of the target). */
  readonly minFileSize?: number;
  /** Upper bound of the summed input size of one output file (default 256 MiB). */
  readonly targetFileSize?: number;
  readonly codec?: ParquetCodec;
}

/** What `optimizeTable` did: the new version (if any), files removed and added, and rows rewritten. */
export interface OptimizeResult {
  readonly version: number | undefined;
  readonly filesRemoved: number;
  readonly filesAdded: number;
  readonly rows: number;
}

/** Compacts small files per partition in one commit (operation OPTIMIZE). */
export async function optimize(tableDir: string, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  refuseRemote(tableDir, 'optimize');
  const snap = await loadSnapshot(tableDir);
  const meta = snap.requireMetadata();
  assertWritable(snap.protocol!, meta, snap.schema!, tableDir);
  // The plan refuses, before anything is written, a log naming a file outside the table.
  const plan = planFrom(snap, tableDir, options);
  const target = plan.targetFileSize;
  const work = plan.bins;
  if (work.length === 0) return { version: undefined, filesRemoved: 0, filesAdded: 0, rows: 0 };

  const dataFields = snap.schema!.fields.filter((f) => !meta.partitionColumns.includes(f.name));
  const numIndexed = Number(meta.configuration['delta.dataSkippingNumIndexedCols'] ?? DEFAULT_NUM_INDEXED_COLS);
  const codec = options.codec ?? 'zstd';
  const runId = randomUUID();
  const actions: Action[] = [];
  const written: string[] = [];
  let rows = 0;
  const now = Date.now();
  try {
    for (const [k, bin] of work.entries()) {
      const buf = new RowBuffer(dataFields, meta.partitionColumns);
      for (const add of bin.files) {
        for (const row of await readFileRows(snap, add, true)) {
          const reason = buf.append(row);
          if (reason) throw new TributaryError(`optimize: a row of ${add.path} does not fit the table schema: ${reason}`, { code: 'DELTA' });
        }
      }
      const stats = buf.stats(numIndexed);
      const n = buf.length;
      const bytes = encodeParquet(buf.finish(), { codec });
      const name = `part-${String(k).padStart(5, '0')}-${runId}-c000${codecSuffix(codec)}.parquet`;
      const addPath = encodeAddPath(bin.dir ? `${bin.dir}/${name}` : name);
      const full = resolveInTable(tableDir, addPath);
      await fs.mkdir(path.dirname(full), { recursive: true });
      await fs.writeFile(full, bytes, { flag: 'wx' });
      written.push(full);
      rows += n;
      const partitionValues = bin.files[0]!.partitionValues;
      for (const f of bin.files) {
        actions.push({
          remove: { path: f.path, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
        });
      }
      actions.push({ add: { path: addPath, partitionValues, size: bytes.length, modificationTime: Date.now(), dataChange: false, stats } });
    }
    const removed = work.flatMap((b) => b.files.map((f) => f.path));
    const res = await commitActions(snap, {
      actions,
      operation: 'OPTIMIZE',
      operationParameters: { predicate: '[]', targetSize: String(target), zOrderBy: '[]' },
      removes: removed,
    });
    return { version: res.version, filesRemoved: removed.length, filesAdded: work.length, rows };
  } catch (err) {
    for (const f of written) await fs.unlink(f).catch(() => undefined);
    throw err;
  }
}

export interface OptimizeBin {
  /** Partition directory (`''` for an unpartitioned table). */
  readonly dir: string;
  /** The files rewritten into one (two or more). */
  readonly files: readonly AddAction[];
}

export interface OptimizePlan {
  readonly targetFileSize: number;
  readonly minFileSize: number;
  readonly bins: readonly OptimizeBin[];
}

/**
 * What `optimize` would rewrite: files below `minFileSize`, bin-packed per partition up to
 * `targetFileSize`, bins of two or more files. Runs every check the real run does before it
 * writes anything: the protocol must be writable, and every candidate file's path must be
 * relative and inside the table directory (a log naming `../x` or `file:///etc/passwd` is refused
 * with the path, never listed as compactable). `tributary delta optimize --dry-run` prints this.
 */
export async function planOptimize(tableDir: string, options: OptimizeOptions = {}): Promise<OptimizePlan> {
  return planFrom(await loadSnapshot(tableDir), tableDir, options);
}

function planFrom(snap: Snapshot, tableDir: string, options: OptimizeOptions): OptimizePlan {
  const meta = snap.requireMetadata();
  assertWritable(snap.protocol!, meta, snap.schema!, tableDir);
  const target = options.targetFileSize ?? 256 * 1024 * 1024;
  const minSize = options.minFileSize ?? Math.floor(target * 0.75);
  const byPartition = new Map<string, AddAction[]>();
  for (const add of snap.files.values()) {
    if (add.size >= minSize) continue;
    resolveInTable(tableDir, add.path);
    const key = partitionDirectory(meta.partitionColumns, add.partitionValues);
    const list = byPartition.get(key) ?? [];
    list.push(add);
    byPartition.set(key, list);
  }
  const bins: { dir: string; files: AddAction[] }[] = [];
  for (const [dir, files] of byPartition) {
    files.sort((a, b) => a.path.localeCompare(b.path));
    let cur: AddAction[] = [];
    let size = 0;
    for (const f of files) {
      if (cur.length && size + f.size > target) {
        bins.push({ dir, files: cur });
        cur = [];
        size = 0;
      }
      cur.push(f);
      size += f.size;
    }
    bins.push({ dir, files: cur });
  }
  return { targetFileSize: target, minFileSize: minSize, bins: bins.filter((b) => b.files.length >= 2) };
}

/** Options of `vacuumTable`: retention in hours, forcing a short retention, dry run, and the current time. */
export interface VacuumOptions {
  /** Keep unreferenced files younger than this (default: table retention, 7 days). */
  readonly retentionHours?: number;
  /** Allow a retention shorter than the table's `delta.deletedFileRetentionDuration`. */
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly now?: number;
}

/** What `vacuumTable` deleted (or would delete in a dry run). */
export interface VacuumResult {
  readonly deleted: readonly string[];
  readonly dryRun: boolean;
}

/** Deletes unreferenced data files older than the retention period. */
export async function vacuum(tableDir: string, options: VacuumOptions = {}): Promise<VacuumResult> {
  refuseRemote(tableDir, 'vacuum');
  const snap = await loadSnapshot(tableDir);
  const meta = snap.requireMetadata();
  assertWritable(snap.protocol!, meta, snap.schema!, tableDir);
  const minRetention = parseInterval(meta.configuration['delta.deletedFileRetentionDuration'], 7 * 24 * 3600 * 1000);
  const retention = options.retentionHours === undefined ? minRetention : options.retentionHours * 3600 * 1000;
  if (retention < minRetention && !options.force) {
    throw new TributaryError(
      `vacuum of ${tableDir}: retention ${retention / 3600000} h is shorter than the table's ${minRetention / 3600000} h; ` +
        'concurrent readers and time travel may still need those files (pass force to override)',
      { code: 'DELTA' },
    );
  }
  const live = new Set([...snap.files.values()].map((a) => resolveInTable(tableDir, a.path)));
  const cutoff = (options.now ?? Date.now()) - retention;
  const root = path.resolve(tableDir);
  const deleted: string[] = [];
  const walk = async (dir: string, top: boolean): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (top && e.name === LOG_DIR) continue;
      const hidden = (e.name.startsWith('_') || e.name.startsWith('.')) && !e.name.includes('=');
      if (hidden) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full, false);
      else if (e.isFile() && !live.has(full)) {
        const st = await fs.stat(full);
        if (st.mtimeMs < cutoff) {
          deleted.push(path.relative(root, full));
          if (!options.dryRun) await fs.unlink(full);
        }
      }
    }
  };
  await walk(root, true);
  return { deleted: deleted.sort(), dryRun: options.dryRun === true };
}
