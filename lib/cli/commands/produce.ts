/**
 * `tributary produce transactions`: the seed scenario's producer. Generates transaction events
 * (some late beyond the watermark, some malformed) and sends them keyed by account id with an
 * idempotent producer (acks=all), in batches. Flags follow the seed's Python producer:
 * `--num-transactions 100 --interval 1.0`, `--continuous --duration 300`,
 * `--bootstrap-servers localhost:9092 --topic transactions`.
 */
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { connectKafka } from '../connect.js';
import type { CliContext } from '../context.js';
import { parseDurationFlag, parseInstant, parseInteger, parseShare, resolveBrokerTarget } from '../options.js';
import { produceTransactions, type ProduceSummary } from '../produce/producer.js';
import { formatSummary, progressLine } from '../produce/progress.js';
import type { TransactionGeneratorOptions } from '../produce/transactions.js';
import type { KafkaSecurity } from '../../kafka/security.js';
import { bootstrapWithFallback, readClientConfig } from '../client-config.js';
import { addBootstrapOption, addClientConfigOption, addConnectTimeoutOption, addRejectedOption } from './shared.js';

export interface ProduceTransactionsOptions {
  readonly servers: readonly string[];
  /** From `--client-config`; undefined: PLAINTEXT. */
  readonly security?: KafkaSecurity | undefined;
  readonly topic: string;
  readonly partitions: number;
  /** Undefined in continuous mode. */
  readonly count: number | undefined;
  /** Continuous mode: stop after this long; undefined = until interrupted. */
  readonly durationMs: number | undefined;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly generator: TransactionGeneratorOptions;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
}

interface RawProduceOptions {
  bootstrapServers?: string;
  clientConfig?: string;
  embedded?: boolean;
  topic: string;
  partitions: string;
  numTransactions: string;
  interval: string;
  continuous?: boolean;
  duration?: string;
  lateShare: string;
  malformedShare: string;
  watermark: string;
  seed?: string;
  startTime?: string;
  eventSpacing?: string;
  batchSize: string;
  clientId: string;
  connectTimeout: string;
}

export function registerProduceCommand(program: Command, ctx: CliContext): void {
  const produce = program.command('produce').description('produce test data to Kafka');
  const cmd = produce
    .command('transactions')
    .description('send generated transaction events (keyed by account_id) to a topic')
    .summary('send generated transaction events to a topic');
  addBootstrapOption(cmd, false);
  addClientConfigOption(cmd);
  addRejectedOption(cmd, '--embedded');
  cmd
    .option('--topic <name>', 'topic to write to (created when missing)', 'transactions')
    .option('--partitions <n>', 'partitions when the topic is created', '4')
    .option('--num-transactions <n>', 'number of transactions to send', '100')
    .option('--interval <seconds>', 'pause between transactions in seconds (or a duration like "250ms"); 0 = as fast as possible', '0')
    .option('--continuous', 'keep producing until --duration has passed or Ctrl-C')
    .option('--duration <seconds>', 'with --continuous: stop after this many seconds (or a duration like "5 minutes")')
    .option('--late-share <fraction>', 'share of events older than the watermark (e.g. 0.05 or 5%)', '0.05')
    .option('--malformed-share <fraction>', 'share of malformed records: bad JSON, missing fields, wrong types, bad timestamps', '0.01')
    .option('--watermark <duration>', 'lateness beyond which an event counts as late', '10 minutes')
    .option('--seed <int>', 'seed of the generator: same seed, start time and spacing → same events (default: random)')
    .option('--start-time <iso>', 'nominal event time of the first event (default: now)')
    .option('--event-spacing <duration>', 'event-time step between consecutive events (default: the interval)')
    .option('--batch-size <n>', 'records per send', '2000')
    .option('--client-id <id>', 'Kafka client id', 'tributary-producer');
  addConnectTimeoutOption(cmd);
  cmd.action(async (raw: RawProduceOptions) => {
    const options = parseProduceOptions(raw, ctx.env, (name) => cmd.getOptionValueSource(name) === 'cli');
    const summary = await runProduceTransactions(options, ctx);
    ctx.stdout(formatSummary(summary, ctx.stdoutIsTTY));
  });
}

/** Validates the raw flags; `given(name)` tells whether a flag was set on the command line. */
export function parseProduceOptions(
  raw: RawProduceOptions,
  env: CliContext['env'],
  given: (name: keyof RawProduceOptions) => boolean,
): ProduceTransactionsOptions {
  if (raw.embedded) {
    throw new ConfigError(
      '--embedded does not apply to `produce`: the embedded broker lives inside one process, so records produced here would vanish on exit. ' +
        'Give --bootstrap-servers (or KAFKA_BOOTSTRAP_SERVERS), or run `tributary demo`, which produces into its embedded broker itself.',
    );
  }
  const client = readClientConfig(raw.clientConfig, env);
  const bootstrapServers = bootstrapWithFallback(raw.bootstrapServers, env, client);
  const target = resolveBrokerTarget({ ...raw, ...(bootstrapServers !== undefined ? { bootstrapServers } : {}) }, env, false);
  if (target.kind !== 'servers') throw new ConfigError('produce needs a real broker');
  if (raw.continuous && given('numTransactions')) {
    throw new ConfigError('--num-transactions and --continuous exclude each other: --continuous runs until --duration or Ctrl-C.');
  }
  if (!raw.continuous && raw.duration !== undefined) {
    throw new ConfigError('--duration only applies with --continuous.');
  }
  if (raw.topic.trim() === '' || !/^[A-Za-z0-9._-]{1,249}$/.test(raw.topic)) {
    throw new ConfigError(`Invalid --topic: ${JSON.stringify(raw.topic)}. Topic names use letters, digits, '.', '_' and '-' (at most 249).`);
  }
  const intervalMs = parseDurationFlag(raw.interval, '--interval', { bareUnit: 's', fractional: true });
  const lateShare = parseShare(raw.lateShare, '--late-share');
  const malformedShare = parseShare(raw.malformedShare, '--malformed-share');
  if (lateShare + malformedShare > 1) {
    throw new ConfigError(`--late-share (${lateShare}) plus --malformed-share (${malformedShare}) exceed 1.`);
  }
  return {
    servers: target.servers,
    security: client?.security,
    topic: raw.topic,
    partitions: parseInteger(raw.partitions, '--partitions', 1, 10_000),
    count: raw.continuous ? undefined : parseInteger(raw.numTransactions, '--num-transactions', 0),
    durationMs: raw.duration === undefined ? undefined : parseDurationFlag(raw.duration, '--duration', { bareUnit: 's', allowZero: false, fractional: true }),
    intervalMs,
    batchSize: parseInteger(raw.batchSize, '--batch-size', 1, 1_000_000),
    clientId: raw.clientId,
    connectTimeoutMs: parseDurationFlag(raw.connectTimeout, '--connect-timeout', { allowZero: false }),
    generator: {
      seed: raw.seed === undefined ? randomInt(0, 2 ** 31 - 1) : parseInteger(raw.seed, '--seed', 0, 2 ** 31 - 1),
      startTime: raw.startTime === undefined ? Date.now() : parseInstant(raw.startTime, '--start-time'),
      spacingMs: raw.eventSpacing === undefined ? intervalMs : parseDurationFlag(raw.eventSpacing, '--event-spacing', { fractional: true }),
      lateShare,
      malformedShare,
      watermarkMs: parseDurationFlag(raw.watermark, '--watermark'),
    },
  };
}

/** Connects (bounded by the connect timeout), produces, and reports progress on a terminal. */
export async function runProduceTransactions(options: ProduceTransactionsOptions, ctx: CliContext): Promise<ProduceSummary> {
  const { client, admin } = await connectKafka(options.servers, {
    clientId: options.clientId,
    timeoutMs: options.connectTimeoutMs,
    signal: ctx.signal,
    ...(options.security ? { security: options.security } : {}),
  });
  let progressShown = false;
  try {
    return await produceTransactions({
      client,
      admin,
      topic: options.topic,
      partitions: options.partitions,
      generator: options.generator,
      ...(options.count === undefined ? {} : { count: options.count }),
      ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
      intervalMs: options.intervalMs,
      batchSize: options.batchSize,
      signal: ctx.signal,
      clientId: options.clientId,
      ...(ctx.stderrIsTTY
        ? {
            onProgress: (stats) => {
              progressShown = true;
              ctx.stderr(progressLine(stats));
            },
          }
        : {}),
    });
  } finally {
    if (progressShown) ctx.stderr('\n');
    await admin.disconnect().catch(() => undefined);
  }
}
