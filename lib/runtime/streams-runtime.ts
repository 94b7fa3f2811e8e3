/**
 * The stream thread: one consumer subscribed to every source topic (user and repartition topics)
 * of the topology, the tasks its assignment implies, and the loop
 *
 *   poll ─▶ route batches to task queues ─▶ process (sync) ─▶ wall-clock punctuation
 *        ─▶ send past the buffer threshold ─▶ commit every commit.interval.ms
 *
 * Rebalance callbacks (inside `poll`) create and close tasks: assigned partitions are grouped into
 * tasks `<subtopology>_<partition>`, each initialized (stores opened and restored, its
 * transactional producer created under exactly-once — which fences a zombie with the same id)
 * before its processors are `init`ed; revoked tasks are committed and closed. A fenced producer
 * (`TaskMigratedError`) closes every task dirty and rejoins the group with a new consumer.
 *
 * Global stores are rebuilt before the first poll and updated at the start of every iteration
 * (`global-state.ts`). `start()` runs the loop in the background (or not, for the test driver, which calls `runOnce`
 * itself); `close()` commits and closes cleanly.
 */
import { TributaryError } from '../errors.js';
import type { Admin, Consumer, FetchedBatch, FetchedColumns, KafkaClient, Producer, TopicPartition } from '../kafka/types.js';
import { columnsOf } from './fetched-columns.js';
import type { StateStore } from '../state/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';
import { Topology } from '../topology/topology.js';
import { normalizeConfig, type NormalizedConfig, type StreamsConfig } from './config.js';
import { GlobalStateManager } from './global-state.js';
import { prepareTopics, type PreparedTopics } from './internal-topics.js';
import { RecordLimits } from './record-limits.js';
import { abortQuietly, commitTasks, sendBuffered, type CommitTargets, type CommitTasksOptions } from './task-committer.js';
import { classifyFailure, RecoveryBackoff, type FailureKind } from './recovery.js';
import { QueryableStores } from '../state/queryable.js';
import type { TaskMetricsSnapshot } from './task-metrics.js';
import { CommitLatency } from './commit-latency.js';
import { StateDirectory } from '../state/state-directory.js';
import type { RestoreProgress } from '../state/restore.js';
import { ClosedParticipants } from './participant-metrics.js';
import { checkpointTask, newCheckpointMarker, openTaskStores, wipeTaskState, type LoggedStore, type TaskStateOptions } from './task-stores.js';
import { StreamTask } from './task.js';
import { ExternalSources } from './external-sources.js';

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

/**
 * A dirty close aborts the task's open transaction, but with the broker unreachable that cannot
 * complete, and it is not needed for correctness: the next producer with the same transactional
 * id aborts it (or the broker, after the transaction timeout).
 */
const ABORT_TIMEOUT_MS = 5_000;

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

const tpKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

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
  private producer: Producer | null = null;
  private prepared: PreparedTopics | null = null;
  private recordLimits: RecordLimits | null = null;
  private readonly taskMap = new Map<string, StreamTask>();
  private readonly taskByTp = new Map<string, StreamTask>();
  private lastCommitMs = 0;
  private stopping = false;
  private loopPromise: Promise<void> | null = null;
  private fatal: unknown = undefined;
  /** Metrics of tasks already closed, so totals survive rebalances. */
  private readonly closedMetrics: TaskMetricsSnapshot[] = [];
  private readonly logged = new Map<StreamTask, LoggedStore[]>();
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

  constructor(options: StreamsRuntimeOptions) {
    this.config = normalizeConfig(options.config);
    this.client = options.client;
    this.queryable = options.queryable ?? new QueryableStores();
    const built = options.topology instanceof Topology ? options.topology.build(this.config.applicationId) : options.topology;
    if (built.applicationId !== this.config.applicationId) {
      throw new TributaryError(
        `The topology was built for application id ${built.applicationId}, the runtime is ${this.config.applicationId}`,
        { code: 'CONFIG' },
      );
    }
    this.external = ExternalSources.of(built);
    this.topology = this.external?.topology ?? built;
    this.global = new GlobalStateManager(this.topology.globalStores, this.config, this.client);
    this.backoff = new RecoveryBackoff(this.config.retryBackoffMs, this.config.retryBackoffMaxMs, this.config.recoveryTimeoutMs);
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
    return [...this.taskMap.values()];
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
    return [...this.closedMetrics, ...[...this.taskMap.values()].map((t) => t.metrics.snapshot())];
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
      this.recordLimits = new RecordLimits(this.prepared.maxMessageBytes);
      await this.global.start(this.admin);
      if (!this.config.exactlyOnce) {
        await this.connectSharedProducer();
      }
      await this.subscribe();
      this.lastCommitMs = this.config.clock.now();
      this.setState('running');
    } catch (error) {
      this.fatal = error;
      await this.shutdown(false);
      this.setState('error');
      throw error;
    }
    if (options.loop ?? true) this.loopPromise = this.loop();
  }

  /** Resolves when the background loop ends (after `close`), rejects with the error that stopped it. */
  async done(): Promise<void> {
    await this.loopPromise;
    if (this.fatal !== undefined) throw this.fatal;
  }

  /** Producers split their batches below each topic's max.message.bytes. */
  private readonly maxBatchBytes = (topic: string): number | undefined => this.recordLimits?.limitFor(topic);

  private async connectSharedProducer(): Promise<void> {
    this.producer = this.client.producer({ idempotent: true, clientId: `${this.config.clientId}-producer`, maxBatchBytes: this.maxBatchBytes });
    await this.producer.connect();
  }

  private async subscribe(): Promise<void> {
    const c = this.config;
    this.consumer = this.client.consumer({
      groupId: c.applicationId,
      clientId: `${c.clientId}-consumer`,
      autoOffsetReset: c.autoOffsetReset,
      ...(c.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: c.sessionTimeoutMs } : {}),
      ...(c.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: c.heartbeatIntervalMs } : {}),
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
      // By column when the client can (no object per record); else records, turned into columns.
      const batches = consumer.pollColumns !== undefined ? await consumer.pollColumns(timeoutMs) : (await consumer.poll(timeoutMs)).map(toColumns);
      let fetched = 0;
      for (const batch of batches) {
        if (batch.length === 0 || this.external?.isAnchor(batch.topic) === true) continue;
        const task = this.taskByTp.get(tpKey(batch.topic, batch.partition));
        if (task !== undefined && task.isRunning) {
          task.addColumns(batch);
          fetched += batch.length;
        }
      }
      fetched += fed;
      if (fetched > 0) this.backoff.succeed();
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
    for (const task of this.taskMap.values()) {
      if (!task.isRunning) continue;
      const started = performance.now();
      const n = task.process();
      // Timed per call (a batch), for the process-latency histogram of the metrics endpoint.
      if (n > 0) task.metrics.processLatency.observeMs(performance.now() - started);
      processed += n;
      task.punctuateWallClock(now);
      if (task.commitRequested) commitRequested = true;
    }
    const targets = this.commitTargets();
    for (const task of this.taskMap.values()) {
      if (task.collector.size >= this.config.sendThresholdRecords) await sendBuffered(task, targets);
    }
    // Paced: tasks whose commit participants (e.g. a Delta sink) are not due yet keep their transaction open.
    if (commitRequested || this.config.clock.now() - this.lastCommitMs >= this.config.commitIntervalMs) await this.commit({ paced: true });
    return processed;
  }

  /** Fires wall-clock punctuations of every task at the clock's current time. */
  punctuateWallClock(): number {
    const now = this.config.clock.now();
    let fired = 0;
    for (const task of this.taskMap.values()) fired += task.punctuateWallClock(now);
    return fired;
  }

  /** Commits every task now (flush stores, send, offsets, commit); `paced`: only tasks whose commit participants are due. */
  async commit(options: CommitTasksOptions = {}): Promise<void> {
    this.throwIfFailed();
    const pending = [...this.taskMap.values()].some((t) => t.isRunning && t.commitNeeded());
    const tasks = [...this.taskMap.values()];
    const before = pending ? taskCommits(tasks) : 0;
    const started = pending ? performance.now() : 0;
    await this.latchFatal(commitTasks(tasks, this.commitTargets(), { ...options, nowMs: this.config.clock.now() }));
    this.lastCommitMs = this.config.clock.now();
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
  async sendBuffered(tasks: readonly StreamTask[] = [...this.taskMap.values()]): Promise<void> {
    this.throwIfFailed();
    const targets = this.commitTargets();
    for (const task of tasks) await this.latchFatal(sendBuffered(task, targets));
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

  private commitTargets(): CommitTargets {
    return {
      groupId: this.config.applicationId,
      exactlyOnce: this.config.exactlyOnce,
      producer: this.producer,
      consumer: this.requireConsumer(),
      // Under exactly-once the checkpoint is written only at a clean close.
      ...(this.config.exactlyOnce ? {} : { afterCommit: (task: StreamTask) => checkpointTask(task, this.logged.get(task) ?? [], this.stateOptions()) }),
    };
  }

  private stateOptions(): TaskStateOptions {
    return {
      client: this.client,
      stateDir: this.config.stateDir,
      exactlyOnce: this.config.exactlyOnce,
      logger: this.config.logger,
      onRestoreProgress: (task, p) => this.restores.set(`${task.id}\0${p.store}`, { taskId: task.id, ...p }),
    };
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    this.setState('rebalancing');
    try {
      await this.createTasks(tps);
    } finally {
      if (this.currentState === 'rebalancing') this.setState('running');
    }
  }

  private async createTasks(tps: TopicPartition[]): Promise<void> {
    const created: StreamTask[] = [];
    const groups = new Map<string, { subtopology: number; partition: number; inputs: TopicPartition[] }>();
    for (const tp of tps) {
      const sub = this.topology.subtopologyForTopic(tp.topic);
      if (sub === undefined) continue;
      const id = `${sub.id}_${tp.partition}`;
      if (this.taskMap.has(id)) continue;
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { subtopology: sub.id, partition: tp.partition, inputs: [] }));
      g.inputs.push(tp);
    }
    for (const [, g] of groups) {
      const sub = this.topology.subtopologies.find((s) => s.id === g.subtopology)!;
      const task = new StreamTask({
        subtopology: sub,
        partition: g.partition,
        inputs: g.inputs,
        config: this.config,
        internalTopics: this.prepared!.repartition,
        partitionsFor: (t) => this.prepared!.partitions.get(t),
        globalStores: this.global.stores,
        recordLimits: this.recordLimits!,
      });
      try {
        // Fence first, restore second: InitProducerId completes or aborts the previous owner's
        // transaction and stops it from committing more, so the changelog read next is final.
        // (Restoring first would miss what the previous owner committed in between.)
        if (this.config.exactlyOnce) {
          const producer = this.client.producer({
            transactionalId: `${this.config.applicationId}-${task.id}`,
            clientId: `${this.config.clientId}-${task.id}-producer`,
            transactionTimeoutMs: this.config.transactionTimeoutMs,
            maxBatchBytes: this.maxBatchBytes,
          });
          await producer.connect();
          task.producer = producer;
        }
        this.logged.set(task, await openTaskStores(task, this.stateOptions()));
        task.initProcessors();
        await task.openParticipants();
      } catch (error) {
        this.logged.delete(task);
        await task.close(false).catch(() => undefined);
        await task.producer?.disconnect().catch(() => undefined);
        throw error;
      }
      this.taskMap.set(task.id, task);
      for (const tp of g.inputs) this.taskByTp.set(tpKey(tp.topic, tp.partition), task);
      for (const store of task.stores.values()) this.queryable.register(task.id, store, 'running');
      created.push(task);
      this.counters.tasksCreated++;
    }
    if (created.length === 0) return;
    this.counters.rebalances++;
    await this.seekToCommitted(created);
    if (this.admin !== null && this.consumer !== null) await this.external?.open(created, this.client, this.admin, this.consumer, this.config.logger);
    this.config.logger('info', `tasks assigned: ${created.map((t) => t.id).join(', ')}`, { tasks: created.map((t) => t.id) });
  }

  /**
   * Positions the new tasks' partitions at the group's committed offsets, read now — after their
   * producers were initialized. kafkajs reports an assignment only after the group moved on and
   * fetched the offsets when it joined; the previous owner (still unaware) may have committed
   * since. Its transaction is complete once our InitProducerId returned (committed or aborted),
   * so offsets read now are the truth, and state restored from the changelog matches them.
   */
  private async seekToCommitted(tasks: readonly StreamTask[]): Promise<void> {
    const admin = this.admin;
    const consumer = this.consumer;
    if (admin === null || consumer === null) return;
    const inputs = tasks.flatMap((t) => t.inputPartitions());
    const committed = await admin.fetchCommittedOffsets(this.config.applicationId, [...new Set(inputs.map((tp) => tp.topic))]);
    const byTp = new Map(committed.map((o) => [tpKey(o.topic, o.partition), o.offset]));
    for (const tp of inputs) {
      const offset = byTp.get(tpKey(tp.topic, tp.partition));
      if (offset !== undefined && offset >= 0) consumer.seek(tp, offset);
    }
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    const affected = new Set<StreamTask>();
    for (const tp of tps) {
      const task = this.taskByTp.get(tpKey(tp.topic, tp.partition));
      if (task !== undefined) affected.add(task);
    }
    if (affected.size === 0) return;
    const tasks = [...affected];
    this.setState('rebalancing');
    this.counters.rebalances++;
    this.config.logger('info', `tasks revoked: ${tasks.map((t) => t.id).join(', ')}`, { tasks: tasks.map((t) => t.id) });
    try {
      await commitTasks(tasks, this.commitTargets());
    } catch (error) {
      if (classifyFailure(error) === 'fatal') throw error;
      // Fenced (the new owner took over) or unknown outcome: the new owner restores and seeks.
      for (const t of tasks) await this.closeTask(t, false);
      return;
    } finally {
      if (this.currentState === 'rebalancing') this.setState('running');
    }
    // kafkajs reports a revocation after the group moved on, so the new owner may already write
    // to the changelogs: under exactly-once no checkpoint (it could claim the new owner's writes).
    for (const t of tasks) await this.closeTask(t, true, !this.config.exactlyOnce);
  }

  private async closeTask(task: StreamTask, requestedClean: boolean, checkpoint = true): Promise<void> {
    // A task closed before (or never initialized) has nothing committed to vouch for: no checkpoint.
    const clean = requestedClean && task.isRunning;
    this.taskMap.delete(task.id);
    this.external?.closeTask(task);
    for (const tp of task.inputPartitions()) {
      if (this.taskByTp.get(tpKey(tp.topic, tp.partition)) === task) this.taskByTp.delete(tpKey(tp.topic, tp.partition));
    }
    this.closedMetrics.push(task.metrics.snapshot());
    for (const p of task.context.participants) {
      const m = p.metrics?.();
      if (m !== undefined) this.closedParticipants.add(m);
    }
    for (const store of task.stores.keys()) this.restores.delete(`${task.id}\0${store}`);
    this.queryable.unregister(task.id);
    if (clean) this.counters.tasksClosedClean++;
    else this.counters.tasksClosedDirty++;
    const logged = this.logged.get(task) ?? [];
    this.logged.delete(task);
    if (!clean) await withTimeout(abortQuietly(task), ABORT_TIMEOUT_MS);
    try {
      // A clean close writes a marker into the stores after their last flush; the checkpoint records it.
      const marker = clean && checkpoint && logged.length > 0 ? newCheckpointMarker() : undefined;
      await task.close(clean, marker);
      // Called right after the task's last commit: the changelogs' ends are what the stores hold.
      if (marker !== undefined) await checkpointTask(task, logged, this.stateOptions(), marker);
    } finally {
      await task.producer?.disconnect().catch(() => undefined);
      task.producer = null;
      if (!clean && this.config.exactlyOnce) await wipeTaskState(task, this.config.stateDir);
    }
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
    this.config.logger(kind === 'migrated' ? 'warn' : 'error', `${kind === 'migrated' ? 'task migrated (producer fenced)' : 'retriable failure'}: closing all tasks dirty and rejoining: ${message}`, { kind });
    for (const task of [...this.taskMap.values()]) await this.closeTask(task, false);
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
        if (!this.config.exactlyOnce) {
          await this.producer?.disconnect().catch(() => undefined);
          await this.connectSharedProducer();
        }
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
    for (const task of [...this.taskMap.values()]) {
      try {
        await this.closeTask(task, clean);
      } catch (error) {
        firstError ??= error;
      }
    }
    await this.global.close().catch((error: unknown) => {
      firstError ??= error;
    });
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
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

function toColumns(batch: FetchedBatch): FetchedColumns {
  return columnsOf(batch.topic, batch.partition, batch.records, batch.highWatermark);
}
