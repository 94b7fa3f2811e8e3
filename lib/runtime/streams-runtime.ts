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
import { TaskMigratedError, TributaryError } from '../errors.js';
import type { Admin, Consumer, KafkaClient, Producer, TopicPartition } from '../kafka/types.js';
import type { StateStore } from '../state/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';
import { Topology } from '../topology/topology.js';
import { normalizeConfig, type NormalizedConfig, type StreamsConfig } from './config.js';
import { GlobalStateManager } from './global-state.js';
import { prepareTopics, type PreparedTopics } from './internal-topics.js';
import { abortQuietly, commitTasks, sendBuffered, type CommitTargets, type CommitTasksOptions } from './task-committer.js';
import type { TaskMetricsSnapshot } from './task-metrics.js';
import { StateDirectory } from '../state/state-directory.js';
import { checkpointTask, openTaskStores, wipeTaskState, type LoggedStore, type TaskStateOptions } from './task-stores.js';
import { StreamTask } from './task.js';

export type RuntimeState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'error';
export type StateListener = (next: RuntimeState, previous: RuntimeState) => void;

export interface StreamsRuntimeOptions {
  readonly topology: Topology | BuiltTopology;
  readonly client: KafkaClient;
  readonly config: StreamsConfig;
}

export interface StartOptions {
  /** Run the poll loop in the background. Default true; the test driver passes false and calls `runOnce`. */
  readonly loop?: boolean;
}

const tpKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

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

  constructor(options: StreamsRuntimeOptions) {
    this.config = normalizeConfig(options.config);
    this.client = options.client;
    this.topology = options.topology instanceof Topology ? options.topology.build(this.config.applicationId) : options.topology;
    if (this.topology.applicationId !== this.config.applicationId) {
      throw new TributaryError(
        `The topology was built for application id ${this.topology.applicationId}, the runtime is ${this.config.applicationId}`,
        { code: 'CONFIG' },
      );
    }
    this.global = new GlobalStateManager(this.topology.globalStores, this.config, this.client);
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
      this.prepared = await prepareTopics(this.admin, this.topology, {
        deadLetterTopic: this.config.deadLetterTopic,
        deadLetterTopicPartitions: this.config.deadLetterTopicPartitions,
        replicationFactor: this.config.replicationFactor,
      });
      await this.global.start(this.admin);
      if (!this.config.exactlyOnce) {
        this.producer = this.client.producer({ idempotent: true, clientId: `${this.config.clientId}-producer` });
        await this.producer.connect();
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

  private async subscribe(): Promise<void> {
    this.consumer = this.client.consumer({
      groupId: this.config.applicationId,
      clientId: `${this.config.clientId}-consumer`,
      autoOffsetReset: this.config.autoOffsetReset,
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
   * asked. Returns the number of records processed. A migrated task makes every task close dirty
   * and the consumer rejoin.
   */
  async runOnce(pollMs: number = this.config.pollMs): Promise<number> {
    const consumer = this.requireConsumer();
    try {
      const globalUpdates = this.global.isEmpty ? 0 : await this.global.update();
      const batches = await consumer.poll(globalUpdates > 0 ? 0 : pollMs);
      for (const batch of batches) {
        if (batch.records.length === 0) continue;
        const task = this.taskByTp.get(tpKey(batch.topic, batch.partition));
        if (task !== undefined && task.isRunning) task.addRecords(batch.topic, batch.records);
      }
      return globalUpdates + (await this.processAndMaybeCommit());
    } catch (error) {
      if (error instanceof TaskMigratedError) {
        await this.handleMigration();
        return 0;
      }
      // Fatal: `close()` will close every task dirty (nothing more is committed).
      this.fatal ??= error;
      this.setState('error');
      throw error;
    }
  }

  /** Processes what is buffered (no poll), punctuates, sends, and commits if due. */
  async processAndMaybeCommit(): Promise<number> {
    let processed = 0;
    const now = this.config.clock.now();
    let commitRequested = false;
    for (const task of this.taskMap.values()) {
      if (!task.isRunning) continue;
      processed += task.process();
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
    await commitTasks([...this.taskMap.values()], this.commitTargets(), { ...options, nowMs: this.config.clock.now() });
    this.lastCommitMs = this.config.clock.now();
  }

  /** Sends what the given tasks buffered without committing (inside their open transactions under exactly-once). */
  async sendBuffered(tasks: readonly StreamTask[] = [...this.taskMap.values()]): Promise<void> {
    const targets = this.commitTargets();
    for (const task of tasks) await sendBuffered(task, targets);
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
    return { client: this.client, stateDir: this.config.stateDir, exactlyOnce: this.config.exactlyOnce };
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
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
      });
      try {
        this.logged.set(task, await openTaskStores(task, this.stateOptions()));
        if (this.config.exactlyOnce) {
          const producer = this.client.producer({
            transactionalId: `${this.config.applicationId}-${task.id}`,
            clientId: `${this.config.clientId}-${task.id}-producer`,
          });
          await producer.connect();
          task.producer = producer;
        }
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
    try {
      await commitTasks(tasks, this.commitTargets());
    } catch (error) {
      if (!(error instanceof TaskMigratedError)) throw error;
      for (const t of tasks) await this.closeTask(t, false);
      return;
    }
    for (const t of tasks) await this.closeTask(t, true);
  }

  private async closeTask(task: StreamTask, requestedClean: boolean): Promise<void> {
    // A task closed before (or never initialized) has nothing committed to vouch for: no checkpoint.
    const clean = requestedClean && task.isRunning;
    this.taskMap.delete(task.id);
    for (const tp of task.inputPartitions()) {
      if (this.taskByTp.get(tpKey(tp.topic, tp.partition)) === task) this.taskByTp.delete(tpKey(tp.topic, tp.partition));
    }
    this.closedMetrics.push(task.metrics.snapshot());
    const logged = this.logged.get(task) ?? [];
    this.logged.delete(task);
    if (!clean) await abortQuietly(task);
    try {
      await task.close(clean);
      // Called right after the task's last commit: the changelogs' ends are what the stores hold.
      if (clean && this.config.exactlyOnce) await checkpointTask(task, logged, this.stateOptions());
    } finally {
      await task.producer?.disconnect().catch(() => undefined);
      task.producer = null;
      if (!clean && this.config.exactlyOnce) await wipeTaskState(task, this.config.stateDir);
    }
  }

  /** A task was fenced: close every task dirty and rejoin the group with a fresh consumer. */
  private async handleMigration(): Promise<void> {
    for (const task of [...this.taskMap.values()]) await this.closeTask(task, false);
    await this.consumer?.close().catch(() => undefined);
    this.consumer = null;
    await this.subscribe();
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

  private requireConsumer(): Consumer {
    if (this.consumer === null) throw new TributaryError('The runtime is not started', { code: 'ILLEGAL_STATE' });
    return this.consumer;
  }
}
