/**
 * Restoration: replays a task's changelog partitions into its stores before processing starts.
 *
 * ```
 *  end offsets (admin, read once) ─┐
 *  checkpoint (or log start) ──────┼─▶ assign + seek ─▶ poll ─▶ per partition: one restoreBatch
 *                                  │                     ▲        (one LevelDB write batch)
 *                                  │                     └─────── until position >= end
 * ```
 * read_committed, so aborted writes of a crashed instance are never restored. The per-record
 * path does no await: records of a poll are handed to the store as one batch. A partition is done
 * when a record at `end - 1` was seen or the consumer's `position()` reached `end`; with a client
 * that cannot tell its position, a tail made only of control records / aborted data is detected
 * by `idleTimeoutMs` without new records.
 */
import { TributaryError } from '../errors.js';
import type { Consumer, IncomingRecord, KafkaClient } from '../kafka/types.js';
import type { RestorableStore, RestoreRecord } from './types.js';

export interface ChangelogPartition {
  readonly topic: string;
  readonly partition: number;
  readonly store: RestorableStore;
  /** Next offset to read from the checkpoint file; absent = from the log start. */
  readonly checkpoint?: number | undefined;
}

export interface RestoreProgress {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  /** Records applied so far. */
  readonly restored: number;
  /** Offsets to cover (end - start; control records included, so `restored` may end below it). */
  readonly total: number;
  readonly done: boolean;
}

export interface RestoreOptions {
  readonly client: KafkaClient;
  /** Base for the restore consumer's group id (used for nothing but naming). */
  readonly groupId: string;
  readonly partitions: readonly ChangelogPartition[];
  readonly onProgress?: (progress: RestoreProgress) => void;
  readonly pollTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  /** Use this consumer instead of creating one (it is not closed). It must not be subscribed or assigned yet. */
  readonly consumer?: Consumer;
}

export interface RestoreResult {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly restored: number;
  readonly startOffset: number;
  /** The end offset restored up to (the next offset to read: checkpoint value after restoration). */
  readonly endOffset: number;
}

interface PartState {
  readonly cp: ChangelogPartition;
  readonly start: number;
  readonly end: number;
  restored: number;
  lastSeen: number;
  done: boolean;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Restores every given changelog partition into its store; resolves when all are at their end offset. */
export async function restoreStores(options: RestoreOptions): Promise<RestoreResult[]> {
  const { client, partitions } = options;
  const pollTimeoutMs = options.pollTimeoutMs ?? 100;
  const idleTimeoutMs = options.idleTimeoutMs ?? 2000;
  const ends = await endOffsets(client, partitions);
  const states = new Map<string, PartState>();
  for (const cp of partitions) {
    const { low, high } = ends.get(key(cp.topic, cp.partition))!;
    const ctx = { store: cp.store.name, topic: cp.topic, partition: cp.partition };
    if (cp.checkpoint !== undefined && cp.checkpoint > high) {
      throw new TributaryError(`checkpointed offset ${cp.checkpoint} is beyond the changelog end ${high}: local state is corrupt; wipe the task directory and restore`, { code: 'STATE', context: ctx });
    }
    const start = cp.checkpoint === undefined || cp.checkpoint < low ? low : cp.checkpoint;
    states.set(key(cp.topic, cp.partition), { cp, start, end: high, restored: 0, lastSeen: start - 1, done: start >= high });
  }
  const report = (s: PartState) =>
    options.onProgress?.({ store: s.cp.store.name, topic: s.cp.topic, partition: s.cp.partition, restored: s.restored, total: s.end - s.start, done: s.done });

  const pending = [...states.values()].filter((s) => !s.done);
  for (const s of states.values()) if (s.done) report(s);
  if (pending.length > 0) {
    const consumer = options.consumer ?? client.consumer({ groupId: `${options.groupId}-restore`, readUncommitted: false, autoOffsetReset: 'earliest' });
    const owned = options.consumer === undefined;
    try {
      if (owned) await consumer.connect();
      await consumer.assign(pending.map((s) => ({ topic: s.cp.topic, partition: s.cp.partition })));
      for (const s of pending) consumer.seek({ topic: s.cp.topic, partition: s.cp.partition }, s.start);
      await pollUntilDone(consumer, states, pending.length, pollTimeoutMs, idleTimeoutMs, report);
    } finally {
      if (owned) await consumer.close();
    }
  }
  return [...states.values()].map((s) => ({ store: s.cp.store.name, topic: s.cp.topic, partition: s.cp.partition, restored: s.restored, startOffset: s.start, endOffset: s.end }));
}

async function pollUntilDone(
  consumer: Consumer,
  states: Map<string, PartState>,
  remaining: number,
  pollTimeoutMs: number,
  idleTimeoutMs: number,
  report: (s: PartState) => void,
): Promise<void> {
  let lastProgressAt = Date.now();
  const finish = (s: PartState) => {
    s.done = true;
    remaining--;
    consumer.pause([{ topic: s.cp.topic, partition: s.cp.partition }]);
    report(s);
  };
  while (remaining > 0) {
    const batches = await consumer.poll(pollTimeoutMs);
    for (const b of batches) {
      const s = states.get(key(b.topic, b.partition));
      if (s === undefined || s.done || b.records.length === 0) continue;
      const recs = b.records;
      let lo = 0;
      let hi = recs.length;
      while (lo < hi && recs[lo]!.offset < s.start) lo++;
      while (hi > lo && recs[hi - 1]!.offset >= s.end) hi--;
      const slice = lo === 0 && hi === recs.length ? recs : recs.slice(lo, hi);
      if (slice.length > 0) {
        await s.cp.store.restoreBatch(asRestoreRecords(slice, s));
        s.restored += slice.length;
        s.lastSeen = slice[slice.length - 1]!.offset;
        lastProgressAt = Date.now();
      }
      if (s.lastSeen + 1 >= s.end || recs[recs.length - 1]!.offset + 1 >= s.end) finish(s);
      else report(s);
    }
    const now = Date.now();
    for (const s of states.values()) {
      if (s.done) continue;
      const pos = consumer.position?.({ topic: s.cp.topic, partition: s.cp.partition });
      if (pos !== undefined && pos >= s.end) finish(s);
      else if (pos === undefined && now - lastProgressAt >= idleTimeoutMs) finish(s);
    }
  }
}

/** IncomingRecords already have the RestoreRecord shape; only null keys (invalid in a changelog) need rejecting. */
function asRestoreRecords(records: readonly IncomingRecord[], s: PartState): readonly RestoreRecord[] {
  for (const r of records) {
    if (r.key === null) {
      throw new TributaryError('changelog record without a key', { code: 'STATE', context: { store: s.cp.store.name, topic: r.topic, partition: r.partition, offset: r.offset } });
    }
  }
  return records as readonly RestoreRecord[];
}

/** Log start and end (high watermark) offsets of the given changelog partitions. */
export async function endOffsets(client: KafkaClient, partitions: readonly { topic: string; partition: number }[]): Promise<Map<string, { low: number; high: number }>> {
  const admin = client.admin();
  await admin.connect();
  try {
    const out = new Map<string, { low: number; high: number }>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      for (const o of await admin.fetchTopicOffsets(topic)) out.set(key(topic, o.partition), { low: o.low, high: o.high });
    }
    for (const p of partitions) {
      if (!out.has(key(p.topic, p.partition))) throw new TributaryError(`changelog partition ${p.topic}-${p.partition} does not exist`, { code: 'TOPIC_NOT_FOUND', context: { topic: p.topic, partition: p.partition } });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The offsets to checkpoint for changelog partitions this task alone writes: their end offsets
 * after the last commit (read from the broker).
 */
export async function changelogCheckpointOffsets(client: KafkaClient, partitions: readonly { topic: string; partition: number }[]): Promise<Array<{ topic: string; partition: number; offset: number }>> {
  const ends = await endOffsets(client, partitions);
  return partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: ends.get(key(p.topic, p.partition))!.high }));
}
