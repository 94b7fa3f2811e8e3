/**
 * Standby replicas (`numStandbyReplicas`): warm copies of stateful tasks this runner does not own.
 *
 * ```
 *  assignment changed ─▶ standbyTaskIds(all persistent logged tasks − active tasks)
 *                         ─▶ per standby task: prepare its directory (openTaskState) ─▶ init its stores
 *                            (no changelog sink) ─▶ start at the checkpoint (marker verified) or the log start
 *  background loop:  group-less consumer (assign, read_committed) ─▶ poll ─▶ last value per key
 *                    (RestoreBuffer) ─▶ store.restoreBatch ─▶ position = next offset to read
 *  task assigned ─▶ release(task): stop the loop, flush, write a marker into each store, close it,
 *                   write the checkpoint (the positions) ─▶ the active task restores only the tail
 * ```
 *
 * Placement (documented limit): the seam gives a runner no view of the other members'
 * assignments, so a runner with `numStandbyReplicas >= 1` keeps a standby of every persistent
 * logged task it does not own. With two runners that is exactly one standby per task; with more
 * runners every task has (runners − 1) standbys (more disk and changelog reads than asked for).
 * A standby is never kept for a task this runner owns: the set is recomputed after every
 * assignment and an assigned task's standby is released before the task opens its stores.
 * In-memory stores get no standby (they restore from the log start anyway).
 *
 * The loop reads only committed data (read_committed), so under exactly-once the copy never holds
 * an aborted write; the checkpoint is written only after the stores were flushed and marked, and
 * the positions it records are where the consumer stopped (at most the last stable offset).
 */
import { TributaryError } from '../errors.js';
import { keyAt, valueAt } from '../kafka/columns.js';
import type { Consumer, KafkaClient } from '../kafka/types.js';
import { isRestorableStore } from '../state/abilities.js';
import { checkpointOffset, openTaskState, writeCheckpoint, type CheckpointEntry } from '../state/checkpoint.js';
import { RestoreBuffer } from '../state/restore-buffer.js';
import { isMarkedStore, type RestorableStore, type StateStore } from '../state/types.js';
import type { BuiltTopology } from '../topology/built-topology.js';
import type { NormalizedConfig } from './config.js';
import { newCheckpointMarker, taskDirectory } from './task-stores.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

interface StandbyStore {
  readonly name: string;
  readonly store: RestorableStore & StateStore;
  readonly topic: string;
  readonly partition: number;
  /** Next changelog offset to read (what the store holds up to). */
  position: number;
  /** Records applied since the standby started (for metrics and the failover test). */
  applied: number;
}

interface StandbyTask {
  readonly id: string;
  readonly dir: string;
  readonly stores: StandbyStore[];
}

/** Counters of the standby tasks (kept across releases). */
export interface StandbyMetrics {
  /** Standby tasks currently kept. */
  readonly tasks: number;
  /** Changelog records applied to standby stores since start. */
  readonly recordsApplied: number;
  /** Standby tasks handed to an active task (checkpoint written). */
  readonly released: number;
}

const tpKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

export class StandbyTasks {
  private readonly tasks = new Map<string, StandbyTask>();
  private consumer: Consumer | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private recordsApplied = 0;
  private released = 0;
  private failure: unknown = undefined;

  constructor(
    private readonly topology: BuiltTopology,
    private readonly config: NormalizedConfig,
    private readonly client: KafkaClient,
    /** Partition count of a topic (changelog topics: one partition per task). */
    private readonly partitionsFor: (topic: string) => number | undefined,
  ) {}

  get enabled(): boolean {
    return this.config.numStandbyReplicas > 0;
  }

  metrics(): StandbyMetrics {
    return { tasks: this.tasks.size, recordsApplied: this.recordsApplied, released: this.released };
  }

  /** Ids of the standby tasks kept now. */
  ids(): string[] {
    return [...this.tasks.keys()];
  }

  /** Every task id with a persistent logged store: the candidates for a standby. */
  private candidates(): Map<string, { sub: number; partition: number }> {
    const out = new Map<string, { sub: number; partition: number }>();
    for (const sub of this.topology.subtopologies) {
      const logged = sub.stores.filter((s) => s.changelogTopic !== null);
      if (logged.length === 0) continue;
      const partitions = Math.max(0, ...logged.map((s) => this.partitionsFor(s.changelogTopic!) ?? 0));
      for (let p = 0; p < partitions; p++) out.set(`${sub.id}_${p}`, { sub: sub.id, partition: p });
    }
    return out;
  }

  /**
   * Stops keeping the standbys of `taskIds` (about to become active here): stops the loop, writes
   * each one's checkpoint and closes its stores, so the active task opens them and restores only
   * the tail. Call before the tasks open their stores.
   */
  async release(taskIds: readonly string[]): Promise<void> {
    const hit = taskIds.filter((id) => this.tasks.has(id));
    if (hit.length === 0) return;
    await this.stopLoop();
    for (const id of hit) {
      const t = this.tasks.get(id)!;
      this.tasks.delete(id);
      await this.closeTask(t, true);
      this.released++;
    }
  }

  /** Keeps standbys of every candidate task not in `active` (after an assignment); restarts the tail loop. */
  async update(active: ReadonlySet<string>): Promise<void> {
    if (!this.enabled) return;
    if (this.failure !== undefined) {
      // The loop failed: drop every copy without a checkpoint and rebuild them below.
      this.failure = undefined;
      await this.stopLoop();
      for (const t of this.tasks.values()) await this.closeTask(t, false).catch(() => undefined);
      this.tasks.clear();
    }
    const wanted = new Map([...this.candidates()].filter(([id]) => !active.has(id)));
    const same = wanted.size === this.tasks.size && [...wanted.keys()].every((id) => this.tasks.has(id));
    if (same && this.loop !== null) return;
    await this.stopLoop();
    for (const [id, t] of [...this.tasks]) {
      if (wanted.has(id)) continue;
      this.tasks.delete(id);
      await this.closeTask(t, true);
    }
    for (const [id, w] of wanted) {
      if (this.tasks.has(id)) continue;
      this.tasks.set(id, await this.openTask(id, w.sub, w.partition));
    }
    if (this.tasks.size > 0) await this.startLoop();
    this.config.logger('info', `standby tasks: ${this.ids().join(', ') || '(none)'}`, { standbyTasks: this.ids() });
  }

  /** Stops the loop and closes every standby (with a checkpoint when `clean`). */
  async close(clean = true): Promise<void> {
    await this.stopLoop();
    let first: unknown;
    for (const t of this.tasks.values()) await this.closeTask(t, clean).catch((e: unknown) => (first ??= e));
    this.tasks.clear();
    if (first !== undefined) throw first;
  }

  private async openTask(id: string, subId: number, partition: number): Promise<StandbyTask> {
    const sub = this.topology.subtopologies.find((s) => s.id === subId)!;
    const dir = taskDirectory(this.config.stateDir, this.config.applicationId, id);
    const opening = await openTaskState(dir, this.config.exactlyOnce);
    const stores: StandbyStore[] = [];
    for (const def of sub.stores) {
      if (def.changelogTopic === null) continue;
      const store = def.builder.build();
      if (!store.persistent) continue;
      if (!isRestorableStore(store)) {
        throw new TributaryError(`Store ${def.name} has a changelog but cannot be restored (no restoreBatch)`, {
          code: 'STATE',
          context: { taskId: id, store: def.name },
        });
      }
      const context = {
        applicationId: this.config.applicationId,
        taskId: id,
        partition,
        taskDir: dir,
        changelog: null,
        currentTimestamp: () => 0,
        streamTime: () => -1,
      };
      await store.init(context);
      let position = checkpointOffset(opening.checkpoint, def.changelogTopic, partition);
      const expected = opening.markers.get(def.name);
      if (position !== undefined && isMarkedStore(store) && (expected === undefined || store.readMarker() !== expected)) position = undefined;
      if (position === undefined) {
        // Nothing vouches for what the directory holds: start empty, from the log start.
        await store.close();
        await rm(join(dir, def.name), { recursive: true, force: true });
        await store.init(context);
      }
      stores.push({ name: def.name, store, topic: def.changelogTopic, partition, position: position ?? -1, applied: 0 });
    }
    return { id, dir, stores };
  }

  private async closeTask(t: StandbyTask, checkpoint: boolean): Promise<void> {
    const marker = newCheckpointMarker();
    const markers: Record<string, string> = {};
    const offsets: CheckpointEntry[] = [];
    for (const s of t.stores) {
      if (checkpoint && s.position >= 0) {
        await s.store.flush();
        if (isMarkedStore(s.store)) {
          await s.store.writeMarker(marker);
          markers[s.name] = marker;
        }
        offsets.push({ topic: s.topic, partition: s.partition, offset: s.position });
      }
      await s.store.close();
    }
    if (offsets.length > 0) await writeCheckpoint(t.dir, offsets, markers);
  }

  private async startLoop(): Promise<void> {
    const consumer = this.client.consumer({
      groupId: `${this.config.applicationId}-standby`,
      clientId: `${this.config.clientId}-standby`,
      readUncommitted: false,
      autoOffsetReset: 'earliest',
    });
    await consumer.connect();
    const byTp = new Map<string, StandbyStore>();
    for (const t of this.tasks.values()) for (const s of t.stores) byTp.set(tpKey(s.topic, s.partition), s);
    await consumer.assign([...byTp.values()].map((s) => ({ topic: s.topic, partition: s.partition })));
    for (const s of byTp.values()) if (s.position >= 0) consumer.seek({ topic: s.topic, partition: s.partition }, s.position);
    this.consumer = consumer;
    this.stopping = false;
    this.loop = this.run(consumer, byTp).catch((error: unknown) => {
      // A standby is an optimisation: its failure is logged and the copies are rebuilt at the next update.
      this.failure = error;
      this.config.logger('warn', `standby tasks stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async stopLoop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.loop = null;
    await this.consumer?.close().catch(() => undefined);
    this.consumer = null;
  }

  private async run(consumer: Consumer, byTp: ReadonlyMap<string, StandbyStore>): Promise<void> {
    while (!this.stopping) {
      const polled = await consumer.poll(200);
      const touched = new Map<StandbyStore, RestoreBuffer>();
      for (const cols of polled) {
        const s = byTp.get(tpKey(cols.topic, cols.partition));
        if (s === undefined || cols.length === 0) continue;
        let buf = touched.get(s);
        if (buf === undefined) touched.set(s, (buf = new RestoreBuffer()));
        for (let i = 0; i < cols.length; i++) {
          const offset = cols.offsets[i]!;
          if (offset < s.position) continue;
          const key = keyAt(cols, i);
          if (key === null) continue;
          buf.add(key, valueAt(cols, i), cols.timestamps[i]!);
          s.position = offset + 1;
          s.applied++;
          this.recordsApplied++;
        }
      }
      for (const [s, buf] of touched) if (buf.size > 0) await s.store.restoreBatch(buf.drain());
      // Past commit markers: the consumer's position is the next offset to read.
      for (const s of byTp.values()) {
        const pos = consumer.position({ topic: s.topic, partition: s.partition });
        if (pos !== undefined && pos > s.position) s.position = pos;
      }
    }
  }
}
