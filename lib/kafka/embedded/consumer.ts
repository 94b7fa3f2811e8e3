/**
 * A consumer of the embedded broker, either a group member (`subscribe`) or manually assigned
 * (`assign`). `poll` runs the member's side of the rebalance protocol, then fetches; when nothing
 * is available it sleeps until a partition it reads, its group or its own seek/close wakes it, or
 * the timeout ends.
 *
 * ```
 *  poll ─▶ removed from group? ─▶ revoke (lost) and join again
 *       ─▶ rebalance preparing? ─▶ onPartitionsRevoked(all) ─▶ rejoin ─▶ wait for the others
 *       ─▶ new generation?      ─▶ onPartitionsAssigned(mine)
 *       ─▶ fetch (≤ maxRecords and maxBytesPerPartition per partition, read_committed ≤ LSO)
 * ```
 */
import { TributaryError } from '../../errors.js';
import type { Consumer, ConsumerOptions, FetchedColumns, RebalanceListener, TopicPartition, TopicPartitionOffset, ConsumerGroupMetadata } from '../types.js';
import { illegalState, notConnected, type Broker } from './broker.js';
import type { Group, Member } from './group-coordinator.js';
import { ColumnsBuilder } from './columns-builder.js';
import type { PartitionLog, ReadLimits } from './partition-log.js';
import { networkTick, Signal, waitForAny } from './signal.js';

const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_REBALANCE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BYTES_PER_PARTITION = 1_048_576;
/** Most records a column fetch has room for before its arrays grow. */
const MAX_INITIAL_COLUMNS = 4096;

interface PartitionState {
  readonly tp: TopicPartition;
  /** null: resolve from the committed offset or `autoOffsetReset` at the next fetch. */
  position: number | null;
  paused: boolean;
  /** Id of the topic incarnation the position belongs to. */
  topicId: number;
}

const key = (topic: string, partition: number): string => `${topic}\0${partition}`;

export class EmbeddedConsumer implements Consumer {
  private readonly groupId: string;
  private readonly clientId: string;
  private readonly readCommitted: boolean;
  private readonly reset: 'earliest' | 'latest';
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly maxBytesPerPartition: number;
  private readonly wake = new Signal();
  private connected = false;
  private closed = false;
  private polling = false;
  private mode: 'none' | 'subscribe' | 'assign' = 'none';
  private topics: readonly string[] = [];
  private listener: RebalanceListener | undefined;
  private readonly cooperativeRequested: boolean;
  private member: Member | null = null;
  private generation = -1;
  private readonly parts = new Map<string, PartitionState>();
  private rotation = 0;

  constructor(
    private readonly broker: Broker,
    options: ConsumerOptions,
  ) {
    if (!options.groupId) throw new TributaryError('A consumer needs a groupId', { code: 'CONFIG' });
    if (options.groupInstanceId !== undefined) {
      throw new TributaryError(
        "groupInstanceId (static membership) is not supported by the embedded broker: use kafkaClient: 'platformatic' with a real broker",
        {
          code: 'CONFIG',
          context: { groupId: options.groupId },
        },
      );
    }
    this.groupId = options.groupId;
    this.clientId = options.clientId ?? 'tributary-embedded';
    this.readCommitted = !(options.readUncommitted ?? false);
    this.reset = options.autoOffsetReset ?? 'earliest';
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? DEFAULT_REBALANCE_TIMEOUT_MS;
    this.maxBytesPerPartition = options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
    this.cooperativeRequested = options.rebalanceProtocol === 'cooperative';
  }

  private get group(): Group {
    return this.broker.groups.group(this.groupId);
  }

  async connect(): Promise<void> {
    // The embedded group implements the eager protocol only.
    if (this.cooperativeRequested) {
      throw new TributaryError("rebalanceProtocol 'cooperative' is not supported by the embedded broker (eager only): set rebalanceProtocol: 'eager'", {
        code: 'CONFIG',
        context: { groupId: this.groupId },
      });
    }
    this.broker.ensureOpen();
    await networkTick();
    this.broker.ensureOpen();
    if (this.closed) throw illegalState('The consumer is closed');
    this.connected = true;
  }

  async subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void> {
    this.ensureUsable();
    if (this.mode === 'assign') throw illegalState('subscribe() cannot be combined with assign() on the same consumer');
    if (topics.length === 0) throw illegalState('subscribe() needs at least one topic');
    await networkTick();
    this.ensureUsable();
    if (this.member !== null) {
      // A new subscription: give up the current assignment and rejoin with it at the next poll.
      if (this.isCurrentMember()) await this.revokeAll();
      this.broker.groups.leave(this.groupId, this.member.memberId);
      this.member = null;
    }
    this.mode = 'subscribe';
    this.topics = [...new Set(topics)];
    this.listener = listener;
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.ensureUsable();
    if (this.mode === 'subscribe') throw illegalState('assign() cannot be combined with subscribe() on the same consumer');
    await networkTick();
    this.ensureUsable();
    this.mode = 'assign';
    const wanted = new Map(partitions.map((tp) => [key(tp.topic, tp.partition), tp] as const));
    for (const k of [...this.parts.keys()]) if (!wanted.has(k)) this.parts.delete(k);
    for (const [k, tp] of wanted) if (!this.parts.has(k)) this.parts.set(k, this.newState(tp));
    this.wake.fire();
  }

  poll(timeoutMs: number): Promise<FetchedColumns[]> {
    return this.pollWith(timeoutMs, () => this.fetchColumns());
  }

  private async pollWith<B>(timeoutMs: number, fetch: () => B[]): Promise<B[]> {
    this.ensureUsable();
    if (this.mode === 'none') throw illegalState('poll() needs subscribe() or assign() first');
    if (this.polling) throw illegalState('poll() is already in progress on this consumer (a consumer is not safe for concurrent polls)');
    this.polling = true;
    const deadline = Date.now() + Math.max(0, timeoutMs);
    this.heartbeat(true);
    try {
      await networkTick();
      for (;;) {
        if (this.closed || this.broker.isClosed) return [];
        if (this.mode === 'subscribe') await this.syncGroup();
        if (this.closed || this.broker.isClosed) return [];
        const batches = fetch();
        if (batches.length > 0) return batches;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return [];
        await waitForAny(this.waitSignals(), remaining);
      }
    } finally {
      this.polling = false;
      if (!this.closed) this.heartbeat(false);
    }
  }

  seek(tp: TopicPartition, offset: number): void {
    const st = this.requireAssigned(tp, 'seek');
    if (!Number.isInteger(offset) || offset < 0) throw illegalState(`Invalid seek offset ${offset}`);
    st.position = offset;
    const topic = this.broker.topics.get(tp.topic);
    if (topic !== undefined) st.topicId = topic.id;
    this.wake.fire();
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.requireAssigned(tp, 'pause').paused = true;
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.requireAssigned(tp, 'resume').paused = false;
    this.wake.fire();
  }

  /**
   * The offset the next `poll` returns from: past the records, control markers and aborted
   * records already fetched. Resolves a fresh assignment the way a fetch would (committed offset,
   * else `autoOffsetReset`); undefined for an unassigned partition or a missing topic.
   */
  position(tp: TopicPartition): number | undefined {
    const st = this.parts.get(key(tp.topic, tp.partition));
    if (st === undefined) return undefined;
    const log = this.resolve(st);
    return log === undefined ? undefined : (st.position ?? undefined);
  }

  assignment(): TopicPartition[] {
    return [...this.parts.values()].map((s) => ({ topic: s.tp.topic, partition: s.tp.partition }));
  }

  groupMetadata(): ConsumerGroupMetadata {
    const member = this.mode === 'subscribe' && this.member !== null;
    return { groupId: this.groupId, generationId: member ? this.generation : -1, memberId: member ? this.member!.memberId : '', groupInstanceId: null };
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.ensureUsable();
    await networkTick();
    this.ensureUsable();
    const member = this.mode === 'subscribe' && this.member !== null ? { memberId: this.member.memberId, generation: this.generation } : null;
    if (member !== null) this.heartbeat(this.polling);
    this.broker.groups.commitOffsets(this.groupId, member, offsets);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.member !== null && !this.broker.isClosed && this.isCurrentMember()) await this.revokeAll();
    } finally {
      this.closed = true;
      if (this.member !== null) this.broker.groups.leave(this.groupId, this.member.memberId);
      this.member = null;
      this.parts.clear();
      this.wake.fire();
    }
  }

  private join(): void {
    this.member = this.broker.groups.join(this.groupId, {
      clientId: this.clientId,
      topics: this.topics,
      sessionTimeoutMs: this.sessionTimeoutMs,
      rebalanceTimeoutMs: this.rebalanceTimeoutMs,
    });
    this.generation = -1;
  }

  private isCurrentMember(): boolean {
    return this.member !== null && this.group.members.get(this.member.memberId) === this.member;
  }

  /** The member's side of the rebalance protocol; runs the listener callbacks. */
  private async syncGroup(): Promise<void> {
    const g = this.group;
    if (this.member === null) {
      // Like the Java client, the member joins at its first poll after subscribe.
      this.join();
    } else if (!this.isCurrentMember()) {
      // Removed (session or rebalance timeout): the partitions are lost; join again.
      await this.revokeAll();
      this.join();
    }
    const m = this.member!;
    if (g.state === 'preparing' && !m.rejoined) {
      await this.revokeAll();
      if (this.isCurrentMember() && g.state === 'preparing') this.broker.groups.rejoin(g, m);
    }
    if (g.state === 'stable' && this.isCurrentMember() && m.generation !== this.generation) {
      this.generation = m.generation;
      this.parts.clear();
      for (const tp of m.assignment) this.parts.set(key(tp.topic, tp.partition), this.newState(tp));
      await this.listener?.onPartitionsAssigned(this.assignment());
    }
  }

  private async revokeAll(): Promise<void> {
    if (this.parts.size === 0) return;
    const revoked = this.assignment();
    try {
      await this.listener?.onPartitionsRevoked(revoked);
    } finally {
      this.parts.clear();
    }
  }

  /**
   * One fetch round: the unpaused partitions with a log and a position, starting from the next
   * one in rotation, while the poll's byte budget lasts. `read` reads one partition from its
   * position within `limits`, moves nothing, and returns what it read and its byte count.
   */
  private fetchRound<T>(read: (st: PartitionState, log: PartitionLog, limits: ReadLimits) => { nextOffset: number; bytes: number; batch: T | null }): T[] {
    const out: T[] = [];
    const states = [...this.parts.values()];
    const n = states.length;
    if (n === 0) return out;
    const start = this.rotation++ % n;
    const settings = this.broker.settings;
    let budget = settings.maxBytesPerPoll;
    for (let k = 0; k < n && budget > 0; k++) {
      const st = states[(start + k) % n]!;
      if (st.paused) continue;
      const log = this.resolve(st);
      if (log === undefined || st.position === null) continue;
      const result = read(st, log, {
        readCommitted: this.readCommitted,
        maxRecords: settings.maxPollRecordsPerPartition,
        maxBytes: Math.min(this.maxBytesPerPartition, budget),
      });
      st.position = result.nextOffset;
      if (result.batch !== null) {
        budget -= result.bytes;
        out.push(result.batch);
      }
    }
    return out;
  }

  private highWatermarkOf(log: PartitionLog): number {
    return this.readCommitted ? log.lastStableOffset : log.highWatermark;
  }

  /** One round of fetches, by column. */
  private fetchColumns(): FetchedColumns[] {
    return this.fetchRound((st, log, limits) => {
      // Room for every offset up to the log end (markers included), within the limits.
      const cols = new ColumnsBuilder(Math.min(limits.maxRecords, log.highWatermark - st.position!, MAX_INITIAL_COLUMNS));
      const result = log.readColumns(st.position!, limits, cols);
      return { ...result, batch: cols.length > 0 ? cols.build(st.tp.topic, st.tp.partition, this.highWatermarkOf(log)) : null };
    });
  }

  /** The partition's log, with the position resolved and brought into range; undefined if the topic or partition is missing. */
  private resolve(st: PartitionState): PartitionLog | undefined {
    const topic = this.broker.topics.get(st.tp.topic);
    const log = topic?.partitions[st.tp.partition];
    if (topic === undefined || log === undefined) return undefined;
    if (st.topicId !== topic.id) {
      // The topic was deleted and created again: the old position means nothing.
      st.topicId = topic.id;
      st.position = null;
    }
    if (st.position === null) {
      const committed = this.group.committed(st.tp.topic, st.tp.partition);
      st.position = committed ?? this.resetPosition(log);
    }
    if (st.position < log.logStartOffset || st.position > log.highWatermark) st.position = this.resetPosition(log);
    return log;
  }

  /** Out-of-range or missing position: earliest, or latest (the LSO under read_committed, as ListOffsets answers). */
  private resetPosition(log: PartitionLog): number {
    if (this.reset === 'earliest') return log.logStartOffset;
    return this.readCommitted ? log.lastStableOffset : log.highWatermark;
  }

  private waitSignals(): Signal[] {
    const signals: Signal[] = [this.wake];
    if (this.mode === 'subscribe') signals.push(this.group.signal);
    for (const st of this.parts.values()) {
      if (st.paused) continue;
      const log = this.broker.topics.get(st.tp.topic)?.partitions[st.tp.partition];
      if (log !== undefined) signals.push(log.signal);
    }
    return signals;
  }

  private newState(tp: TopicPartition): PartitionState {
    return {
      tp: { topic: tp.topic, partition: tp.partition },
      position: null,
      paused: false,
      topicId: this.broker.topics.get(tp.topic)?.id ?? -1,
    };
  }

  private requireAssigned(tp: TopicPartition, call: string): PartitionState {
    const st = this.parts.get(key(tp.topic, tp.partition));
    if (st === undefined) throw illegalState(`${call}: partition ${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return st;
  }

  private heartbeat(polling: boolean): void {
    if (this.mode !== 'subscribe' || this.member === null || !this.isCurrentMember()) return;
    this.broker.groups.heartbeat(this.group, this.member, polling);
  }

  private ensureUsable(): void {
    this.broker.ensureOpen();
    if (this.closed) throw illegalState('The consumer is closed');
    if (!this.connected) throw notConnected('consumer');
  }
}
