/**
 * Restoration: replays a task's changelog partitions into its stores before processing starts.
 *
 * ```
 *  end offsets (admin, read_committed, read once) ─┐
 *  checkpoint (or log start) ──────────────────────┼─▶ assign + seek ─▶ poll ─▶ per partition: restoreBatch
 *                                                  │                    ▲       (one LevelDB write batch,
 *                                                  │                    │        not awaited before the next poll)
 *                                                  │                    └────── until position() >= end
 * ```
 * read_committed, so aborted writes of a crashed instance are never restored, and the end is the
 * last stable offset (where a read_committed consumer stops). The per-record path does no await
 * and builds no record object: records come by column (`Consumer.poll`'s `FetchedColumns`) into a
 * `RestoreBuffer` per store, last value per changelog key (what compaction keeps, so a store
 * restored from a compacted changelog sees nothing new), and go to the store as one batch once
 * `bufferRecords` / `bufferBytes` are reached (checked after each poll); that write runs while the next polls wait for
 * their fetches (at most one write in flight per store, awaited before the store's next batch and
 * before the partition counts as done). A changelog with many updates per key thus costs the
 * store about one write per key per buffer instead of one per update. A partition is done when the consumer's
 * `position()` reached `end` — past a trailing commit marker, which no record shows — or a
 * record at `end - 1` was seen. `idleTimeoutMs` is only a safety net for a consumer that cannot
 * tell its position (undefined).
 */
import { TributaryError } from '../errors.js';
import { keyAt, valueAt } from '../kafka/columns.js';
import type { Consumer, FetchedColumns, KafkaClient, TopicPartition } from '../kafka/types.js';
import { RestoreBuffer } from './restore-buffer.js';
import type { RestorableStore } from './types.js';

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
  /** Records collected per store (after last-value-per-key) before they are written. Default 200000. */
  readonly bufferRecords?: number;
  /** Key + value bytes held per store (after last-value-per-key) before they are written. Default 32 MiB. */
  readonly bufferBytes?: number;
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
  /** Of the last poll: the partition's last record offset (restored or not), and records restored. */
  batchLast: number;
  batchRestored: number;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Restores every given changelog partition into its store; resolves when all are at their end offset. */
export async function restoreStores(options: RestoreOptions): Promise<RestoreResult[]> {
  const { client, partitions } = options;
  const pollTimeoutMs = options.pollTimeoutMs ?? 100;
  const idleTimeoutMs = options.idleTimeoutMs ?? 2000;
  let consumer: Consumer | undefined;
  const owned = options.consumer === undefined;
  const open = async (tps: readonly TopicPartition[]): Promise<Consumer> => {
    const c = options.consumer ?? client.consumer({ groupId: `${options.groupId}-restore`, readUncommitted: false, autoOffsetReset: 'earliest' });
    consumer = c;
    if (owned) await c.connect();
    await c.assign(tps);
    return c;
  };
  // A partition without a checkpoint has its whole changelog to read: assign (connect) while the
  // end offsets are read. With checkpoints only, most likely nothing is left to read: no consumer.
  const early = partitions.some((cp) => cp.checkpoint === undefined) ? open(partitions.map((cp) => ({ topic: cp.topic, partition: cp.partition }))) : undefined;
  early?.catch(() => undefined); // awaited below
  try {
    const ends = await endOffsets(client, partitions, 'read_committed');
    const states = new Map<string, PartState>();
    for (const cp of partitions) {
      const { low, high } = ends.get(key(cp.topic, cp.partition))!;
      const ctx = { store: cp.store.name, topic: cp.topic, partition: cp.partition };
      if (cp.checkpoint !== undefined && cp.checkpoint > high) {
        throw new TributaryError(
          `checkpointed offset ${cp.checkpoint} is beyond the changelog end ${high}: local state is corrupt; wipe the task directory and restore`,
          { code: 'STATE', context: ctx },
        );
      }
      const start = cp.checkpoint === undefined || cp.checkpoint < low ? low : cp.checkpoint;
      states.set(key(cp.topic, cp.partition), { cp, start, end: high, restored: 0, lastSeen: start - 1, done: start >= high, batchLast: -1, batchRestored: 0 });
    }
    const report = (s: PartState) =>
      options.onProgress?.({
        store: s.cp.store.name,
        topic: s.cp.topic,
        partition: s.cp.partition,
        restored: s.restored,
        total: s.end - s.start,
        done: s.done,
      });

    const pending = [...states.values()].filter((s) => !s.done);
    for (const s of states.values()) if (s.done) report(s);
    if (pending.length > 0) {
      const tp = (s: PartState) => ({ topic: s.cp.topic, partition: s.cp.partition });
      const c = early !== undefined ? await early : await open(pending.map(tp));
      if (early !== undefined) {
        const done = [...states.values()].filter((s) => s.done);
        if (done.length > 0) c.pause(done.map(tp));
      }
      for (const s of pending) c.seek(tp(s), s.start);
      const limits = { records: options.bufferRecords ?? 200_000, bytes: options.bufferBytes ?? 32 * 1024 * 1024 };
      await pollUntilDone(c, states, pending.length, pollTimeoutMs, idleTimeoutMs, limits, report);
    }
    return [...states.values()].map((s) => ({
      store: s.cp.store.name,
      topic: s.cp.topic,
      partition: s.cp.partition,
      restored: s.restored,
      startOffset: s.start,
      endOffset: s.end,
    }));
  } finally {
    if (early !== undefined) await early.catch(() => undefined);
    if (owned && consumer !== undefined) await (consumer as Consumer).close();
  }
}

async function pollUntilDone(
  consumer: Consumer,
  states: Map<string, PartState>,
  remaining: number,
  pollTimeoutMs: number,
  idleTimeoutMs: number,
  limits: { readonly records: number; readonly bytes: number },
  report: (s: PartState) => void,
): Promise<void> {
  let lastProgressAt = Date.now();
  /** The store write in flight per store (a store may restore several partitions). */
  const writes = new Map<RestorableStore, Promise<void>>();
  /** Records collected per store: last value per key. */
  const buffers = new Map<RestorableStore, RestoreBuffer>();
  const settle = async (store: RestorableStore) => {
    const w = writes.get(store);
    if (w !== undefined) {
      writes.delete(store);
      await w;
    }
  };
  /** Hands the store's buffer to `restoreBatch` once the previous write finished; does not wait for this one. */
  const write = async (store: RestorableStore) => {
    const buf = buffers.get(store);
    if (buf === undefined || buf.size === 0) return;
    await settle(store);
    const w = store.restoreBatch(buf.drain());
    w.catch(() => undefined); // awaited by settle(); never an unhandled rejection meanwhile
    writes.set(store, w);
  };
  const finish = async (s: PartState) => {
    s.done = true;
    remaining--;
    consumer.pause([{ topic: s.cp.topic, partition: s.cp.partition }]);
    await write(s.cp.store);
    await settle(s.cp.store);
    report(s);
  };
  const collector = new Collector(states, (store) => {
    let buf = buffers.get(store);
    if (buf === undefined) buffers.set(store, (buf = new RestoreBuffer()));
    return buf;
  });
  try {
    while (remaining > 0) {
      for (const s of await collector.poll(consumer, pollTimeoutMs)) {
        if (s.batchRestored > 0) {
          lastProgressAt = Date.now();
          const buf = buffers.get(s.cp.store)!;
          if (buf.size >= limits.records || buf.bytes >= limits.bytes) await write(s.cp.store);
        }
        if (s.lastSeen + 1 >= s.end || s.batchLast + 1 >= s.end) await finish(s);
        else report(s);
      }
      const now = Date.now();
      for (const s of states.values()) {
        if (s.done) continue;
        const pos = consumer.position({ topic: s.cp.topic, partition: s.cp.partition });
        if (pos !== undefined && pos >= s.end) await finish(s);
        else if (pos === undefined && now - lastProgressAt >= idleTimeoutMs) await finish(s);
      }
    }
    // A write no later batch awaited: surface its failure.
    for (const store of [...writes.keys()]) await settle(store);
  } finally {
    for (const w of writes.values()) await w.catch(() => undefined);
  }
}

/**
 * Takes a poll's columns into the stores' buffers (no record object: a key and a value view per
 * record restored), keeping offsets in [start, end) of each partition still restoring.
 */
class Collector {
  constructor(
    private readonly states: ReadonlyMap<string, PartState>,
    private readonly bufferOf: (store: RestorableStore) => RestoreBuffer,
  ) {}

  /** Polls once; returns the partitions that had records (restored or not). */
  async poll(consumer: Consumer, timeoutMs: number): Promise<PartState[]> {
    const touched: PartState[] = [];
    for (const cols of await consumer.poll(timeoutMs)) {
      const s = this.states.get(key(cols.topic, cols.partition));
      if (s === undefined || s.done || cols.length === 0) continue;
      if (!touched.includes(s)) {
        touched.push(s);
        s.batchLast = -1;
        s.batchRestored = 0;
      }
      this.take(s, cols);
    }
    return touched.filter((s) => s.batchLast >= 0);
  }

  private take(s: PartState, cols: FetchedColumns): void {
    const buf = this.bufferOf(s.cp.store);
    const { offsets, timestamps, keyChunks } = cols;
    for (let i = 0; i < cols.length; i++) {
      const offset = offsets[i]!;
      s.batchLast = offset;
      if (offset < s.start || offset >= s.end) continue;
      if (keyChunks[i] === null) {
        throw new TributaryError('changelog record without a key', {
          code: 'STATE',
          context: { store: s.cp.store.name, topic: s.cp.topic, partition: s.cp.partition, offset },
        });
      }
      buf.add(keyAt(cols, i)!, valueAt(cols, i), timestamps[i]!);
      s.restored++;
      s.batchRestored++;
      s.lastSeen = offset;
    }
  }
}

/**
 * Log start and end offsets of the given changelog partitions: the high watermark by default, the
 * last stable offset (where a read_committed consumer stops) under `read_committed`.
 */
export async function endOffsets(
  client: KafkaClient,
  partitions: readonly { topic: string; partition: number }[],
  isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted',
): Promise<Map<string, { low: number; high: number }>> {
  const admin = client.admin();
  await admin.connect();
  try {
    const out = new Map<string, { low: number; high: number }>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      for (const o of await admin.fetchTopicOffsets(topic, { isolation })) out.set(key(topic, o.partition), { low: o.low, high: o.high });
    }
    for (const p of partitions) {
      if (!out.has(key(p.topic, p.partition)))
        throw new TributaryError(`changelog partition ${p.topic}-${p.partition} does not exist`, {
          code: 'TOPIC_NOT_FOUND',
          context: { topic: p.topic, partition: p.partition },
        });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The offsets to checkpoint for changelog partitions this task alone writes: their end offsets
 * after the last commit (read from the broker, read_committed like restoration's end).
 */
export async function changelogCheckpointOffsets(
  client: KafkaClient,
  partitions: readonly { topic: string; partition: number }[],
): Promise<Array<{ topic: string; partition: number; offset: number }>> {
  const ends = await endOffsets(client, partitions, 'read_committed');
  return partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: ends.get(key(p.topic, p.partition))!.high }));
}
