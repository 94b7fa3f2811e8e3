/**
 * Appends rows to a Delta table: rows are checked against the schema, grouped by partition,
 * buffered in Arrow column builders, rolled into zstd Parquet files by rows, bytes or age, and
 * made visible together (with optional `txn` actions) by one atomic Delta commit. The per-row
 * path never awaits; only `open`, `commit` and `reload` do.
 *
 * Opening creates the table (version 0: protocol + metaData) if it does not exist, or checks an
 * existing table: protocol/features this writer supports, same partition columns, compatible
 * schema (adding nullable columns only with `schemaEvolution`, as its own metaData commit).
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { SinkBackpressureError, TributaryError } from '../../errors.js';
import { commitActions, type CommitResult, type TxnFence } from './commit.js';
import { deleteDataFile, tableStore, writeDataFile } from './object-store.js';
import { encodeParquet, codecSuffix, type ParquetCodec } from './parquet.js';
import { encodeAddPath, partitionDirectory, partitionValueString } from './partition.js';
import { WRITER_PROTOCOL, assertWritable } from './protocol.js';
import { RowBuffer } from './row-buffer.js';
import { decimalSpec, mergeSchemas, schemaToString, struct, validateSchema } from './schema.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import { DEFAULT_NUM_INDEXED_COLS } from './stats.js';
import type { Action, AddAction, DeltaStructField, DeltaStructType, MetaDataAction, TxnAction } from './types.js';
import { Rejection } from './values.js';
import { deltaSchemaFromZod } from './zod-schema.js';

/** Options of a `DeltaTableWriter`: table location, schema, partition columns, file size, compression and storage. */
export interface DeltaWriterOptions {
  /** Table directory (local file system). */
  readonly tableDir: string;
  /** A zod object schema (see zod-schema.ts for the mapping) or an explicit Delta struct type. */
  readonly schema: DeltaStructType | z.ZodType;
  readonly partitionBy?: readonly string[];
  /** Table name/description/configuration, used when this writer creates the table. */
  readonly name?: string;
  readonly description?: string;
  readonly configuration?: Readonly<Record<string, string>>;
  readonly codec?: ParquetCodec;
  /** Roll a file after this many rows (default 1,000,000). */
  readonly maxRowsPerFile?: number;
  /** Roll a file when its in-memory Arrow buffers reach this many bytes (default 128 MiB). */
  readonly maxBytesPerFile?: number;
  /** A partition's buffered rows older than this are rolled into a file; `commitDue()` turns true. */
  readonly maxFileAgeMs?: number;
  /** Throw SinkBackpressureError from `append` beyond this many buffered bytes (default 1 GiB). */
  readonly maxBufferedBytes?: number;
  /** Allow adding nullable columns the table lacks (a metaData commit at open). */
  readonly schemaEvolution?: boolean;
  /** Also run the zod schema's own checks (refinements) per row; default true for zod schemas. */
  readonly zodValidate?: boolean;
}

/** Result of appending a row: accepted, or refused with the reason (the row does not fit the schema). */
export type AppendResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

interface PartitionBuffer {
  readonly dir: string;
  readonly values: Readonly<Record<string, string | null>>;
  readonly rows: RowBuffer;
  since: number;
}

interface PendingFile {
  readonly relPath: string;
  readonly bytes: Uint8Array;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly stats: string;
  readonly numRecords: number;
}

/** Options of `DeltaTableWriter.commit`: `txn` actions and fences to write atomically with the files, the operation recorded, and whether to replace the table's contents. */
export interface WriterCommitOptions {
  readonly txns?: readonly TxnAction[];
  readonly fences?: readonly TxnFence[];
  readonly operation?: string;
  readonly operationParameters?: Readonly<Record<string, string>>;
  /**
   * Replace the table's contents: the commit also removes every file live in the writer's
   * snapshot (an overwrite; a concurrent commit removing one of them is a conflict).
   */
  readonly replaceAll?: boolean;
}

/** What a writer commit produced: the table version and the files, rows and bytes added. */
export interface WriterCommitResult extends CommitResult {
  readonly files: number;
  readonly rows: number;
  readonly bytes: number;
}

const OK: AppendResult = { ok: true };

/** Writes rows into a Delta table: validates each row against the schema, buffers Parquet files, and commits them as one table version. */
export class DeltaTableWriter {
  private readonly buffers = new Map<string, PartitionBuffer>();
  private pending: PendingFile[] = [];
  private pendingBytes = 0;
  private liveBytes = 0;
  private sinceSizeCheck = 0;
  private fileCounter = 0;
  private readonly writerId = randomUUID();
  /** Partition and data columns as the table spells them, and the row property each is read from. */
  private partitionFields: DeltaStructField[];
  private partitionKeys: string[];
  private partitionColumns: string[];
  private dataFields: DeltaStructField[];
  private dataKeys: string[];
  private readonly zod: z.ZodType | undefined;
  private numIndexedCols = DEFAULT_NUM_INDEXED_COLS;

  private constructor(
    readonly options: DeltaWriterOptions,
    readonly schema: DeltaStructType,
    readonly partitionBy: readonly string[],
    private snap: Snapshot,
  ) {
    this.partitionFields = partitionBy.map((p) => schema.fields.find((f) => f.name === p)!);
    this.partitionKeys = [...partitionBy];
    this.partitionColumns = [...partitionBy];
    this.dataFields = schema.fields.filter((f) => !partitionBy.includes(f.name));
    this.dataKeys = this.dataFields.map((f) => f.name);
    this.zod = isDeltaStruct(options.schema) || options.zodValidate === false ? undefined : options.schema;
    this.applyTableConfig();
  }

  /** Opens (creating if needed) the table and checks that this writer can append to it. */
  static async open(options: DeltaWriterOptions): Promise<DeltaTableWriter> {
    const schema = isDeltaStruct(options.schema) ? options.schema : deltaSchemaFromZod(options.schema);
    validateSchema(schema);
    const partitionBy = options.partitionBy ?? [];
    for (const p of partitionBy) {
      const f = schema.fields.find((x) => x.name === p);
      if (!f) throw new TributaryError(`partition column "${p}" is not in the schema`, { code: 'CONFIG' });
      const t = f.type;
      const ok = typeof t === 'string' && (['string', 'long', 'integer', 'short', 'byte', 'boolean', 'date', 'timestamp'].includes(t) || !!decimalSpec(t));
      if (!ok) throw new TributaryError(`partition column "${p}" has type ${JSON.stringify(t)}, which cannot partition a table`, { code: 'CONFIG' });
    }
    await tableStore(options.tableDir).prepare();
    const snap = await loadSnapshot(options.tableDir);
    const w = new DeltaTableWriter(options, schema, partitionBy, snap);
    await w.prepareTable();
    return w;
  }

  /** The writer's current view of the table. */
  get snapshot(): Snapshot {
    return this.snap;
  }

  get tableDir(): string {
    return this.options.tableDir;
  }

  get bufferedRows(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.rows.length;
    for (const p of this.pending) n += p.numRecords;
    return n;
  }

  get bufferedBytes(): number {
    return this.pendingBytes + this.liveBytes;
  }

  private async prepareTable(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!this.snap.exists) {
        const created = await this.tryCreate();
        if (created) return;
        this.snap = await loadSnapshot(this.tableDir);
        continue;
      }
      const meta = this.snap.requireMetadata();
      assertWritable(this.snap.protocol!, meta, this.snap.schema!, this.tableDir);
      const cols = meta.partitionColumns;
      if (cols.length !== this.partitionBy.length || cols.some((c, i) => c.toLowerCase() !== this.partitionBy[i]!.toLowerCase())) {
        throw new TributaryError(`Delta table ${this.tableDir} is partitioned by [${cols.join(', ')}], the writer by [${this.partitionBy.join(', ')}]`, {
          code: 'DELTA',
        });
      }
      const merge = mergeSchemas(this.snap.schema!, this.schema, this.options.schemaEvolution === true, this.tableDir);
      this.useTableSpelling(merge.renamed);
      this.applyTableConfig();
      if (merge.added.length === 0) return;
      const next: MetaDataAction = { ...meta, schemaString: schemaToString(merge.merged) };
      try {
        await commitActions(this.snap, {
          actions: [{ metaData: next }],
          operation: 'ADD COLUMNS',
          operationParameters: { columns: JSON.stringify(merge.added) },
        });
        return;
      } catch (err) {
        if (!(err instanceof TributaryError && err.code === 'DELTA_CONFLICT' && err.retriable)) throw err;
        this.snap = await loadSnapshot(this.tableDir);
      }
    }
    throw new TributaryError(`could not prepare Delta table ${this.tableDir}: too many concurrent metadata changes`, {
      code: 'DELTA_CONFLICT',
      retriable: true,
    });
  }

  private async tryCreate(): Promise<boolean> {
    const meta: MetaDataAction = {
      id: randomUUID(),
      ...(this.options.name !== undefined ? { name: this.options.name } : {}),
      ...(this.options.description !== undefined ? { description: this.options.description } : {}),
      format: { provider: 'parquet', options: {} },
      schemaString: schemaToString(this.schema),
      partitionColumns: [...this.partitionBy],
      configuration: { ...(this.options.configuration ?? {}) },
      createdTime: Date.now(),
    };
    try {
      await commitActions(this.snap, {
        actions: [{ protocol: WRITER_PROTOCOL }, { metaData: meta }],
        operation: 'CREATE TABLE',
        operationParameters: { partitionBy: JSON.stringify(this.partitionBy), description: this.options.description ?? '' },
        maxRetries: 1,
      });
      this.applyTableConfig();
      return true;
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'DELTA_CONFLICT') return false;
      throw err;
    }
  }

  /**
   * Writes columns whose names differ from the table's only by case under the table's spelling
   * (Delta names are case-insensitive; the table's casing wins), still reading rows by the
   * writer's names.
   */
  private useTableSpelling(renamed: ReadonlyMap<string, string>): void {
    if (renamed.size === 0) return;
    const spell = (f: DeltaStructField): DeltaStructField => {
      const to = renamed.get(f.name);
      return to === undefined ? f : { ...f, name: to };
    };
    this.partitionFields = this.partitionFields.map((f, i) => spell({ ...f, name: this.partitionKeys[i]! }));
    this.partitionColumns = this.partitionFields.map((f) => f.name);
    this.dataFields = this.dataFields.map((f, i) => spell({ ...f, name: this.dataKeys[i]! }));
  }

  private applyTableConfig(): void {
    const n = Number(this.snap.metadata?.configuration['delta.dataSkippingNumIndexedCols'] ?? DEFAULT_NUM_INDEXED_COLS);
    this.numIndexedCols = Number.isInteger(n) ? n : DEFAULT_NUM_INDEXED_COLS;
  }

  /**
   * Buffers one row. Returns `{ok:false, reason}` (and buffers nothing) when the row does not
   * fit the schema; the caller routes it to a dead-letter output. Throws SinkBackpressureError
   * when the buffers are full: commit, then append again.
   */
  append(row: Record<string, unknown>, now = Date.now()): AppendResult {
    const max = this.options.maxBufferedBytes ?? 1 << 30;
    if (this.bufferedBytes >= max) {
      throw new SinkBackpressureError(`Delta writer for ${this.tableDir} holds ${this.bufferedBytes} bytes; commit before appending more`);
    }
    return this.checkRow(row, now, true);
  }

  /** Runs every check `append` runs, without buffering the row. */
  validate(row: Record<string, unknown>): AppendResult {
    return this.checkRow(row, 0, false);
  }

  /** The last single partition column value (a primitive) seen by `checkRow`, with its directory and values. */
  private lastPartitionRaw: unknown = undefined;
  private lastPartitionKey = '';
  private lastPartitionValues: Record<string, string | null> | undefined;

  private checkRow(row: Record<string, unknown>, now: number, push: boolean): AppendResult {
    if (typeof row !== 'object' || row === null) return { ok: false, reason: 'a row must be an object' };
    if (this.zod) {
      const r = this.zod.safeParse(row);
      if (!r.success) {
        return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ') };
      }
    }
    let key = '';
    let values: Record<string, string | null> | undefined;
    if (this.partitionFields.length === 1 && row[this.partitionKeys[0]!] === this.lastPartitionRaw && this.lastPartitionRaw !== undefined) {
      // Consecutive rows mostly share their partition: the raw value (a primitive) is compared.
      key = this.lastPartitionKey;
      values = this.lastPartitionValues;
    } else if (this.partitionFields.length) {
      values = {};
      for (let i = 0; i < this.partitionFields.length; i++) {
        const f = this.partitionFields[i]!;
        const v = row[this.partitionKeys[i]!];
        if ((v === null || v === undefined) && !f.nullable) return { ok: false, reason: `partition column "${f.name}" is null but NOT NULL` };
        const s = partitionValueString(v, f.type);
        if (s instanceof Rejection) return { ok: false, reason: `partition column "${f.name}" ${s.reason}` };
        values[f.name] = s;
      }
      key = partitionDirectory(this.partitionColumns, values);
      if (key.split('/').some((seg) => Buffer.byteLength(seg) > 255)) {
        return { ok: false, reason: 'partition value too long for a directory name (255 bytes once escaped)' };
      }
      if (this.partitionFields.length === 1) {
        const raw = row[this.partitionKeys[0]!];
        const primitive = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint';
        this.lastPartitionRaw = primitive ? raw : undefined;
        this.lastPartitionKey = key;
        this.lastPartitionValues = values;
      }
    }
    let buf = this.buffers.get(key);
    const fresh = !buf;
    if (!buf) buf = { dir: key, values: values ?? {}, rows: new RowBuffer(this.dataFields, this.partitionKeys, this.dataKeys), since: now };
    const reason = buf.rows.check(row);
    if (reason !== undefined) return { ok: false, reason };
    if (!push) return OK;
    if (fresh) this.buffers.set(key, buf);
    if (buf.rows.length === 0) buf.since = now;
    buf.rows.pushChecked();
    if (buf.rows.length >= (this.options.maxRowsPerFile ?? 1_000_000)) {
      this.roll(buf);
    } else if (++this.sinceSizeCheck >= 256) {
      this.sinceSizeCheck = 0;
      this.measure();
      if (buf.rows.bytes() >= (this.options.maxBytesPerFile ?? 128 * 1024 * 1024)) this.roll(buf);
    }
    return OK;
  }

  private measure(): void {
    let n = 0;
    for (const b of this.buffers.values()) n += b.rows.bytes();
    this.liveBytes = n;
  }

  /** Encodes a partition's buffered rows into one Parquet file (kept in memory until commit). */
  private roll(buf: PartitionBuffer): void {
    if (buf.rows.length === 0) return;
    const numRecords = buf.rows.length;
    const stats = buf.rows.stats(this.numIndexedCols);
    const batch = buf.rows.finish();
    const codec = this.options.codec ?? 'zstd';
    const bytes = encodeParquet(batch, { codec });
    const name = `part-${String(this.fileCounter++).padStart(5, '0')}-${this.writerId}-c000${codecSuffix(codec)}.parquet`;
    this.pending.push({ relPath: buf.dir ? `${buf.dir}/${name}` : name, bytes, partitionValues: buf.values, stats, numRecords });
    this.pendingBytes += bytes.length;
    this.measure();
  }

  /** Rolls partitions whose oldest buffered row is older than `maxFileAgeMs`. */
  rollAged(now = Date.now()): void {
    const age = this.options.maxFileAgeMs;
    if (age === undefined) return;
    for (const b of this.buffers.values()) if (b.rows.length && now - b.since >= age) this.roll(b);
  }

  /** True when files wait for a commit or buffered rows have reached `maxFileAgeMs`. */
  commitDue(now = Date.now()): boolean {
    if (this.pending.length) return true;
    const age = this.options.maxFileAgeMs;
    if (age === undefined) return false;
    for (const b of this.buffers.values()) if (b.rows.length && now - b.since >= age) return true;
    return false;
  }

  /**
   * Rolls every buffer, writes the files and commits their `add` actions together with `txns`
   * in one Delta version. Returns undefined when there was nothing to commit. On a fencing
   * conflict (DELTA_CONFLICT, not retriable) buffered data is dropped and the snapshot reloaded.
   */
  async commit(options: WriterCommitOptions = {}): Promise<WriterCommitResult | undefined> {
    for (const b of this.buffers.values()) this.roll(b);
    const files = this.pending;
    const txns = options.txns ?? [];
    if (files.length === 0 && txns.length === 0 && !options.replaceAll) return undefined;
    const adds: Action[] = [];
    const removed = options.replaceAll ? [...this.snap.files.values()] : [];
    const now = Date.now();
    for (const f of removed) {
      adds.push({
        remove: { path: f.path, deletionTimestamp: now, dataChange: true, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
      });
    }
    let rows = 0;
    let bytes = 0;
    try {
      for (const f of files) {
        const addPath = encodeAddPath(f.relPath);
        await writeDataFile(this.tableDir, addPath, f.bytes);
        const add: AddAction = {
          path: addPath,
          partitionValues: f.partitionValues,
          size: f.bytes.length,
          modificationTime: Date.now(),
          dataChange: true,
          stats: f.stats,
        };
        adds.push({ add });
        rows += f.numRecords;
        bytes += f.bytes.length;
      }
      const result = await commitActions(this.snap, {
        actions: [...txns.map((t): Action => ({ txn: t })), ...adds],
        operation: options.operation ?? 'STREAMING UPDATE',
        operationParameters: options.operationParameters ?? { outputMode: 'Append', queryId: this.writerId, epochId: String(this.snap.version + 1) },
        fences: options.fences ?? [],
        dataSchema: struct(this.dataFields.concat(this.partitionFields)),
        isBlindAppend: removed.length === 0,
        ...(removed.length ? { removes: removed.map((f) => f.path) } : {}),
      });
      this.pending = [];
      this.pendingBytes = 0;
      this.measure();
      return { ...result, files: files.length, rows, bytes };
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'DELTA_CONFLICT' && !err.retriable) {
        await this.discard(true);
        this.snap = await loadSnapshot(this.tableDir);
      }
      throw err;
    }
  }

  /** Drops everything buffered (and, with `deleteFiles`, files written for the failed commit). */
  async discard(deleteFiles = false): Promise<void> {
    const files = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const b of this.buffers.values()) b.rows.clear();
    this.buffers.clear();
    this.liveBytes = 0;
    if (deleteFiles) {
      for (const f of files) await deleteDataFile(this.tableDir, encodeAddPath(f.relPath)).catch(() => undefined);
    }
  }

  /** Re-reads the log (e.g. after being fenced) without touching buffers. */
  async reload(): Promise<void> {
    this.snap = await loadSnapshot(this.tableDir);
    this.applyTableConfig();
  }
}

function isDeltaStruct(s: unknown): s is DeltaStructType {
  return typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'struct' && Array.isArray((s as { fields?: unknown }).fields);
}
