/**
 * `runDeltaStreams(topology, config)`: runs a topology whose sources are Delta tables
 * (`builder.deltaStream`) — a Delta → Delta hop — with no Kafka at all, exactly once.
 *
 * The topology's sub-topologies become ordinary stream tasks (the same `StreamTask` the Kafka
 * runtime runs: processors, punctuation, commit participants); this runner replaces the consumer:
 *
 * ```text
 *   open: task processors init ─▶ participants open (deltaSinks load their tables)
 *         ─▶ resume offset per source = min over participants of committedOffset (txn versions)
 *         ─▶ DeltaSourceReader at that position (or the stream's start)
 *   loop: poll each source (≤ maxRowsPerBatch) ─▶ records (offset = packed position, see below)
 *         ─▶ task.process (sync) ─▶ participants due? flush stores ─▶ commit participants
 *         (each deltaSink: files + txn <applicationId>-<source>-0 = last offset, one Delta version)
 *   crash anywhere ─▶ restart resumes after the smallest committed offset; a sink that is ahead
 *         skips the rows it already holds (offset ≤ its txn version): no row twice, none lost
 * ```
 *
 * Offsets: packed positions (see source-feed.ts).
 *
 * Not supported here (refused at start with what to do): Kafka sinks and dead-letter output,
 * state stores with changelogs (stateful operators need Kafka; see docs/delta.md), repartitions.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, TributaryError } from '../../errors.js';
import type { KafkaClient } from '../../kafka/types.js';
import type { Serde } from '../../serde/types.js';
import { normalizeConfig } from '../../runtime/config.js';
import { ErrorHandlers } from '../../runtime/error-handlers.js';
import { objectColumns, objectRowSerde, type RowHolder } from '../../runtime/external-sources.js';
import { StreamTask } from '../../runtime/task.js';
import { openTaskStores } from '../../runtime/task-stores.js';
import type { BuiltNode, BuiltSourceNode, Subtopology } from '../../topology/built-topology.js';
import type { Topology } from '../../topology/topology.js';
import { DeltaSourceFeed } from './source-feed.js';
import type { DeltaSourcePosition } from './source-reader.js';

export { packOffset, unpackOffset } from './source-feed.js';

/**
 * Options of `runDeltaStreams` (a topology whose sources are Delta tables): application id, state
 * directory, poll and commit pacing, and stop conditions.
 */
export interface DeltaStreamsConfig {
  readonly applicationId: string;
  /** Task state directory (stores without changelogs). Default `<tmpdir>/tributary`. */
  readonly stateDir?: string;
  /** Wait between polls when no source has new rows. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Least time between two task commits while the sources have rows to read (a commit is also
   * made whenever every source is caught up, and at close). The sinks' own pacing (`commitDue`)
   * applies on top. Default 1000 ms.
   */
  readonly commitIntervalMs?: number;
  /** Stop once every source has been read to the end of its table and everything is committed. */
  readonly untilCaughtUp?: boolean;
  /** Stops the run (a clean close: buffered rows are committed first). */
  readonly signal?: AbortSignal;
  readonly logger?: (level: 'info' | 'warn', message: string) => void;
  /** Called after every task commit (all participants committed) with the totals so far. */
  readonly onCommit?: (progress: { readonly records: number; readonly commits: number }) => void;
  /** Called when every source is caught up and everything is committed (before waiting for more). */
  readonly onIdle?: (progress: { readonly records: number; readonly commits: number }) => void;
}

/** What `runDeltaStreams` did: records processed, commits, and where each source resumed. */
export interface DeltaStreamsResult {
  /** Rows read from the sources. */
  readonly records: number;
  /** Task commits (each commits every participant, e.g. one Delta version per sink with rows or positions). */
  readonly commits: number;
  /** Where each source resumed: source name → position. */
  readonly resumedAt: Readonly<Record<string, DeltaSourcePosition | 'start'>>;
}

interface Source {
  readonly topic: string;
  readonly node: BuiltSourceNode;
  /** The rows of the batch being processed: record i's value is rows[i] (see objectRowSerde). */
  readonly holder: RowHolder;
  readonly feed: DeltaSourceFeed;
}

/** `sub` with each Delta source reading its rows through `serdes` (by topic). */
function bindSources(sub: Subtopology, serdes: ReadonlyMap<string, Serde<unknown>>): Subtopology {
  const nodes = sub.nodes.map((n): BuiltNode => {
    if (n.kind !== 'source') return n;
    const serde = serdes.get(n.topics[0]!);
    return serde === undefined ? n : { ...n, valueSerde: serde };
  });
  return { ...sub, nodes, nodesByName: new Map(nodes.map((n) => [n.name, n])) };
}

/** Refuses any use of Kafka: a Delta-only hop has no broker. */
const NO_KAFKA = new Proxy(
  {},
  {
    get(_t, prop) {
      throw new ConfigError(
        `runDeltaStreams has no Kafka client (a state store needed ${String(prop)}): stores with changelogs are not supported in a Delta-only hop`,
      );
    },
  },
) as KafkaClient;

function checkTopology(topology: Topology, applicationId: string): ReturnType<Topology['build']> {
  const built = topology.build(applicationId);
  if (built.globalStores.length > 0) throw new ConfigError('runDeltaStreams: global tables need Kafka; a Delta-only hop cannot have them');
  if (built.repartitionTopics.length > 0) {
    throw new ConfigError(
      'runDeltaStreams: the topology repartitions (a key-changing operation before a grouping or join); a Delta-only hop runs as one task — group by the key you need after the hop, or run that part on Kafka',
    );
  }
  for (const sub of built.subtopologies) {
    for (const src of sub.sourceByTopic.values()) {
      if (src.external?.kind !== 'delta')
        throw new ConfigError(`runDeltaStreams: source ${src.name} reads Kafka topic(s) ${src.topics.join(', ')}; every source must be a deltaStream`);
    }
    if (sub.sinks.length > 0)
      throw new ConfigError(`runDeltaStreams: sink ${sub.sinks[0]!.name} writes to Kafka; a Delta-only hop writes with deltaSink processors`);
    const logged = sub.stores.find((s) => s.changelogTopic !== null);
    if (logged) {
      throw new ConfigError(
        `runDeltaStreams: store ${logged.name} has a changelog (Kafka); in a Delta-only hop use Materialized…withLoggingDisabled() and rebuild state from the target table, or run the stateful part on Kafka`,
      );
    }
  }
  return built;
}

/** Runs the topology until `signal` aborts (or, with `untilCaughtUp`, until there is nothing new). */
export async function runDeltaStreams(topology: Topology, config: DeltaStreamsConfig): Promise<DeltaStreamsResult> {
  const built = checkTopology(topology, config.applicationId);
  const streams = normalizeConfig({
    applicationId: config.applicationId,
    ...(config.stateDir !== undefined ? { stateDir: config.stateDir } : {}),
    deserializationExceptionHandler: ErrorHandlers.fail,
    processingExceptionHandler: ErrorHandlers.fail,
  });
  const pollMs = config.pollIntervalMs ?? 250;
  const commitIntervalMs = config.commitIntervalMs ?? 1000;
  if (!(commitIntervalMs >= 0)) throw new ConfigError(`runDeltaStreams: commitIntervalMs must be ≥ 0, got ${config.commitIntervalMs}`);
  let lastCommitAt = streams.clock.now();
  const tasks: { task: StreamTask; sources: Source[] }[] = [];
  const resumedAt: Record<string, DeltaSourcePosition | 'start'> = {};
  let records = 0;
  let commits = 0;
  try {
    for (const sub of built.subtopologies) {
      const topics = [...sub.sourceByTopic.keys()];
      const holders = new Map(topics.map((t) => [t, { rows: [] } as RowHolder]));
      const task = new StreamTask({
        subtopology: bindSources(sub, new Map(topics.map((t) => [t, objectRowSerde(holders.get(t)!, t)]))),
        partition: 0,
        inputs: topics.map((topic) => ({ topic, partition: 0 })),
        config: streams,
        internalTopics: new Set(),
        partitionsFor: () => 1,
      });
      tasks.push({ task, sources: [] });
      await openTaskStores(task, { client: NO_KAFKA, stateDir: streams.stateDir, exactlyOnce: false });
      task.initProcessors();
      await task.openParticipants();
      const participants = task.context.participants;
      for (const topic of topics) {
        const node = sub.sourceByTopic.get(topic)!;
        const ext = node.external!;
        const positionHolders = participants.filter((p) => typeof p.committedOffset === 'function');
        let last: number | undefined;
        if (positionHolders.length > 0) {
          let min = Number.POSITIVE_INFINITY;
          for (const p of positionHolders) min = Math.min(min, p.committedOffset!(topic, 0) ?? -1);
          last = min;
        }
        const feed = await DeltaSourceFeed.open(ext, last);
        resumedAt[topic] = feed.resumedAt;
        tasks[tasks.length - 1]!.sources.push({ topic, node, holder: holders.get(topic)!, feed });
        config.logger?.('info', `deltaStream ${topic} (${ext.location}) resumes at ${JSON.stringify(resumedAt[topic])}`);
      }
    }

    const lastOffsets = new Map<string, number>();
    const commit = async (task: StreamTask, sources: readonly Source[]): Promise<void> => {
      for (const src of sources) {
        const last = lastOffsets.get(src.topic);
        if (last !== undefined) for (const p of task.context.participants) p.inputPosition?.(src.topic, 0, last);
      }
      await task.flushStores();
      await task.commitParticipants();
      task.markCommitted();
      lastCommitAt = streams.clock.now();
      commits++;
      config.onCommit?.({ records, commits });
    };

    for (;;) {
      const stopping = config.signal?.aborted === true;
      let polled = 0;
      let allCaughtUp = true;
      for (const { task, sources } of tasks) {
        if (!stopping) {
          for (const src of sources) {
            if (task.numBuffered() > 0) continue;
            const batch = await src.feed.poll();
            if (!src.feed.caughtUp) allCaughtUp = false;
            const n = batch.rows.length;
            if (n === 0) continue;
            src.holder.rows = batch.rows;
            task.addColumns(objectColumns(src.topic, 0, batch.offsets, batch.timestamps));
            const offsets = batch.offsets;
            lastOffsets.set(src.topic, offsets[n - 1]!);
            polled += n;
            records += n;
          }
        }
        task.process();
        task.punctuateWallClock();
        if (task.collector.size > 0) {
          throw new TributaryError('runDeltaStreams: the topology produced Kafka output (a dead-letter or sink record); a Delta-only hop has no broker', {
            code: 'CONFIG',
          });
        }
        const now = streams.clock.now();
        if (task.commitNeeded() && (stopping || allCaughtUp || (now - lastCommitAt >= commitIntervalMs && task.participantsDue(now))))
          await commit(task, sources);
      }
      if (stopping) break;
      if (polled === 0 && allCaughtUp) {
        config.onIdle?.({ records, commits });
        if (config.untilCaughtUp) {
          for (const { task, sources } of tasks) if (task.commitNeeded()) await commit(task, sources);
          break;
        }
        await sleep(pollMs, undefined, { signal: config.signal }).catch(() => undefined);
      }
    }
    for (const { task } of tasks) await task.close(true);
    return { records, commits, resumedAt };
  } catch (error) {
    for (const { task } of tasks) await task.close(false).catch(() => undefined);
    throw error;
  }
}
