/**
 * The application object: one topology, one process, one stream thread (`StreamsRuntime`).
 *
 * ```
 *   CREATED ──start()──▶ REBALANCING ◀──────▶ RUNNING
 *                           │  ▲ tasks assigned / revoked, fenced, broker outage (recovering)
 *                           │  └── REPLACE_THREAD: a new runtime after an uncaught error
 *        close() / signal   ▼
 *                     PENDING_SHUTDOWN ──▶ NOT_RUNNING
 *   uncaught error with SHUTDOWN_CLIENT / SHUTDOWN_APPLICATION ──▶ PENDING_SHUTDOWN ──▶ ERROR
 * ```
 *
 * Exactly-once is the default: per-task transactional producers, outputs + changelog records +
 * consumed offsets in one transaction every `commitIntervalMs` (see docs/exactly-once.md).
 * Instances with the same `applicationId` share the work: the group assigns co-partitioned
 * partitions together, a moved task is restored from its changelog by its new owner.
 */
import { TributaryError } from '../errors.js';
import type { Admin, KafkaClient } from '../kafka/types.js';
import { StreamsRuntime, type RuntimeCounters, type RuntimeState } from '../runtime/streams-runtime.js';
import type { ErrorHandlerContext, ErrorResponse } from '../runtime/error-handlers.js';
import { sumMetrics, type TaskMetricsSnapshot } from '../runtime/task-metrics.js';
import type { CommitLatencyWindow } from '../runtime/commit-latency.js';
import { QueryableStores } from '../state/queryable.js';
import { classifyFailure, RecoveryBackoff } from '../runtime/recovery.js';
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore } from '../state/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';
import { Topology } from '../topology/topology.js';
import { resolveAppConfig, type ResolvedAppConfig, type TributaryAppConfig, type UncaughtExceptionResponse } from './config.js';
import { ShutdownRequests } from './shutdown-requests.js';
import { installSignalHandlers } from './signals.js';
import { groupLag, partitionLag, type PartitionLag } from './lag.js';
import { observeRuntime, type RuntimeObservation } from './observation.js';
import { LatencyHistogram, type LatencyHistogramSnapshot } from '../runtime/latency-histogram.js';
import { ClosedParticipants } from '../runtime/participant-metrics.js';
import type { TopologyDescription } from '../topology/describe.js';
import type { Registry } from 'prom-client';
import { TributaryMetrics } from '../observability/collector.js';

/** Lifecycle state of a `TributaryApp`, as Kafka Streams' `KafkaStreams.State`. */
export type AppState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';
/** Called on every app state change with the new and the previous state. */
export type AppStateListener = (next: AppState, previous: AppState) => void;

/** Options of `TributaryApp.close`: how long (ms) to wait for a clean close. */
export interface CloseOptions {
  /** Milliseconds to wait for the graceful close; it goes on in the background after. Default: no limit. */
  readonly timeout?: number;
}

/** Counters of a running app: its state, thread replacements, poison records dead-lettered, runtime counters, and task metrics per task and in total. */
export interface AppMetrics {
  readonly state: AppState;
  /** Stream threads replaced after uncaught errors (REPLACE_THREAD). */
  readonly threadReplacements: number;
  /** Records dead-lettered by the poison-record guard after `poisonRecordAttempts` failures. */
  readonly poisonRecordsDeadLettered: number;
  /** Summed over every runtime this app ran. */
  readonly runtime: Readonly<RuntimeCounters>;
  /** One entry per task incarnation. */
  readonly tasks: readonly TaskMetricsSnapshot[];
  readonly totals: ReturnType<typeof sumMetrics>;
}

/** One running task in a progress snapshot. */
export interface TaskProgress {
  readonly taskId: string;
  /** Highest record timestamp the task has taken (its stream time); undefined before its first record. */
  readonly streamTimeMs: number | undefined;
  /** Records fetched and waiting in the task's queues. */
  readonly buffered: number;
}

/**
 * What a progress line needs, derived from the runtime's counters (nothing is counted per record
 * for it): totals over every task incarnation and every runtime the app ran, the running tasks'
 * stream times, and commit latency over a recent window.
 */
export interface AppProgress {
  readonly applicationId: string;
  readonly state: AppState;
  readonly tasks: readonly TaskProgress[];
  /** Records taken from input queues (= processed + deadLettered + skipped). */
  readonly recordsIn: number;
  readonly processed: number;
  readonly recordsOut: number;
  readonly deadLettered: number;
  readonly skipped: number;
  /** Records an operator discarded: late for a window or a watermark, or without a key. */
  readonly late: number;
  /** Task commits. */
  readonly commits: number;
  /** Lowest stream time over running tasks that have seen a record (the app's event-time low mark); undefined before the first. */
  readonly eventTimeMs: number | undefined;
  /** Commits of the last `windowMs` (default 10 s) that committed something; undefined without any. */
  readonly commitLatencyMs: CommitLatencyWindow | undefined;
  readonly threadReplacements: number;
  readonly poisonRecordsDeadLettered: number;
}

const SHUTDOWN_POLL_MS = 1_000;
const REPLACE_BACKOFF_MS = 1_000;
/**
 * REPLACE_THREAD gives up after this many stream threads in a row failed without committing
 * anything (a failure no record guard can attribute — a broken topology, a topic that refuses
 * every write): the app stops in ERROR naming the last failure, instead of replacing forever.
 */
export const MAX_REPLACEMENTS_WITHOUT_PROGRESS = 10;

const recordKey = (topic: unknown, partition: unknown, offset: unknown): string => `${String(topic)}\0${String(partition)}\0${String(offset)}`;

/**
 * Runs a topology as one member of a Kafka consumer group: exactly-once by default, with state,
 * rebalancing, fencing, recovery, failure handlers and graceful shutdown.
 */
export class TributaryApp {
  readonly applicationId: string;
  private readonly resolved: ResolvedAppConfig;
  private readonly topology: BuiltTopology;
  private readonly queryable = new QueryableStores();
  private readonly listeners = new Set<AppStateListener>();
  private currentState: AppState = 'CREATED';
  private runtime: StreamsRuntime | null = null;
  private admin: Admin | null = null;
  private shutdownRequests: ShutdownRequests | null = null;
  private shutdownTimer: NodeJS.Timeout | null = null;
  private removeSignalHandlers: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private readonly finished: Promise<AppState>;
  private finish!: (state: AppState) => void;
  private readonly poison = new Map<string, number>();
  private threadReplacements = 0;
  /** Stream threads replaced in a row whose runtime never committed (reset by one that did). */
  private replacementStreak = 0;
  private failure: unknown = undefined;
  private poisonDeadLettered = 0;
  private readonly pastCounters: RuntimeCounters = {
    rebalances: 0,
    tasksCreated: 0,
    tasksClosedClean: 0,
    tasksClosedDirty: 0,
    migrations: 0,
    recoveries: 0,
    commits: 0,
  };
  private readonly pastTasks: TaskMetricsSnapshot[] = [];
  /** Commit latencies of runtimes replaced before the current one (so the histogram never goes back). */
  private readonly pastCommitLatency = new LatencyHistogram();
  private readonly pastParticipants = new ClosedParticipants();
  private readonly description: TopologyDescription | undefined;
  private ownMetrics: TributaryMetrics | null = null;

  /** Validates `config` (throws `ConfigError` naming the key) and builds the topology; connects nothing yet. */
  constructor(topology: Topology | BuiltTopology, config: TributaryAppConfig) {
    this.resolved = resolveAppConfig(config);
    this.applicationId = this.resolved.config.applicationId;
    this.topology = topology instanceof Topology ? topology.build(this.applicationId, { optimize: this.resolved.config.optimize }) : topology;
    this.description = topology instanceof Topology ? topology.describe() : undefined;
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  get state(): AppState {
    return this.currentState;
  }

  /** Every topic the app consumes: user source topics and its own repartition topics. */
  get sourceTopics(): readonly string[] {
    return this.topology.sourceTopics;
  }

  /** Source topics other than the app's repartition topics (what upstream producers write); sources outside Kafka (`deltaStream`) are not topics. */
  get userSourceTopics(): readonly string[] {
    const internal = new Set(this.topology.subtopologies.flatMap((s) => s.repartitionSourceTopics));
    return this.topology.sourceTopics.filter((t) => !internal.has(t) && this.topology.subtopologyForTopic(t)?.sourceByTopic.get(t)?.external === undefined);
  }

  /**
   * Source topics written by someone else: neither repartition topics nor the app's own output
   * topics read back (their transaction markers would show as a lag of one forever).
   */
  get externalSourceTopics(): readonly string[] {
    const written = new Set(this.topology.subtopologies.flatMap((s) => s.sinks.map((k) => k.topic)));
    return this.userSourceTopics.filter((t) => !written.has(t));
  }

  /** Where records refused by the handlers go. */
  get deadLetterTopic(): string {
    return this.resolved.config.deadLetterTopic;
  }

  /** Registers a state listener; returns a function that removes it. */
  onStateChange(listener: AppStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(next: AppState): void {
    const previous = this.currentState;
    if (previous === next) return;
    if (previous === 'NOT_RUNNING' || previous === 'ERROR') return;
    this.currentState = next;
    for (const l of this.listeners) {
      try {
        l(next, previous);
      } catch (error) {
        this.resolved.config.logger('warn', `state listener failed: ${String(error)}`);
      }
    }
    if (next === 'NOT_RUNNING' || next === 'ERROR') this.finish(next);
  }

  /**
   * Creates internal topics, joins the group and starts processing in the background. Resolves
   * once the instance is a group member (state REBALANCING or RUNNING); tasks arrive with the
   * assignment. Start-up failures (missing source topics, co-partitioning, locked state
   * directory) reject here and leave the app in ERROR.
   */
  async start(): Promise<void> {
    if (this.currentState !== 'CREATED') throw new TributaryError(`Cannot start an app that is ${this.currentState}`, { code: 'ILLEGAL_STATE' });
    this.setState('REBALANCING');
    if (this.resolved.config.installSignalHandlers) {
      this.removeSignalHandlers = installSignalHandlers(
        () => this.close(),
        (m) => this.resolved.config.logger('info', m),
      );
    }
    const backoff = new RecoveryBackoff(this.resolved.config.retryBackoffMs, this.resolved.config.retryBackoffMaxMs, this.resolved.config.recoveryTimeoutMs);
    for (;;) {
      try {
        const client = await this.resolved.client();
        this.admin ??= client.admin();
        await this.admin.connect();
        this.shutdownRequests = new ShutdownRequests(client, this.applicationId, this.resolved.config.replicationFactor);
        await this.shutdownRequests.start(this.admin);
        await this.startRuntime(client);
        break;
      } catch (error) {
        // The cluster unreachable at start is an outage like any other: retry with backoff.
        const delay = classifyFailure(error) === 'retriable' && this.closing === null ? backoff.fail(Date.now()) : null;
        if (delay === null) {
          this.failure ??= error;
          await this.shutdown('ERROR');
          throw error;
        }
        this.resolved.config.logger(
          'error',
          `start failed (attempt ${backoff.attempts}), retrying in ${delay} ms: ${error instanceof Error ? error.message : String(error)}`,
        );
        await this.admin?.disconnect().catch(() => undefined);
        this.admin = null;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.shutdownTimer = setInterval(() => void this.checkShutdownRequests(), SHUTDOWN_POLL_MS);
    this.shutdownTimer.unref();
  }

  private async startRuntime(client: KafkaClient): Promise<void> {
    const runtime = new StreamsRuntime({
      topology: this.topology,
      client,
      queryable: this.queryable,
      config: {
        ...this.resolved.input,
        processingExceptionHandler: this.guarded(this.resolved.config.processingExceptionHandler),
        deserializationExceptionHandler: this.guarded(this.resolved.config.deserializationExceptionHandler),
        productionExceptionHandler: this.guarded(this.resolved.config.productionExceptionHandler),
      },
    });
    this.runtime = runtime;
    runtime.onStateChange((next) => this.onRuntimeState(runtime, next));
    await runtime.start();
    runtime.done().then(
      () => undefined,
      (error: unknown) => void this.onUncaught(runtime, error),
    );
  }

  private onRuntimeState(runtime: StreamsRuntime, next: RuntimeState): void {
    if (runtime !== this.runtime || this.closing !== null) return;
    if (next === 'running') this.setState('RUNNING');
    else if (next === 'starting' || next === 'rebalancing') this.setState('REBALANCING');
  }

  /**
   * The poison-record guard: a record whose failure already stopped a stream thread
   * `poisonRecordAttempts` times is dead-lettered instead of failing again (else REPLACE_THREAD
   * would loop on it forever).
   */
  private guarded(handler: (context: ErrorHandlerContext, error: unknown) => ErrorResponse): (context: ErrorHandlerContext, error: unknown) => ErrorResponse {
    return (context, error) => {
      const response = handler(context, error);
      if (response !== 'fail' || context.partition < 0) return response;
      const failures = this.poison.get(recordKey(context.topic, context.partition, context.offset)) ?? 0;
      if (failures < this.resolved.config.poisonRecordAttempts) return response;
      this.poisonDeadLettered++;
      this.resolved.config.logger('error', `poison record ${context.topic}-${context.partition}@${context.offset} failed ${failures} times; dead-lettering it`);
      return 'dead-letter';
    };
  }

  private notePoison(error: unknown): void {
    if (!(error instanceof TributaryError) || (error.code !== 'PROCESSING' && error.code !== 'SERDE' && error.code !== 'RECORD_TOO_LARGE')) return;
    const { topic, partition, offset } = error.context;
    if (typeof topic !== 'string' || typeof partition !== 'number' || partition < 0 || typeof offset !== 'number') return;
    const k = recordKey(topic, partition, offset);
    this.poison.set(k, (this.poison.get(k) ?? 0) + 1);
  }

  private async onUncaught(runtime: StreamsRuntime, error: unknown): Promise<void> {
    if (runtime !== this.runtime || this.closing !== null) return;
    this.notePoison(error);
    let response: UncaughtExceptionResponse;
    try {
      response = this.resolved.config.uncaughtExceptionHandler(error);
    } catch (handlerError) {
      this.resolved.config.logger('error', `uncaught-exception handler failed: ${String(handlerError)}`);
      response = 'SHUTDOWN_CLIENT';
    }
    const message = error instanceof Error ? error.message : String(error);
    this.resolved.config.logger('error', `stream thread died (${response}): ${message}`);
    if (response === 'REPLACE_THREAD') {
      this.replacementStreak = runtime.counters.commits > 0 ? 1 : this.replacementStreak + 1;
      if (this.replacementStreak <= MAX_REPLACEMENTS_WITHOUT_PROGRESS) {
        await this.replaceThread(runtime);
        return;
      }
      const where =
        error instanceof TributaryError && typeof error.context.topic === 'string'
          ? ` at ${error.context.topic}-${String(error.context.partition)}@${String(error.context.offset)}`
          : '';
      error = new TributaryError(
        `REPLACE_THREAD gave up: ${MAX_REPLACEMENTS_WITHOUT_PROGRESS} stream threads in a row failed without committing anything${where}; last failure: ${message}. ` +
          'Fix the cause (or choose a dead-letter handler for the failing records) and restart',
        { code: error instanceof TributaryError ? error.code : 'PROCESSING', cause: error, context: error instanceof TributaryError ? error.context : {} },
      );
      this.resolved.config.logger('error', (error as Error).message);
    }
    this.failure ??= error;
    if (response === 'SHUTDOWN_APPLICATION') {
      await this.shutdownRequests?.request(`${this.resolved.config.clientId}: ${message}`).catch((e: unknown) => {
        this.resolved.config.logger('error', `could not publish the application shutdown request: ${String(e)}`);
      });
    }
    await this.shutdown('ERROR');
  }

  /**
   * Closes the failed runtime and starts a new one, after a backoff that doubles with every
   * replacement in a row without a commit (`retryBackoffMs` up to `retryBackoffMaxMs`), so a
   * failure that recurs at once does not spin.
   */
  private async replaceThread(failed: StreamsRuntime): Promise<void> {
    this.threadReplacements++;
    this.setState('REBALANCING');
    await failed.close().catch(() => undefined);
    const base = this.resolved.config.retryBackoffMs;
    const delay = Math.min(this.resolved.config.retryBackoffMaxMs, base * 2 ** Math.min(this.replacementStreak - 1, 20));
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    // Its counters move to the app's past; it is no longer the current runtime (counted once).
    this.keepMetrics(failed);
    if (this.runtime === failed) this.runtime = null;
    for (;;) {
      if (this.closing !== null) return;
      try {
        await this.startRuntime(await this.resolved.client());
        return;
      } catch (error) {
        this.resolved.config.logger('error', `replacing the stream thread failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((r) => setTimeout(r, REPLACE_BACKOFF_MS));
      }
    }
  }

  private keepMetrics(runtime: StreamsRuntime): void {
    for (const [k, v] of Object.entries(runtime.counters) as Array<[keyof RuntimeCounters, number]>) this.pastCounters[k] += v;
    this.pastTasks.push(...runtime.metrics());
    this.pastCommitLatency.add(runtime.commitLatency.histogram.snapshot());
    this.pastParticipants.addAll(runtime.closedParticipants.list());
  }

  private async checkShutdownRequests(): Promise<void> {
    if (this.closing !== null || this.admin === null || this.shutdownRequests === null) return;
    try {
      if (!(await this.shutdownRequests.requested(this.admin))) return;
    } catch {
      return; // broker unreachable: the runtime reports it
    }
    this.resolved.config.logger('error', 'another instance requested an application shutdown (SHUTDOWN_APPLICATION)');
    this.failure ??= new TributaryError('Another instance requested an application shutdown (SHUTDOWN_APPLICATION)', { code: 'ILLEGAL_STATE' });
    await this.shutdown('ERROR');
  }

  /**
   * Graceful close: finishes the in-flight batch, commits, writes checkpoints, leaves the group.
   * Resolves true when done within `timeout` (false: still closing in the background).
   */
  async close(options: CloseOptions = {}): Promise<boolean> {
    if (this.currentState === 'CREATED') {
      this.setState('NOT_RUNNING');
      return true;
    }
    const closing = this.shutdown('NOT_RUNNING');
    if (options.timeout === undefined) {
      await closing;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.timeout)));
    try {
      return await Promise.race([closing.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private shutdown(final: 'NOT_RUNNING' | 'ERROR'): Promise<void> {
    this.closing ??= (async () => {
      this.setState('PENDING_SHUTDOWN');
      if (this.shutdownTimer !== null) clearInterval(this.shutdownTimer);
      const runtime = this.runtime;
      let failed = final === 'ERROR';
      if (runtime !== null) {
        try {
          await runtime.close();
          if (runtime.state === 'error') failed = true;
        } catch (error) {
          failed = true;
          this.failure ??= error;
          this.resolved.config.logger('error', `close failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = null;
      this.removeSignalHandlers?.();
      this.removeSignalHandlers = null;
      this.setState(failed ? 'ERROR' : 'NOT_RUNNING');
    })();
    return this.closing;
  }

  /** Resolves with the final state (NOT_RUNNING or ERROR) once the app stopped. */
  done(): Promise<AppState> {
    return this.finished;
  }

  /** The error that stopped the app (state ERROR): a failed start, a stream thread's uncaught error, another instance's shutdown request. */
  get error(): unknown {
    return this.failure;
  }

  /** Counters of the app, its runtimes and every task incarnation. */
  metrics(): AppMetrics {
    const runtime = { ...this.pastCounters };
    if (this.runtime !== null) for (const [k, v] of Object.entries(this.runtime.counters) as Array<[keyof RuntimeCounters, number]>) runtime[k] += v;
    const tasks = [...this.pastTasks, ...(this.runtime?.metrics() ?? [])];
    return {
      state: this.currentState,
      threadReplacements: this.threadReplacements,
      poisonRecordsDeadLettered: this.poisonDeadLettered,
      runtime,
      tasks,
      totals: sumMetrics(tasks),
    };
  }

  /**
   * A snapshot for progress reporting: totals over every task incarnation, the running tasks'
   * stream times, commit latency over the last `windowMs` (default 10 s). Derived from counters the
   * runtime keeps anyway; cheap enough to call every second.
   */
  progress(options: { readonly windowMs?: number } = {}): AppProgress {
    const m = this.metrics();
    const running = this.runtime?.tasks() ?? [];
    let eventTime: number | undefined;
    const tasks: TaskProgress[] = [];
    for (const t of running) {
      const st = t.streamTime();
      const streamTimeMs = st >= 0 ? st : undefined;
      if (streamTimeMs !== undefined && (eventTime === undefined || streamTimeMs < eventTime)) eventTime = streamTimeMs;
      tasks.push({ taskId: t.id, streamTimeMs, buffered: t.numBuffered() });
    }
    const windowMs = options.windowMs ?? 10_000;
    return {
      applicationId: this.applicationId,
      state: this.currentState,
      tasks,
      recordsIn: m.totals.recordsIn,
      processed: m.totals.processed,
      recordsOut: m.totals.recordsOut,
      deadLettered: m.totals.deadLettered,
      skipped: m.totals.skipped,
      late: m.totals.dropped,
      commits: m.totals.commits,
      eventTimeMs: eventTime,
      commitLatencyMs: this.runtime?.commitLatency.since(performance.now() - windowMs),
      threadReplacements: m.threadReplacements,
      poisonRecordsDeadLettered: m.poisonRecordsDeadLettered,
    };
  }

  /**
   * Consumer lag: records in `topics` (default: the external source topics) not yet committed by
   * the app's group. Needs a started app (it uses the app's admin connection).
   */
  async lag(topics: readonly string[] = this.externalSourceTopics): Promise<number> {
    const admin = this.admin;
    if (admin === null) throw new TributaryError(`Cannot measure the lag of an app that is ${this.currentState}`, { code: 'ILLEGAL_STATE' });
    return groupLag(admin, this.applicationId, topics);
  }

  /**
   * The app's prom-client registry (created on first call): every tributary metric of this app
   * plus the process metrics, read at scrape time (docs/operations.md). An application with its
   * own metrics server serves it or merges it: `Registry.merge([mine, app.metricsRegistry()])`.
   */
  metricsRegistry(): Registry {
    this.ownMetrics ??= new TributaryMetrics().add(this);
    return this.ownMetrics.registry;
  }

  /** The topology's `describe()` when the app was created from a `Topology` (not from a built one). */
  get topologyDescription(): TopologyDescription | undefined {
    return this.description;
  }

  /**
   * A view of the running tasks (stream time, stores, commit participants, restorations) and the
   * commit-latency histogram over every runtime the app ran, for the metrics endpoint
   * (lib/observability). Reads what the runtime counts anyway.
   */
  observe(options: { readonly recentWindowMs?: number } = {}): RuntimeObservation & { readonly commitLatencyTotal: LatencyHistogramSnapshot } {
    const current = observeRuntime(this.runtime, this.applicationId, options.recentWindowMs ?? 10_000);
    const total = new LatencyHistogram();
    total.add(this.pastCommitLatency.snapshot());
    if (current.commitLatency !== undefined) total.add(current.commitLatency);
    const closed = new ClosedParticipants();
    closed.addAll(this.pastParticipants.list());
    closed.addAll(current.closedParticipants);
    return { ...current, closedParticipants: closed.list(), commitLatencyTotal: total.snapshot() };
  }

  /** Consumer lag per partition of `topics` (default: the external source topics); needs a started app. */
  async lagByPartition(topics: readonly string[] = this.externalSourceTopics): Promise<PartitionLag[]> {
    const admin = this.admin;
    if (admin === null) throw new TributaryError(`Cannot measure the lag of an app that is ${this.currentState}`, { code: 'ILLEGAL_STATE' });
    return partitionLag(admin, this.applicationId, topics);
  }

  /**
   * Interactive queries: a read-only view of the local instances of store `name` (every local
   * task hosting it). Throws `STORE_NOT_AVAILABLE` (retriable) while it is restoring or when no
   * local task hosts it (another instance does, or the assignment is still in progress).
   */
  store<K, V>(name: string, type?: 'keyValue'): ReadOnlyKeyValueStore<K, V>;
  store<K, V>(name: string, type: 'window'): ReadOnlyWindowStore<K, V>;
  store<K, V>(name: string, type: 'session'): ReadOnlySessionStore<K, V>;
  store<K, V>(
    name: string,
    type: 'keyValue' | 'window' | 'session' = 'keyValue',
  ): ReadOnlyKeyValueStore<K, V> | ReadOnlyWindowStore<K, V> | ReadOnlySessionStore<K, V> {
    if (type === 'window') return this.queryable.windowStore<K, V>(name);
    if (type === 'session') return this.queryable.sessionStore<K, V>(name);
    return this.queryable.keyValueStore<K, V>(name);
  }
}
