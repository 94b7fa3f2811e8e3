/**
 * `tributary delta optimize|vacuum|show <table>`: maintenance and inspection of Delta tables
 * written by the sink — compaction of small files into larger ones (one OPTIMIZE commit),
 * removal of files no longer referenced and older than the retention, and a summary of the
 * version history with row counts.
 */
import type { Command } from 'commander';
import { describeTable, optimize, vacuum } from '../../connectors/delta/index.js';
import { planOptimize } from '../../connectors/delta/maintenance.js';
import type { CliContext } from '../context.js';
import { parseDurationFlag, parseInteger } from '../options.js';

export interface DeltaOptimizeOptions {
  readonly table: string;
  /** Target file size in bytes. */
  readonly targetSizeBytes: number;
  /** Files smaller than this are compacted; default 3/4 of the target. */
  readonly minSizeBytes?: number;
  readonly dryRun: boolean;
}

export interface DeltaVacuumOptions {
  readonly table: string;
  /** Files removed from the log longer ago than this are deleted, ms. */
  readonly retentionMs: number;
  /** Allow a retention below the table's `delta.deletedFileRetentionDuration` (7 days). */
  readonly force?: boolean;
  readonly dryRun: boolean;
}

export interface DeltaShowOptions {
  readonly table: string;
  /** Versions of history to print (newest first). */
  readonly limit: number;
  readonly json: boolean;
}

export function registerDeltaCommand(program: Command, ctx: CliContext): void {
  const delta = program.command('delta').description('maintain and inspect Delta tables: optimize, vacuum, show');
  delta
    .command('optimize')
    .description('compact small files of a Delta table into larger ones (one new commit)')
    .argument('<table>', 'path of the Delta table directory')
    .option('--target-size <bytes>', 'target size of compacted files in bytes', String(128 * 1024 * 1024))
    .option('--min-size <bytes>', 'compact files smaller than this (default: 3/4 of the target size)')
    .option('--dry-run', 'print what would be compacted without writing')
    .action(async (table: string, raw: { targetSize: string; minSize?: string; dryRun?: boolean }) => {
      await deltaOptimize(
        {
          table,
          targetSizeBytes: parseInteger(raw.targetSize, '--target-size', 1),
          ...(raw.minSize !== undefined ? { minSizeBytes: parseInteger(raw.minSize, '--min-size', 1) } : {}),
          dryRun: raw.dryRun === true,
        },
        ctx,
      );
    });
  delta
    .command('vacuum')
    .description('delete data files no longer referenced by the table and older than the retention')
    .argument('<table>', 'path of the Delta table directory')
    .option('--retention <duration>', 'keep unreferenced files younger than this', '7 days')
    .option('--force', "allow a retention shorter than the table's delta.deletedFileRetentionDuration")
    .option('--dry-run', 'print the files that would be deleted without deleting')
    .action(async (table: string, raw: { retention: string; force?: boolean; dryRun?: boolean }) => {
      await deltaVacuum(
        { table, retentionMs: parseDurationFlag(raw.retention, '--retention', { allowZero: true }), force: raw.force === true, dryRun: raw.dryRun === true },
        ctx,
      );
    });
  delta
    .command('show')
    .description('print the version history and row counts of a Delta table')
    .argument('<table>', 'path of the Delta table directory')
    .option('--limit <n>', 'versions of history to print, newest first', '20')
    .option('--json', 'print one JSON object instead of text')
    .action(async (table: string, raw: { limit: string; json?: boolean }) => {
      await deltaShow({ table, limit: parseInteger(raw.limit, '--limit', 1), json: raw.json === true }, ctx);
    });
}

export async function deltaOptimize(options: DeltaOptimizeOptions, ctx: CliContext): Promise<void> {
  const minSize = options.minSizeBytes ?? Math.floor(options.targetSizeBytes * 0.75);
  if (options.dryRun) {
    // The real run's plan, with its checks (protocol, every candidate path inside the table).
    const plan = await planOptimize(options.table, { targetFileSize: options.targetSizeBytes, minFileSize: minSize });
    const perDir = new Map<string, number>();
    for (const b of plan.bins) perDir.set(b.dir, (perDir.get(b.dir) ?? 0) + b.files.length);
    const candidates = [...perDir.entries()];
    ctx.stdout(`dry run: ${candidates.reduce((n, [, c]) => n + c, 0)} files below ${minSize} bytes in ${candidates.length} partitions would be compacted\n`);
    for (const [dir, n] of candidates.sort()) ctx.stdout(`  ${dir || '(table)'}: ${n} files\n`);
    return;
  }
  const r = await optimize(options.table, { targetFileSize: options.targetSizeBytes, minFileSize: minSize });
  if (r.version === undefined) ctx.stdout(`nothing to compact in ${options.table} (no partition has two files below ${minSize} bytes)\n`);
  else ctx.stdout(`optimized ${options.table}: version ${r.version}, ${r.filesRemoved} files → ${r.filesAdded}, ${r.rows} rows rewritten\n`);
}

export async function deltaVacuum(options: DeltaVacuumOptions, ctx: CliContext): Promise<void> {
  const r = await vacuum(options.table, { retentionHours: options.retentionMs / 3_600_000, force: options.force === true, dryRun: options.dryRun });
  ctx.stdout(`${r.dryRun ? 'would delete' : 'deleted'} ${r.deleted.length} files from ${options.table}\n`);
  for (const f of r.deleted) ctx.stdout(`  ${f}\n`);
}

export async function deltaShow(options: DeltaShowOptions, ctx: CliContext): Promise<void> {
  const s = await describeTable(options.table, { limit: options.limit });
  if (options.json) {
    ctx.stdout(`${JSON.stringify(s)}\n`);
    return;
  }
  const cols = s.partitionColumns.length ? ` partitioned by ${s.partitionColumns.join(', ')}` : '';
  ctx.stdout(`${s.tableDir}: version ${s.version}, ${s.rows} rows in ${s.files} files (${(s.bytes / 1048576).toFixed(1)} MiB)${cols}\n`);
  if (s.partitionColumns.length) {
    for (const p of s.partitions) ctx.stdout(`  ${p.partition}: ${p.rows} rows, ${p.files} files\n`);
  }
  ctx.stdout('history (newest first):\n');
  ctx.stdout('  version  time                      operation          files +/-   rows added  txn\n');
  for (const h of s.history) {
    const time = h.timestamp === undefined ? '-' : new Date(h.timestamp).toISOString();
    const txn = h.txns.map((t) => `${t.appId}=${t.version}`).join(' ');
    ctx.stdout(
      `  ${String(h.version).padStart(7)}  ${time.padEnd(24)}  ${(h.operation ?? '-').padEnd(17)}  ${`+${h.filesAdded}/-${h.filesRemoved}`.padEnd(10)}  ${String(h.rowsAdded).padStart(10)}  ${txn}\n`,
    );
  }
}
