/**
 * Consumer lag of a group: per partition, high watermark minus the group's committed offset (a
 * partition without a commit counts from its low offset), summed over the topics given.
 */
import type { Admin } from '../kafka/types.js';

/** Lag of one input partition of a consumer group: committed offset, high watermark and their difference. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next to read), or the low offset without a commit. */
  readonly committed: number;
  /** The partition's high watermark (last stable offset for read_committed readers). */
  readonly high: number;
  readonly lag: number;
}

/** Lag of `groupId` on every partition of `topics` (topics not created yet are left out). */
export async function partitionLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  if (topics.length === 0) return [];
  const committed = await admin.fetchCommittedOffsets(groupId, topics);
  const byTp = new Map(committed.map((c) => [`${c.topic}\0${c.partition}`, c.offset]));
  const out: PartitionLag[] = [];
  for (const topic of topics) {
    let offsets;
    try {
      offsets = await admin.fetchTopicOffsets(topic);
    } catch {
      continue; // not created yet
    }
    for (const p of offsets) {
      const c = byTp.get(`${topic}\0${p.partition}`);
      const from = Number(c ?? p.low);
      const high = Number(p.high);
      out.push({ topic, partition: p.partition, committed: from, high, lag: Math.max(0, high - from) });
    }
  }
  return out;
}

export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  let lag = 0;
  for (const p of await partitionLag(admin, groupId, topics)) lag += p.lag;
  return lag;
}
