/**
 * A pull-style `Consumer` on top of kafkajs' push-style `run({ eachBatch })`.
 *
 * ```
 *  kafkajs fetcher ──fetch──▶ workers (one per partition, concurrently)
 *        ▲                      │ eachBatch(batch): enqueue, then wait
 *        │                      ▼
 *        │                  [ queue ] ◀── poll(): rebalance callbacks, then take every queued batch,
 *        │                                       resolve its offset, release its worker
 *        └──── next fetch starts once every worker of the previous fetch was released
 * ```
 * So a poll hands out at most one fetch's worth of batches (one per partition), and kafkajs fetches
 * the next round while the caller processes this one (backpressure: nothing is fetched ahead of an
 * un-polled round). Offsets are never committed by kafkajs (`autoCommit: false`,
 * `eachBatchAutoResolve: false`): a batch's offset is resolved only when `poll` returns it, so the
 * fetch position moves past exactly what was handed out (control records at a batch's tail
 * included). Batches dropped by `seek`, `pause` or a rebalance are released unresolved and fetched
 * again from the right position.
 *
 * Rebalances: kafkajs only reports the new assignment (GROUP_JOIN) after it rejoined. The adapter
 * diffs it against the previous one and queues `revoked` / `assigned` partitions; the next `poll`
 * runs `onPartitionsRevoked` then `onPartitionsAssigned` before handing out any record. Revocation
 * is therefore reported after the group already moved on — safe for exactly-once (a new owner's
 * transactional producer fences ours), at-least-once may see duplicates. Partitions kept across a
 * rebalance continue from the last handed-out position, not from the committed offset.
 *
 * kafkajs heartbeats only between batches, so call `poll` more often than `sessionTimeoutMs` (like
 * Java's `max.poll.interval.ms`).
 *
 * Closing while kafkajs is still joining (before its first assignment, or rejoining after a crash):
 * kafkajs only leaves the group from a running consumer, and its crash handler restarts a consumer
 * whose join failed on the closed connection — a zombie member that takes partitions and never
 * hands them out. So no join starts once closed (the assignor's `protocol`, called for every
 * JoinGroup, throws: kafkajs bails without restarting), crashes never restart once closed, and
 * `close` lets a JoinGroup already sent finish (the coordinator counts the member in anyway; at
 * most about the rebalance timeout) before disconnecting, which then sends LeaveGroup.
 *
 * Manual assignment (`assign`): group-less, with Fetch requests on kafkajs' cluster
 * (`AssignedFetcher`, assigned.ts): no JoinGroup (~0.4 s saved per assign), no heartbeats, and an
 * exact `position()`. Only when kafkajs' internals are missing does it fall back to a throwaway
 * group (`<groupId>.assign.<uuid>`, never committed to, deleted on close) whose custom assignor
 * hands exactly the requested partitions to its single member. `commitOffsets` writes to the real
 * group through the admin API (group must be empty).
 */
import './aborted-filter.js';
import { randomUUID } from 'node:crypto';
import {
  AssignerProtocol,
  type Batch,
  type Consumer as KjsConsumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type Kafka,
  type PartitionAssigner,
} from 'kafkajs';
import { TributaryError } from '../../errors.js';
import type { Consumer, ConsumerOptions, FetchedBatch, RebalanceListener, RecordVisitor, TopicPartition, TopicPartitionOffset } from '../types.js';
import { KafkajsAdmin, retryUnknownTopic } from './admin.js';
import { AssignedFetcher } from './assigned.js';
import { copartitionedAssigner } from './copartitioned-assignor.js';
import { toFetchedBatch } from './convert.js';
import { translateError } from './errors.js';
import { kafkajsInternals } from './internals.js';
import { Waker } from './waker.js';

/** Tuning of the kafkajs consumer underneath (not part of the seam). */
export interface KafkajsConsumerTuning {
  /** Longest time the broker holds an empty fetch. Default 500 ms. */
  readonly maxWaitTimeMs?: number;
  /** Partitions whose batches can wait in one poll round. Default 256. */
  readonly partitionsConsumedConcurrently?: number;
}

interface Pending {
  readonly batch: Batch;
  readonly key: string;
  readonly epoch: number;
  readonly generation: number;
  readonly resolveOffset: (offset: string) => void;
  readonly release: () => void;
}

interface RebalanceEvent {
  readonly revoked: TopicPartition[];
  readonly assigned: TopicPartition[];
}

const key = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

/** kafkajs' default rebalance timeout, and how much longer than it `close` waits for a join under way. */
const DEFAULT_REBALANCE_TIMEOUT_MS = 60_000;
const JOIN_WAIT_SLACK_MS = 10_000;

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function manualAssigner(assignment: Record<string, number[]>): PartitionAssigner {
  const name = 'TributaryManualAssignment';
  return () => ({
    name,
    version: 1,
    async assign({ members }) {
      return members.map((m, i) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: i === 0 ? assignment : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

export class KafkajsConsumer implements Consumer {
  private kc: KjsConsumer | undefined;
  private mode: 'idle' | 'subscribe' | 'assign' = 'idle';
  private listener: RebalanceListener | undefined;
  private groupReady = false;
  private generation = 0;
  private assigned = new Map<string, TopicPartition>();
  private readonly positions = new Map<string, number>();
  private readonly epochs = new Map<string, number>();
  private readonly paused = new Map<string, TopicPartition>();
  /** Seeks for partitions kafkajs has not been assigned yet; applied at the next group join. */
  private readonly pendingSeeks = new Map<string, number>();
  private queue: Pending[] = [];
  private readonly events: RebalanceEvent[] = [];
  private readonly waker = new Waker();
  /** Set from the moment kafkajs sends a JoinGroup until that join ends (joined, or crashed). */
  private joining: Deferred | undefined;
  private failure: TributaryError | undefined;
  private connected = false;
  private closed = false;
  private throwawayGroup: string | undefined;
  private admin: KafkajsAdmin | undefined;
  /** Group-less manual assignment (`assign`), when kafkajs' internals allow it. */
  private direct: AssignedFetcher | undefined;
  /** FETCH_START events seen, and per partition the count at its last seek (see `position`). */
  private fetchStarts = 0;
  private readonly seekedAtFetch = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly tuning: KafkajsConsumerTuning = {},
  ) {}

  async connect(): Promise<void> {
    if (this.closed) throw this.illegal('connect after close');
    this.connected = true;
  }

  private illegal(what: string): TributaryError {
    return new TributaryError(`consumer: ${what}`, { code: 'ILLEGAL_STATE', context: { groupId: this.options.groupId } });
  }

  private config(groupId: string, assigners?: PartitionAssigner[]): ConsumerConfig {
    const o = this.options;
    return {
      groupId,
      readUncommitted: o.readUncommitted ?? false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.tuning.maxWaitTimeMs ?? 500,
      ...(o.sessionTimeoutMs !== undefined ? { sessionTimeout: o.sessionTimeoutMs } : {}),
      ...(o.heartbeatIntervalMs !== undefined ? { heartbeatInterval: o.heartbeatIntervalMs } : {}),
      ...(o.rebalanceTimeoutMs !== undefined ? { rebalanceTimeout: o.rebalanceTimeoutMs } : {}),
      ...(o.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: o.maxBytesPerPartition } : {}),
      ...(assigners ? { partitionAssigners: assigners } : {}),
    };
  }

  private async start(groupId: string, topics: string[], assigners: PartitionAssigner[]): Promise<void> {
    if (!this.connected) throw this.illegal('connect() first');
    if (this.mode !== 'idle') throw this.illegal('subscribe/assign may be called once per consumer');
    // kafkajs asks every assignor for its `protocol` right before each JoinGroup it sends.
    const guarded = assigners.map(
      (make): PartitionAssigner =>
        (config) => {
          const inner = make(config);
          return {
            ...inner,
            protocol: (subscription) => {
              this.beforeJoin();
              return inner.protocol(subscription);
            },
          };
        },
    );
    const kc = this.kafka.consumer({
      ...this.config(groupId, guarded),
      // A crash after close must not restart (and rejoin) the consumer.
      retry: { restartOnFailure: async () => !this.closed },
    });
    try {
      await kc.connect();
      // Topics created a moment ago may be unknown to a broker that lags behind the controller.
      await retryUnknownTopic(() => kc.subscribe({ topics, fromBeginning: (this.options.autoOffsetReset ?? 'earliest') === 'earliest' }), 10_000);
    } catch (e) {
      await kc.disconnect().catch(() => undefined);
      throw translateError(e, 'subscribe', { groupId: this.options.groupId, ...(topics.length === 1 ? { topic: topics[0]! } : {}) });
    }
    this.kc = kc;
    kc.on(kc.events.GROUP_JOIN, (e) => {
      this.onGroupJoin(e.payload.memberAssignment);
      // kafkajs marks itself running (so that `disconnect` leaves the group) just after this event.
      const joined = this.joining;
      this.joining = undefined;
      if (joined) setImmediate(joined.resolve);
    });
    kc.on(kc.events.FETCH_START, () => void this.fetchStarts++);
    kc.on(kc.events.END_BATCH_PROCESS, (e) => this.onBatchProcessed(e.payload));
    kc.on(kc.events.CRASH, (e) => {
      this.joinEnded();
      if (!e.payload.restart) this.fail(e.payload.error);
    });
    // Joining happens in the background (like Java's subscribe): `poll` surfaces a failure.
    kc.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently ?? 256,
      eachBatch: (payload) => this.onBatch(payload),
    })
      .catch((e: unknown) => this.fail(e))
      .finally(() => this.joinEnded());
  }

  /** Called before every JoinGroup kafkajs sends: none once closed (kafkajs then gives up joining). */
  private beforeJoin(): void {
    if (this.closed) throw new Error('consumer closed: not joining the group');
    this.joining ??= deferred();
  }

  private joinEnded(): void {
    const j = this.joining;
    this.joining = undefined;
    j?.resolve();
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.failure ??= translateError(error, 'consumer stopped', { groupId: this.options.groupId });
    this.waker.wake();
  }

  async subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void> {
    if (this.mode === 'idle') this.listener = listener;
    // Co-partitioned, sticky assignment (kafkajs' round-robin can split a task across members).
    await this.start(this.options.groupId, [...topics], [copartitionedAssigner(() => [...this.assigned.values()])]);
    this.mode = 'subscribe';
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    if (!this.connected) throw this.illegal('connect() first');
    if (this.mode !== 'idle') throw this.illegal('subscribe/assign may be called once per consumer');
    const internals = kafkajsInternals(this.kafka);
    if (internals !== undefined) {
      const direct = new AssignedFetcher(this.kafka, internals, this.options, this.tuning.maxWaitTimeMs ?? 500);
      await direct.start(partitions, this.pendingSeeks);
      this.pendingSeeks.clear();
      this.direct = direct;
      this.mode = 'assign';
      return;
    }
    return this.assignWithPrivateGroup(partitions);
  }

  /** Fallback for a kafkajs without the internals `AssignedFetcher` needs: a single-member throwaway group. */
  private async assignWithPrivateGroup(partitions: readonly TopicPartition[]): Promise<void> {
    const byTopic: Record<string, number[]> = {};
    for (const tp of partitions) (byTopic[tp.topic] ??= []).push(tp.partition);
    const topics = Object.keys(byTopic);
    const admin = new KafkajsAdmin(this.kafka);
    await admin.connect();
    this.admin = admin;
    for (const c of await admin.fetchCommittedOffsets(this.options.groupId, topics)) {
      const k = key(c.topic, c.partition);
      if (byTopic[c.topic]!.includes(c.partition) && !this.pendingSeeks.has(k)) this.pendingSeeks.set(k, c.offset);
    }
    this.throwawayGroup = `${this.options.groupId}.assign.${randomUUID()}`;
    await this.start(this.throwawayGroup, topics, [manualAssigner(byTopic)]);
    this.mode = 'assign';
    // Wait for the (single-member) join so that `assignment()` is right when this resolves.
    const deadline = Date.now() + 30000;
    while (!this.groupReady && !this.failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (this.failure) throw this.failure;
    if (!this.groupReady) throw new TributaryError('assign: timed out joining the private group', { code: 'KAFKA', retriable: true });
  }

  /** GROUP_JOIN listener; kafkajs calls it synchronously before its first fetch of the generation. */
  private onGroupJoin(memberAssignment: Record<string, number[]>): void {
    // A join that was under way when `close` began: the member leaves right after it.
    if (this.closed) return;
    const kc = this.kc!;
    this.generation++;
    const next = new Map<string, TopicPartition>();
    for (const [topic, parts] of Object.entries(memberAssignment)) for (const partition of parts) next.set(key(topic, partition), { topic, partition });
    const revoked: TopicPartition[] = [];
    const added: TopicPartition[] = [];
    for (const [k, tp] of this.assigned) {
      if (!next.has(k)) {
        revoked.push(tp);
        this.positions.delete(k);
        this.bumpEpoch(k);
      }
    }
    for (const [k, tp] of next) {
      if (!this.assigned.has(k)) added.push(tp);
      const pending = this.pendingSeeks.get(k);
      if (pending !== undefined) {
        this.pendingSeeks.delete(k);
        this.positions.set(k, pending);
      }
      const pos = this.positions.get(k);
      if (pos !== undefined) kc.seek({ topic: tp.topic, partition: tp.partition, offset: String(pos) });
      if (this.paused.has(k)) kc.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
    this.assigned = next;
    this.groupReady = true;
    this.dropWhere(() => true);
    if (revoked.length > 0 || added.length > 0) {
      this.events.push({ revoked, assigned: added });
      this.waker.wake();
    }
  }

  private onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.closed) return Promise.resolve();
    const k = key(batch.topic, batch.partition);
    if (payload.isStale() || this.paused.has(k) || !this.assigned.has(k)) return Promise.resolve();
    return new Promise<void>((release) => {
      this.queue.push({ batch, key: k, epoch: this.epochs.get(k) ?? 0, generation: this.generation, resolveOffset: payload.resolveOffset, release });
      this.waker.wake();
    });
  }

  private bumpEpoch(k: string): void {
    this.epochs.set(k, (this.epochs.get(k) ?? 0) + 1);
  }

  private dropWhere(pred: (p: Pending) => boolean): void {
    if (this.queue.length === 0) return;
    const keep: Pending[] = [];
    for (const p of this.queue) {
      if (pred(p)) p.release();
      else keep.push(p);
    }
    this.queue = keep;
  }

  private async runCallbacks(): Promise<void> {
    while (this.events.length > 0) {
      const ev = this.events.shift()!;
      try {
        if (ev.revoked.length > 0) await this.listener?.onPartitionsRevoked?.(ev.revoked);
        if (ev.assigned.length > 0) await this.listener?.onPartitionsAssigned?.(ev.assigned);
      } catch (e) {
        throw e instanceof TributaryError
          ? e
          : new TributaryError('rebalance listener failed', { code: 'PROCESSING', cause: e, context: { groupId: this.options.groupId } });
      }
    }
  }

  async pollEach(timeoutMs: number, visitor: RecordVisitor): Promise<number> {
    if (this.direct && !this.closed) return this.direct.pollEach(timeoutMs, visitor);
    let n = 0;
    for (const b of await this.poll(timeoutMs)) {
      visitor.partition(b.topic, b.partition);
      for (const r of b.records) visitor.record(r.offset, r.key, r.value, r.timestamp);
      n += b.records.length;
    }
    return n;
  }

  async poll(timeoutMs: number): Promise<FetchedBatch[]> {
    if (this.closed) throw this.illegal('poll after close');
    if (this.mode === 'idle') throw this.illegal('poll before subscribe or assign');
    if (this.direct) return this.direct.poll(timeoutMs);
    if (this.failure) throw this.failure;
    await this.runCallbacks();
    if (this.queue.length === 0 && this.events.length === 0 && timeoutMs > 0) {
      await this.waker.wait(timeoutMs);
    }
    if (this.failure) throw this.failure;
    await this.runCallbacks();
    const taken = this.queue;
    this.queue = [];
    const out: FetchedBatch[] = [];
    for (const p of taken) {
      if (p.generation !== this.generation || p.epoch !== (this.epochs.get(p.key) ?? 0) || this.paused.has(p.key) || !this.assigned.has(p.key)) {
        p.release();
        continue;
      }
      out.push(toFetchedBatch(p.batch));
      const last = p.batch.lastOffset();
      p.resolveOffset(last);
      this.positions.set(p.key, +last + 1);
      p.release();
    }
    return out;
  }

  seek(tp: TopicPartition, offset: number): void {
    const k = key(tp.topic, tp.partition);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TributaryError(`seek: invalid offset ${offset}`, { code: 'ILLEGAL_STATE', context: { ...tp } });
    if (this.direct) return this.direct.seek(tp, offset);
    this.seekedAtFetch.set(k, this.fetchStarts);
    this.bumpEpoch(k);
    this.dropWhere((p) => p.key === k);
    this.positions.set(k, offset);
    if (this.groupReady && this.assigned.has(k)) this.kc!.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
    else if (this.mode === 'subscribe' && this.groupReady) throw this.illegal(`seek on unassigned partition ${tp.topic}-${tp.partition}`);
    else this.pendingSeeks.set(k, offset);
  }

  pause(tps: readonly TopicPartition[]): void {
    if (this.direct) return this.direct.pause(tps);
    for (const tp of tps) {
      const k = key(tp.topic, tp.partition);
      this.paused.set(k, { topic: tp.topic, partition: tp.partition });
      this.dropWhere((p) => p.key === k);
      if (this.groupReady && this.assigned.has(k)) this.kc!.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    if (this.direct) return this.direct.resume(tps);
    for (const tp of tps) {
      const k = key(tp.topic, tp.partition);
      if (!this.paused.delete(k)) continue;
      if (this.groupReady) this.kc!.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  assignment(): TopicPartition[] {
    if (this.direct) return this.direct.assignment();
    return [...this.assigned.values()];
  }

  /**
   * Manual assignment: exact (see `AssignedFetcher`). Group mode: the offset after the last batch
   * handed out (kafkajs' `lastOffset()`, so control records fetched with it count), moved on by
   * batches kafkajs resolves itself without calling us (only control records or aborted data,
   * seen through its END_BATCH_PROCESS event), or the seek / committed position not yet fetched from.
   */
  position(tp: TopicPartition): number | undefined {
    if (this.direct) return this.direct.position(tp);
    const k = key(tp.topic, tp.partition);
    if (this.mode === 'subscribe' && !this.assigned.has(k)) return undefined;
    return this.positions.get(k) ?? this.pendingSeeks.get(k);
  }

  /** END_BATCH_PROCESS listener: batches kafkajs resolved on its own (nothing visible in them). */
  private onBatchProcessed(p: { topic: string; partition: number; batchSize: number; firstOffset: string | null; lastOffset: string }): void {
    if (p.batchSize !== 0 || p.firstOffset === null) return;
    const k = key(p.topic, p.partition);
    const pos = this.positions.get(k);
    // Only a batch fetched from our position, by a fetch that started after the last seek.
    if (pos === undefined || +p.firstOffset < pos || (this.seekedAtFetch.get(k) ?? -1) >= this.fetchStarts) return;
    if (!this.assigned.has(k) || this.paused.has(k)) return;
    const next = +p.lastOffset + 1;
    if (next > pos) this.positions.set(k, next);
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    if (this.direct) return this.direct.commitOffsets(offsets);
    if (this.mode === 'assign') return this.admin!.setOffsets(this.options.groupId, offsets);
    if (this.mode !== 'subscribe' || !this.kc) throw this.illegal('commitOffsets before subscribe or assign');
    try {
      await this.kc.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (e) {
      throw translateError(e, 'commitOffsets', { groupId: this.options.groupId });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dropWhere(() => true);
    this.waker.wake();
    await this.direct?.close();
    const kc = this.kc;
    if (kc) {
      // A JoinGroup under way makes us a member whatever we do; disconnecting now would leave it
      // to expire after the session timeout. Once kafkajs has joined, `disconnect` sends LeaveGroup.
      const joining = this.joining;
      if (joining) {
        let timer: NodeJS.Timeout | undefined;
        const limit = (this.options.rebalanceTimeoutMs ?? DEFAULT_REBALANCE_TIMEOUT_MS) + JOIN_WAIT_SLACK_MS;
        await Promise.race([joining.promise, new Promise<void>((r) => (timer = setTimeout(r, limit)))]).finally(() => clearTimeout(timer));
      }
      this.kc = undefined;
      await kc.disconnect().catch(() => undefined);
    }
    if (this.admin) {
      if (this.throwawayGroup) await this.admin.deleteGroups([this.throwawayGroup]).catch(() => undefined);
      await this.admin.disconnect();
    }
  }
}
