/**
 * The body of `tributary run`: connect (bounded, clear error when the broker is unreachable),
 * start the application, report progress until Ctrl-C or a fatal error, close cleanly.
 *
 *   connectKafka (≤ --connect-timeout) ─▶ TributaryApp.start ─▶ every interval: stats + lag ─▶ report
 *        Ctrl-C ─▶ "stopping" ─▶ close (last commit, clean task close) ─▶ final report ─▶ exit 0
 *        fatal  ─▶ close ─▶ error (exit 1)
 */
import type { UncaughtExceptionResponse } from '../../app/index.js';
import { TributaryError } from '../../errors.js';
import type { KafkaSecurity } from '../../kafka/security.js';
import type { Admin, KafkaClient } from '../../kafka/types.js';
import { connectKafka, withTimeout } from '../connect.js';
import type { CliContext } from '../context.js';
import type { BrokerTarget } from '../options.js';
import { AppRunner, type AppStats } from './app-runner.js';
import { METRICS_HOST_ENV, serveMetrics } from './metrics-endpoint.js';
import type { MetricsServer } from '../../observability/server.js';
import { progressLine, progressRecord, rates, terminalLine } from './progress.js';
import type { LoadedTopology, OutputTopicSpec } from './topology-module.js';

export interface RunLoopOptions {
  readonly broker: BrokerTarget;
  /** TLS / SASL of every client of the run; undefined: the topology module's `config.security`, else PLAINTEXT. */
  readonly security?: KafkaSecurity | undefined;
  readonly stateDir: string | undefined;
  readonly processingGuarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  /** Static membership (`groupInstanceId`); undefined: the topology module's config, else none. */
  readonly groupInstanceId?: string | undefined;
  readonly connectTimeoutMs: number;
  readonly progressIntervalMs: number | undefined;
  /** What a stream thread's uncaught error does; undefined: the topology's config, else SHUTDOWN_CLIENT. */
  readonly uncaughtExceptionHandler?: UncaughtExceptionResponse | undefined;
  /** Serve /metrics, health and the live page on this port; undefined: no server. */
  readonly metricsPort?: number | undefined;
}

/** Output of one run: JSON lines (machine) or a live terminal line plus plain messages (human). */
export class RunReporter {
  private lineShown = false;

  constructor(private readonly ctx: CliContext) {}

  get human(): boolean {
    return this.ctx.stderrIsTTY;
  }

  event(event: string, fields: Record<string, unknown>, humanText: string): void {
    if (this.human) {
      this.endLine();
      this.ctx.stderr(`${humanText}\n`);
    } else {
      this.ctx.stdout(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
    }
  }

  progress(text: string, record: Record<string, unknown>): void {
    if (this.human) {
      this.lineShown = true;
      this.ctx.stderr(terminalLine(text, process.stderr.columns));
    } else {
      this.ctx.stdout(`${JSON.stringify(record)}\n`);
    }
  }

  endLine(): void {
    if (this.lineShown) this.ctx.stderr('\n');
    this.lineShown = false;
  }
}

async function connect(
  broker: BrokerTarget,
  clientId: string,
  timeoutMs: number,
  signal: AbortSignal,
  security: KafkaSecurity | undefined,
): Promise<{ client: KafkaClient; admin: Admin; embedded: boolean }> {
  if (broker.kind === 'servers') {
    const { client, admin } = await connectKafka(broker.servers, { clientId, timeoutMs, signal, ...(security ? { security } : {}) });
    return { client, admin, embedded: false };
  }
  const { EmbeddedKafka } = await import('../../kafka/embedded/index.js');
  const client = new EmbeddedKafka({ name: 'tributary-run' });
  const admin = client.admin();
  await admin.connect();
  return { client, admin, embedded: true };
}

export async function runLoadedTopology(loaded: LoadedTopology, options: RunLoopOptions, ctx: CliContext): Promise<AppStats> {
  const out = new RunReporter(ctx);
  // One client (with the run's security settings) builds the app's consumers, producers and admin.
  const { security: moduleSecurity, ...moduleConfig } = loaded.config;
  const security = options.security ?? moduleSecurity;
  const { client, admin, embedded } = await connect(options.broker, loaded.applicationId, options.connectTimeoutMs, ctx.signal, security);
  let runner: AppRunner;
  try {
    // A TributaryApp: its config is validated here (a ConfigError naming the key exits 2).
    runner = new AppRunner({
      topology: loaded.topology,
      config: {
        logger: (level, message) => {
          if (level === 'warn' || level === 'error') out.event('log', { applicationId: loaded.applicationId, level, message }, `${level}: ${message}`);
        },
        ...moduleConfig,
        client,
        applicationId: loaded.applicationId,
        processingGuarantee: options.processingGuarantee,
        ...(options.groupInstanceId === undefined ? {} : { groupInstanceId: options.groupInstanceId }),
        ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
        ...(options.uncaughtExceptionHandler === undefined ? {} : { uncaughtExceptionHandler: options.uncaughtExceptionHandler }),
      },
    });
  } catch (error) {
    await withTimeout(admin.disconnect(), 5_000, () => new Error('admin disconnect timed out')).catch(() => undefined);
    if (embedded) await (client as { close?: () => Promise<void> }).close?.().catch(() => undefined);
    throw error;
  }
  let server: MetricsServer | undefined;
  try {
    if (options.metricsPort !== undefined) {
      server = await serveMetrics([runner.app], options.metricsPort, ctx.env[METRICS_HOST_ENV]);
      out.event('metrics', { applicationId: loaded.applicationId, url: server.url }, `Metrics at ${server.url}/metrics, live page at ${server.url}/`);
    }
    const declared = new Set(loaded.topics.map((t) => t.topic));
    if (embedded) {
      // An empty in-process broker: create the topology's input topics so it can start and wait for data.
      await admin.createTopics(runner.userSourceTopics.filter((t) => !declared.has(t)).map((topic) => ({ topic, numPartitions: 1 })));
    }
    await ensureOutputTopics(
      admin,
      loaded.topics,
      runner.userSourceTopics.filter((t) => !declared.has(t)),
    );
    out.event(
      'starting',
      { applicationId: loaded.applicationId, topology: loaded.file, processingGuarantee: options.processingGuarantee, sourceTopics: runner.sourceTopics },
      `Starting ${loaded.applicationId} (${options.processingGuarantee}) on ${options.broker.kind === 'servers' ? options.broker.servers.join(',') : 'the embedded broker'}; reading ${runner.sourceTopics.join(', ')}. Ctrl-C stops.`,
    );
    // Ctrl-C while starting (the app retries an unreachable cluster with backoff): close at once.
    const abortStart = () => void runner.close().catch(() => undefined);
    ctx.signal.addEventListener('abort', abortStart, { once: true });
    try {
      await runner.start();
    } finally {
      ctx.signal.removeEventListener('abort', abortStart);
    }
    if (ctx.signal.aborted) {
      await runner.close().catch(() => undefined);
      throw new TributaryError(`${loaded.applicationId}: interrupted while starting`, { code: 'ILLEGAL_STATE' });
    }
    out.event('running', { applicationId: loaded.applicationId, tasks: runner.stats().tasks }, `${loaded.applicationId} is running.`);
    const failure = await monitor(runner, admin, options, ctx, out);
    out.endLine();
    if (failure === undefined) {
      out.event('stopping', { applicationId: loaded.applicationId }, 'Stopping: committing and closing tasks (Ctrl-C again to force)…');
    }
    await runner.close().catch(() => undefined);
    const final = runner.stats();
    if (failure !== undefined) {
      throw new TributaryError(`${loaded.applicationId} failed: ${failure instanceof Error ? failure.message : String(failure)}`, {
        code: failure instanceof TributaryError ? failure.code : 'PROCESSING',
        cause: failure,
      });
    }
    out.event(
      'stopped',
      {
        applicationId: loaded.applicationId,
        recordsIn: final.recordsIn,
        processed: final.processed,
        recordsOut: final.recordsOut,
        late: final.dropped,
        deadLettered: final.deadLettered,
      },
      `Stopped ${loaded.applicationId}: ${final.recordsIn} in, ${final.recordsOut} out, ${final.dropped} late, ${final.deadLettered} dead-lettered.`,
    );
    return final;
  } finally {
    await server?.close().catch(() => undefined);
    await withTimeout(admin.disconnect(), 5_000, () => new Error('admin disconnect timed out')).catch(() => undefined);
    if (embedded) await (client as { close?: () => Promise<void> }).close?.().catch(() => undefined);
  }
}

/**
 * Creates the output topics a topology declares when they are missing, with their own partition
 * count or that of the largest input topic. Returns the topics created.
 */
export async function ensureOutputTopics(admin: Admin, topics: readonly OutputTopicSpec[], inputs: readonly string[]): Promise<string[]> {
  if (topics.length === 0) return [];
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  const present = inputs.filter((t) => existing.has(t));
  const inputPartitions = present.length ? Math.max(...(await admin.describeTopics(present)).map((d) => d.partitions)) : 1;
  return admin.createTopics(missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions ?? inputPartitions })));
}

/** Reports progress until Ctrl-C (returns undefined) or the runtime fails (returns the error). */
async function monitor(runner: AppRunner, admin: Admin, options: RunLoopOptions, ctx: CliContext, out: RunReporter): Promise<unknown> {
  const intervalMs = options.progressIntervalMs ?? (out.human ? 1_000 : 10_000);
  let failure: unknown;
  let failed = false;
  const done = runner.done().then(
    () => undefined,
    (err: unknown) => {
      failed = true;
      failure = err;
    },
  );
  let previous: AppStats | undefined;
  let previousAt = performance.now();
  let lag: number | undefined;
  let lagInFlight = false;
  const aborted = abortPromise(ctx.signal);
  while (!ctx.signal.aborted && !failed) {
    await Promise.race([done, new Promise<void>((r) => setTimeout(r, intervalMs).unref?.()), aborted]);
    if (ctx.signal.aborted || failed) break;
    if (!lagInFlight) {
      lagInFlight = true;
      void runner
        .lag(admin)
        .then(
          (l) => (lag = l),
          () => undefined,
        )
        .finally(() => (lagInFlight = false));
    }
    const now = performance.now();
    const stats = runner.stats();
    const r = rates(previous, stats, now - previousAt);
    const sample = { stats, lag, graceMs: 0 };
    out.progress(progressLine(sample, r), progressRecord(sample, r, Date.now()));
    previous = stats;
    previousAt = now;
  }
  return failed ? (failure ?? new Error('the runtime stopped')) : undefined;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
