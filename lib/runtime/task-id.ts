/**
 * Task identities: one task per (sub-topology, partition), written `<subtopology>_<partition>`
 * as Kafka Streams does (`0_3`). Transactional ids and state directories are derived from it.
 */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

export function formatTaskId(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

export function parseTaskId(text: string): TaskId {
  const match = /^(\d+)_(\d+)$/.exec(text);
  if (!match) throw new RangeError(`not a task id: ${text}`);
  return { subtopology: Number(match[1]), partition: Number(match[2]) };
}
