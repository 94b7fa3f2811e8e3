/**
 * The group leader's assignor for the cooperative protocol (KIP-429), co-partitioned and sticky.
 *
 * The unit of assignment is a partition number p: partition p of every subscribed topic goes to
 * the same member (a task `<subtopology>_<p>` reads partition p of all its input topics).
 *
 * - Sticky: each member keeps the units it owns (`ownedPartitions` of its JoinGroup subscription,
 *   the claim of the highest generation wins; two claims in the same generation: nobody's), up to
 *   its balanced share (⌊n/m⌋ or ⌈n/m⌉ units, at most n mod m members get the larger share).
 * - Balanced: the units nobody keeps go, one at a time in unit order, to the member with the
 *   fewest units (ties: lowest member id).
 * - Cooperative: a unit that moves away from a member that still owns it is withheld in this
 *   round: its owner sees it revoked (commits and closes its task), rejoins, and in the follow-up
 *   rebalance the unit is unowned and goes to its new owner. A unit whose owner left the group (or
 *   that was never owned) is assigned at once.
 *
 * Deterministic for the same input, so the follow-up rebalance gives a withheld unit to the
 * member it was meant for.
 */
import type { ClusterMetadata, ExtendedGroupProtocolSubscription, GroupPartitionsAssignments } from '@platformatic/kafka';

/** Who owns which unit, from the members' subscriptions. */
function ownership(members: Map<string, ExtendedGroupProtocolSubscription>, topics: Set<string>): { owners: Map<number, string>; contested: Set<number> } {
  const claims = new Map<number, { memberId: string; generation: number }[]>();
  for (const [memberId, m] of members) {
    const generation = m.generationId ?? -1;
    const units = new Set<number>();
    for (const owned of m.ownedPartitions ?? []) if (topics.has(owned.topic)) for (const p of owned.partitions) units.add(p);
    for (const p of units) {
      let list = claims.get(p);
      if (!list) claims.set(p, (list = []));
      list.push({ memberId, generation });
    }
  }
  const owners = new Map<number, string>();
  const contested = new Set<number>();
  for (const [p, list] of claims) {
    const top = Math.max(...list.map((c) => c.generation));
    const best = list.filter((c) => c.generation === top);
    if (best.length === 1) owners.set(p, best[0]!.memberId);
    else contested.add(p);
  }
  return { owners, contested };
}

/** Units per member (pure; exported for tests): `units` is the number of partition numbers. */
export function cooperativeUnits(
  memberIds: readonly string[],
  units: number,
  owners: ReadonlyMap<number, string>,
  contested: ReadonlySet<number> = new Set(),
): Map<string, number[]> {
  const ids = [...memberIds].sort();
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const base = Math.floor(units / ids.length);
  let larger = units % ids.length;
  // Keep owned units: members owning most first, so the larger shares go to those that have them.
  const owned = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (let p = 0; p < units; p++) {
    const o = owners.get(p);
    if (o !== undefined && owned.has(o)) owned.get(o)!.push(p);
  }
  const byOwned = [...ids].sort((a, b) => owned.get(b)!.length - owned.get(a)!.length || (a < b ? -1 : 1));
  const kept = new Set<number>();
  for (const id of byOwned) {
    const mine = owned.get(id)!;
    let cap = base;
    if (mine.length > base && larger > 0) {
      cap = base + 1;
      larger--;
    }
    for (const p of mine.slice(0, cap)) {
      out.get(id)!.push(p);
      kept.add(p);
    }
  }
  for (let p = 0; p < units; p++) {
    if (kept.has(p)) continue;
    let target = ids[0]!;
    for (const id of ids) if (out.get(id)!.length < out.get(target)!.length) target = id;
    out.get(target)!.push(p);
  }
  // Withhold what moves away from a member that still owns it (or that several claim).
  for (const [id, list] of out) {
    out.set(
      id,
      list.filter((p) => {
        const o = owners.get(p);
        if (contested.has(p)) return false;
        return o === undefined || o === id || !out.has(o);
      }),
    );
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

/** platformatic's `partitionAssigner` for the cooperative-sticky protocol (see the file comment). */
export function cooperativeCopartitionedAssigner(
  _current: string,
  members: Map<string, ExtendedGroupProtocolSubscription>,
  topics: Set<string>,
  metadata: ClusterMetadata,
): GroupPartitionsAssignments[] {
  const counts = new Map<string, number>();
  for (const topic of topics) counts.set(topic, metadata.topics.get(topic)?.partitionsCount ?? 0);
  const units = Math.max(0, ...counts.values());
  const { owners, contested } = ownership(members, topics);
  const plan = cooperativeUnits([...members.keys()], units, owners, contested);
  return [...plan].map(([memberId, list]) => {
    const assignments = new Map<string, { topic: string; partitions: number[] }>();
    for (const topic of [...topics].sort()) {
      const partitions = list.filter((p) => p < counts.get(topic)!);
      if (partitions.length > 0) assignments.set(topic, { topic, partitions });
    }
    return { memberId, assignments };
  });
}
