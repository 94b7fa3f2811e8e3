/**
 * Consumer lag of a group: per partition, high watermark minus the group's committed offset (a
 * partition without a commit counts from its low offset), summed over the topics given.
 */
import type { Admin } from '../kafka/types.js';

export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  if (topics.length === 0) return 0;
  const committed = await admin.fetchCommittedOffsets(groupId, topics);
  const byTp = new Map(committed.map((c) => [`${c.topic}\0${c.partition}`, c.offset]));
  let lag = 0;
  for (const topic of topics) {
    let offsets;
    try {
      offsets = await admin.fetchTopicOffsets(topic);
    } catch {
      continue; // not created yet
    }
    for (const p of offsets) {
      const c = byTp.get(`${topic}\0${p.partition}`);
      lag += Math.max(0, Number(p.high) - Number(c ?? p.low));
    }
  }
  return lag;
}
