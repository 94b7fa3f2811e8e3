/**
 * Sources outside Kafka (`builder.deltaStream`) in the Kafka runtime, exactly once.
 *
 * Each external source gets an *anchor topic* `<application.id>-<source>-position` (one
 * partition, compacted): the source's position log. The runtime subscribes to it in place of the
 * source's name, so the consumer group gives the source's task to exactly one instance and the
 * task's transactional producer fences a zombie as for any task; the consumer never reads it
 * (paused). The task reads the source's rows (fed here between polls) as records whose offsets
 * are source positions; at each commit the last position processed goes into the anchor topic as
 * a record, inside the task's transaction, atomically with its outputs and changelog records:
 *
 * ```text
 *   assign anchor-0 ─▶ fence (InitProducerId) ─▶ restore stores ─▶ last committed record of
 *        anchor-0 (read_committed) ─▶ feed opens the source after it (none: the stream's start)
 *   loop: task buffer empty? poll the source ─▶ rows as records (offset = position) ─▶ process
 *   commit: flush stores ─▶ position record (key = source, value {"offset": last processed})
 *        ─▶ send outputs + changelogs + position ─▶ sendOffsets (Kafka inputs only) ─▶ commit
 *   crash anywhere ─▶ the transaction aborts; the next owner restores the stores and resumes after
 *        the committed position: every output and state change once
 * ```
 *
 * (Not the group offset of the anchor partition: a committed offset beyond a partition's end is
 * reset by kafkajs' consumer when it fetches, so positions live in records.)
 *
 * Record values of an external source are objects, not bytes: the source node's value serde is
 * replaced by one that hands over the rows of the current batch (a batch is fed only when the
 * task has nothing buffered, so the rows stay valid until processed).
 */
import { ConfigError, TributaryError } from '../errors.js';
import { fetchedBatches } from '../kafka/columns.js';
import type { Admin, Consumer, FetchedColumns, KafkaClient } from '../kafka/types.js';
import type { Serde } from '../serde/types.js';
import type { BuiltNode, BuiltSourceNode, BuiltTopology, Subtopology } from '../topology/built-topology.js';
import type { ExternalSource } from '../topology/types.js';
import type { RuntimeLogger } from './config.js';
import type { StreamTask } from './task.js';

/** Rows of one poll of an external source: offsets are its positions (increasing). */
export interface ExternalBatch {
  readonly rows: readonly unknown[];
  readonly offsets: readonly number[];
  readonly timestamps: readonly number[];
}

/** An open external source: the connector's side. */
export interface ExternalFeed {
  /** True after a poll that found nothing new. */
  readonly caughtUp: boolean;
  /** Where it resumed (for the log). */
  readonly resumedAt: unknown;
  poll(): Promise<ExternalBatch>;
}

type FeedOpener = (source: ExternalSource, lastOffset: number | undefined) => Promise<ExternalFeed>;

/** The connectors that can feed a source of each kind (loaded only when a topology has one). */
const OPENERS: Readonly<Record<string, () => Promise<FeedOpener>>> = {
  delta: async () => {
    const { DeltaSourceFeed } = await import('../connectors/delta/source-feed.js');
    return (source, last) => DeltaSourceFeed.open(source, last);
  },
};

/** A holder of the rows of the batch being processed and the value serde that reads them. */
export interface RowHolder {
  rows: readonly unknown[];
}

/** The value serde of an external source: value i of a batch is `holder.rows[i]` (no bytes). */
export function objectRowSerde(holder: RowHolder, topic: string): Serde<unknown> {
  const refuse = (): never => {
    throw new TributaryError(`the rows of source ${topic} are objects, not bytes: they cannot be serialized here`, { code: 'ILLEGAL_STATE' });
  };
  return { serialize: refuse, deserialize: refuse, deserializeRange: (_chunk, start) => holder.rows[start] };
}

/** Zero bytes the value ranges of object rows point into (never read). */
let zeros = Buffer.alloc(1024);

/** A batch of object rows as task input columns (no key; value i = the row at index i, see objectRowSerde). */
export function objectColumns(topic: string, partition: number, offsets: readonly number[], timestamps: readonly number[]): FetchedColumns {
  const n = offsets.length;
  if (zeros.length < n) zeros = Buffer.alloc(Math.max(n, 2 * zeros.length));
  const dummy = zeros;
  const valueChunks = new Array<Buffer | null>(n).fill(dummy);
  const keyChunks = new Array<Buffer | null>(n).fill(null);
  const starts = new Array<number>(n);
  for (let i = 0; i < n; i++) starts[i] = i;
  const none = new Array<number>(n).fill(0);
  return {
    topic,
    partition,
    length: n,
    offsets: offsets as number[],
    timestamps: timestamps as number[],
    keyChunks,
    keyStarts: none,
    keyEnds: none,
    valueChunks,
    valueStarts: starts,
    valueEnds: starts.map((s) => s + 1),
    headers: null,
    highWatermark: -1,
  };
}

interface Anchor {
  readonly topic: string;
  readonly sourceName: string;
  readonly source: ExternalSource;
  readonly holder: RowHolder;
}

interface OpenFeed {
  readonly anchor: Anchor;
  readonly feed: ExternalFeed;
}

export class ExternalSources {
  private readonly anchors = new Map<string, Anchor>();
  private readonly feeds = new Map<StreamTask, OpenFeed[]>();
  /** The topology with each external source reading its anchor topic. */
  readonly topology: BuiltTopology;

  private constructor(built: BuiltTopology) {
    const byName = new Map<string, string>();
    for (const sub of built.subtopologies) {
      const external = [...sub.sourceByTopic.values()].filter((s) => s.external !== undefined);
      if (external.length === 0) continue;
      const kafka = [...sub.sourceByTopic.values()].find((s) => s.external === undefined);
      if (kafka !== undefined) {
        throw new ConfigError(
          `Source ${external[0]!.name} (${external[0]!.external!.kind} table ${external[0]!.external!.location}) and Kafka source ${kafka.name} (${kafka.topics.join(', ')}) feed one sub-topology; ` +
            'an external source runs as a single task: join or merge it with Kafka topics after a repartition (e.g. selectKey/groupBy), not directly',
        );
      }
      for (const s of external) {
        if (OPENERS[s.external!.kind] === undefined)
          throw new ConfigError(`Source ${s.name} reads a ${s.external!.kind} source, which the runtime cannot read`);
        const topic = `${built.applicationId}-${s.topics[0]!}-position`;
        byName.set(s.topics[0]!, topic);
        this.anchors.set(topic, { topic, sourceName: s.topics[0]!, source: s.external!, holder: { rows: [] } });
      }
    }
    this.topology = this.rewrite(built, byName);
  }

  /** The runtime's view of `built` when it has external sources, else null. */
  static of(built: BuiltTopology): ExternalSources | null {
    const any = built.subtopologies.some((s) => [...s.sourceByTopic.values()].some((n) => n.external !== undefined));
    return any ? new ExternalSources(built) : null;
  }

  private rewrite(built: BuiltTopology, anchorOf: ReadonlyMap<string, string>): BuiltTopology {
    const rename = (t: string): string => anchorOf.get(t) ?? t;
    const back = new Map([...anchorOf].map(([name, anchor]) => [anchor, name]));
    const subs = built.subtopologies.map((sub): Subtopology => {
      if (!sub.sourceTopics.some((t) => anchorOf.has(t))) return sub;
      const nodes = sub.nodes.map((n): BuiltNode => {
        if (n.kind !== 'source' || n.external === undefined) return n;
        const topic = rename(n.topics[0]!);
        return { ...n, topics: [topic], valueSerde: objectRowSerde(this.anchors.get(topic)!.holder, n.topics[0]!) };
      });
      const nodesByName = new Map(nodes.map((n) => [n.name, n]));
      const sourceByTopic = new Map([...sub.sourceByTopic].map(([t, n]) => [rename(t), nodesByName.get(n.name) as BuiltSourceNode]));
      return {
        ...sub,
        nodes,
        nodesByName,
        sourceByTopic,
        sourceTopics: sub.sourceTopics.map(rename),
        copartitionGroups: sub.copartitionGroups.map((g) => g.map(rename)),
      };
    });
    const byId = new Map(subs.map((s) => [s.id, s]));
    const partitionsOf = (p: (t: string) => number | undefined) => (t: string) => p(rename(t));
    return {
      ...built,
      subtopologies: subs,
      sourceTopics: built.sourceTopics.map(rename),
      subtopologyForTopic: (t) => {
        const s = built.subtopologyForTopic(back.get(t) ?? t);
        return s === undefined ? undefined : byId.get(s.id);
      },
      internalTopicPartitions: (p) => built.internalTopicPartitions(partitionsOf(p)),
      taskCount: (id, p) => built.taskCount(id, partitionsOf(p)),
    };
  }

  isAnchor(topic: string): boolean {
    return this.anchors.has(topic);
  }

  /** True while some open source has rows it has not handed over (the runtime then polls Kafka without waiting). */
  get busy(): boolean {
    for (const feeds of this.feeds.values()) for (const f of feeds) if (!f.feed.caughtUp) return true;
    return false;
  }

  /** Creates the anchor topics (one partition each) that do not exist yet; call before the topics are prepared. */
  async prepare(admin: Admin, replicationFactor: number | undefined): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const missing = [...this.anchors.keys()].filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics(
        missing.map((topic) => ({
          topic,
          numPartitions: 1,
          configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(1 << 20) },
          ...(replicationFactor === undefined ? {} : { replicationFactor }),
        })),
      );
    }
    const present = [...this.anchors.keys()].filter((t) => existing.has(t));
    for (const d of present.length > 0 ? await admin.describeTopics(present, { configs: false }) : []) {
      if (d.partitions !== 1)
        throw new ConfigError(`Topic ${d.topic} anchors an external source and must have 1 partition, it has ${d.partitions}; delete it (tributary reset)`, {
          context: { topic: d.topic },
        });
    }
  }

  /**
   * Opens the sources of newly created tasks after the positions their anchor topics hold (read
   * now, read_committed, after the tasks' producers fenced the previous owner: final), pauses the
   * anchor partitions, and enlists each task's position record in its commits.
   */
  async open(tasks: readonly StreamTask[], client: KafkaClient, admin: Admin, consumer: Consumer, logger: RuntimeLogger): Promise<void> {
    for (const task of tasks) {
      const inputs = task.inputPartitions().filter((tp) => this.anchors.has(tp.topic));
      if (inputs.length === 0) continue;
      const list: OpenFeed[] = [];
      for (const tp of inputs) {
        const anchor = this.anchors.get(tp.topic)!;
        const last = await readLastPosition(client, admin, anchor, `${task.context.applicationId}-${task.id}`);
        const feed = await (await OPENERS[anchor.source.kind]!())(anchor.source, last);
        list.push({ anchor, feed });
        try {
          consumer.pause([tp]);
        } catch {
          // Not pausable here: records of an anchor topic are dropped anyway.
        }
        logger(
          'info',
          `task ${task.id}: ${anchor.source.kind} source ${anchor.sourceName} (${anchor.source.location}) resumes at ${JSON.stringify(feed.resumedAt)}`,
          {
            taskId: task.id,
            source: anchor.sourceName,
            topic: tp.topic,
          },
        );
      }
      this.feeds.set(task, list);
      // Runs after the stores are flushed and before the task's Kafka commit drains its buffer:
      // the position record goes out in the same transaction as the outputs and changelogs.
      task.context.participants.push({
        name: `external-source-positions-${task.id}`,
        commit: async () => {
          for (const p of task.externalPositions()) {
            const anchor = this.anchors.get(p.topic)!;
            task.collector.changelog({
              topic: p.topic,
              partition: 0,
              key: Buffer.from(anchor.sourceName),
              value: Buffer.from(JSON.stringify({ offset: p.offset })),
              timestamp: Date.now(),
            });
          }
        },
      });
    }
  }

  /** Hands each running task whose buffer is empty the next rows of its sources; returns the rows fed. */
  async feed(): Promise<number> {
    let fed = 0;
    for (const [task, feeds] of this.feeds) {
      if (!task.isRunning) continue;
      for (const { anchor, feed } of feeds) {
        if (task.numBuffered() > 0) break;
        const batch = await feed.poll();
        if (batch.rows.length === 0) continue;
        anchor.holder.rows = batch.rows;
        task.addColumns(objectColumns(anchor.topic, 0, batch.offsets, batch.timestamps));
        fed += batch.rows.length;
      }
    }
    return fed;
  }

  /** Forgets the sources of a closed task. */
  closeTask(task: StreamTask): void {
    this.feeds.delete(task);
  }
}

/** How far back from the anchor's end the last position is looked for first (a commit writes one record and one marker). */
const TAIL = 64;

/**
 * The last source position committed in `anchor` (its last committed record for the source), or
 * undefined when there is none. Reads the tail first, then the whole partition.
 */
async function readLastPosition(client: KafkaClient, admin: Admin, anchor: Anchor, groupBase: string): Promise<number | undefined> {
  const tp = { topic: anchor.topic, partition: 0 };
  const [ends] = await admin.fetchTopicOffsets(anchor.topic, { isolation: 'read_committed' });
  if (ends === undefined || ends.high <= ends.low) return undefined;
  const consumer = client.consumer({ groupId: `${groupBase}-position`, readUncommitted: false, autoOffsetReset: 'earliest' });
  await consumer.connect();
  try {
    await consumer.assign([tp]);
    for (let from = Math.max(ends.low, ends.high - TAIL); ; from = ends.low) {
      consumer.seek(tp, from);
      let last: number | undefined;
      const deadline = Date.now() + 60_000;
      while ((consumer.position(tp) ?? -1) < ends.high) {
        if (Date.now() > deadline)
          throw new TributaryError(`reading the position of source ${anchor.sourceName} from ${anchor.topic}: did not reach offset ${ends.high}`, {
            code: 'KAFKA',
            context: tp,
          });
        for (const batch of fetchedBatches(await consumer.poll(100))) {
          for (const r of batch.records) {
            if (r.key?.toString() !== anchor.sourceName || r.value === null) continue;
            const offset = (JSON.parse(r.value.toString()) as { offset?: unknown }).offset;
            if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
              throw new TributaryError(
                `${anchor.topic} offset ${r.offset} holds no source position (${r.value.toString().slice(0, 80)}); was the topic written by something else?`,
                { code: 'STATE', context: tp },
              );
            }
            last = offset;
          }
        }
      }
      if (last !== undefined || from === ends.low) return last;
    }
  } finally {
    await consumer.close();
  }
}
