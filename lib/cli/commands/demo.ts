/**
 * `tributary demo`: the seed scenario end to end — produce transactions, run the bronze and
 * windowed topologies with a 10-minute watermark, write Delta tables, and check the results
 * against the reference model of the produced events. Embedded broker unless one is given.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notImplemented } from '../not-implemented.js';
import { BOOTSTRAP_ENV, parseDurationFlag, parseInteger, resolveBrokerTarget, type BrokerTarget } from '../options.js';
import { addBootstrapOption } from './shared.js';

export interface DemoCommandOptions {
  readonly broker: BrokerTarget;
  readonly numTransactions: number;
  readonly seed: number | undefined;
  /** Directory for the demo's Delta tables; undefined: a fresh temp dir. */
  readonly outputDir: string | undefined;
  readonly windowMs: number;
  readonly watermarkMs: number;
}

interface RawDemoOptions {
  bootstrapServers?: string;
  embedded?: boolean;
  numTransactions: string;
  seed?: string;
  outputDir?: string;
  window: string;
  watermark: string;
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('demo')
    .description('run the seed pipeline end to end: produce → watermarked windows → Delta bronze table');
  addBootstrapOption(cmd, true);
  cmd
    .option('--num-transactions <n>', 'transactions to produce', '10000')
    .option('--seed <int>', 'seed of the transaction generator')
    .option('--output-dir <dir>', 'where to write the Delta tables (default: a new temp dir)')
    .option('--window <duration>', 'tumbling window size of the aggregates', '1 minute')
    .option('--watermark <duration>', 'allowed lateness (grace) of event time', '10 minutes')
    .action(async (raw: RawDemoOptions) => {
      // Without a broker the demo uses the embedded one: zero setup.
      const wantsEmbedded = raw.embedded === true || (raw.bootstrapServers === undefined && !ctx.env[BOOTSTRAP_ENV]);
      await runDemo(
        {
          broker: resolveBrokerTarget({ ...raw, embedded: wantsEmbedded }, ctx.env, true),
          numTransactions: parseInteger(raw.numTransactions, '--num-transactions', 1),
          seed: raw.seed === undefined ? undefined : parseInteger(raw.seed, '--seed', 0, 2 ** 31 - 1),
          outputDir: raw.outputDir,
          windowMs: parseDurationFlag(raw.window, '--window', { allowZero: false }),
          watermarkMs: parseDurationFlag(raw.watermark, '--watermark'),
        },
        ctx,
      );
    });
}

export async function runDemo(_options: DemoCommandOptions, _ctx: CliContext): Promise<void> {
  throw notImplemented('demo', 'Until it lands, try `tributary produce transactions` against a broker.');
}
