/**
 * `Consumer` over a @platformatic/kafka consumer, pull-style: `poll` sends one Fetch per leader
 * broker of the partitions it may read (assigned, not paused, position known) through the
 * platformatic consumer's `fetch` (its fetch sessions, metadata and connections), and turns the
 * record batches straight into `FetchedColumns`. Positions are the adapter's own: `seek` and
 * `pause` are exact, and a position moves past control records and aborted batches.
 *
 * Group membership (`subscribe`) is platformatic's classic-protocol member: `joinGroup` starts in
 * the background, platformatic heartbeats on its own timer and rejoins when the group rebalances.
 * Its assignments are diffed by the next `poll`, which runs `onPartitionsRevoked` then
 * `onPartitionsAssigned` before handing out records. Assignors are co-partitioned (partition p of
 * every subscribed topic goes to the same member), as the kafkajs adapter's.
 *
 * Rebalance protocols (`ConsumerOptions.rebalanceProtocol`):
 * - `'cooperative'` (default; KIP-429): platformatic's `cooperative-sticky` protocol (it sends the
 *   owned partitions and generation in JoinGroup, and rejoins after a round that revoked something)
 *   with our sticky co-partitioned assignor (`cooperative-assignor.ts`), which withholds a moving
 *   partition until its owner gave it up. Partitions that stay are never revoked and keep being
 *   fetched during the rebalance. The follow-up JoinGroup is held (platformatic's
 *   `protocolsMetadata` hook) until `poll` has run `onPartitionsRevoked` for the revoked
 *   partitions, so their old owner commits and closes them before the new owner is assigned them.
 * - `'eager'`: the classic round-robin protocol with partition p to member p mod n; revocation
 *   is reported after the group moved on (safe for exactly-once: a new owner's transactional
 *   producer fences ours; at-least-once may see duplicates), like the kafkajs adapter.
 *
 * read_committed: the adapter filters aborted transactions as the Java consumer does (the broker's
 * aborted-transaction list, then abort markers; columns.ts), so small fetches that end inside an
 * aborted transaction never hand out its records. platformatic's own filter is kept off our
 * responses (aborted-list.ts): it also drops committed transactions of a producer that aborted
 * twice in one response.
 *
 * Start positions: the group's committed offset (OffsetFetch with require_stable, so a pending
 * transactional commit is waited for), else `autoOffsetReset`.
 */
import {
  type Admin as PltAdmin,
  Consumer as PltConsumer,
  FetchIsolationLevels,
  type ClusterMetadata,
  type ExtendedGroupProtocolSubscription,
  type GroupPartitionsAssignments,
} from '@platformatic/kafka';
import { TributaryError } from '../../errors.js';
import type { Consumer, ConsumerGroupMetadata, ConsumerOptions, FetchedColumns, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../types.js';
import type { PlatformaticBase } from './client.js';
import { abortedTransactionsOf, withOwnAbortedFilter } from './aborted-list.js';
import { batchColumns } from './columns.js';
import { cooperativeCopartitionedAssigner } from './cooperative-assignor.js';
import { apiIdOf, translateError } from './errors.js';

type FetchResponse = Awaited<ReturnType<PltConsumer['fetch']>>;

/** One leader broker's Fetch response and the positions it was asked for. */
interface LeaderFetch {
  readonly requested: Map<string, number>;
  readonly response: FetchResponse;
  readonly idToTopic: Map<string, string>;
}

/** A Fetch sent ahead of the next poll; `settled` once it answered or failed. */
interface Ahead {
  settled: { fetched: LeaderFetch[] } | { error: unknown } | undefined;
  readonly done: Promise<{ fetched: LeaderFetch[] } | { error: unknown }>;
}

const key = (topic: string, partition: number): string => `${partition}\u0000${topic}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const OFFSET_OUT_OF_RANGE = 1;
const TOPIC_AUTHORIZATION_FAILED = 29;
const EMPTY = Buffer.alloc(0);

/** Tuning of the platformatic consumer underneath (not part of the seam). */
export interface PlatformaticConsumerTuning {
  /** Longest time the broker holds an empty fetch. Default 500 ms. */
  readonly maxWaitTimeMs?: number;
  /**
   * Send the next Fetch at the end of every poll, so the broker's read overlaps the processing of
   * what the poll returned (its response is applied by the next poll; stale parts are dropped).
   * Default true.
   */
  readonly fetchAhead?: boolean;
}

/** Partition p of every subscribed topic goes to member p mod n (members sorted by id). */
export function copartitionedAssigner(
  _current: string,
  members: Map<string, ExtendedGroupProtocolSubscription>,
  topics: Set<string>,
  metadata: ClusterMetadata,
): GroupPartitionsAssignments[] {
  const ids = [...members.keys()].sort();
  const out = ids.map((memberId) => ({ memberId, assignments: new Map<string, { topic: string; partitions: number[] }>() }));
  for (const topic of [...topics].sort()) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let p = 0; p < count; p++) {
      const m = out[p % ids.length]!;
      let a = m.assignments.get(topic);
      if (!a) m.assignments.set(topic, (a = { topic, partitions: [] }));
      a.partitions.push(p);
    }
  }
  return out;
}

export class PlatformaticConsumer implements Consumer {
  private c: PltConsumer | undefined;
  /**
   * Group mode: a second platformatic consumer (never joins) for metadata, ListOffsets and Fetch,
   * on its own connections. The broker handles one request per connection at a time, and a
   * JoinGroup is parked until every member rejoined: on the group consumer's connection it would
   * hold up fetches for the whole join phase, stopping the tasks that stay (the Java consumer
   * talks to the coordinator on a separate connection for the same reason).
   */
  private f: PltConsumer | undefined;
  private admin: PltAdmin | undefined;
  private mode: 'none' | 'group' | 'assigned' = 'none';
  private listener: RebalanceListener | undefined;
  private readonly assigned = new Map<string, TopicPartition>();
  private readonly positions = new Map<string, number>();
  private readonly paused = new Set<string>();
  private readonly resets = new Set<string>();
  /** platformatic's assignment array last applied by `rebalance` (it replaces the array on every change). */
  private seenAssignments: unknown = undefined;
  /** Follow-up JoinGroups waiting for `poll` to run the revocation callback (cooperative). */
  private revocationWaiters: (() => void)[] = [];
  /** Inside `onPartitionsRevoked` (the revoked partitions are already forgotten). */
  private revoking = false;
  private readonly cooperative: boolean;
  /** Generation and member id of the assignment `poll` last applied (what `groupMetadata` reports). */
  private assignedGeneration = -1;
  private assignedMemberId = '';
  private joining: Promise<void> | undefined;
  private joinInFlight = false;
  private joinError: unknown;
  /** platformatic's own rejoin (after a failed heartbeat) failed: it schedules no more heartbeats, so `poll` joins again. */
  private rejoinNeeded = false;
  private closed = false;
  private readonly readCommitted: boolean;
  /** The Fetch sent ahead by the last poll (see `fetchAhead`). */
  private ahead: Ahead | undefined;

  constructor(
    private readonly base: PlatformaticBase,
    private readonly options: ConsumerOptions,
    private readonly tuning: PlatformaticConsumerTuning = {},
  ) {
    this.readCommitted = options.readUncommitted !== true;
    this.cooperative = options.rebalanceProtocol !== 'eager';
  }

  private get consumer(): PltConsumer {
    if (!this.c) throw new TributaryError('consumer is not connected', { code: 'ILLEGAL_STATE', context: { groupId: this.options.groupId } });
    return this.c;
  }

  async connect(): Promise<void> {
    if (this.c) return;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    const c = withOwnAbortedFilter(
      new PltConsumer({
        ...this.base.options,
        clientId: this.options.clientId ?? this.base.options.clientId,
        groupId: this.options.groupId,
        ...(this.options.groupInstanceId !== undefined ? { groupInstanceId: this.options.groupInstanceId } : {}),
        autocommit: false,
        sessionTimeout,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 3)),
        rebalanceTimeout: Math.max(this.options.rebalanceTimeoutMs ?? 60_000, sessionTimeout),
        isolationLevel: this.readCommitted ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
        maxWaitTime: this.tuning.maxWaitTimeMs ?? 500,
        ...(this.cooperative
          ? {
              protocols: [{ name: 'cooperative-sticky', version: 3 }],
              partitionAssigner: cooperativeCopartitionedAssigner,
              // Holds the follow-up JoinGroup until revoked partitions were committed and closed.
              protocolsMetadata: async (): Promise<Buffer> => {
                await this.revocationHandled();
                return EMPTY;
              },
            }
          : { partitionAssigner: copartitionedAssigner }),
      }),
    );
    try {
      await c.metadata({ topics: [] });
    } catch (e) {
      await c.close(true).catch(() => undefined);
      throw translateError(e, 'connect consumer', { groupId: this.options.groupId });
    }
    // Emitted when a background rejoin fails (an unhandled 'error' event would end the process).
    c.on('error', () => {
      if (this.mode === 'group' && !this.closed) this.rejoinNeeded = true;
    });
    this.c = c;
    this.admin = this.base.admin();
  }

  /**
   * The generation and member id of the assignment this consumer last handed out (KIP-447
   * TxnOffsetCommit fields) — not platformatic's live ones: the revocation callback runs after
   * platformatic already rejoined, and offsets of work done under the old assignment must be
   * refused by the coordinator (ILLEGAL_GENERATION) rather than commit with the new generation for
   * partitions another member may already process.
   */
  groupMetadata(): ConsumerGroupMetadata {
    const member = this.mode === 'group' && this.assignedGeneration >= 0;
    // Cooperative: a moved partition is not handed to its new owner before our revocation ran, so
    // the live generation is safe for every partition we hold — and the staying tasks' commits
    // between platformatic's rejoin and the next `poll` are not refused as an old generation.
    const live = member && this.cooperative && this.consumer.generationId >= 0;
    return {
      groupId: this.options.groupId,
      generationId: live ? this.consumer.generationId : member ? this.assignedGeneration : -1,
      memberId: live ? (this.consumer.memberId ?? this.assignedMemberId) : member ? this.assignedMemberId : '',
      groupInstanceId: this.options.groupInstanceId ?? null,
    };
  }

  async subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void> {
    if (this.mode === 'assigned') throw new TributaryError('subscribe after assign on the same consumer', { code: 'ILLEGAL_STATE' });
    const c = this.consumer;
    this.mode = 'group';
    this.listener = listener;
    c.topics.trackAll(...topics);
    this.f ??= withOwnAbortedFilter(
      new PltConsumer({
        ...this.base.options,
        clientId: this.options.clientId ?? this.base.options.clientId,
        groupId: this.options.groupId,
        autocommit: false,
        isolationLevel: this.readCommitted ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
        maxWaitTime: this.tuning.maxWaitTimeMs ?? 500,
      }),
    );
    this.startJoin(c);
  }

  private startJoin(c: PltConsumer): void {
    this.joinInFlight = true;
    this.rejoinNeeded = false;
    this.joining = c.joinGroup({}).then(
      () => {
        this.joinInFlight = false;
      },
      (e: unknown) => {
        this.joinInFlight = false;
        if (!this.closed) {
          this.joinError = e;
          this.rejoinNeeded = true;
        }
      },
    );
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    if (this.mode === 'group') throw new TributaryError('assign after subscribe on the same consumer', { code: 'ILLEGAL_STATE' });
    const c = this.consumer;
    this.mode = 'assigned';
    c.topics.trackAll(...new Set(partitions.map((p) => p.topic)));
    for (const tp of this.assigned.keys()) if (!partitions.some((p) => key(p.topic, p.partition) === tp)) this.forget(tp);
    for (const p of partitions) this.assigned.set(key(p.topic, p.partition), { topic: p.topic, partition: p.partition });
  }

  private forget(k: string): void {
    this.assigned.delete(k);
    this.positions.delete(k);
    this.paused.delete(k);
    this.resets.delete(k);
  }

  /** Partitions of platformatic's current assignment, by key. */
  private currentAssignment(): Map<string, TopicPartition> {
    const now = new Map<string, TopicPartition>();
    for (const a of this.consumer.assignments ?? []) for (const partition of a.partitions) now.set(key(a.topic, partition), { topic: a.topic, partition });
    return now;
  }

  /**
   * Resolves once no partition we hold is missing from platformatic's assignment (the revocation
   * callback for it has run), or when the consumer closes; bounded by half the rebalance timeout,
   * so a stuck poll loop cannot get the member removed from the group.
   */
  private revocationHandled(): Promise<void> {
    if (this.closed || this.c === undefined) return Promise.resolve();
    const now = this.currentAssignment();
    if (!this.revoking && ![...this.assigned.keys()].some((k) => !now.has(k))) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.revocationWaiters = this.revocationWaiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(this.options.rebalanceTimeoutMs ?? 60_000, this.options.sessionTimeoutMs ?? 30_000) / 2);
      this.revocationWaiters.push(done);
    });
  }

  /** Lets held JoinGroups go: all of them on close, else once nothing is left to revoke. */
  private releaseRevocationWaiters(force = false): void {
    if (!force && this.c !== undefined && [...this.assigned.keys()].some((k) => !this.currentAssignment().has(k))) return;
    const waiters = this.revocationWaiters;
    this.revocationWaiters = [];
    for (const w of waiters) w();
  }

  /** Applies a new group assignment: revoked then assigned callbacks. */
  private async rebalance(): Promise<void> {
    this.seenAssignments = this.consumer.assignments;
    const generation = this.consumer.generationId;
    const memberId = this.consumer.memberId ?? '';
    // Cooperative: this member stays in the new generation, so the revoked partitions' last
    // offsets commit under it (as Java's consumer does). Eager: platformatic already rejoined
    // before the revocation callback runs, so their offsets keep the old generation and are
    // refused (ILLEGAL_GENERATION) rather than committed for partitions another member may own.
    if (this.cooperative) {
      this.assignedGeneration = generation;
      this.assignedMemberId = memberId;
    }
    const now = this.currentAssignment();
    const revoked = [...this.assigned].filter(([k]) => !now.has(k)).map(([, tp]) => tp);
    const added = [...now].filter(([k]) => !this.assigned.has(k)).map(([, tp]) => tp);
    if (revoked.length > 0) {
      for (const tp of revoked) this.forget(key(tp.topic, tp.partition));
      this.revoking = true;
      try {
        await this.listener?.onPartitionsRevoked(revoked);
      } finally {
        this.revoking = false;
        this.releaseRevocationWaiters();
      }
    }
    if (added.length > 0) {
      for (const tp of added) this.assigned.set(key(tp.topic, tp.partition), tp);
      await this.listener?.onPartitionsAssigned(added);
    }
    this.assignedGeneration = generation;
    this.assignedMemberId = memberId;
  }

  /** Start positions of assigned partitions without one: committed offset, else the reset policy. */
  private async resolvePositions(): Promise<void> {
    const unresolved = [...this.assigned].filter(([k]) => !this.positions.has(k));
    if (unresolved.length === 0) return;
    const needReset: [string, TopicPartition][] = [];
    const toLookUp = unresolved.filter(([k]) => !this.resets.has(k));
    if (toLookUp.length > 0) {
      const committed = new Map<string, number>();
      const topics = [...new Set(toLookUp.map(([, tp]) => tp.topic))];
      for (let attempt = 0; ; attempt++) {
        try {
          const groups = await this.admin!.listConsumerGroupOffsets({
            groups: [
              {
                groupId: this.options.groupId,
                topics: topics.map((name) => ({ name, partitionIndexes: toLookUp.filter(([, tp]) => tp.topic === name).map(([, tp]) => tp.partition) })),
              },
            ],
            requireStable: true,
          });
          for (const g of groups)
            for (const t of g.topics)
              for (const p of t.partitions) if (p.committedOffset >= 0n) committed.set(key(t.name, p.partitionIndex), Number(p.committedOffset));
          break;
        } catch (e) {
          if (apiIdOf(e) === 'UNSTABLE_OFFSET_COMMIT' && attempt < 50) {
            await sleep(100);
            continue;
          }
          throw translateError(e, 'fetch committed offsets', { groupId: this.options.groupId });
        }
      }
      for (const [k, tp] of toLookUp) {
        if (!this.assigned.has(k) || this.positions.has(k)) continue;
        const offset = committed.get(k);
        if (offset !== undefined) this.positions.set(k, offset);
        else needReset.push([k, tp]);
      }
    }
    for (const [k, tp] of unresolved) if (this.resets.has(k)) needReset.push([k, tp]);
    if (needReset.length === 0) return;
    const partitions: Record<string, number[]> = {};
    for (const [, tp] of needReset) (partitions[tp.topic] ??= []).push(tp.partition);
    try {
      const offsets = await (this.f ?? this.consumer).listOffsets({
        topics: Object.keys(partitions),
        partitions,
        timestamp: this.options.autoOffsetReset === 'latest' ? -1n : -2n,
        isolationLevel: this.readCommitted ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
      });
      for (const [k, tp] of needReset) {
        const o = offsets.get(tp.topic)?.[tp.partition];
        if (o !== undefined && this.assigned.has(k) && !this.positions.has(k)) {
          this.positions.set(k, Number(o));
          this.resets.delete(k);
        }
      }
    } catch (e) {
      throw translateError(e, 'list offsets', { groupId: this.options.groupId });
    }
  }

  async poll(timeoutMs: number): Promise<FetchedColumns[]> {
    if (this.closed) throw new TributaryError('poll on a closed consumer', { code: 'ILLEGAL_STATE' });
    if (this.joinError !== undefined) {
      const e = this.joinError;
      this.joinError = undefined;
      throw translateError(e, 'join group', { groupId: this.options.groupId });
    }
    const c = this.consumer;
    if (this.mode === 'group' && this.rejoinNeeded && !this.joinInFlight) this.startJoin(c);
    if (this.mode === 'group' && c.assignments !== this.seenAssignments) await this.rebalance();
    await this.resolvePositions();
    let fetched: LeaderFetch[];
    const ahead = this.ahead;
    if (ahead !== undefined) {
      // The fetch sent at the end of the last poll: wait for it at most `timeoutMs`, else leave it
      // under way (the broker may hold it up to its max wait) for the next poll.
      const settled = ahead.settled ?? (await Promise.race([ahead.done, sleep(Math.max(0, timeoutMs)).then(() => undefined)]));
      if (settled === undefined) return [];
      this.ahead = undefined;
      if ('error' in settled) throw settled.error;
      fetched = settled.fetched;
    } else {
      const requested = this.fetchRequest();
      if (requested.length === 0) {
        await sleep(Math.max(1, Math.min(timeoutMs, 100)));
        return [];
      }
      fetched = await this.fetchFrom(requested, Math.max(0, Math.min(timeoutMs, this.tuning.maxWaitTimeMs ?? 500)));
    }
    const out = this.applyFetched(fetched);
    if (this.tuning.fetchAhead !== false) this.fetchAhead(Math.max(0, Math.min(timeoutMs, this.tuning.maxWaitTimeMs ?? 500)));
    return out;
  }

  /** The partitions to fetch now (assigned, not paused, position known) with their positions. */
  private fetchRequest(): [string, TopicPartition, number][] {
    const out: [string, TopicPartition, number][] = [];
    for (const [k, tp] of this.assigned) {
      const position = this.positions.get(k);
      if (position !== undefined && !this.paused.has(k)) out.push([k, tp, position]);
    }
    return out;
  }

  /**
   * Sends the next Fetch while the caller processes what this poll returned, so the broker's read
   * and the network overlap the processing (the Java consumer's prefetch). Its response is applied
   * by the next poll, which drops what a seek, pause or revocation since made stale.
   */
  private fetchAhead(maxWaitTime: number): void {
    const requested = this.fetchRequest();
    if (requested.length === 0 || this.closed) return;
    const ahead: Ahead = {
      settled: undefined,
      done: this.fetchFrom(requested, maxWaitTime).then(
        (fetched) => (ahead.settled = { fetched }),
        (error: unknown) => (ahead.settled = { error }),
      ),
    };
    this.ahead = ahead;
  }

  /** One Fetch per leader broker of `requested`, concurrently; retriable failures leave a leader out. */
  private async fetchFrom(requested: readonly [string, TopicPartition, number][], maxWaitTime: number): Promise<LeaderFetch[]> {
    const f = this.f ?? this.consumer;
    let metadata: ClusterMetadata;
    try {
      metadata = await f.metadata({ topics: [...new Set(requested.map(([, tp]) => tp.topic))] });
    } catch (e) {
      throw translateError(e, 'poll: metadata', { groupId: this.options.groupId });
    }
    const byLeader = new Map<number, [string, TopicPartition, number][]>();
    for (const r of requested) {
      const tp = r[1];
      const leader = metadata.topics.get(tp.topic)?.partitions[tp.partition]?.leader;
      if (leader === undefined || leader < 0) continue;
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(r);
    }
    const idToTopic = new Map<string, string>();
    for (const [name, t] of metadata.topics) idToTopic.set(t.id, name);
    const results = await Promise.all(
      [...byLeader].map(async ([node, list]): Promise<LeaderFetch | undefined> => {
        const byTopic = new Map<
          string,
          {
            topicId: string;
            partitions: { partition: number; currentLeaderEpoch: number; fetchOffset: bigint; lastFetchedEpoch: number; partitionMaxBytes: number }[];
          }
        >();
        for (const [, tp, position] of list) {
          const topicId = metadata.topics.get(tp.topic)!.id;
          let t = byTopic.get(topicId);
          if (!t) byTopic.set(topicId, (t = { topicId, partitions: [] }));
          t.partitions.push({
            partition: tp.partition,
            currentLeaderEpoch: -1,
            fetchOffset: BigInt(position),
            lastFetchedEpoch: -1,
            partitionMaxBytes: this.options.maxBytesPerPartition ?? 1024 * 1024,
          });
        }
        let response: FetchResponse | undefined;
        try {
          response = await f.fetch({
            node,
            topics: [...byTopic.values()],
            maxWaitTime,
            isolationLevel: this.readCommitted ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
          });
        } catch (e) {
          response = (e as { response?: FetchResponse }).response;
          if (response === undefined || !Array.isArray(response.responses)) {
            const translated = translateError(e, 'poll: fetch', { groupId: this.options.groupId });
            if (!translated.retriable) throw translated;
            f.clearMetadata();
            return undefined;
          }
        }
        return { requested: new Map(list.map(([k, , position]) => [k, position])), response, idToTopic };
      }),
    );
    return results.filter((r): r is LeaderFetch => r !== undefined);
  }

  /** Fetch responses → columns, for partitions still at the requested position; moves positions on. */
  private applyFetched(fetched: readonly LeaderFetch[]): FetchedColumns[] {
    const out: FetchedColumns[] = [];
    for (const { requested, response, idToTopic } of fetched) {
      for (const t of response.responses) {
        const topic = idToTopic.get(t.topicId) ?? t.topicId;
        for (const p of t.partitions) {
          const k = key(topic, p.partitionIndex);
          const at = requested.get(k);
          // Stale: not asked for, or seek / pause / revocation since the request.
          if (at === undefined || this.positions.get(k) !== at || this.paused.has(k) || !this.assigned.has(k)) continue;
          if (p.errorCode === OFFSET_OUT_OF_RANGE) {
            this.positions.delete(k);
            this.resets.add(k);
            continue;
          }
          if (p.errorCode === TOPIC_AUTHORIZATION_FAILED) {
            throw new TributaryError(
              `poll: fetch of ${topic}[${p.partitionIndex}] refused: the principal may not READ or DESCRIBE the topic — it lacks an ACL (TOPIC_AUTHORIZATION_FAILED); docs/operations.md "ACLs for an application" lists what an application needs`,
              {
                code: 'KAFKA_AUTHORIZATION',
                context: { topic, partition: p.partitionIndex, groupId: this.options.groupId, kafkaError: 'TOPIC_AUTHORIZATION_FAILED' },
              },
            );
          }
          if (p.errorCode !== 0) {
            (this.f ?? this.consumer).clearMetadata();
            continue;
          }
          const cols = batchColumns(
            topic,
            p.partitionIndex,
            at,
            p.records ?? [],
            this.readCommitted ? abortedTransactionsOf(p) : null,
            this.readCommitted ? Number(p.lastStableOffset) : Number(p.highWatermark),
          );
          this.positions.set(k, cols.next);
          if (cols.columns.length > 0) out.push(cols.columns);
        }
      }
    }
    return out;
  }

  seek(tp: TopicPartition, offset: number): void {
    const k = key(tp.topic, tp.partition);
    this.positions.set(k, offset);
    this.resets.delete(k);
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.paused.add(key(tp.topic, tp.partition));
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.paused.delete(key(tp.topic, tp.partition));
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  position(tp: TopicPartition): number | undefined {
    return this.positions.get(key(tp.topic, tp.partition));
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const c = this.consumer;
    try {
      if (this.mode === 'group') {
        await c.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) });
      } else {
        const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
        for (const o of offsets) {
          let l = byTopic.get(o.topic);
          if (!l) byTopic.set(o.topic, (l = []));
          l.push({ partition: o.partition, offset: BigInt(o.offset) });
        }
        await this.admin!.alterConsumerGroupOffsets({
          groupId: this.options.groupId,
          topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
        });
      }
    } catch (e) {
      throw translateError(e, 'commitOffsets', { groupId: this.options.groupId });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseRevocationWaiters(true);
    const c = this.c;
    if (!c) return;
    // A JoinGroup under way counts this member in: let it finish (bounded), then leave.
    if (this.joining) await Promise.race([this.joining, sleep(this.options.rebalanceTimeoutMs ?? 30_000)]);
    await c.close(true).catch(() => undefined);
    await this.f?.close(true).catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
    this.c = undefined;
    this.f = undefined;
  }
}
