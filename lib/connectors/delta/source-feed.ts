/**
 * A `deltaStream` source as task input: a `DeltaSourceReader` opened after the last committed
 * offset, whose batches come out as (rows, offsets, timestamps). Shared by the Delta-only runner
 * (`runDeltaStreams`, offsets committed in the target tables' txn actions) and the Kafka runtime
 * (offsets committed in the task's Kafka transaction, see lib/runtime/external-sources.ts).
 *
 * Offsets: a position (version, row ordinal within the version's added files, initial snapshot?)
 * packed into one integer below 2^53: `(2·version + (snapshot ? 0 : 1)) · 2^26 + ordinal`. So a
 * stream handles versions below 2^26 and at most 2^26 rows per version (or in the initial
 * snapshot); beyond that it stops with an error saying so.
 */
import { ConfigError, TributaryError } from '../../errors.js';
import type { ExternalSource } from '../../topology/types.js';
import { DeltaSourceReader, type DeltaSourceOptions, type DeltaSourcePosition } from './source-reader.js';
import type { DeltaStructType } from './types.js';

const ORDINAL_BITS = 2 ** 26;
const MAX_VERSION = 2 ** 26;

/** The packed offset of the row at `ordinal` of `version` (see module doc). */
export function packOffset(version: number, snapshot: boolean, ordinal: number): number {
  if (version >= MAX_VERSION || ordinal >= ORDINAL_BITS) {
    throw new TributaryError(
      `a Delta stream position (version ${version}, row ${ordinal}) exceeds what a source offset can hold (version < 2^26, rows per version < 2^26)`,
      {
        code: 'DELTA',
        context: { version },
      },
    );
  }
  return (2 * version + (snapshot ? 0 : 1)) * ORDINAL_BITS + ordinal;
}

/** Splits the synthetic offset of a Delta source record into table version, snapshot flag and row ordinal. */
export function unpackOffset(offset: number): { version: number; snapshot: boolean; ordinal: number } {
  const slot = Math.floor(offset / ORDINAL_BITS);
  return { version: Math.floor(slot / 2), snapshot: slot % 2 === 0, ordinal: offset % ORDINAL_BITS };
}

/** Rows of one poll with their packed offsets and record timestamps. */
export interface DeltaFeedBatch {
  readonly rows: readonly Record<string, unknown>[];
  readonly offsets: number[];
  readonly timestamps: number[];
}

export class DeltaSourceFeed {
  /** True after a poll that found nothing new. */
  caughtUp = false;

  private constructor(
    readonly reader: DeltaSourceReader,
    /** Where the feed started: a position, or `start` (the stream's configured start). */
    readonly resumedAt: DeltaSourcePosition | 'start',
    readonly maxRows: number,
    private readonly timestampColumn: string | undefined,
  ) {}

  /**
   * Opens the source `source` after `lastOffset` (the packed offset of the last row committed
   * downstream), or at the stream's start when there is none. Checks the stream's schema against
   * the table.
   */
  static async open(source: ExternalSource, lastOffset: number | undefined): Promise<DeltaSourceFeed> {
    const o = source.options as DeltaSourceOptions & { schema?: unknown; timestampColumn?: string };
    const readerOptions: DeltaSourceOptions = {
      ...(o.startingVersion !== undefined ? { startingVersion: o.startingVersion } : {}),
      maxRowsPerBatch: o.maxRowsPerBatch ?? 10_000,
      ...(o.ignoreDeletes !== undefined ? { ignoreDeletes: o.ignoreDeletes } : {}),
      ...(o.ignoreChanges !== undefined ? { ignoreChanges: o.ignoreChanges } : {}),
    };
    let reader: DeltaSourceReader;
    let resumedAt: DeltaSourcePosition | 'start';
    if (lastOffset === undefined || lastOffset < 0) {
      reader = await DeltaSourceReader.open(source.location, readerOptions);
      resumedAt = 'start';
    } else {
      const { version, snapshot, ordinal } = unpackOffset(lastOffset);
      reader = await DeltaSourceReader.open(source.location, readerOptions, { version, fileIndex: 0, rowIndex: 0, snapshot });
      await reader.skipTo(ordinal + 1);
      resumedAt = reader.position;
    }
    const table = reader.tableSchema;
    if (table) {
      const missing = requiredColumns(o.schema).filter((c) => !table.fields.some((f) => f.name === c));
      if (missing.length)
        throw new ConfigError(
          `deltaStream(${source.location}): the table has no column ${missing.map((m) => `"${m}"`).join(', ')} that the stream's schema requires`,
        );
    }
    return new DeltaSourceFeed(reader, resumedAt, readerOptions.maxRowsPerBatch!, o.timestampColumn);
  }

  /** The next rows (empty when caught up). */
  async poll(): Promise<DeltaFeedBatch> {
    const batch = await this.reader.poll();
    const n = batch.rows.length;
    this.caughtUp = n === 0;
    const offsets = new Array<number>(n);
    const timestamps = new Array<number>(n);
    const tsColumn = this.timestampColumn;
    let k = 0;
    for (const seg of batch.segments) {
      const base = packOffset(seg.version, seg.snapshot, seg.ordinalStart);
      packOffset(seg.version, seg.snapshot, seg.ordinalStart + seg.rows - 1);
      for (let i = 0; i < seg.rows; i++, k++) {
        offsets[k] = base + i;
        timestamps[k] = tsColumn === undefined ? seg.modificationTime : timestampOf(batch.rows[k]![tsColumn], seg.modificationTime);
      }
    }
    return { rows: batch.rows, offsets, timestamps };
  }
}

function requiredColumns(schema: unknown): string[] {
  if (schema === undefined || schema === null) return [];
  const s = schema as { type?: unknown; fields?: unknown; shape?: unknown };
  if (s.type === 'struct' && Array.isArray(s.fields)) return (s as DeltaStructType).fields.filter((f) => !f.nullable).map((f) => f.name);
  if (typeof s.shape === 'object' && s.shape !== null) {
    return Object.entries(s.shape as Record<string, { safeParse?: (v: unknown) => { success: boolean } }>)
      .filter(([, t]) => typeof t.safeParse === 'function' && !t.safeParse(undefined).success && !t.safeParse(null).success)
      .map(([k]) => k);
  }
  throw new ConfigError('deltaStream: schema must be a Delta struct type or a zod object schema');
}

function timestampOf(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  if (v instanceof Date) return v.getTime();
  return fallback;
}
