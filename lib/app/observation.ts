/**
 * A read-only view of a running application for the metrics endpoint and the live page
 * (lib/observability): what the runtime already counts, gathered on demand (at scrape time),
 * never per record.
 */
import { isMeteredStore } from '../state/abilities.js';
import type { TopicPartition } from '../kafka/types.js';
import type { CommitLatencyWindow } from '../runtime/commit-latency.js';
import type { LatencyHistogramSnapshot } from '../runtime/latency-histogram.js';
import type { StreamsRuntime, TaskRestoreProgress } from '../runtime/streams-runtime.js';
import { taskDirectory } from '../runtime/task-stores.js';
import type { StoreMetricsSnapshot } from '../state/layers/store-metrics.js';
import type { CommitParticipantMetrics } from '../topology/processor.js';

export interface StoreObservation {
  readonly name: string;
  readonly persistent: boolean;
  /** Operation counters of the metered layer (undefined for a store without one). */
  readonly metrics: StoreMetricsSnapshot | undefined;
  /** Directory of a persistent store (its size on disk is measured there). */
  readonly directory: string | undefined;
}

export interface TaskObservation {
  readonly taskId: string;
  readonly subtopology: number;
  readonly partition: number;
  readonly inputs: readonly TopicPartition[];
  /** Highest record timestamp the task has taken; undefined before its first record. */
  readonly streamTimeMs: number | undefined;
  readonly buffered: number;
  readonly stores: readonly StoreObservation[];
  /** External targets the task commits with (Delta tables). */
  readonly participants: readonly CommitParticipantMetrics[];
}

export interface RuntimeObservation {
  readonly tasks: readonly TaskObservation[];
  readonly restores: readonly TaskRestoreProgress[];
  readonly commitLatency: LatencyHistogramSnapshot | undefined;
  readonly recentCommits: CommitLatencyWindow | undefined;
  /** Totals of the commit participants of closed tasks, per target (see `ClosedParticipants`). */
  readonly closedParticipants: readonly CommitParticipantMetrics[];
}

const isMetered = isMeteredStore;

/** The running tasks of `runtime` (none when null), their stores, participants and restorations. */
export function observeRuntime(runtime: StreamsRuntime | null, applicationId: string, recentWindowMs: number): RuntimeObservation {
  if (runtime === null) return { tasks: [], restores: [], commitLatency: undefined, recentCommits: undefined, closedParticipants: [] };
  const stateDir = runtime.config.stateDir;
  const tasks: TaskObservation[] = runtime.tasks().map((t) => {
    const st = t.streamTime();
    const taskDir = taskDirectory(stateDir, applicationId, t.id);
    const stores: StoreObservation[] = [...t.stores.values()].map((s) => ({
      name: s.name,
      persistent: s.persistent,
      metrics: isMetered(s) ? s.metrics() : undefined,
      directory: s.persistent ? `${taskDir}/${s.name}` : undefined,
    }));
    const participants: CommitParticipantMetrics[] = [];
    for (const p of t.context.participants) {
      const m = p.metrics?.();
      if (m !== undefined) participants.push(m);
    }
    return {
      taskId: t.id,
      subtopology: t.subtopology.id,
      partition: t.partition,
      inputs: t.inputPartitions(),
      streamTimeMs: st >= 0 ? st : undefined,
      buffered: t.numBuffered(),
      stores,
      participants,
    };
  });
  return {
    tasks,
    restores: [...runtime.restores.values()],
    commitLatency: runtime.commitLatency.histogram.snapshot(),
    recentCommits: runtime.commitLatency.since(performance.now() - recentWindowMs),
    closedParticipants: runtime.closedParticipants.list(),
  };
}
