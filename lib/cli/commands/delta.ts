/**
 * `tributary delta optimize|vacuum <table>`: maintenance of Delta tables written by the sink —
 * compaction of small files into larger ones, and removal of files no longer referenced.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';
import { parseDurationFlag, parseInteger } from '../options.js';

export interface DeltaOptimizeOptions {
  readonly table: string;
  /** Target file size in bytes. */
  readonly targetSizeBytes: number;
  readonly dryRun: boolean;
}

export interface DeltaVacuumOptions {
  readonly table: string;
  /** Files removed from the log longer ago than this are deleted, ms. */
  readonly retentionMs: number;
  readonly dryRun: boolean;
}

export function registerDeltaCommand(program: Command, ctx: CliContext): void {
  const delta = program.command('delta').description('maintain Delta tables: optimize, vacuum');
  delta
    .command('optimize')
    .description('compact small files of a Delta table into larger ones (one new commit)')
    .argument('<table>', 'path of the Delta table directory')
    .option('--target-size <bytes>', 'target size of compacted files in bytes', String(128 * 1024 * 1024))
    .option('--dry-run', 'print what would be compacted without writing')
    .action(async (table: string, raw: { targetSize: string; dryRun?: boolean }) => {
      await deltaOptimize({ table, targetSizeBytes: parseInteger(raw.targetSize, '--target-size', 1), dryRun: raw.dryRun === true }, ctx);
    });
  delta
    .command('vacuum')
    .description('delete data files no longer referenced by the table and older than the retention')
    .argument('<table>', 'path of the Delta table directory')
    .option('--retention <duration>', 'keep unreferenced files younger than this', '7 days')
    .option('--dry-run', 'print the files that would be deleted without deleting')
    .action(async (table: string, raw: { retention: string; dryRun?: boolean }) => {
      await deltaVacuum({ table, retentionMs: parseDurationFlag(raw.retention, '--retention'), dryRun: raw.dryRun === true }, ctx);
    });
}

export async function deltaOptimize(options: DeltaOptimizeOptions, _ctx: CliContext): Promise<void> {
  throw notImplemented(`delta optimize ${options.table}`);
}

export async function deltaVacuum(options: DeltaVacuumOptions, _ctx: CliContext): Promise<void> {
  throw notImplemented(`delta vacuum ${options.table}`);
}
