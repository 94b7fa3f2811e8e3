/**
 * Reading a Delta table as a stream: its rows in version order, file by file, row by row, from a
 * position, tailing `_delta_log` for new versions.
 *
 * ```text
 *  position = (version, fileIndex, rowIndex, snapshot?) = the next row to read
 *
 *  no position, no startingVersion ─▶ initial snapshot at the latest version (checkpoint +
 *      commits, so a long log starts fast): its live files ordered by (modificationTime, path),
 *      positions (v, i, r, snapshot=true) ─▶ then the commits after v
 *  startingVersion s ─▶ the commits s, s+1, … (each commit's dataChange adds in log order)
 *
 *  per commit:  dataChange=false actions (optimize, compaction) ─▶ skipped
 *               remove (dataChange) and no add ─▶ DELTA_SOURCE error, or skipped with ignoreDeletes
 *               remove + add (an update/merge)  ─▶ DELTA_SOURCE error, or the adds re-read with ignoreChanges
 *               metaData ─▶ new schema: rows of later files carry the added (nullable) columns
 *  a file the source needs is gone (vacuumed) ─▶ DELTA_SOURCE error naming the version and file
 *  a commit the source needs is gone (log cleaned up) ─▶ DELTA_SOURCE error naming the version
 * ```
 *
 * Rows are in JSON form (see arrow-rows.ts): what `readTable` returns and a `DeltaTableWriter`
 * accepts back.
 */
import { TributaryError } from '../../errors.js';
import { ColumnRows } from './column-rows.js';
import { LOG_DIR, commitFileName, listLog, readCommit } from './log-store.js';
import { readDataFile, tableStore } from './object-store.js';
import { decodeParquet } from './parquet.js';
import { parsePartitionValue } from './partition.js';
import { assertReadable } from './protocol.js';
import { toJsonForm } from './arrow-rows.js';
import { parseSchemaString } from './schema.js';
import { loadSnapshot } from './snapshot.js';
import type { Action, AddAction, DeltaStructType, MetaDataAction } from './types.js';

/** The next row to read. `snapshot`: inside the initial snapshot at `version` (not commit `version`'s adds). */
export interface DeltaSourcePosition {
  readonly version: number;
  readonly fileIndex: number;
  readonly rowIndex: number;
  readonly snapshot: boolean;
}

/** Options of a Delta source: the starting version, rows per batch, and whether deletes and changes in later versions are ignored. */
export interface DeltaSourceOptions {
  /** Read the commits from this version on, instead of the snapshot at the latest version first. */
  readonly startingVersion?: number;
  /** Rows per batch (default 100 000). */
  readonly maxRowsPerBatch?: number;
  /** Skip commits that only remove files (deletes) instead of failing. */
  readonly ignoreDeletes?: boolean;
  /** Re-read the added files of commits that also remove files (updates) instead of failing; implies ignoreDeletes. */
  readonly ignoreChanges?: boolean;
}

/** One contiguous run of rows from one file. */
export interface DeltaSourceSegment {
  readonly version: number;
  readonly fileIndex: number;
  readonly snapshot: boolean;
  readonly path: string;
  /** The file's `modificationTime` (epoch ms). */
  readonly modificationTime: number;
  readonly rowStart: number;
  /** The first row's ordinal within its version (rows of the version's earlier files + rowStart). */
  readonly ordinalStart: number;
  readonly rows: number;
}

/** Rows a `DeltaSourceReader` read in one call, the file segments they came from, and the positions before and after them. */
export interface DeltaSourceBatch {
  readonly rows: Record<string, unknown>[];
  /** Where the rows came from, in order (segments cover `rows` exactly). */
  readonly segments: readonly DeltaSourceSegment[];
  /** The position before the first row. */
  readonly start: DeltaSourcePosition;
  /** The position after the last row: where to resume. */
  readonly end: DeltaSourcePosition;
}

interface VersionFiles {
  readonly version: number;
  readonly snapshot: boolean;
  readonly files: readonly AddAction[];
}

const SOURCE_ERROR = 'DELTA' as const;

/** Total order of positions (snapshot phase at v sorts before the commits after v). */
export function comparePositions(a: DeltaSourcePosition, b: DeltaSourcePosition): number {
  const ka = a.snapshot ? a.version : a.version + 0.5;
  const kb = b.snapshot ? b.version : b.version + 0.5;
  return ka - kb || a.fileIndex - b.fileIndex || a.rowIndex - b.rowIndex;
}

/** Reads a Delta table as a source: the snapshot first, then each new version's added rows, resuming from a position. */
export class DeltaSourceReader {
  private schema: DeltaStructType | undefined;
  private metadata: MetaDataAction | undefined;
  private current: VersionFiles | undefined;
  private fileIndex = 0;
  private rowIndex = 0;
  private fileRows: ColumnRows | undefined;
  /** Rows of the current version before the current file. */
  private ordinalBase = 0;
  /** When the log was last listed to tell "no new version" from "version cleaned up". */
  private gapCheckedAt = -Infinity;
  /** Last version whose actions are accounted for (the next commit to read is +1). */
  private lastVersion: number;
  private readonly maxRows: number;

  private constructor(
    readonly table: string,
    private readonly options: DeltaSourceOptions,
    lastVersion: number,
  ) {
    this.lastVersion = lastVersion;
    this.maxRows = options.maxRowsPerBatch ?? 100_000;
    if (!(Number.isInteger(this.maxRows) && this.maxRows > 0)) {
      throw new TributaryError(`deltaStream(${table}): maxRowsPerBatch must be a positive integer, got ${options.maxRowsPerBatch}`, { code: 'CONFIG' });
    }
  }

  /**
   * Opens the reader at `from` (a position committed earlier), else at `startingVersion`, else
   * at the initial snapshot of the latest version.
   */
  static async open(table: string, options: DeltaSourceOptions = {}, from?: DeltaSourcePosition): Promise<DeltaSourceReader> {
    if (options.startingVersion !== undefined && !(Number.isInteger(options.startingVersion) && options.startingVersion >= 0)) {
      throw new TributaryError(`deltaStream(${table}): startingVersion must be a version (integer ≥ 0), got ${options.startingVersion}`, { code: 'CONFIG' });
    }
    if (from?.snapshot || (!from && options.startingVersion === undefined)) {
      const snap = await loadSnapshot(table, from?.version);
      if (!snap.exists) {
        // No table yet: tail from version 0 when it appears.
        return new DeltaSourceReader(table, options, -1);
      }
      const r = new DeltaSourceReader(table, options, snap.version);
      r.metadata = snap.requireMetadata();
      r.schema = snap.schema!;
      const files = [...snap.files.values()].sort((a, b) => a.modificationTime - b.modificationTime || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      r.current = { version: snap.version, snapshot: true, files };
      if (from) await r.seekFile(from.fileIndex, from.rowIndex);
      return r;
    }
    const start = from ? from.version : options.startingVersion!;
    // Metadata as of the version before the first commit we read (checkpoint + commits).
    const r = new DeltaSourceReader(table, options, start - 1);
    if (start > 0) {
      const snap = await loadSnapshot(table, start - 1).catch((err: unknown) => {
        throw new TributaryError(
          `deltaStream(${table}): cannot read the table as of version ${start - 1} to start at version ${start}: ${err instanceof Error ? err.message : String(err)}`,
          {
            code: SOURCE_ERROR,
            cause: err,
            context: { table, version: start },
          },
        );
      });
      r.metadata = snap.metadata;
      r.schema = snap.schema;
    }
    if (from && (await r.nextVersion())) await r.seekFile(from.fileIndex, from.rowIndex);
    return r;
  }

  /** The table schema as of the position (undefined before the table exists). */
  get tableSchema(): DeltaStructType | undefined {
    return this.schema;
  }

  /** Rows of the current version (or initial snapshot) before the position. */
  get ordinal(): number {
    return this.current ? this.ordinalBase + this.rowIndex : 0;
  }

  /**
   * Moves forward within the current version to its `ordinal`-th row (0 = first), counting file
   * rows from their `numRecords` stats where present (else reading the file). For resuming from a
   * position stored as (version, ordinal).
   */
  async skipTo(ordinal: number): Promise<void> {
    if (!this.current) {
      if (ordinal === 0) return;
      throw new TributaryError(`deltaStream(${this.table}): cannot skip to row ${ordinal} of version ${this.lastVersion + 1}: the version is not loaded`, {
        code: 'ILLEGAL_STATE',
      });
    }
    while (this.ordinal < ordinal) {
      const add = this.current.files[this.fileIndex];
      if (!add) {
        throw new TributaryError(
          `deltaStream(${this.table}): version ${this.current.version} has ${this.ordinal} rows, fewer than the stored position ${ordinal}`,
          {
            code: SOURCE_ERROR,
            context: { table: this.table, version: this.current.version },
          },
        );
      }
      const n = numRecords(add) ?? (this.fileRows ??= await this.readFile(add, this.current.version)).length;
      const want = ordinal - this.ordinalBase;
      if (want < n) {
        this.rowIndex = want;
        return;
      }
      this.ordinalBase += n;
      this.fileIndex++;
      this.rowIndex = 0;
      this.fileRows = undefined;
    }
  }

  private async seekFile(fileIndex: number, rowIndex: number): Promise<void> {
    const cur = this.current!;
    while (this.fileIndex < fileIndex && this.fileIndex < cur.files.length) {
      const add = cur.files[this.fileIndex]!;
      this.ordinalBase += numRecords(add) ?? (await this.readFile(add, cur.version)).length;
      this.fileIndex++;
    }
    this.rowIndex = rowIndex;
  }

  /** The next row to read. */
  get position(): DeltaSourcePosition {
    if (this.current) return { version: this.current.version, fileIndex: this.fileIndex, rowIndex: this.rowIndex, snapshot: this.current.snapshot };
    return { version: this.lastVersion + 1, fileIndex: 0, rowIndex: 0, snapshot: false };
  }

  /**
   * Up to `maxRowsPerBatch` rows from the position on; an empty batch when the table has nothing
   * new (poll again later). Reads new versions of the log as needed.
   */
  async poll(maxRows = this.maxRows): Promise<DeltaSourceBatch> {
    const start = this.position;
    const rows: Record<string, unknown>[] = [];
    const segments: DeltaSourceSegment[] = [];
    while (rows.length < maxRows) {
      if (!this.current || this.fileIndex >= this.current.files.length) {
        if (this.current) {
          this.current = undefined;
          this.fileIndex = 0;
          this.rowIndex = 0;
          this.ordinalBase = 0;
        }
        if (rows.length === 0) {
          if (!(await this.nextVersion())) break;
          continue;
        }
        // Rows in hand: a version the stream cannot read (a delete, a change, a feature) must not
        // take them down with it. Return them; the next poll reads that version again and throws.
        let more: boolean;
        try {
          more = await this.nextVersion();
        } catch {
          break;
        }
        if (!more) break;
        continue;
      }
      const add = this.current.files[this.fileIndex]!;
      const fileRows = this.fileRows ?? (this.fileRows = await this.readFile(add, this.current.version));
      const take = Math.min(maxRows - rows.length, fileRows.length - this.rowIndex);
      if (take > 0) {
        fileRows.rows(this.rowIndex, this.rowIndex + take, rows);
        segments.push({
          version: this.current.version,
          fileIndex: this.fileIndex,
          snapshot: this.current.snapshot,
          path: add.path,
          modificationTime: add.modificationTime,
          rowStart: this.rowIndex,
          ordinalStart: this.ordinalBase + this.rowIndex,
          rows: take,
        });
        this.rowIndex += take;
      }
      if (this.rowIndex >= fileRows.length) {
        this.ordinalBase += fileRows.length;
        this.fileIndex++;
        this.rowIndex = 0;
        this.fileRows = undefined;
      }
    }
    return { rows, segments, start, end: this.position };
  }

  /** Loads the next commit if there is one; false when the table has nothing newer. */
  private async nextVersion(): Promise<boolean> {
    const v = this.lastVersion + 1;
    const store = tableStore(this.table);
    const bytes = await store.readIfExists(`${LOG_DIR}/${commitFileName(v)}`);
    if (bytes === undefined) {
      // A missing next commit is normal (nothing new). Whether it was cleaned up instead needs a
      // listing: done on the first miss and then at most once a minute (listing is the costly call on S3).
      const now = Date.now();
      if (now - this.gapCheckedAt < 60_000) return false;
      this.gapCheckedAt = now;
      const listing = await listLog(this.table);
      const newer = listing.commits.find((c) => c > v);
      if (newer !== undefined || listing.checkpoints.some((c) => c.version >= v)) {
        throw new TributaryError(
          `deltaStream(${this.table}) needs version ${v}, which is no longer in the log (cleaned up; oldest commit now ${listing.commits[0]}). ` +
            'Restart the stream from a newer startingVersion (rows in between are lost to it) or keep the log longer (delta.logRetentionDuration)',
          { code: SOURCE_ERROR, context: { table: this.table, version: v } },
        );
      }
      return false;
    }
    await this.applyCommit(v, await readCommit(this.table, v));
    return true;
  }

  private async applyCommit(v: number, actions: readonly Action[]): Promise<void> {
    const adds: AddAction[] = [];
    let removes = 0;
    for (const a of actions) {
      if ('metaData' in a) {
        this.metadata = a.metaData;
        this.schema = parseSchemaString(a.metaData.schemaString);
      } else if ('protocol' in a) {
        assertReadable(a.protocol, this.metadata, this.table);
      } else if ('add' in a && a.add.dataChange !== false) {
        adds.push(a.add);
      } else if ('remove' in a && a.remove.dataChange !== false) {
        removes++;
      }
    }
    if (removes > 0) {
      const changes = adds.length > 0;
      const allowed = changes ? this.options.ignoreChanges === true : this.options.ignoreDeletes === true || this.options.ignoreChanges === true;
      if (!allowed) {
        throw new TributaryError(
          `deltaStream(${this.table}): version ${v} ${changes ? 'changes existing rows (removes and re-adds files)' : 'deletes rows (removes files)'}; ` +
            `a stream cannot retract rows it has emitted. Set ${changes ? 'ignoreChanges (the rewritten files are re-read: rows may repeat)' : 'ignoreDeletes'} to go on`,
          { code: SOURCE_ERROR, context: { table: this.table, version: v } },
        );
      }
    }
    this.lastVersion = v;
    this.current = { version: v, snapshot: false, files: adds };
    this.fileIndex = 0;
    this.rowIndex = 0;
    this.ordinalBase = 0;
    this.fileRows = undefined;
  }

  private async readFile(add: AddAction, version: number): Promise<ColumnRows> {
    let bytes: Uint8Array;
    try {
      bytes = await readDataFile(this.table, add.path);
    } catch (err) {
      const missing = err instanceof TributaryError && err.context['missing'] === true;
      throw new TributaryError(
        missing
          ? `deltaStream(${this.table}): data file ${add.path} of version ${version} is gone (vacuumed?); the stream cannot go on past it. ` +
              'Restart from a newer startingVersion, or vacuum with a retention longer than the stream can lag'
          : `deltaStream(${this.table}): cannot read data file ${add.path} of version ${version}`,
        { code: SOURCE_ERROR, cause: err, retriable: !missing, context: { table: this.table, version, file: add.path } },
      );
    }
    const schema = this.schema;
    const meta = this.metadata;
    if (!schema || !meta)
      throw new TributaryError(`deltaStream(${this.table}): version ${version} adds files before the table has metadata`, {
        code: SOURCE_ERROR,
        context: { table: this.table, version },
      });
    const partition: Record<string, unknown> = {};
    for (const c of meta.partitionColumns) {
      const f = schema.fields.find((x) => x.name === c);
      if (f) partition[c] = toJsonForm(f.type, parsePartitionValue(add.partitionValues[c], f.type));
    }
    return new ColumnRows(
      decodeParquet(bytes),
      schema.fields.map((f) => f.name),
      partition,
    );
  }
}

function numRecords(add: AddAction): number | undefined {
  if (!add.stats) return undefined;
  try {
    const n = (JSON.parse(add.stats) as { numRecords?: unknown }).numRecords;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
