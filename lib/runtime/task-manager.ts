/**
 * The owner of a stream thread's tasks and of what belongs to them: their producers (one
 * transactional producer per task under exactly-once, one shared producer under at-least-once),
 * their stores (opened, restored and registered for interactive queries) and their checkpoints.
 * The stream thread (`streams-runtime.ts`) only loops: it polls, hands the fetched columns to
 * `route`, and asks this class to process, commit, create and close.
 *
 * ```
 *  assigned partitions ─▶ createTasks: group into <subtopology>_<partition>, per task:
 *                           producer (fences the previous owner) ─▶ open + restore stores ─▶ init
 *                           processors ─▶ open commit participants ─▶ seek to committed offsets
 *  revoked partitions  ─▶ commitRevoked (commit lifecycle, task-committer.ts) ─▶ closeRevoked
 *  (either, incremental: planAssignmentChange says which tasks close, which are created, which
 *   keep running untouched — under the cooperative protocol most tasks are in the last group)
 *  failure / shutdown  ─▶ closeAll(clean): commit first when clean; dirty: abort, wipe state (EOS)
 * ```
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '../errors.js';
import type { Admin, Consumer, FetchedColumns, KafkaClient, Producer, TopicPartition } from '../kafka/types.js';
import type { QueryableStores } from '../state/queryable.js';
import type { StateStore } from '../state/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';
import type { NormalizedConfig } from './config.js';
import type { PreparedTopics } from './internal-topics.js';
import type { ClosedParticipants } from './participant-metrics.js';
import type { RecordLimits } from './record-limits.js';
import { classifyFailure } from './recovery.js';
import type { TaskRestoreProgress, RuntimeCounters } from './streams-runtime.js';
import { abortQuietly, commitTasks, sendBuffered, type CommitTargets, type CommitTasksOptions } from './task-committer.js';
import type { TaskMetricsSnapshot } from './task-metrics.js';
import { checkpointTask, newCheckpointMarker, openTaskStores, wipeTaskState, type TaskStateOptions } from './task-stores.js';
import { StreamTask } from './task.js';

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

/** What an assignment change does to the tasks (`planAssignmentChange`). */
export interface AssignmentPlan {
  /** Running tasks to commit and close: one of their inputs is revoked, or they gain an input (recreated below). */
  readonly close: readonly string[];
  /** Tasks to create with these inputs: new tasks, and closed ones that gained an input. */
  readonly create: ReadonlyMap<string, readonly TopicPartition[]>;
  /** Running tasks not touched: they keep their state, producer and position. */
  readonly keep: readonly string[];
}

/**
 * The incremental diff of an assignment change: `running` maps each running task to its input
 * partitions, `taskOf` names the task of a partition (undefined: not a task's input, e.g. a
 * topic of no subtopology). Revoked inputs close their task; an added input creates its task, or
 * — when its task runs without it — closes and recreates that task with all its inputs (a task
 * reads every input partition, never a subset). Everything else keeps running.
 */
export function planAssignmentChange(
  running: ReadonlyMap<string, readonly TopicPartition[]>,
  revoked: readonly TopicPartition[],
  added: readonly TopicPartition[],
  taskOf: (tp: TopicPartition) => string | undefined,
): AssignmentPlan {
  const close = new Set<string>();
  const revokedKeys = new Set(revoked.map((tp) => tpKey(tp.topic, tp.partition)));
  for (const tp of revoked) {
    const id = taskOf(tp);
    if (id !== undefined && running.has(id)) close.add(id);
  }
  const create = new Map<string, TopicPartition[]>();
  for (const tp of added) {
    const id = taskOf(tp);
    if (id === undefined) continue;
    const inputs = running.get(id);
    if (inputs !== undefined && !close.has(id) && inputs.some((i) => i.topic === tp.topic && i.partition === tp.partition)) continue;
    if (inputs !== undefined && !close.has(id)) close.add(id);
    let list = create.get(id);
    if (list === undefined) {
      // A recreated task keeps its inputs that are not revoked.
      list = (inputs ?? []).filter((i) => !revokedKeys.has(tpKey(i.topic, i.partition)));
      create.set(id, list);
    }
    if (!list.some((i) => i.topic === tp.topic && i.partition === tp.partition)) list.push(tp);
  }
  const keep = [...running.keys()].filter((id) => !close.has(id));
  return { close: [...close], create, keep };
}

export interface TaskManagerOptions {
  readonly topology: BuiltTopology;
  readonly config: NormalizedConfig;
  readonly client: KafkaClient;
  readonly queryable: QueryableStores;
  readonly counters: RuntimeCounters;
  readonly restores: Map<string, TaskRestoreProgress>;
  readonly closedParticipants: ClosedParticipants;
  readonly globalStores: ReadonlyMap<string, StateStore>;
  /** The thread's current consumer and admin (the consumer is replaced when the thread rejoins). */
  readonly consumer: () => Consumer | null;
  readonly admin: () => Admin | null;
  /** Called as each task closes (before its stores), e.g. to stop feeding it from an external source. */
  readonly onTaskClosed?: (task: StreamTask) => void;
}

export class TaskManager {
  private readonly byId = new Map<string, StreamTask>();
  private readonly byTp = new Map<string, StreamTask>();
  /** Metrics of tasks already closed, so totals survive rebalances. */
  private readonly closedMetrics: TaskMetricsSnapshot[] = [];
  /** The shared producer under at-least-once. */
  private producer: Producer | null = null;
  private prepared: PreparedTopics | null = null;
  private recordLimits: RecordLimits | null = null;

  constructor(private readonly o: TaskManagerOptions) {}

  /** The topics' partition counts and record limits, once they are prepared (before any task). */
  prepare(prepared: PreparedTopics, recordLimits: RecordLimits): void {
    this.prepared = prepared;
    this.recordLimits = recordLimits;
  }

  get size(): number {
    return this.byId.size;
  }

  tasks(): StreamTask[] {
    return [...this.byId.values()];
  }

  /** Per-task metrics of running tasks plus those closed earlier (one entry per task incarnation). */
  metrics(): TaskMetricsSnapshot[] {
    return [...this.closedMetrics, ...[...this.byId.values()].map((t) => t.metrics.snapshot())];
  }

  /** Hands fetched columns to the running task that owns each partition; returns the records taken. */
  route(polled: readonly FetchedColumns[]): number {
    let taken = 0;
    for (const cols of polled) {
      if (cols.length === 0) continue;
      const task = this.byTp.get(tpKey(cols.topic, cols.partition));
      if (task !== undefined && task.isRunning) {
        task.addColumns(cols);
        taken += cols.length;
      }
    }
    return taken;
  }

  /** Producers split their batches below each topic's max.message.bytes. */
  private readonly maxBatchBytes = (topic: string): number | undefined => this.recordLimits?.limitFor(topic);
  /** Producers partition keyed records themselves once a topic's partition count is known (kafkajs' per-leader sends). */
  private readonly partitionCount = (topic: string): number | undefined => this.prepared?.partitions.get(topic);

  /**
   * Under at-least-once and exactly_once_v2: (re)connects the producer all tasks share. Under v2
   * it is transactional, id `<application.id>-<groupInstanceId or process id>-<thread 0>` (as
   * Kafka Streams' `<application.id>-<processId>-<thread>`): stable across restarts of this runner
   * (the process id is kept in the state directory), so a restarted runner fences its previous
   * incarnation's producer and aborts its open transaction at once.
   */
  async connectSharedProducer(): Promise<void> {
    await this.disconnectSharedProducer();
    const c = this.o.config;
    const producer = this.o.client.producer({
      idempotent: true,
      clientId: `${c.clientId}-producer`,
      maxBatchBytes: this.maxBatchBytes,
      partitionsFor: this.partitionCount,
      ...(c.eosV2
        ? {
            transactionalId: `${c.applicationId}-${c.groupInstanceId ?? (await runnerProcessId(c.stateDir, c.applicationId))}-0`,
            transactionTimeoutMs: c.transactionTimeoutMs,
          }
        : {}),
    });
    await producer.connect();
    this.producer = producer;
  }

  async disconnectSharedProducer(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    await p?.disconnect().catch(() => undefined);
  }

  commitTargets(): CommitTargets {
    const consumer = this.o.consumer();
    if (consumer === null) throw new TributaryError('The runtime is not started', { code: 'ILLEGAL_STATE' });
    const exactlyOnce = this.o.config.exactlyOnce;
    return {
      groupId: this.o.config.applicationId,
      exactlyOnce,
      eosV2: this.o.config.eosV2,
      producer: this.producer,
      consumer,
      // Under exactly-once the checkpoint is written only at a clean close.
      ...(exactlyOnce ? {} : { afterCommit: (task: StreamTask) => checkpointTask(task, task.loggedStores, this.stateOptions()) }),
    };
  }

  /**
   * Runs the commit lifecycle (task-committer.ts) for every task. Under exactly_once_v2 a commit
   * the group coordinator refuses (the group moved to a newer generation before `poll` applied
   * it) revives every task in place (`reviveDirty`) instead of leaving the group: leaving would
   * start a rebalance in which every other runner's commit is refused too.
   */
  async commit(options: CommitTasksOptions = {}): Promise<void> {
    try {
      await commitTasks(this.tasks(), this.commitTargets(), options);
    } catch (error) {
      if (!this.o.config.eosV2 || classifyFailure(error) !== 'migrated' || isProducerFenced(error)) throw error;
      this.o.config.logger(
        'warn',
        `exactly_once_v2: commit refused, closing all tasks dirty and reviving them: ${error instanceof Error ? error.message : String(error)}`,
      );
      await this.reviveDirty([]);
    }
  }

  /**
   * Under exactly_once_v2, after the runner's transaction was refused or failed: closes every task
   * but `except` dirty (aborting the transaction, wiping state) and creates them again from the
   * committed offsets and changelogs, staying in the group.
   */
  private async reviveDirty(except: readonly StreamTask[]): Promise<void> {
    const skip = new Set(except);
    const kept = this.tasks().filter((t) => !skip.has(t));
    const tps = kept.flatMap((t) => t.inputPartitions());
    for (const t of kept) await this.closeTask(t, false);
    if (tps.length > 0) await this.createTasks(tps);
  }

  /** Sends what tasks buffered without committing; `thresholdRecords`: only tasks with at least that many. */
  async sendBuffered(tasks: readonly StreamTask[] = this.tasks(), thresholdRecords = 0): Promise<void> {
    const targets = this.commitTargets();
    for (const task of tasks) if (task.collector.size >= thresholdRecords) await sendBuffered(task, targets);
  }

  private stateOptions(): TaskStateOptions {
    const c = this.o.config;
    return {
      client: this.o.client,
      stateDir: c.stateDir,
      exactlyOnce: c.exactlyOnce,
      logger: c.logger,
      onRestoreProgress: (task, p) => this.o.restores.set(`${task.id}\0${p.store}`, { taskId: task.id, ...p }),
    };
  }

  /** Creates, initializes and positions the tasks of newly assigned partitions; returns them. */
  async createTasks(tps: readonly TopicPartition[]): Promise<StreamTask[]> {
    const { topology, config } = this.o;
    const created: StreamTask[] = [];
    const groups = new Map<string, { subtopology: number; partition: number; inputs: TopicPartition[] }>();
    for (const tp of tps) {
      const sub = topology.subtopologyForTopic(tp.topic);
      if (sub === undefined) continue;
      const id = `${sub.id}_${tp.partition}`;
      if (this.byId.has(id)) continue;
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { subtopology: sub.id, partition: tp.partition, inputs: [] }));
      g.inputs.push(tp);
    }
    if (config.eosV2 && groups.size > 0) {
      // v2 has no per-task producer to fence the previous owner: read the committed offsets first
      // (OffsetFetch waits for a pending transactional offset commit of the group), so the
      // previous owner's last transaction is complete before the changelogs are restored.
      const admin = this.o.admin();
      const topics = [...new Set(tps.map((tp) => tp.topic))];
      if (admin !== null) await admin.fetchCommittedOffsets(config.applicationId, topics);
    }
    for (const [, g] of groups) {
      const sub = topology.subtopologies.find((s) => s.id === g.subtopology)!;
      const prepared = this.prepared!;
      const task = new StreamTask({
        subtopology: sub,
        partition: g.partition,
        inputs: g.inputs,
        config,
        internalTopics: prepared.repartition,
        partitionsFor: (t) => prepared.partitions.get(t),
        globalStores: this.o.globalStores,
        recordLimits: this.recordLimits!,
      });
      try {
        // Fence first, restore second: InitProducerId completes or aborts the previous owner's
        // transaction and stops it from committing more, so the changelog read next is final.
        // (Restoring first would miss what the previous owner committed in between.)
        if (config.eosV2) {
          task.producer = this.producer;
        } else if (config.exactlyOnce) {
          const producer = this.o.client.producer({
            transactionalId: `${config.applicationId}-${task.id}`,
            clientId: `${config.clientId}-${task.id}-producer`,
            transactionTimeoutMs: config.transactionTimeoutMs,
            maxBatchBytes: this.maxBatchBytes,
            partitionsFor: this.partitionCount,
          });
          await producer.connect();
          task.producer = producer;
        }
        task.loggedStores = await openTaskStores(task, this.stateOptions());
        task.initProcessors();
        await task.openParticipants();
      } catch (error) {
        await task.close(false).catch(() => undefined);
        if (task.producer !== this.producer) await task.producer?.disconnect().catch(() => undefined);
        throw error;
      }
      this.byId.set(task.id, task);
      for (const tp of g.inputs) this.byTp.set(tpKey(tp.topic, tp.partition), task);
      for (const store of task.stores.values()) this.o.queryable.register(task.id, store, 'running');
      created.push(task);
      this.o.counters.tasksCreated++;
    }
    if (created.length > 0) await this.seekToCommitted(created);
    return created;
  }

  /**
   * Positions the new tasks' partitions at the group's committed offsets, read now — after their
   * producers were initialized. kafkajs reports an assignment only after the group moved on and
   * fetched the offsets when it joined; the previous owner (still unaware) may have committed
   * since. Its transaction is complete once our InitProducerId returned (committed or aborted),
   * so offsets read now are the truth, and state restored from the changelog matches them.
   */
  private async seekToCommitted(tasks: readonly StreamTask[]): Promise<void> {
    const admin = this.o.admin();
    const consumer = this.o.consumer();
    if (admin === null || consumer === null) return;
    const inputs = tasks.flatMap((t) => t.inputPartitions());
    const committed = await admin.fetchCommittedOffsets(this.o.config.applicationId, [...new Set(inputs.map((tp) => tp.topic))]);
    const byTp = new Map(committed.map((o) => [tpKey(o.topic, o.partition), o.offset]));
    const resets = new Map<string, Map<number, number>>();
    for (const tp of inputs) {
      const offset = byTp.get(tpKey(tp.topic, tp.partition));
      if (offset !== undefined && offset >= 0) consumer.seek(tp, offset);
      else if (this.o.config.eosV2) {
        // A task revived in place (exactly_once_v2): the consumer's position is past records the
        // dirty-closed task never committed; without a committed offset start over per the reset policy.
        let ends = resets.get(tp.topic);
        if (ends === undefined) {
          const offsets = await admin.fetchTopicOffsets(tp.topic);
          ends = new Map(offsets.map((o) => [o.partition, this.o.config.autoOffsetReset === 'latest' ? o.high : o.low]));
          resets.set(tp.topic, ends);
        }
        const start = ends.get(tp.partition);
        if (start !== undefined) consumer.seek(tp, start);
      }
    }
  }

  /** The task id a partition feeds (`<subtopology>_<partition>`), undefined when no subtopology reads its topic. */
  taskIdOf(tp: TopicPartition): string | undefined {
    const sub = this.o.topology.subtopologyForTopic(tp.topic);
    return sub === undefined ? undefined : `${sub.id}_${tp.partition}`;
  }

  /** The incremental diff of an assignment change against the running tasks (`planAssignmentChange`). */
  plan(revoked: readonly TopicPartition[], added: readonly TopicPartition[]): AssignmentPlan {
    const running = new Map([...this.byId].map(([id, t]) => [id, t.inputPartitions()] as const));
    return planAssignmentChange(running, revoked, added, (tp) => this.taskIdOf(tp));
  }

  /** Running tasks by id (unknown ids are skipped). */
  tasksById(ids: readonly string[]): StreamTask[] {
    return ids.map((id) => this.byId.get(id)).filter((t): t is StreamTask => t !== undefined);
  }

  /** The tasks owning any of these partitions. */
  tasksOf(tps: readonly TopicPartition[]): StreamTask[] {
    const affected = new Set<StreamTask>();
    for (const tp of tps) {
      const task = this.byTp.get(tpKey(tp.topic, tp.partition));
      if (task !== undefined) affected.add(task);
    }
    return [...affected];
  }

  /**
   * Commits tasks whose partitions are being revoked; false when that failed in a way the new
   * owner resolves (fenced, or unknown outcome): then they must close dirty. Fatal failures throw.
   */
  async commitRevoked(tasks: readonly StreamTask[]): Promise<boolean> {
    const eosV2 = this.o.config.eosV2;
    try {
      // Under exactly_once_v2 one transaction holds every task's work: all commit together.
      await commitTasks(eosV2 ? this.tasks() : tasks, this.commitTargets());
      return true;
    } catch (error) {
      if (classifyFailure(error) === 'fatal') throw error;
      if (eosV2) {
        // The adapters report a revocation after the group moved on: the coordinator refuses the
        // old generation's offsets (or the outcome is unknown). The aborted transaction held the
        // kept tasks' work too: close them dirty and create them again from the committed
        // offsets and changelogs, without leaving the group. A fenced producer (a newer
        // incarnation of this runner) is the runtime's full recovery.
        if (isProducerFenced(error)) throw error;
        await this.reviveDirty(tasks);
      }
      return false;
    }
  }

  /** Closes revoked tasks: clean after a successful `commitRevoked`, else dirty. */
  async closeRevoked(tasks: readonly StreamTask[], committed: boolean): Promise<void> {
    // kafkajs reports a revocation after the group moved on, so the new owner may already write
    // to the changelogs: under exactly-once no checkpoint (it could claim the new owner's writes).
    for (const t of tasks) await this.closeTask(t, committed, committed && !this.o.config.exactlyOnce);
  }

  /** Closes every task (clean: commit first is the caller's; here each closes clean or dirty); the first error is thrown after all closed. */
  async closeAll(clean: boolean): Promise<void> {
    let firstError: unknown;
    for (const task of this.tasks()) {
      try {
        await this.closeTask(task, clean);
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private async closeTask(task: StreamTask, requestedClean: boolean, checkpoint = true): Promise<void> {
    const { config, counters } = this.o;
    // A task closed before (or never initialized) has nothing committed to vouch for: no checkpoint.
    const clean = requestedClean && task.isRunning;
    this.byId.delete(task.id);
    this.o.onTaskClosed?.(task);
    for (const tp of task.inputPartitions()) {
      if (this.byTp.get(tpKey(tp.topic, tp.partition)) === task) this.byTp.delete(tpKey(tp.topic, tp.partition));
    }
    this.closedMetrics.push(task.metrics.snapshot());
    for (const p of task.context.participants) {
      const m = p.metrics?.();
      if (m !== undefined) this.o.closedParticipants.add(m);
    }
    for (const store of task.stores.keys()) this.o.restores.delete(`${task.id}\0${store}`);
    this.o.queryable.unregister(task.id);
    if (clean) counters.tasksClosedClean++;
    else counters.tasksClosedDirty++;
    const logged = task.loggedStores;
    if (!clean) await withTimeout(abortQuietly(task), ABORT_TIMEOUT_MS);
    try {
      // A clean close writes a marker into the stores after their last flush; the checkpoint records it.
      const marker = clean && checkpoint && logged.length > 0 ? newCheckpointMarker() : undefined;
      await task.close(clean, marker);
      // Called right after the task's last commit: the changelogs' ends are what the stores hold.
      if (marker !== undefined) await checkpointTask(task, logged, this.stateOptions(), marker);
    } finally {
      // Under exactly_once_v2 the producer is the runner's (reconnected by the runtime after a failure).
      if (task.producer !== this.producer) await task.producer?.disconnect().catch(() => undefined);
      task.producer = null;
      if (!clean && config.exactlyOnce) await wipeTaskState(task, config.stateDir);
    }
  }
}

/**
 * A stable id of this runner for its exactly_once_v2 transactional id: a random UUID kept in
 * `<stateDir>/<applicationId>/process-id` (Kafka Streams keeps its process id in the state
 * directory too), created on first use.
 */
export async function runnerProcessId(stateDir: string, applicationId: string): Promise<string> {
  const dir = join(stateDir, applicationId);
  const file = join(dir, 'process-id');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    // none yet
  }
  const id = randomUUID();
  await mkdir(dir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}

/** A producer fenced by one with the same transactional id (anywhere in the cause chain). */
function isProducerFenced(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof TributaryError && depth < 8; e = e.cause, depth++) {
    if (e.code === 'PRODUCER_FENCED') return true;
  }
  return false;
}
