/**
 * The group coordinator of the embedded broker: committed offsets and the classic (eager)
 * rebalance protocol.
 *
 * ```
 *  Empty ──join──▶ PreparingRebalance ──every member rejoined (or rebalance timeout)──▶ Stable
 *                     ▲   members revoke everything, then rejoin          │ generation+1,
 *                     └──── join / leave / session expiry / topic change ─┘ assignor runs
 * ```
 *
 * A member is alive while it polls; one that stays out of `poll` longer than its session timeout,
 * or has not rejoined when the rebalance timeout ends, is removed. Offsets commit only from a
 * current member with the current generation (or, for a group without members, from anyone), as
 * the real coordinator enforces; transactional offsets arrive through `commitTransactionalOffsets`.
 */
import { TaskMigratedError, TributaryError } from '../../errors.js';
import type { TopicPartition, TopicPartitionOffset } from '../types.js';
import { assign, type AssignorName } from './assignors.js';
import { Signal, type TimerSet } from './signal.js';
import type { TopicRegistry } from './topics.js';

export interface Member {
  readonly memberId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  lastSeen: number;
  /** Inside `poll` (heartbeating): cannot expire. */
  polling: boolean;
  /** Rejoined for the rebalance in progress (has revoked its partitions). */
  rejoined: boolean;
  assignment: TopicPartition[];
  generation: number;
}

export interface MemberSpec {
  readonly clientId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
}

export class Group {
  readonly offsets = new Map<string, Map<number, number>>();
  readonly members = new Map<string, Member>();
  generation = 0;
  state: 'empty' | 'preparing' | 'stable' = 'empty';
  /** Fired when a rebalance starts or completes. */
  readonly signal = new Signal();
  rebalanceTimer: NodeJS.Timeout | null = null;
  reaperTimer: NodeJS.Timeout | null = null;
  reaperDue = Infinity;

  constructor(readonly groupId: string) {}

  committed(topic: string, partition: number): number | undefined {
    return this.offsets.get(topic)?.get(partition);
  }
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private memberSeq = 0;

  constructor(
    private readonly topics: TopicRegistry,
    private readonly timers: TimerSet,
    private readonly assignor: AssignorName,
    private readonly now: () => number,
  ) {}

  group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new Group(groupId);
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** JoinGroup of a new member: starts a rebalance. */
  join(groupId: string, spec: MemberSpec): Member {
    const g = this.group(groupId);
    const member: Member = {
      memberId: `${spec.clientId}-${String(++this.memberSeq).padStart(8, '0')}`,
      topics: [...spec.topics],
      sessionTimeoutMs: spec.sessionTimeoutMs,
      rebalanceTimeoutMs: spec.rebalanceTimeoutMs,
      lastSeen: this.now(),
      polling: false,
      rejoined: false,
      assignment: [],
      generation: -1,
    };
    g.members.set(member.memberId, member);
    this.triggerRebalance(g);
    this.scheduleReaper(g);
    return member;
  }

  /** LeaveGroup: the others rebalance. */
  leave(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId);
    if (g === undefined || !g.members.delete(memberId)) return;
    this.triggerRebalance(g);
  }

  /** The member revoked its partitions and rejoins the rebalance in progress. */
  rejoin(g: Group, member: Member): void {
    member.rejoined = true;
    this.maybeComplete(g);
  }

  /** Heartbeat: marks the member alive; a member leaving `poll` starts its session clock. */
  heartbeat(g: Group, member: Member, polling: boolean): void {
    member.lastSeen = this.now();
    member.polling = polling;
    if (!polling) this.scheduleReaper(g);
  }

  /**
   * OffsetCommit outside transactions. `member` is null for consumers without membership (manual
   * assignment), which the coordinator accepts only while the group has no members.
   */
  commitOffsets(groupId: string, member: { memberId: string; generation: number } | null, offsets: readonly TopicPartitionOffset[]): void {
    const g = this.group(groupId);
    if (member === null) {
      if (g.members.size > 0) {
        throw new TributaryError(`Group '${groupId}' has active members: a consumer without membership cannot commit offsets for it (UNKNOWN_MEMBER_ID)`, {
          code: 'KAFKA',
          context: { groupId },
        });
      }
    } else {
      const m = g.members.get(member.memberId);
      if (m === undefined || member.generation !== g.generation) {
        throw new TaskMigratedError(
          `Offset commit rejected: the consumer is no longer a member of group '${groupId}' with generation ${member.generation} (the group rebalanced)`,
          { context: { groupId } },
        );
      }
    }
    this.validate(offsets);
    this.apply(g, offsets);
  }

  /**
   * TxnOffsetCommit's member check (KIP-447): offsets sent with a member's group metadata are
   * refused once that member left or the group moved to a newer generation.
   */
  checkTransactionalMember(groupId: string, member: { memberId: string; generation: number }): void {
    const g = this.group(groupId);
    const m = g.members.get(member.memberId);
    if (m === undefined || member.generation !== g.generation) {
      throw new TaskMigratedError(
        `Transactional offset commit rejected (ILLEGAL_GENERATION): the producer's consumer is no longer a member of group '${groupId}' with generation ${member.generation} (the group is at ${g.generation})`,
        { context: { groupId } },
      );
    }
  }

  commitTransactionalOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    this.apply(this.group(groupId), offsets);
  }

  /** Throws `TOPIC_NOT_FOUND` when an offset names a missing topic or partition. */
  validate(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      this.topics.requirePartition(o.topic, o.partition);
      if (!Number.isInteger(o.offset) || o.offset < 0) {
        throw new TributaryError(`Invalid offset ${o.offset} to commit`, {
          code: 'KAFKA',
          context: { topic: o.topic, partition: o.partition },
        });
      }
    }
  }

  fetchCommitted(groupId: string, topics: readonly string[]): TopicPartitionOffset[] {
    const g = this.groups.get(groupId);
    if (g === undefined) return [];
    const out: TopicPartitionOffset[] = [];
    for (const topic of topics) {
      const byPartition = g.offsets.get(topic);
      if (byPartition === undefined) continue;
      for (const [partition, offset] of [...byPartition].sort((a, b) => a[0] - b[0])) out.push({ topic, partition, offset });
    }
    return out;
  }

  deleteGroups(groupIds: readonly string[]): void {
    for (const id of groupIds) {
      const g = this.groups.get(id);
      if (g !== undefined && g.members.size > 0) {
        throw new TributaryError(`Cannot delete group '${id}': it has ${g.members.size} active member(s) (NON_EMPTY_GROUP)`, {
          code: 'KAFKA',
          context: { groupId: id },
        });
      }
    }
    for (const id of groupIds) this.groups.delete(id);
  }

  /** A topic was created or deleted: groups subscribed to it rebalance; offsets of a deleted topic go. */
  onTopicChange(topic: string): void {
    const exists = this.topics.get(topic) !== undefined;
    for (const g of this.groups.values()) {
      if (!exists) g.offsets.delete(topic);
      for (const m of g.members.values()) {
        if (m.topics.includes(topic)) {
          this.triggerRebalance(g);
          break;
        }
      }
    }
  }

  /** Wakes every member waiting in `poll` (used when the broker closes). */
  wakeAll(): void {
    for (const g of this.groups.values()) g.signal.fire();
  }

  private apply(g: Group, offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      let byPartition = g.offsets.get(o.topic);
      if (byPartition === undefined) {
        byPartition = new Map();
        g.offsets.set(o.topic, byPartition);
      }
      byPartition.set(o.partition, o.offset);
    }
  }

  private triggerRebalance(g: Group): void {
    if (g.members.size === 0) {
      this.timers.cancel(g.rebalanceTimer);
      g.rebalanceTimer = null;
      if (g.state !== 'empty') g.generation += 1;
      g.state = 'empty';
      g.signal.fire();
      return;
    }
    if (g.state !== 'preparing') {
      g.state = 'preparing';
      for (const m of g.members.values()) m.rejoined = false;
      let timeout = 0;
      for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
      g.rebalanceTimer = this.timers.schedule(timeout, () => {
        g.rebalanceTimer = null;
        if (g.state !== 'preparing') return;
        for (const m of [...g.members.values()]) if (!m.rejoined) g.members.delete(m.memberId);
        if (g.members.size === 0) this.triggerRebalance(g);
        else this.complete(g);
      });
      g.signal.fire();
    }
    this.maybeComplete(g);
  }

  private maybeComplete(g: Group): void {
    if (g.state !== 'preparing') return;
    for (const m of g.members.values()) if (!m.rejoined) return;
    this.complete(g);
  }

  private complete(g: Group): void {
    this.timers.cancel(g.rebalanceTimer);
    g.rebalanceTimer = null;
    const members = [...g.members.values()];
    const assignment = assign(this.assignor, members, (t) => this.topics.get(t)?.partitions.length ?? 0);
    g.generation += 1;
    g.state = 'stable';
    for (const m of members) {
      m.assignment = assignment.get(m.memberId) ?? [];
      m.generation = g.generation;
    }
    g.signal.fire();
  }

  private scheduleReaper(g: Group): void {
    let earliest = Infinity;
    for (const m of g.members.values()) if (!m.polling) earliest = Math.min(earliest, m.lastSeen + m.sessionTimeoutMs);
    if (earliest === Infinity || (g.reaperTimer !== null && g.reaperDue <= earliest)) return;
    this.timers.cancel(g.reaperTimer);
    g.reaperDue = earliest;
    g.reaperTimer = this.timers.schedule(earliest - this.now() + 1, () => {
      g.reaperTimer = null;
      g.reaperDue = Infinity;
      const now = this.now();
      let removed = false;
      for (const m of [...g.members.values()]) {
        if (!m.polling && now - m.lastSeen > m.sessionTimeoutMs) {
          g.members.delete(m.memberId);
          removed = true;
        }
      }
      if (removed) this.triggerRebalance(g);
      this.scheduleReaper(g);
    });
  }
}
