/**
 * The group assignor of `subscribe`: co-partitioned, balanced and sticky.
 *
 * A stream task reads partition `p` of every source topic of its sub-topology, and those topics
 * are co-partitioned (same partition count, checked at start). kafkajs' default round-robin
 * assignor deals partitions out one by one across all topics, so with 3 members partition 0 of
 * `orders` and partition 0 of `payments` can land on different members — both would create task
 * `0_0` and fence each other's transactional producer forever. Here the unit of assignment is
 * `(partition count, p)`: partition `p` of every subscribed topic with that many partitions. That
 * is coarser than a task (independent sub-topologies of equal width share units) but never splits
 * one.
 *
 * Units are spread evenly (at most one apart) over the members sorted by id; a member keeps the
 * units it owned in the previous generation (sent in its subscription `userData`) up to its
 * quota, so a rebalance moves only what it must and state is restored only for moved tasks.
 */
import './aborted-filter.js';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import type { TopicPartition } from '../types.js';

export const COPARTITIONED_ASSIGNOR = 'TributaryCopartitioned';
const VERSION = 1;

export interface AssignorMember {
  readonly memberId: string;
  /** Partitions the member owned before this rebalance. */
  readonly owned: readonly TopicPartition[];
}

const unitOf = (count: number, partition: number): string => `${count}:${partition}`;

/**
 * Pure assignment: `partitionCounts` of the subscribed topics, the members and what they owned.
 * Returns each member's partitions by topic (every member appears, possibly with nothing).
 */
export function assignCopartitioned(partitionCounts: ReadonlyMap<string, number>, members: readonly AssignorMember[]): Map<string, Record<string, number[]>> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const units = new Map<string, { count: number; partition: number }>();
  for (const count of new Set(partitionCounts.values())) {
    for (let p = 0; p < count; p++) units.set(unitOf(count, p), { count, partition: p });
  }
  const n = sorted.length;
  const owner = new Map<string, string>();
  const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  if (n > 0) {
    const base = Math.floor(units.size / n);
    let extra = units.size % n;
    // Quotas: `base` each, and `base + 1` for the first `extra` members that want it (previous
    // owners of more than `base` units first), so stickiness is not lost to member-id order.
    const previous = new Map<string, string[]>();
    for (const m of sorted) {
      const mine: string[] = [];
      for (const tp of m.owned) {
        const count = partitionCounts.get(tp.topic);
        if (count === undefined) continue;
        const u = unitOf(count, tp.partition);
        if (units.has(u) && !mine.includes(u)) mine.push(u);
      }
      mine.sort();
      previous.set(m.memberId, mine);
    }
    const quota = new Map<string, number>();
    const byClaim = [...sorted].sort((a, b) => previous.get(b.memberId)!.length - previous.get(a.memberId)!.length);
    for (const m of byClaim) {
      const wantsExtra = previous.get(m.memberId)!.length > base && extra > 0;
      quota.set(m.memberId, base + (wantsExtra ? 1 : 0));
      if (wantsExtra) extra--;
    }
    for (const m of sorted) {
      if (extra > 0 && quota.get(m.memberId) === base) {
        quota.set(m.memberId, base + 1);
        extra--;
      }
    }
    for (const m of sorted) {
      for (const u of previous.get(m.memberId)!) {
        if (owner.has(u) || load.get(m.memberId)! >= quota.get(m.memberId)!) continue;
        owner.set(u, m.memberId);
        load.set(m.memberId, load.get(m.memberId)! + 1);
      }
    }
    for (const u of units.keys()) {
      if (owner.has(u)) continue;
      let best = sorted[0]!;
      for (const m of sorted) {
        const room = quota.get(m.memberId)! - load.get(m.memberId)!;
        if (room > quota.get(best.memberId)! - load.get(best.memberId)!) best = m;
      }
      owner.set(u, best.memberId);
      load.set(best.memberId, load.get(best.memberId)! + 1);
    }
  }
  const out = new Map<string, Record<string, number[]>>(sorted.map((m) => [m.memberId, {}]));
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (let p = 0; p < count; p++) {
      const m = owner.get(unitOf(count, p));
      if (m === undefined) continue;
      const assignment = out.get(m)!;
      (assignment[topic] ??= []).push(p);
    }
  }
  return out;
}

function encodeOwned(owned: readonly TopicPartition[]): Buffer {
  const byTopic: Record<string, number[]> = {};
  for (const tp of owned) (byTopic[tp.topic] ??= []).push(tp.partition);
  return Buffer.from(JSON.stringify({ owned: byTopic }));
}

function decodeOwned(userData: Buffer | null | undefined): TopicPartition[] {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as { owned?: Record<string, number[]> };
    const out: TopicPartition[] = [];
    for (const [topic, parts] of Object.entries(parsed.owned ?? {})) for (const partition of parts) out.push({ topic, partition });
    return out;
  } catch {
    return [];
  }
}

/** The kafkajs `PartitionAssigner`; `owned` tells what this member holds now (for its subscription). */
export function copartitionedAssigner(owned: () => readonly TopicPartition[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: COPARTITIONED_ASSIGNOR,
    version: VERSION,
    async assign({ members, topics }) {
      const counts = new Map<string, number>();
      for (const topic of topics) counts.set(topic, cluster.findTopicPartitionMetadata(topic).length);
      const decoded = members.map((m) => {
        const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return { memberId: m.memberId, owned: decodeOwned(meta?.userData) };
      });
      const result = assignCopartitioned(counts, decoded);
      return [...result].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return {
        name: COPARTITIONED_ASSIGNOR,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: encodeOwned(owned()) }),
      };
    },
  });
}
