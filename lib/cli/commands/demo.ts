/**
 * `tributary demo`: the seed scenario end to end — produce transactions, run the bronze and
 * windowed topologies with a 10-minute watermark, write Delta tables, and check the results
 * against the reference model of the produced events. Embedded broker unless one is given.
 * The implementation is in ../demo/run-demo.ts.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runDemo as runDemoPipeline } from '../demo/run-demo.js';
import { BOOTSTRAP_ENV, parseDurationFlag, parseInstant, parseInteger, parseShare, resolveBrokerTarget, type BrokerTarget } from '../options.js';
import { addBootstrapOption } from './shared.js';
import { DEFAULT_METRICS_PORT, parseMetricsPort } from '../run/metrics-endpoint.js';

export interface DemoCommandOptions {
  readonly broker: BrokerTarget;
  readonly numTransactions: number;
  readonly seed: number | undefined;
  /** Directory for the demo's Delta tables; undefined: `./data`. */
  readonly outputDir: string | undefined;
  readonly windowMs: number;
  readonly watermarkMs: number;
  readonly partitions?: number;
  readonly lateShare?: number;
  readonly malformedShare?: number;
  readonly spacingMs?: number;
  readonly json?: boolean;
  readonly timeoutMs?: number;
  /** Nominal time of the first event; default: so that the last event is about now. */
  readonly startTime?: number | undefined;
  /** Serve /metrics, health and the live page on this port while the demo runs. */
  readonly metricsPort?: number | undefined;
  /** Keep the live page up after the demo finished (until Ctrl-C); implies a metrics port. */
  readonly ui?: boolean;
}

interface RawDemoOptions {
  bootstrapServers?: string;
  embedded?: boolean;
  numTransactions: string;
  seed?: string;
  outputDir?: string;
  window: string;
  watermark: string;
  partitions: string;
  lateShare: string;
  malformedShare: string;
  eventSpacing: string;
  json?: boolean;
  timeout: string;
  startTime?: string;
  metricsPort?: string;
  ui?: boolean;
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  const cmd = program.command('demo').description('run the seed pipeline end to end: produce → watermarked windows → Delta bronze table');
  addBootstrapOption(cmd, true);
  cmd
    .option('--num-transactions <n>', 'transactions to produce', '10000')
    .option('--seed <int>', 'seed of the transaction generator')
    .option('--output-dir <dir>', 'where to write the Delta tables (default: ./data)')
    .option('--window <duration>', 'tumbling window size of the aggregates', '1 minute')
    .option('--watermark <duration>', 'allowed lateness (grace) of event time', '10 minutes')
    .option('--partitions <n>', 'partitions of the input topic (the model checks per-merchant windows only with 1)', '1')
    .option('--late-share <share>', 'share of events later than the watermark', '0.05')
    .option('--malformed-share <share>', 'share of malformed records', '0.02')
    .option('--event-spacing <duration>', 'event time between consecutive events', '1s')
    .option('--start-time <time>', 'event time of the first event, ISO-8601 or epoch ms (default: the events end about now)')
    .option('--json', 'print the summary as one JSON object')
    .option('--timeout <duration>', 'give up when the applications have not caught up after this long', '5 minutes')
    .option('--metrics-port <port>', 'serve Prometheus /metrics, health endpoints and the live page on this port while the demo runs')
    .option('--ui', `open the live page (on --metrics-port, default ${DEFAULT_METRICS_PORT}) and keep it up after the demo finishes, until Ctrl-C`)
    .action(async (raw: RawDemoOptions) => {
      // Without a broker the demo uses the embedded one: zero setup.
      const wantsEmbedded = raw.embedded === true || (raw.bootstrapServers === undefined && !ctx.env[BOOTSTRAP_ENV]);
      await runDemo(
        {
          broker: resolveBrokerTarget({ ...raw, embedded: wantsEmbedded }, ctx.env, true),
          numTransactions: parseInteger(raw.numTransactions, '--num-transactions', 1, 10_000_000),
          seed: raw.seed === undefined ? undefined : parseInteger(raw.seed, '--seed', 0, 2 ** 31 - 1),
          outputDir: raw.outputDir,
          windowMs: parseDurationFlag(raw.window, '--window', { allowZero: false }),
          watermarkMs: parseDurationFlag(raw.watermark, '--watermark'),
          partitions: parseInteger(raw.partitions, '--partitions', 1, 1000),
          lateShare: parseShare(raw.lateShare, '--late-share'),
          malformedShare: parseShare(raw.malformedShare, '--malformed-share'),
          spacingMs: parseDurationFlag(raw.eventSpacing, '--event-spacing', { allowZero: false }),
          json: raw.json === true,
          timeoutMs: parseDurationFlag(raw.timeout, '--timeout', { allowZero: false }),
          startTime: raw.startTime === undefined ? undefined : parseInstant(raw.startTime, '--start-time'),
          metricsPort: parseMetricsPort(raw.metricsPort),
          ui: raw.ui === true,
        },
        ctx,
      );
    });
}

export async function runDemo(options: DemoCommandOptions, ctx: CliContext): Promise<void> {
  await runDemoPipeline(
    {
      broker: options.broker,
      numTransactions: options.numTransactions,
      seed: options.seed,
      outputDir: options.outputDir,
      windowMs: options.windowMs,
      watermarkMs: options.watermarkMs,
      partitions: options.partitions ?? 1,
      lateShare: options.lateShare ?? 0.05,
      malformedShare: options.malformedShare ?? 0.02,
      spacingMs: options.spacingMs ?? 1000,
      json: options.json ?? false,
      timeoutMs: options.timeoutMs ?? 300_000,
      startTime: options.startTime,
      metricsPort: options.metricsPort ?? (options.ui ? DEFAULT_METRICS_PORT : undefined),
      ui: options.ui ?? false,
    },
    ctx,
  );
}
