/**
 * `tributary run <topology.ts>`: runs a topology file's default export as a `TributaryApp` against
 * Kafka until interrupted (see run/topology-module.ts for what the file may export). Progress: a live line on
 * a terminal (stderr), JSON lines on stdout otherwise. The first Ctrl-C (SIGINT/SIGTERM) commits
 * and closes cleanly; a second one exits at once (code 130, handled in main.ts).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { UncaughtExceptionResponse } from '../../app/index.js';
import { ConfigError } from '../../errors.js';
import { DEFAULT_STATE_DIR_TEXT, defaultStateDir } from '../../util/state-dir.js';
import type { CliContext } from '../context.js';
import { parseApplicationId, parseDurationFlag, resolveBrokerTarget, type BrokerTarget } from '../options.js';
import { connectKafka, withTimeout } from '../connect.js';
import { RunReporter, runLoadedTopology } from '../run/run-loop.js';
import { PROCESS_INDEX_ENV, superviseProcesses } from '../run/supervisor.js';
import { loadTopology, parseParams } from '../run/topology-module.js';
import type { KafkaSecurity } from '../../kafka/security.js';
import { bootstrapWithFallback, readClientConfig } from '../client-config.js';
import { addBootstrapOption, addClientConfigOption, addConnectTimeoutOption } from './shared.js';
import { METRICS_HOST_ENV, parseMetricsPort } from '../run/metrics-endpoint.js';

export interface RunCommandOptions {
  /** Path of the topology module as given. */
  readonly topology: string;
  readonly broker: BrokerTarget;
  /** From `--client-config`; undefined: the topology module's `config.security`, else PLAINTEXT. */
  readonly security?: KafkaSecurity | undefined;
  /** Undefined: taken from the topology module, else derived from its file name. */
  readonly applicationId: string | undefined;
  /** Undefined: the runtime default (`$XDG_STATE_HOME/tributary` or `~/.local/state/tributary`). */
  readonly stateDir: string | undefined;
  readonly processingGuarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  /** `--group-instance-id`: static membership; a child of `--processes N` uses `<id>-<index>`. */
  readonly groupInstanceId?: string | undefined;
  /** Window size override for topologies that read it, ms. */
  readonly windowMs: number | undefined;
  readonly connectTimeoutMs: number;
  /** Base directory of file outputs (Delta tables) handed to the topology. */
  readonly dataDir: string;
  /** `--param key=value` pairs handed to the topology. */
  readonly params: Readonly<Record<string, string>>;
  /** Time between progress reports; undefined: 1 s on a terminal, 10 s for JSON lines. */
  readonly progressIntervalMs: number | undefined;
  /** `--on-uncaught-error`; undefined: the topology's config, else SHUTDOWN_CLIENT. */
  readonly uncaughtExceptionHandler?: UncaughtExceptionResponse | undefined;
  /** `--metrics-port`: serve /metrics, /health/* and the live page there; undefined: no server. */
  readonly metricsPort?: number | undefined;
  /** `--processes`: runner processes of the app on this machine (1: this process runs it). */
  readonly processes: number;
  /** The command line as given (without `tributary`), for the supervised children. */
  readonly argv: readonly string[];
}

interface RawRunOptions {
  bootstrapServers?: string;
  embedded?: boolean;
  clientConfig?: string;
  applicationId?: string;
  stateDir?: string;
  processingGuarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  groupInstanceId?: string;
  window?: string;
  connectTimeout: string;
  dataDir: string;
  param: string[];
  progressInterval?: string;
  onUncaughtError?: UncaughtExceptionResponse;
  metricsPort?: string;
  processes?: string;
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('run')
    .description('run a topology file (its default export) against Kafka until interrupted')
    .argument('<topology.ts>', 'TypeScript module whose default export is a Topology or a function (options) => Topology');
  addBootstrapOption(cmd, true);
  addClientConfigOption(cmd);
  cmd
    .option('--application-id <id>', 'consumer group, transactional id and internal topic prefix')
    .option('--state-dir <dir>', `directory of local state stores; keep it across restarts (default: ${DEFAULT_STATE_DIR_TEXT})`)
    .addOption(
      new Option('--processing-guarantee <guarantee>', 'delivery guarantee')
        .choices(['exactly_once', 'exactly_once_v2', 'at_least_once'])
        .default('exactly_once'),
    )
    .option(
      '--group-instance-id <id>',
      'static membership (e.g. the pod name); with --processes N each child uses <id>-<index>; needs TRIBUTARY_KAFKA_CLIENT=platformatic',
    )
    .option('--window <duration>', 'window size for topologies that take one, e.g. "1 minute"')
    .option('--data-dir <dir>', 'base directory of the Delta tables a topology writes', 'data')
    .option(
      '--param <key=value>',
      'a topology setting, e.g. input-topic=transactions (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--progress-interval <duration>', 'time between progress reports (default: 1s on a terminal, 10s otherwise)')
    .addOption(
      new Option(
        '--on-uncaught-error <response>',
        'when processing fails and no handler absorbs it: REPLACE_THREAD (restart; a record failing twice is dead-lettered), SHUTDOWN_CLIENT (stop, exit 1) or SHUTDOWN_APPLICATION (stop every instance) (default: SHUTDOWN_CLIENT)',
      ).choices(['REPLACE_THREAD', 'SHUTDOWN_CLIENT', 'SHUTDOWN_APPLICATION']),
    );
  cmd.option(
    '--metrics-port <port>',
    `serve Prometheus /metrics, /health/live, /health/ready and the live page on this port (127.0.0.1; ${METRICS_HOST_ENV} to change), e.g. 9464`,
  );
  cmd.option(
    '--processes <n>',
    `runner processes of the app on this machine, supervised by this one (restart on crash); each is a consumer-group member with its own stores in <state-dir>/process-<i> (default: the number of cores, ${availableParallelism()} here; 1 with --embedded)`,
  );
  addConnectTimeoutOption(cmd);
  cmd.action(async (topology: string, raw: RawRunOptions) => {
    await runTopology(parseRunOptions(topology, raw, ctx.env, ctx.argv ?? []), ctx);
  });
}

export function parseRunOptions(topology: string, raw: RawRunOptions, env: CliContext['env'], argv: readonly string[] = []): RunCommandOptions {
  if (raw.dataDir.trim() === '') throw new ConfigError('Invalid --data-dir: it is empty.');
  const client = raw.embedded ? undefined : readClientConfig(raw.clientConfig, env);
  const bootstrapServers = bootstrapWithFallback(raw.bootstrapServers, env, client);
  const broker = resolveBrokerTarget({ ...raw, ...(bootstrapServers !== undefined ? { bootstrapServers } : {}) }, env, true);
  return {
    topology,
    broker,
    security: client?.security,
    applicationId: raw.applicationId === undefined ? undefined : parseApplicationId(raw.applicationId, '--application-id'),
    stateDir: raw.stateDir,
    processingGuarantee: raw.processingGuarantee,
    groupInstanceId: raw.groupInstanceId,
    windowMs: raw.window === undefined ? undefined : parseDurationFlag(raw.window, '--window', { allowZero: false }),
    connectTimeoutMs: parseDurationFlag(raw.connectTimeout, '--connect-timeout', { allowZero: false }),
    dataDir: raw.dataDir,
    params: parseParams(raw.param ?? []),
    progressIntervalMs: raw.progressInterval === undefined ? undefined : parseDurationFlag(raw.progressInterval, '--progress-interval', { allowZero: false }),
    uncaughtExceptionHandler: raw.onUncaughtError,
    metricsPort: parseMetricsPort(raw.metricsPort),
    processes: parseProcesses(raw.processes, broker.kind !== 'servers'),
    argv,
  };
}

/** `--processes`: a positive integer; default the number of cores (1 on the in-process embedded broker, which one process owns). */
export function parseProcesses(text: string | undefined, embedded: boolean): number {
  if (text === undefined) return embedded ? 1 : availableParallelism();
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new ConfigError(`Invalid --processes "${text}": give a whole number from 1 to 1024, e.g. --processes ${availableParallelism()}.`);
  if (embedded && n > 1)
    throw new ConfigError('--processes must be 1 with --embedded: the embedded broker lives inside one process. Use --bootstrap-servers to run several.');
  return n;
}

export async function runTopology(options: RunCommandOptions, ctx: CliContext): Promise<void> {
  const loaded = await loadTopology(options.topology, {
    applicationId: options.applicationId,
    windowMs: options.windowMs,
    dataDir: options.dataDir,
    params: options.params,
  });
  const index = supervisedIndex(ctx.env);
  if (index !== undefined) {
    // A child of `--processes N`: its own stores, its own metrics port.
    await runLoadedTopology(
      loaded,
      {
        ...options,
        stateDir: join(options.stateDir ?? defaultStateDir(ctx.env), `process-${index}`),
        groupInstanceId: options.groupInstanceId === undefined ? undefined : `${options.groupInstanceId}-${index}`,
        metricsPort: options.metricsPort === undefined || options.metricsPort === 0 ? options.metricsPort : options.metricsPort + index,
      },
      ctx,
    );
    return;
  }
  if (options.processes === 1) {
    await runLoadedTopology(loaded, options, ctx);
    return;
  }
  if (options.broker.kind === 'servers') {
    // Reachability and credentials checked once here: an unreachable broker or a wrong password
    // is one clear error, not N children failing.
    const { admin } = await connectKafka(options.broker.servers, {
      clientId: loaded.applicationId,
      timeoutMs: options.connectTimeoutMs,
      signal: ctx.signal,
      ...((options.security ?? loaded.config.security) ? { security: (options.security ?? loaded.config.security)! } : {}),
    });
    await withTimeout(admin.disconnect(), 5_000, () => new Error('admin disconnect timed out')).catch(() => undefined);
  }
  const out = new RunReporter(ctx);
  out.event(
    'starting',
    { applicationId: loaded.applicationId, topology: loaded.file, processingGuarantee: options.processingGuarantee, processes: options.processes },
    `Starting ${options.processes} processes of ${loaded.applicationId} (${options.processingGuarantee}). Ctrl-C stops.`,
  );
  await superviseProcesses(
    {
      processes: options.processes,
      argv: options.argv,
      applicationId: loaded.applicationId,
      progressIntervalMs: options.progressIntervalMs ?? (out.human ? 1_000 : 10_000),
    },
    ctx,
    out,
  );
}

function supervisedIndex(env: CliContext['env']): number | undefined {
  const raw = env[PROCESS_INDEX_ENV];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${PROCESS_INDEX_ENV} must be a process index (0, 1, …), got "${raw}"; it is set by tributary run --processes, not by hand.`);
  return n;
}
