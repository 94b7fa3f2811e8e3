/**
 * Manual assignment without any consumer group: the Java consumer's `assign()`, built on kafkajs'
 * cluster (metadata + connections) and Fetch requests, with no JoinGroup, no heartbeats and no
 * session timeout.
 *
 * ```
 *  poll() ─take─▶ [ ready: ≤ 1 fetched batch per partition ] ◀─ one Fetch in flight per leader
 *    │                                                            (partitions with nothing ready)
 *    └─ after taking, the next Fetch starts at once: fetching overlaps the caller's processing
 * ```
 * Positions: a partition starts at `seek`, else the group's committed offset (read lazily at the
 * first `poll`, through the admin API), else `autoOffsetReset` (ListOffsets at the consumer's
 * isolation level, so 'latest' is the last stable offset under read_committed).
 * `position()` is exact: a fetch moves the fetch offset past the last record *batch* it returned
 * (from the batch header, so trailing control batches, aborted data and compaction gaps count),
 * and `position` becomes that offset when the batch is handed out by `poll` — or at once when the
 * batch held nothing visible (only control records / aborted data), which also wakes `poll`.
 * `seek` and `pause` invalidate ready and in-flight data of the partition (an epoch per partition).
 */
import './aborted-filter.js';
import type { Kafka } from 'kafkajs';
import { TributaryError } from '../../errors.js';
import type { ConsumerOptions, FetchedColumns, TopicPartition, TopicPartitionOffset } from '../types.js';
import { KafkajsAdmin } from './admin.js';
import { hasVisibleRecord, toFetchedColumns } from './convert.js';
import { translateError } from './errors.js';
import {
  ISOLATION_READ_COMMITTED,
  ISOLATION_READ_UNCOMMITTED,
  type KafkajsInternals,
  type KjsCluster,
  type RawMessage,
  type RawPartitionData,
} from './internals.js';
import { Waker } from './waker.js';

const DEFAULT_MAX_BYTES_PER_PARTITION = 1048576;
const MAX_BYTES = 52428800;
/** Retriable fetch failures (leader moves, broker restarts) are retried this long before `poll` throws. */
const RETRY_WINDOW_MS = 30000;

const key = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

interface Part {
  readonly tp: TopicPartition;
  /** Next offset `poll` hands out; undefined until resolved. */
  position: number | undefined;
  /** Next offset to fetch (>= position: past what is ready but not yet handed out). */
  fetchOffset: number | undefined;
  epoch: number;
  paused: boolean;
  inFlight: boolean;
  ready: Ready | undefined;
  /** Needs its start position from the committed offset / reset policy (`reset`: policy only). */
  unresolved: 'committed' | 'reset' | undefined;
}

/** A fetched batch, converted to columns only when `poll` hands it out. */
interface Ready {
  /** kafkajs messages: may include control records and records below `from` (whole record batches). */
  readonly messages: readonly RawMessage[];
  readonly from: number;
  readonly highWatermark: number;
  readonly next: number;
}

export class AssignedFetcher {
  private readonly parts = new Map<string, Part>();
  private readonly order: Part[] = [];
  private readonly cluster: KjsCluster;
  private readonly busyNodes = new Set<string>();
  private readonly readCommitted: boolean;
  private readonly maxBytesPerPartition: number;
  private readonly maxWaitMs: number;
  private admin: KafkajsAdmin | undefined;
  private resolving = false;
  private started = false;
  private closed = false;
  private failure: TributaryError | undefined;
  private readonly waker = new Waker();
  private failingSince: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly internals: KafkajsInternals,
    private readonly options: ConsumerOptions,
    maxWaitMs: number,
  ) {
    this.readCommitted = !(options.readUncommitted ?? false);
    this.cluster = internals.createCluster(this.readCommitted ? ISOLATION_READ_COMMITTED : ISOLATION_READ_UNCOMMITTED);
    this.maxBytesPerPartition = options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
    this.maxWaitMs = maxWaitMs;
  }

  /** Connects and checks that every partition exists. `seeks` are positions known up front. */
  async start(partitions: readonly TopicPartition[], seeks: ReadonlyMap<string, number>): Promise<void> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    try {
      await this.cluster.connect();
      await this.cluster.addMultipleTargetTopics(topics);
      for (const topic of topics) {
        const wanted = partitions.filter((p) => p.topic === topic).map((p) => p.partition);
        const leaders = this.cluster.findLeaderForPartitions(topic, wanted);
        const found = new Set(Object.values(leaders).flat());
        const missing = wanted.find((p) => !found.has(p));
        if (missing !== undefined)
          throw new TributaryError(`partition ${topic}-${missing} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic, partition: missing } });
      }
    } catch (e) {
      await this.cluster.disconnect().catch(() => undefined);
      throw translateError(e, 'assign', { groupId: this.options.groupId, ...(topics.length === 1 ? { topic: topics[0]! } : {}) });
    }
    for (const tp of partitions) {
      const k = key(tp.topic, tp.partition);
      if (this.parts.has(k)) continue;
      const seek = seeks.get(k);
      const part: Part = {
        tp: { topic: tp.topic, partition: tp.partition },
        position: seek,
        fetchOffset: seek,
        epoch: 0,
        paused: false,
        inFlight: false,
        ready: undefined,
        unresolved: seek === undefined ? 'committed' : undefined,
      };
      this.parts.set(k, part);
      this.order.push(part);
    }
  }

  assignment(): TopicPartition[] {
    return this.order.map((p) => ({ ...p.tp }));
  }

  position(tp: TopicPartition): number | undefined {
    return this.parts.get(key(tp.topic, tp.partition))?.position;
  }

  private part(tp: TopicPartition, what: string): Part {
    const p = this.parts.get(key(tp.topic, tp.partition));
    if (p === undefined)
      throw new TributaryError(`${what} on unassigned partition ${tp.topic}-${tp.partition}`, {
        code: 'ILLEGAL_STATE',
        context: { ...tp, groupId: this.options.groupId },
      });
    return p;
  }

  seek(tp: TopicPartition, offset: number): void {
    const p = this.part(tp, 'seek');
    p.epoch++;
    p.ready = undefined;
    p.position = offset;
    p.fetchOffset = offset;
    p.unresolved = undefined;
    this.pump();
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const p = this.part(tp, 'pause');
      if (p.paused) continue;
      p.paused = true;
      p.epoch++;
      p.ready = undefined;
      p.fetchOffset = p.position;
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.part(tp, 'resume').paused = false;
    this.pump();
  }

  async poll(timeoutMs: number): Promise<FetchedColumns[]> {
    const out: FetchedColumns[] = [];
    for (const [p, r] of await this.take(timeoutMs)) {
      const cols = toFetchedColumns(p.tp.topic, p.tp.partition, r.messages as never, r.from, r.highWatermark);
      if (cols.length > 0) out.push(cols);
    }
    return out;
  }

  /** Waits up to `timeoutMs` for fetched data, then takes all of it (positions move past it). */
  private async take(timeoutMs: number): Promise<Array<[Part, Ready]>> {
    if (this.failure) throw this.failure;
    this.started = true;
    this.pump();
    if (!this.hasReady() && timeoutMs > 0) {
      await this.waker.wait(timeoutMs);
    }
    if (this.failure) throw this.failure;
    const out: Array<[Part, Ready]> = [];
    for (const p of this.order) {
      const r = p.ready;
      if (r === undefined) continue;
      p.ready = undefined;
      p.position = r.next;
      out.push([p, r]);
    }
    if (out.length > 0) this.pump();
    return out;
  }

  private hasReady(): boolean {
    for (const p of this.order) if (p.ready !== undefined) return true;
    return false;
  }

  private signal(): void {
    this.waker.wake();
  }

  private fail(error: unknown, what: string): void {
    if (this.closed) return;
    this.failure ??= translateError(error, what, { groupId: this.options.groupId });
    this.signal();
  }

  /** Starts whatever work is possible now: position resolution, then one fetch per idle leader. */
  private pump(): void {
    if (!this.started || this.closed || this.failure || this.retryTimer !== undefined) return;
    if (this.order.some((p) => p.unresolved !== undefined && !p.paused)) {
      if (!this.resolving) {
        this.resolving = true;
        this.resolvePositions().then(
          () => {
            this.resolving = false;
            this.pump();
          },
          (e: unknown) => {
            this.resolving = false;
            this.retryOrFail(e, 'resolve positions');
          },
        );
      }
      // Partitions with a position need not wait for the others.
    }
    const byNode = new Map<string, Part[]>();
    try {
      const byTopic = new Map<string, Part[]>();
      for (const p of this.order) {
        if (p.paused || p.inFlight || p.ready !== undefined || p.fetchOffset === undefined) continue;
        let l = byTopic.get(p.tp.topic);
        if (!l) byTopic.set(p.tp.topic, (l = []));
        l.push(p);
      }
      for (const [topic, list] of byTopic) {
        const leaders = this.cluster.findLeaderForPartitions(
          topic,
          list.map((p) => p.tp.partition),
        );
        for (const [nodeId, partitions] of Object.entries(leaders)) {
          if (this.busyNodes.has(nodeId)) continue;
          let l = byNode.get(nodeId);
          if (!l) byNode.set(nodeId, (l = []));
          for (const partition of partitions) l.push(this.parts.get(key(topic, partition))!);
        }
      }
    } catch (e) {
      this.retryOrFail(e, 'fetch');
      return;
    }
    for (const [nodeId, list] of byNode) this.fetch(nodeId, list);
  }

  private fetch(nodeId: string, list: Part[]): void {
    this.busyNodes.add(nodeId);
    const requested = list.map((p) => ({ p, epoch: p.epoch, offset: p.fetchOffset! }));
    for (const r of requested) r.p.inFlight = true;
    const byTopic = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
    for (const r of requested) {
      let l = byTopic.get(r.p.tp.topic);
      if (!l) byTopic.set(r.p.tp.topic, (l = []));
      l.push({ partition: r.p.tp.partition, fetchOffset: String(r.offset), maxBytes: this.maxBytesPerPartition });
    }
    const run = async () => {
      const broker = await this.cluster.findBroker({ nodeId });
      return broker.fetch({
        isolationLevel: this.readCommitted ? ISOLATION_READ_COMMITTED : ISOLATION_READ_UNCOMMITTED,
        maxWaitTime: this.maxWaitMs,
        minBytes: 1,
        maxBytes: MAX_BYTES,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
    };
    run().then(
      (res) => {
        this.busyNodes.delete(nodeId);
        for (const r of requested) r.p.inFlight = false;
        if (this.closed) return;
        this.failingSince = undefined;
        let woke = false;
        for (const { topicName, partitions } of res.responses) {
          for (const pd of partitions) {
            const r = requested.find((x) => x.p.tp.partition === pd.partition && x.p.tp.topic === topicName);
            if (r === undefined || r.epoch !== r.p.epoch || r.p.paused) continue;
            if (this.accept(r.p, r.offset, pd)) woke = true;
          }
        }
        if (woke) this.signal();
        this.pump();
      },
      (e: unknown) => {
        this.busyNodes.delete(nodeId);
        for (const r of requested) r.p.inFlight = false;
        if (this.closed) return;
        const oor = e as { name?: string; topic?: string; partition?: number };
        if (oor.name === 'KafkaJSOffsetOutOfRange' && oor.topic !== undefined && oor.partition !== undefined) {
          const p = this.parts.get(key(oor.topic, oor.partition));
          if (p !== undefined) {
            p.epoch++;
            p.ready = undefined;
            p.position = undefined;
            p.fetchOffset = undefined;
            p.unresolved = 'reset';
          }
          this.pump();
          return;
        }
        this.retryOrFail(e, 'fetch');
      },
    );
  }

  /** Takes one partition's fetch response; true when `poll` should wake (data ready or position moved). */
  private accept(p: Part, fetchOffset: number, pd: RawPartitionData): boolean {
    const raw = pd.messages;
    if (raw.length === 0) return false;
    const last: RawMessage = raw[raw.length - 1]!;
    const next = last.batchContext !== undefined ? +last.batchContext.firstOffset + last.batchContext.lastOffsetDelta + 1 : +last.offset + 1;
    if (next <= fetchOffset) return false;
    let messages: readonly RawMessage[] = raw;
    if (this.readCommitted && pd.abortedTransactions !== undefined && pd.abortedTransactions.length > 0) {
      // Rare path: let kafkajs drop the aborted transactions' records (and control records).
      messages = new this.internals.Batch(p.tp.topic, String(fetchOffset), pd).messages as unknown as RawMessage[];
    }
    p.fetchOffset = next;
    if (!hasVisibleRecord(messages, fetchOffset)) {
      // Only control records / aborted data: nothing to hand out, the position moves now.
      p.position = next;
      return true;
    }
    const hw = this.readCommitted && pd.lastStableOffset !== undefined && +pd.lastStableOffset >= 0 ? +pd.lastStableOffset : +pd.highWatermark;
    p.ready = { messages, from: fetchOffset, highWatermark: hw, next };
    return true;
  }

  private retryOrFail(error: unknown, what: string): void {
    if (this.closed) return;
    const now = Date.now();
    this.failingSince ??= now;
    const e = error as { retriable?: boolean; name?: string; type?: string };
    const retriable =
      e.retriable === true ||
      e.name === 'KafkaJSConnectionError' ||
      e.name === 'KafkaJSConnectionClosedError' ||
      e.name === 'KafkaJSRequestTimeoutError' ||
      e.name === 'KafkaJSBrokerNotFound' ||
      e.name === 'KafkaJSError' ||
      e.type === 'UNKNOWN_TOPIC_OR_PARTITION';
    if (!retriable || now - this.failingSince > RETRY_WINDOW_MS) {
      this.fail(error, what);
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.cluster.refreshMetadata().then(
        () => this.pump(),
        (e2: unknown) => this.retryOrFail(e2, what),
      );
    }, 200);
  }

  private async resolvePositions(): Promise<void> {
    const committedWanted = this.order.filter((p) => p.unresolved === 'committed');
    if (committedWanted.length > 0) {
      const admin = await this.adminClient();
      const committed = await admin.fetchCommittedOffsets(this.options.groupId, [...new Set(committedWanted.map((p) => p.tp.topic))]);
      for (const c of committed) {
        const p = this.parts.get(key(c.topic, c.partition));
        if (p === undefined || p.unresolved !== 'committed') continue;
        p.position = c.offset;
        p.fetchOffset = c.offset;
        p.unresolved = undefined;
      }
    }
    const reset = this.order.filter((p) => p.unresolved !== undefined);
    if (reset.length === 0) return;
    const fromBeginning = (this.options.autoOffsetReset ?? 'earliest') === 'earliest';
    const byTopic = new Map<string, Part[]>();
    for (const p of reset) {
      let l = byTopic.get(p.tp.topic);
      if (!l) byTopic.set(p.tp.topic, (l = []));
      l.push(p);
    }
    const res = await this.cluster.fetchTopicsOffset(
      [...byTopic].map(([topic, list]) => ({ topic, fromBeginning, partitions: list.map((p) => ({ partition: p.tp.partition })) })),
    );
    for (const t of res) {
      for (const o of t.partitions) {
        const p = this.parts.get(key(t.topic, o.partition));
        if (p === undefined || p.unresolved === undefined) continue;
        p.position = +o.offset;
        p.fetchOffset = +o.offset;
        p.unresolved = undefined;
      }
    }
  }

  private async adminClient(): Promise<KafkajsAdmin> {
    if (this.admin === undefined) {
      const admin = new KafkajsAdmin(this.kafka);
      await admin.connect();
      if (this.closed) {
        await admin.disconnect();
        throw new TributaryError('consumer closed', { code: 'ILLEGAL_STATE' });
      }
      this.admin = admin;
    }
    return this.admin;
  }

  /** Commits for the group through the admin API (the group must have no active members). */
  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await (await this.adminClient()).setOffsets(this.options.groupId, offsets);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.signal();
    // kafkajs' disconnect waits for the responses of requests in flight. A fetch at the end of a
    // partition is one the broker holds for up to maxWaitMs (long poll), and nothing is left to
    // take its response: with fetches in flight, close does not wait (the connections close when
    // they return). Restoration closes its consumer right at the changelog end.
    const disconnected = this.cluster.disconnect().catch(() => undefined);
    if (this.busyNodes.size === 0) await disconnected;
    await this.admin?.disconnect();
  }
}
