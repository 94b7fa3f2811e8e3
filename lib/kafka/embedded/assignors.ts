/**
 * Partition assignors of the classic consumer-group protocol, as in the Java client.
 *
 * - `range` (Java's `RangeAssignor`): per topic, members subscribed to it sorted by member id each
 *   get a contiguous range; the first `partitions % members` get one extra. Partition p of
 *   co-partitioned topics lands on the same member.
 * - `roundrobin` (`RoundRobinAssignor`): all subscribed topic-partitions sorted by topic and
 *   partition are dealt to the members in member-id order, skipping members not subscribed to the
 *   partition's topic.
 */
import type { TopicPartition } from '../types.js';

export type AssignorName = 'range' | 'roundrobin';

export interface AssignorMember {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/** `partitionCount(topic)` returns 0 for missing topics, which are skipped. */
export function assign(assignor: AssignorName, members: readonly AssignorMember[], partitionCount: (topic: string) => number): Map<string, TopicPartition[]> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const result = new Map<string, TopicPartition[]>();
  for (const m of sorted) result.set(m.memberId, []);
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].sort();
  if (assignor === 'range') {
    for (const topic of topics) {
      const n = partitionCount(topic);
      const subscribers = sorted.filter((m) => m.topics.includes(topic));
      const per = Math.floor(n / subscribers.length);
      const extra = n % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const count = per + (i < extra ? 1 : 0);
        const out = result.get(m.memberId)!;
        for (let p = next; p < next + count; p++) out.push({ topic, partition: p });
        next += count;
      });
    }
  } else {
    let cursor = 0;
    for (const topic of topics) {
      const n = partitionCount(topic);
      for (let p = 0; p < n; p++) {
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[cursor % sorted.length]!;
          cursor++;
          if (m.topics.includes(topic)) {
            result.get(m.memberId)!.push({ topic, partition: p });
            break;
          }
        }
      }
    }
  }
  return result;
}
