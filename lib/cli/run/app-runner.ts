/**
 * One running application for the CLI (`tributary run`, `tributary demo`): a `StreamsRuntime` on a
 * Kafka client, plus what the progress line needs and the runtime does not count itself — commit
 * latency (timed around each commit) and consumer lag (high watermarks minus committed offsets,
 * sampled through the admin client).
 *
 *   start ─▶ runtime.start() (topics, group, tasks) ─▶ loop in the background
 *   stats() ─ metrics of every task incarnation + commit latency + event time
 *   lag()   ─ admin: fetchTopicOffsets(source topics) − fetchCommittedOffsets(application id)
 *   close() ─ runtime.close(): last commit, tasks closed clean, checkpoints written
 */
import type { Admin, KafkaClient } from '../../kafka/types.js';
import { StreamsRuntime, sumMetrics, type RuntimeState, type StreamsConfig } from '../../runtime/index.js';
import type { Topology } from '../../topology/topology.js';

export interface AppRunnerOptions {
  readonly topology: Topology;
  readonly client: KafkaClient;
  readonly config: StreamsConfig;
  readonly onStateChange?: (next: RuntimeState, previous: RuntimeState) => void;
}

export interface AppStats {
  readonly applicationId: string;
  readonly state: RuntimeState;
  readonly tasks: number;
  readonly recordsIn: number;
  readonly processed: number;
  readonly recordsOut: number;
  readonly deadLettered: number;
  /** Records discarded by an operator: late for a window or a watermark, or without a key. */
  readonly dropped: number;
  readonly commits: number;
  /** Mean and max duration of the commits since the previous `stats()` call (ms); undefined without commits. */
  readonly commitLatencyMs: { readonly mean: number; readonly max: number } | undefined;
  /** Lowest event time (stream time) over tasks that have seen a record; undefined before the first. */
  readonly eventTimeMs: number | undefined;
}

export class AppRunner {
  readonly runtime: StreamsRuntime;
  readonly applicationId: string;
  private commitCount = 0;
  private commitTotalMs = 0;
  private commitMaxMs = 0;

  constructor(options: AppRunnerOptions) {
    this.runtime = new StreamsRuntime({ topology: options.topology, client: options.client, config: options.config });
    this.applicationId = this.runtime.config.applicationId;
    if (options.onStateChange) this.runtime.onStateChange(options.onStateChange);
    // The loop calls `this.commit()`; timing it on the instance measures every commit it makes.
    const commit = this.runtime.commit.bind(this.runtime);
    this.runtime.commit = async () => {
      const before = this.taskCommits();
      const t0 = performance.now();
      try {
        await commit();
      } finally {
        // Only commits that committed something count (an idle loop "commits" nothing every interval).
        if (this.taskCommits() > before) {
          const ms = performance.now() - t0;
          this.commitCount++;
          this.commitTotalMs += ms;
          if (ms > this.commitMaxMs) this.commitMaxMs = ms;
        }
      }
    };
  }

  private taskCommits(): number {
    let n = 0;
    for (const t of this.runtime.tasks()) n += t.metrics.commits;
    return n;
  }

  /** Source topics the application consumes (user topics and its repartition topics). */
  get sourceTopics(): readonly string[] {
    return this.runtime.topology.sourceTopics;
  }

  /** Source topics other than the application's own repartition topics (what upstream producers write). */
  get userSourceTopics(): readonly string[] {
    const internal = new Set(this.runtime.topology.subtopologies.flatMap((s) => s.repartitionSourceTopics));
    return this.sourceTopics.filter((t) => !internal.has(t));
  }

  /**
   * Source topics written by someone else: neither repartition topics nor the application's own
   * output topics read back (their transaction markers would show as a lag of one forever).
   */
  get externalSourceTopics(): readonly string[] {
    const written = new Set(this.runtime.topology.subtopologies.flatMap((s) => s.sinks.map((k) => k.topic)));
    return this.userSourceTopics.filter((t) => !written.has(t));
  }

  async start(): Promise<void> {
    await this.runtime.start();
  }

  /** Resolves when the loop ends after `close()`; rejects with the error that stopped it. */
  done(): Promise<void> {
    return this.runtime.done();
  }

  async close(): Promise<void> {
    await this.runtime.close();
  }

  stats(): AppStats {
    const totals = sumMetrics(this.runtime.metrics());
    let eventTime: number | undefined;
    const tasks = this.runtime.tasks();
    for (const t of tasks) {
      const st = t.streamTime();
      if (st >= 0 && (eventTime === undefined || st < eventTime)) eventTime = st;
    }
    const latency = this.commitCount > 0 ? { mean: this.commitTotalMs / this.commitCount, max: this.commitMaxMs } : undefined;
    this.commitCount = 0;
    this.commitTotalMs = 0;
    this.commitMaxMs = 0;
    return {
      applicationId: this.applicationId,
      state: this.runtime.state,
      tasks: tasks.length,
      recordsIn: totals.recordsIn,
      processed: totals.processed,
      recordsOut: totals.recordsOut,
      deadLettered: totals.deadLettered,
      dropped: totals.dropped,
      commits: totals.commits,
      commitLatencyMs: latency,
      eventTimeMs: eventTime,
    };
  }

  /** Records not yet committed by the application's group over its external source topics. */
  async lag(admin: Admin): Promise<number> {
    return groupLag(admin, this.applicationId, this.externalSourceTopics);
  }
}

/** Sum over partitions of `high watermark − committed offset` (a partition without a commit counts from its low offset). */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchCommittedOffsets(groupId, topics);
  const byTp = new Map(committed.map((c) => [`${c.topic}\0${c.partition}`, c.offset]));
  let lag = 0;
  for (const topic of topics) {
    let offsets;
    try {
      offsets = await admin.fetchTopicOffsets(topic);
    } catch {
      continue; // not created yet
    }
    for (const p of offsets) {
      const c = byTp.get(`${topic}\0${p.partition}`);
      lag += Math.max(0, Number(p.high) - Number(c ?? p.low));
    }
  }
  return lag;
}
