/**
 * The stream thread: one consumer subscribed to every source topic (user and repartition topics)
 * of the topology, and the loop
 *
 *   poll ─▶ route batches to task queues ─▶ process (sync) ─▶ wall-clock punctuation
 *        ─▶ send past the buffer threshold ─▶ commit every commit.interval.ms
 *
 * The tasks, their producers, stores and checkpoints belong to the `TaskManager`
 * (`task-manager.ts`); when to commit to the `CommitSchedule`. Rebalance callbacks (inside `poll`)
 * ask the task manager to create and close tasks. A fenced producer (`TaskMigratedError`) or a
 * retriable failure closes every task dirty and rejoins the group with a new consumer (`recover`).
 *
 * Global stores are rebuilt before the first poll and updated at the start of every iteration
 * (`global-state.ts`). `start()` runs the loop in the background (or not, for the test driver, which calls `runOnce`
 * itself); `close()` commits and closes cleanly.
 */
import { TributaryError } from '../errors.js';
import type { Admin, Consumer, KafkaClient, TopicPartition } from '../kafka/types.js';
import type { StateStore } from '../state/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';
import { Topology } from '../topology/topology.js';
import { normalizeConfig, type NormalizedConfig, type StreamsConfig } from './config.js';
import { GlobalStateManager } from './global-state.js';
import { prepareTopics, type PreparedTopics } from './internal-topics.js';
import { RecordLimits } from './record-limits.js';
import type { CommitTasksOptions } from './task-committer.js';
import { classifyFailure, RecoveryBackoff, type FailureKind } from './recovery.js';
import { QueryableStores } from '../state/queryable.js';
import type { TaskMetricsSnapshot } from './task-metrics.js';
import { CommitLatency } from './commit-latency.js';
import { StateDirectory } from '../state/state-directory.js';
import type { RestoreProgress } from '../state/restore.js';
import { ClosedParticipants } from './participant-metrics.js';
import { CommitSchedule } from './commit-schedule.js';
import { TaskManager } from './task-manager.js';
import type { StreamTask } from './task.js';
import { ExternalSources } from './external-sources.js';
import { StandbyTasks } from './standby-tasks.js';

/** `rebalancing`: inside a rebalance callback (tasks being created, restored or closed) or recovering from a failure. */
export type RuntimeState = 'created' | 'starting' | 'running' | 'rebalancing' | 'closing' | 'closed' | 'error';

/** Counters of the stream thread's life (application-level metrics). */
export interface RuntimeCounters {
  /** Rebalance callbacks that created or closed tasks. */
  rebalances: number;
  tasksCreated: number;
  tasksClosedClean: number;
  tasksClosedDirty: number;
  /** Fenced producers (a newer instance owns the task): every task closed dirty, group rejoined. */
  migrations: number;
  /** Retriable failures recovered from (broker unreachable, commit outcome unknown). */
  recoveries: number;
  /** Commits that covered at least one task. */
  commits: number;
}
/** A task store's changelog restoration (see `restoreStores`). */
export interface TaskRestoreProgress extends RestoreProgress {
  readonly taskId: string;
}
export type StateListener = (next: RuntimeState, previous: RuntimeState) => void;

export interface StreamsRuntimeOptions {
  readonly topology: Topology | BuiltTopology;
  readonly client: KafkaClient;
  readonly config: StreamsConfig;
  /** Registry for interactive queries; pass one to keep views valid across runtimes. Default: a new one. */
  readonly queryable?: QueryableStores;
}

export interface StartOptions {
  /** Run the poll loop in the background. Default true; the test driver passes false and calls `runOnce`. */
  readonly loop?: boolean;
}

function taskCommits(tasks: readonly StreamTask[]): number {
  let n = 0;
  for (const t of tasks) n += t.metrics.commits;
  return n;
}

export class StreamsRuntime {
  readonly config: NormalizedConfig;
  readonly topology: BuiltTopology;
  private readonly client: KafkaClient;
  private currentState: RuntimeState = 'created';
  private readonly listeners = new Set<StateListener>();
  private admin: Admin | null = null;
  private consumer: Consumer | null = null;
  private prepared: PreparedTopics | null = null;
  private readonly taskManager: TaskManager;
  private schedule: CommitSchedule;
  private stopping = false;
  /**
   * The background loop sends what an iteration buffered without waiting for the acknowledgements:
   * they arrive while the next iteration polls and processes (`settleSends`). Off when a caller
   * (the test driver) steps the runtime itself and reads the outputs after each step.
   */
  private pipelineSends = false;
  /** The sends started by the last iteration of the loop (`pipelineSends`), until settled. */
  private sending: Promise<void> | null = null;
  private loopPromise: Promise<void> | null = null;
  private fatal: unknown = undefined;
  private stateDirectory: StateDirectory | null = null;
  private readonly global: GlobalStateManager;
  private readonly backoff: RecoveryBackoff;
  /** Local stores by name for interactive queries (registered while their task runs). */
  readonly queryable: QueryableStores;
  readonly counters: RuntimeCounters = { rebalances: 0, tasksCreated: 0, tasksClosedClean: 0, tasksClosedDirty: 0, migrations: 0, recoveries: 0, commits: 0 };
  /** Durations of `commit()` calls that committed at least one task (timed per commit, not per record). */
  readonly commitLatency = new CommitLatency();
  /** Latest restoration progress per task store (`<taskId>\0<store>`), while its task is open. */
  readonly restores = new Map<string, TaskRestoreProgress>();
  /** What the commit participants (Delta sinks) of closed tasks wrote, per target. */
  readonly closedParticipants = new ClosedParticipants();
  private wakeSleep: (() => void) | null = null;
  /** Sources outside Kafka (`builder.deltaStream`), fed between polls; null when the topology has none. */
  private readonly external: ExternalSources | null;
  /** Standby replicas (`numStandbyReplicas`; inactive at 0). */
  readonly standby: StandbyTasks;
  private standbySyncedAt = 0;

  constructor(options: StreamsRuntimeOptions) {
    this.config = normalizeConfig(options.config);
    this.client = options.client;
    this.queryable = options.queryable ?? new QueryableStores();
    const built =
      options.topology instanceof Topology ? options.topology.build(this.config.applicationId, { optimize: this.config.optimize }) : options.topology;
    if (built.applicationId !== this.config.applicationId) {
      throw new TributaryError(`The topology was built for application id ${built.applicationId}, the runtime is ${this.config.applicationId}`, {
        code: 'CONFIG',
      });
    }
    this.external = ExternalSources.of(built);
    this.topology = this.external?.topology ?? built;
    this.global = new GlobalStateManager(this.topology.globalStores, this.config, this.client);
    this.backoff = new RecoveryBackoff(this.config.retryBackoffMs, this.config.retryBackoffMaxMs, this.config.recoveryTimeoutMs);
    this.schedule = new CommitSchedule(this.config.commitIntervalMs, 0);
    this.taskManager = new TaskManager({
      topology: this.topology,
      config: this.config,
      client: this.client,
      queryable: this.queryable,
      counters: this.counters,
      restores: this.restores,
      closedParticipants: this.closedParticipants,
      globalStores: this.global.stores,
      consumer: () => this.consumer,
      admin: () => this.admin,
      onTaskClosed: (task) => this.external?.closeTask(task),
    });
    this.standby = new StandbyTasks(this.topology, this.config, this.client, (t) => this.prepared?.partitions.get(t));
  }

  get state(): RuntimeState {
    return this.currentState;
  }

  /** Registers a listener for state changes; returns a function that removes it. */
  onStateChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(next: RuntimeState): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    for (const l of this.listeners) l(next, previous);
  }

  /** Running tasks, by id. */
  tasks(): StreamTask[] {
    return this.taskManager.tasks();
  }

  /** Global stores by name (after `start`). */
  globalStores(): ReadonlyMap<string, StateStore> {
    return this.global.stores;
  }

  /** Partition counts of known topics (after `start`). */
  partitionsFor(topic: string): number | undefined {
    return this.prepared?.partitions.get(topic);
  }

  /** Per-task metrics of running tasks plus those closed earlier (one entry per task incarnation). */
  metrics(): TaskMetricsSnapshot[] {
    return this.taskManager.metrics();
  }

  /** Prepares topics, connects, subscribes; then runs the loop in the background unless `loop: false`. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.currentState !== 'created') throw new TributaryError(`Cannot start a runtime that is ${this.currentState}`, { code: 'ILLEGAL_STATE' });
    this.setState('starting');
    try {
      this.stateDirectory = StateDirectory.lock(this.config.stateDir, this.config.applicationId);
      this.admin = this.client.admin();
      await this.admin.connect();
      await this.external?.prepare(this.admin, this.config.replicationFactor);
      this.prepared = await prepareTopics(this.admin, this.topology, {
        deadLetterTopic: this.config.deadLetterTopic,
        deadLetterTopicPartitions: this.config.deadLetterTopicPartitions,
        replicationFactor: this.config.replicationFactor,
      });
      this.taskManager.prepare(this.prepared, new RecordLimits(this.prepared.maxMessageBytes));
      await this.global.start(this.admin);
      if (!this.config.exactlyOnce || this.config.eosV2) await this.taskManager.connectSharedProducer();
      await this.subscribe();
      this.schedule = new CommitSchedule(this.config.commitIntervalMs, this.config.clock.now());
      this.setState('running');
    } catch (error) {
      this.fatal = error;
      await this.shutdown(false);
      this.setState('error');
      throw error;
    }
    if (options.loop ?? true) {
      this.pipelineSends = true;
      this.loopPromise = this.loop();
    }
  }

  /** Resolves when the background loop ends (after `close`), rejects with the error that stopped it. */
  async done(): Promise<void> {
    await this.loopPromise;
    if (this.fatal !== undefined) throw this.fatal;
  }

  private async subscribe(): Promise<void> {
    const c = this.config;
    this.consumer = this.client.consumer({
      groupId: c.applicationId,
      clientId: `${c.clientId}-consumer`,
      autoOffsetReset: c.autoOffsetReset,
      ...(c.groupInstanceId !== undefined ? { groupInstanceId: c.groupInstanceId } : {}),
      ...(c.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: c.sessionTimeoutMs } : {}),
      ...(c.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: c.heartbeatIntervalMs } : {}),
      ...(c.rebalanceProtocol !== undefined ? { rebalanceProtocol: c.rebalanceProtocol } : {}),
    });
    await this.consumer.connect();
    await this.consumer.subscribe(this.topology.sourceTopics, {
      onPartitionsAssigned: (tps) => this.onAssigned(tps),
      onPartitionsRevoked: (tps) => this.onRevoked(tps),
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.runOnce();
      } catch (error) {
        if (this.stopping) break;
        this.fatal ??= error;
        this.setState('error');
        await this.shutdown(false).catch(() => undefined);
        return;
      }
    }
  }

  /**
   * One iteration: poll (running rebalance callbacks), process every buffered record, fire due
   * wall-clock punctuations, send large buffers, commit when the interval elapsed or a processor
   * asked. Returns the number of records processed. A migrated task or a retriable failure
   * makes every task close dirty and the consumer rejoin (`recovery.ts`); anything else is fatal.
   */
  async runOnce(pollMs: number = this.config.pollMs): Promise<number> {
    this.throwIfFailed();
    try {
      const consumer = this.requireConsumer();
      const globalUpdates = this.global.isEmpty ? 0 : await this.global.update();
      const fed = this.external === null ? 0 : await this.external.feed();
      const timeoutMs = globalUpdates > 0 || fed > 0 || this.external?.busy === true ? 0 : pollMs;
      const polled = await consumer.poll(timeoutMs);
      // The anchor topic of an external source only carries the group's partitions: nothing to process.
      const fetched = this.taskManager.route(this.external === null ? polled : polled.filter((b) => !this.external!.isAnchor(b.topic))) + fed;
      if (fetched > 0) this.backoff.succeed();
      await this.syncStandbys();
      return globalUpdates + (await this.processAndMaybeCommit());
    } catch (error) {
      let failure: unknown = error;
      const kind = this.stopping ? 'fatal' : classifyFailure(error);
      if (kind !== 'fatal') {
        try {
          await this.recover(error, kind);
          return 0;
        } catch (recoveryError) {
          failure = recoveryError;
        }
      }
      // Fatal: `close()` will close every task dirty (nothing more is committed).
      this.fatal ??= failure;
      this.setState('error');
      throw failure;
    }
  }

  /** Processes what is buffered (no poll), punctuates, sends, and commits if due. */
  async processAndMaybeCommit(): Promise<number> {
    this.throwIfFailed();
    let processed = 0;
    const now = this.config.clock.now();
    let commitRequested = false;
    const tasks = this.taskManager.tasks();
    for (const task of tasks) {
      if (!task.isRunning) continue;
      const started = performance.now();
      const n = task.process();
      // Timed per call (a batch), for the process-latency histogram of the metrics endpoint.
      if (n > 0) task.metrics.processLatency.observeMs(performance.now() - started);
      processed += n;
      task.punctuateWallClock(now);
      if (task.commitRequested) commitRequested = true;
    }
    const due = this.schedule.due(this.config.clock.now(), commitRequested);
    if (this.pipelineSends) {
      // The sends of the last iteration were acknowledged while this one polled and processed.
      await this.settleSends();
      if (!due) {
        const sending = this.latchFatal(this.taskManager.sendBuffered(tasks, this.config.sendThresholdRecords));
        sending.catch(() => undefined); // awaited by the next settleSends
        this.sending = sending;
      }
    } else await this.taskManager.sendBuffered(tasks, this.config.sendThresholdRecords);
    // Paced: tasks whose commit participants (e.g. a Delta sink) are not due yet keep their transaction open.
    if (due) await this.commit({ paced: true });
    return processed;
  }

  /** Fires wall-clock punctuations of every task at the clock's current time. */
  punctuateWallClock(): number {
    const now = this.config.clock.now();
    let fired = 0;
    for (const task of this.taskManager.tasks()) fired += task.punctuateWallClock(now);
    return fired;
  }

  /** Commits every task now (flush stores, send, offsets, commit); `paced`: only tasks whose commit participants are due. */
  async commit(options: CommitTasksOptions = {}): Promise<void> {
    this.throwIfFailed();
    await this.settleSends();
    const tasks = this.taskManager.tasks();
    const pending = tasks.some((t) => t.isRunning && t.commitNeeded());
    const before = pending ? taskCommits(tasks) : 0;
    const started = pending ? performance.now() : 0;
    await this.latchFatal(this.taskManager.commit({ ...options, nowMs: this.config.clock.now() }));
    this.schedule.committed(this.config.clock.now());
    if (pending) {
      // Timed only when a task committed (a paced task whose participants are not due commits nothing).
      if (taskCommits(tasks) > before) {
        const ended = performance.now();
        this.commitLatency.record(ended - started, ended);
      }
      this.counters.commits++;
      this.backoff.succeed();
    }
  }

  /** Sends what the given tasks buffered without committing (inside their open transactions under exactly-once). */
  async sendBuffered(tasks: readonly StreamTask[] = this.taskManager.tasks()): Promise<void> {
    this.throwIfFailed();
    await this.settleSends();
    await this.latchFatal(this.taskManager.sendBuffered(tasks));
  }

  /**
   * Waits for the sends the loop started last iteration (`pipelineSends`); throws their failure.
   * Everything that uses the producers next (a commit, closing tasks, an abort) waits for them
   * first: sends of one producer never overlap, and nothing commits before its sends were acknowledged.
   */
  private async settleSends(): Promise<void> {
    const sending = this.sending;
    if (sending === null) return;
    this.sending = null;
    await sending;
  }

  /** `settleSends` where the failure is handled otherwise (tasks close dirty: their transactions abort). */
  private async settleSendsQuietly(): Promise<void> {
    await this.settleSends().catch(() => undefined);
  }

  /** Awaits `work`; a fatal failure of it stops the runtime (see `throwIfFailed`). */
  private async latchFatal(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      if (!this.stopping && classifyFailure(error) === 'fatal' && this.fatal === undefined) {
        this.fatal = error;
        this.setState('error');
      }
      throw error;
    }
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    this.setState('rebalancing');
    this.config.logger('debug', `partitions assigned: ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(', ') || '(none)'}`);
    try {
      // Incremental: running tasks keep running; a task gaining an input is closed and recreated with all of them.
      const plan = this.taskManager.plan([], tps);
      if (plan.close.length > 0) await this.closeTasks(this.taskManager.tasksById(plan.close), 'tasks recreated with new inputs');
      await this.createTasks([...plan.create.values()].flat());
      if (plan.create.size > 0 && plan.keep.length > 0) this.config.logger('info', `tasks kept running: ${plan.keep.join(', ')}`, { tasks: [...plan.keep] });
    } finally {
      if (this.currentState === 'rebalancing') this.setState('running');
    }
  }

  /**
   * Between polls, at most once a second: keep standbys of the stateful tasks not owned here
   * (an empty assignment runs no rebalance callback, so the loop checks).
   */
  private async syncStandbys(): Promise<void> {
    if (!this.standby.enabled) return;
    const now = Date.now();
    if (now - this.standbySyncedAt < 1_000) return;
    this.standbySyncedAt = now;
    try {
      await this.standby.update(new Set(this.taskManager.tasks().map((t) => t.id)));
    } catch (error) {
      // A standby is an optimisation: never a reason to stop processing. Retried at the next check.
      await this.standby.close(false).catch(() => undefined);
      this.config.logger('warn', `standby tasks not kept: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async createTasks(tps: TopicPartition[]): Promise<void> {
    const started = performance.now();
    // A standby of a task assigned now hands over its stores (checkpoint) before the task opens them.
    if (this.standby.enabled) {
      const ids = new Set<string>();
      for (const tp of tps) {
        const sub = this.topology.subtopologyForTopic(tp.topic);
        if (sub !== undefined) ids.add(`${sub.id}_${tp.partition}`);
      }
      await this.standby.release([...ids]);
    }
    const released = performance.now();
    const created = await this.taskManager.createTasks(tps);
    if (created.length === 0) return;
    this.counters.rebalances++;
    if (this.admin !== null && this.consumer !== null) await this.external?.open(created, this.client, this.admin, this.consumer, this.config.logger);
    const ms = (n: number): number => Math.round(n);
    const releaseMs = ms(released - started);
    const openMs = ms(performance.now() - released);
    this.config.logger(
      'info',
      `tasks assigned: ${created.map((t) => t.id).join(', ')} (standbys handed over in ${releaseMs} ms, tasks opened in ${openMs} ms)`,
      {
        tasks: created.map((t) => t.id),
        releaseMs,
        openMs,
      },
    );
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    // Incremental: only the tasks of revoked partitions close (all of them under the eager protocol).
    const plan = this.taskManager.plan(tps, []);
    await this.closeTasks(this.taskManager.tasksById(plan.close), 'tasks revoked', plan.keep);
  }

  /** Commits then closes these tasks (clean, or dirty when the commit failed in a way the new owner resolves). */
  private async closeTasks(tasks: readonly StreamTask[], what: string, kept: readonly string[] = []): Promise<void> {
    if (tasks.length === 0) return;
    // A failed send fails the rebalance callback: the runtime recovers (every task closes dirty).
    await this.settleSends();
    this.setState('rebalancing');
    this.counters.rebalances++;
    this.config.logger('info', `${what}: ${tasks.map((t) => t.id).join(', ')}${kept.length > 0 ? `; kept running: ${kept.join(', ')}` : ''}`, {
      tasks: tasks.map((t) => t.id),
      kept: [...kept],
    });
    const started = performance.now();
    let committed: boolean;
    try {
      // Fenced (the new owner took over) or unknown outcome: the new owner restores and seeks.
      committed = await this.taskManager.commitRevoked(tasks);
    } finally {
      if (this.currentState === 'rebalancing') this.setState('running');
    }
    const commitMs = performance.now() - started;
    await this.taskManager.closeRevoked(tasks, committed);
    const ms = (n: number): number => Math.round(n);
    const outcome = committed
      ? `committed in ${ms(commitMs)} ms`
      : `commit refused or of unknown outcome after ${ms(commitMs)} ms (fenced: the new owner resumes from the last commit)`;
    this.config.logger(
      committed ? 'info' : 'warn',
      `${what}: ${outcome}, closed${committed ? '' : ' dirty'} in ${ms(performance.now() - started - commitMs)} ms`,
      {
        tasks: tasks.map((t) => t.id),
        committed,
        commitMs: ms(commitMs),
        closeMs: ms(performance.now() - started - commitMs),
      },
    );
  }

  /**
   * A task was fenced, or a retriable failure hit: close every task dirty (abort, wipe state under
   * exactly-once) and rejoin the group with a fresh consumer, backing off between attempts while
   * the cluster is unreachable. Throws once the failures outlast `recoveryTimeoutMs`.
   */
  private async recover(cause: unknown, kind: Exclude<FailureKind, 'fatal'>): Promise<void> {
    if (kind === 'migrated') this.counters.migrations++;
    else this.counters.recoveries++;
    this.setState('rebalancing');
    const message = cause instanceof Error ? cause.message : String(cause);
    this.config.logger(
      kind === 'migrated' ? 'warn' : 'error',
      `${kind === 'migrated' ? 'task migrated (producer fenced)' : 'retriable failure'}: closing all tasks dirty and rejoining: ${message}`,
      { kind },
    );
    await this.settleSendsQuietly();
    await this.taskManager.closeAll(false);
    await this.consumer?.close().catch(() => undefined);
    this.consumer = null;
    for (let first = true; ; first = false) {
      const delay = kind === 'migrated' && first ? 0 : this.backoff.fail(this.config.clock.now());
      if (delay === null) {
        throw new TributaryError(`Gave up recovering after ${this.config.recoveryTimeoutMs} ms (recoveryTimeoutMs) of failures; last: ${message}`, {
          code: 'KAFKA',
          cause,
        });
      }
      if (delay > 0) await this.sleep(delay);
      if (this.stopping) return;
      try {
        if (!this.config.exactlyOnce || this.config.eosV2) await this.taskManager.connectSharedProducer();
        await this.subscribe();
        break;
      } catch (error) {
        await (this.consumer as Consumer | null)?.close().catch(() => undefined);
        this.consumer = null;
        if (classifyFailure(error) === 'fatal') throw error;
        this.config.logger('warn', `rejoin failed (attempt ${this.backoff.attempts}), retrying: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.currentState === 'rebalancing') this.setState('running');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeSleep = null;
        resolve();
      }, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        this.wakeSleep = null;
        resolve();
      };
    });
  }

  /** Commits and closes every task cleanly, then the clients. Idempotent. */
  async close(): Promise<void> {
    if (this.currentState === 'closed' || this.currentState === 'closing') {
      await this.loopPromise;
      return;
    }
    if (this.currentState === 'created') {
      this.setState('closed');
      return;
    }
    const failed = this.currentState === 'error';
    this.stopping = true;
    this.wakeSleep?.();
    this.setState('closing');
    await this.loopPromise;
    await this.shutdown(!failed && this.fatal === undefined);
    this.setState(this.fatal === undefined ? 'closed' : 'error');
  }

  private async shutdown(clean: boolean): Promise<void> {
    let firstError: unknown;
    if (clean && this.consumer !== null) {
      try {
        await this.commit();
      } catch (error) {
        firstError = error;
        clean = false;
      }
    }
    await this.settleSendsQuietly();
    await this.taskManager.closeAll(clean).catch((error: unknown) => {
      firstError ??= error;
    });
    await this.standby.close(clean).catch((error: unknown) => {
      firstError ??= error;
    });
    await this.global.close().catch((error: unknown) => {
      firstError ??= error;
    });
    await this.taskManager.disconnectSharedProducer();
    await this.consumer?.close().catch(() => undefined);
    this.consumer = null;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
    this.stateDirectory?.release();
    this.stateDirectory = null;
    if (firstError !== undefined) throw firstError;
  }

  /**
   * After a fatal error nothing more is processed, sent or committed (the tasks may hold a
   * half-done interval — a send that failed after its records were taken from the buffer):
   * every later call throws the same error until `close()`.
   */
  private throwIfFailed(): void {
    if (this.fatal !== undefined) throw this.fatal;
  }

  private requireConsumer(): Consumer {
    if (this.consumer === null) throw new TributaryError('The runtime is not started', { code: 'ILLEGAL_STATE' });
    return this.consumer;
  }
}
