/**
 * The group modes of the kafkajs consumer (`consumer.ts` is the facade): a pull-style consumer on
 * top of kafkajs' push-style `run({ eachBatch })`, as a group member (`GroupConsumer`, for
 * `subscribe`) or as the single member of a throwaway group (`PrivateGroupConsumer`, the fallback
 * of `assign` when kafkajs' internals are missing).
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
 * The throwaway group of `PrivateGroupConsumer` is `<groupId>.assign.<uuid>`, never committed to
 * and deleted on close; its custom assignor hands exactly the requested partitions to its single
 * member, and `commitOffsets` writes to the real group through the admin API (group must be empty).
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
import type { ConsumerOptions, FetchedColumns, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../types.js';
import { KafkajsAdmin, retryUnknownTopic } from './admin.js';
import { batchColumns } from './convert.js';
import { copartitionedAssigner } from './copartitioned-assignor.js';
import { translateError } from './errors.js';
import { partitionKey as key, type ConsumerMode, type KafkajsConsumerTuning } from './consumer-mode.js';
import { Waker } from './waker.js';

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

/** A member of a consumer group through kafkajs' `run` (`subscribe`). */
export class GroupConsumer implements ConsumerMode {
  protected kc: KjsConsumer | undefined;
  protected groupReady = false;
  private generation = 0;
  protected assigned = new Map<string, TopicPartition>();
  private readonly positions = new Map<string, number>();
  private readonly epochs = new Map<string, number>();
  private readonly paused = new Map<string, TopicPartition>();
  /** Seeks for partitions kafkajs has not been assigned yet; applied at the next group join. */
  protected readonly pendingSeeks: Map<string, number>;
  private queue: Pending[] = [];
  private readonly events: RebalanceEvent[] = [];
  private readonly waker = new Waker();
  /** Set from the moment kafkajs sends a JoinGroup until that join ends (joined, or crashed). */
  private joining: Deferred | undefined;
  protected failure: TributaryError | undefined;
  protected closed = false;
  /** FETCH_START events seen, and per partition the count at its last seek (see `position`). */
  private fetchStarts = 0;
  private readonly seekedAtFetch = new Map<string, number>();

  /** `seeks` and `paused`: what the facade was told before the mode started. */
  constructor(
    protected readonly kafka: Kafka,
    protected readonly options: ConsumerOptions,
    private readonly tuning: KafkajsConsumerTuning,
    seeks: ReadonlyMap<string, number>,
    paused: readonly TopicPartition[],
    private readonly listener: RebalanceListener | undefined = undefined,
  ) {
    this.pendingSeeks = new Map(seeks);
    for (const tp of paused) this.paused.set(key(tp.topic, tp.partition), tp);
  }

  protected illegal(what: string): TributaryError {
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

  /** Joins `groupId` for `topics` in the background (like Java's `subscribe`): `poll` surfaces a failure. */
  protected async start(groupId: string, topics: string[], assigners: PartitionAssigner[]): Promise<void> {
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

  /** Joins the group for `topics`. */
  async subscribe(topics: readonly string[]): Promise<void> {
    // Co-partitioned, sticky assignment (kafkajs' round-robin can split a task across members).
    await this.start(this.options.groupId, [...topics], [copartitionedAssigner(() => [...this.assigned.values()])]);
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
        if (ev.revoked.length > 0) await this.listener?.onPartitionsRevoked(ev.revoked);
        if (ev.assigned.length > 0) await this.listener?.onPartitionsAssigned(ev.assigned);
      } catch (e) {
        throw e instanceof TributaryError
          ? e
          : new TributaryError('rebalance listener failed', { code: 'PROCESSING', cause: e, context: { groupId: this.options.groupId } });
      }
    }
  }

  async poll(timeoutMs: number): Promise<FetchedColumns[]> {
    if (this.failure) throw this.failure;
    await this.runCallbacks();
    if (this.queue.length === 0 && this.events.length === 0 && timeoutMs > 0) {
      await this.waker.wait(timeoutMs);
    }
    if (this.failure) throw this.failure;
    await this.runCallbacks();
    const taken = this.queue;
    this.queue = [];
    const out: FetchedColumns[] = [];
    for (const p of taken) {
      if (p.generation !== this.generation || p.epoch !== (this.epochs.get(p.key) ?? 0) || this.paused.has(p.key) || !this.assigned.has(p.key)) {
        p.release();
        continue;
      }
      const cols = batchColumns(p.batch);
      if (cols.length > 0) out.push(cols);
      const last = p.batch.lastOffset();
      p.resolveOffset(last);
      this.positions.set(p.key, +last + 1);
      p.release();
    }
    return out;
  }

  seek(tp: TopicPartition, offset: number): void {
    const k = key(tp.topic, tp.partition);
    this.seekedAtFetch.set(k, this.fetchStarts);
    this.bumpEpoch(k);
    this.dropWhere((p) => p.key === k);
    this.positions.set(k, offset);
    if (this.groupReady && this.assigned.has(k)) this.kc!.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
    else this.seekUnassigned(tp, k, offset);
  }

  /** A seek on a partition kafkajs has not been assigned: an error once the group was joined. */
  protected seekUnassigned(tp: TopicPartition, k: string, offset: number): void {
    if (this.groupReady) throw this.illegal(`seek on unassigned partition ${tp.topic}-${tp.partition}`);
    this.pendingSeeks.set(k, offset);
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const k = key(tp.topic, tp.partition);
      this.paused.set(k, { topic: tp.topic, partition: tp.partition });
      this.dropWhere((p) => p.key === k);
      if (this.groupReady && this.assigned.has(k)) this.kc!.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const k = key(tp.topic, tp.partition);
      if (!this.paused.delete(k)) continue;
      if (this.groupReady) this.kc!.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  /**
   * The offset after the last batch handed out (kafkajs' `lastOffset()`, so control records fetched with it count), moved on by
   * batches kafkajs resolves itself without calling us (only control records or aborted data,
   * seen through its END_BATCH_PROCESS event), or the seek / committed position not yet fetched from.
   */
  position(tp: TopicPartition): number | undefined {
    const k = key(tp.topic, tp.partition);
    if (!this.assigned.has(k)) return undefined;
    return this.knownPosition(k);
  }

  protected knownPosition(k: string): number | undefined {
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
    if (!this.kc) throw this.illegal('commitOffsets before the consumer started');
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
  }
}

/**
 * `assign` without kafkajs' internals: the single member of a throwaway group whose assignor hands
 * it exactly the requested partitions. Starts at the real group's committed offsets; commits go
 * to the real group through the admin API.
 */
export class PrivateGroupConsumer extends GroupConsumer {
  private admin: KafkajsAdmin | undefined;
  private throwawayGroup: string | undefined;

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
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
    // Wait for the (single-member) join so that `assignment()` is right when this resolves.
    const deadline = Date.now() + 30000;
    while (!this.groupReady && !this.failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (this.failure) throw this.failure;
    if (!this.groupReady) throw new TributaryError('assign: timed out joining the private group', { code: 'KAFKA', retriable: true });
  }

  protected override seekUnassigned(_tp: TopicPartition, k: string, offset: number): void {
    this.pendingSeeks.set(k, offset);
  }

  override position(tp: TopicPartition): number | undefined {
    return this.knownPosition(key(tp.topic, tp.partition));
  }

  override async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    return this.admin!.setOffsets(this.options.groupId, offsets);
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.admin) {
      if (this.throwawayGroup) await this.admin.deleteGroups([this.throwawayGroup]).catch(() => undefined);
      await this.admin.disconnect();
    }
  }
}
