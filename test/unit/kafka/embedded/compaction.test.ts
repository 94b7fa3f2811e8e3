import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../../../lib/kafka/embedded/index.js';
import { PartitionLog, SEGMENT_SIZE, type TxnMark } from '../../../../lib/kafka/embedded/partition-log.js';
import type { IncomingRecord } from '../../../../lib/kafka/types.js';
import { fetchedBatches, outgoingBatch } from '../../../../lib/kafka/columns.js';
import { logRead } from './helpers.js';

interface Appended {
  offset: number;
  key: string | null;
  value: string | null;
  aborted: boolean;
  marker: boolean;
}

function readAll(log: PartitionLog, from: number, readCommitted = true, maxRecords = 1_000_000): { records: IncomingRecord[]; next: number } {
  const out: IncomingRecord[] = [];
  const res = logRead(log, from, { readCommitted, maxRecords, maxBytes: Number.MAX_SAFE_INTEGER }, out);
  return { records: out, next: res.nextOffset };
}

/** Appends `n` records with keys from a small set, some tombstones, some in (committed or aborted) transactions. */
function fill(log: PartitionLog, model: Appended[], n: number, seed: number, keys: number): void {
  let x = seed >>> 0 || 1;
  const rnd = (m: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % m;
  };
  for (let i = 0; i < n; ) {
    if (rnd(50) === 0) {
      // A transaction of a few records, committed or aborted (its marker takes an offset).
      const txn: TxnMark = { state: 'open' };
      const len = 1 + rnd(4);
      const batch: Appended[] = [];
      for (let j = 0; j < len; j++, i++) {
        const key = `k${rnd(keys)}`;
        const value = `v${log.nextOffset}`;
        batch.push({ offset: log.nextOffset, key, value, aborted: false, marker: false });
        log.append(Buffer.from(key), Buffer.from(value), 1000, null, 30, txn, 7);
      }
      txn.state = rnd(2) === 0 ? 'committed' : 'aborted';
      for (const b of batch) b.aborted = txn.state === 'aborted';
      model.push(...batch, { offset: log.nextOffset, key: null, value: null, aborted: false, marker: true });
      log.writeMarker(7, txn);
      continue;
    }
    const key = rnd(20) === 0 ? null : `k${rnd(keys)}`;
    const value = rnd(8) === 0 ? null : `v${log.nextOffset}`;
    model.push({ offset: log.nextOffset, key, value, aborted: false, marker: false });
    log.append(key === null ? null : Buffer.from(key), value === null ? null : Buffer.from(value), 1000, null, 30, null, 1);
    i++;
  }
}

function check(log: PartitionLog, model: Appended[], closedEnd: number): void {
  const byOffset = new Map(model.map((a) => [a.offset, a]));
  const { records, next } = readAll(log, 0, false);
  expect(next).toBe(log.highWatermark);
  const present = new Set<number>();
  for (const r of records) {
    const a = byOffset.get(r.offset)!;
    expect(a).toBeDefined();
    expect(r.key?.toString() ?? null).toBe(a.key);
    expect(r.value?.toString() ?? null).toBe(a.value);
    present.add(r.offset);
  }
  // The latest visible record of every key is still there, tombstones included.
  const latest = new Map<string, number>();
  for (const a of model) if (a.key !== null && !a.marker && !a.aborted) latest.set(a.key, a.offset);
  for (const off of latest.values()) expect(present.has(off)).toBe(true);
  for (const a of model) {
    if (a.marker) continue;
    if (a.offset >= closedEnd)
      expect(present.has(a.offset)).toBe(!a.aborted || true); // active segment: untouched
    else if (a.key === null) expect(present.has(a.offset)).toBe(!a.aborted);
    else expect(present.has(a.offset)).toBe(!a.aborted && latest.get(a.key) === a.offset);
  }
  // Reading from any position, a record at a time, visits the same records in order.
  let pos = 0;
  const seen: number[] = [];
  while (pos < log.highWatermark) {
    const r = readAll(log, pos, true, 1);
    if (r.records.length > 0) seen.push(r.records[0]!.offset);
    expect(r.next).toBeGreaterThan(pos);
    pos = r.next;
  }
  expect(seen).toEqual(readAll(log, 0, true).records.map((r) => r.offset));
}

describe('embedded log compaction', () => {
  it('keeps the latest record per key in closed segments, drops aborted records, keeps offsets; reads across the gaps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 2, max: 300 }), (seed, keys) => {
        const log = new PartitionLog('t', 0);
        const model: Appended[] = [];
        for (let round = 0; round < 3; round++) {
          fill(log, model, SEGMENT_SIZE + 1000, seed + round, keys);
          // compact() may decline (dirty ratio); when it ran, the log is smaller than what was appended.
          log.compact(86_400_000, 1_000_000);
          const closedEnd = Math.floor(log.highWatermark / SEGMENT_SIZE) * SEGMENT_SIZE;
          if (log.sizeInBytes < model.length * 30) check(log, model, closedEnd);
        }
        // A last pass with everything appended: all closed segments compacted.
        fill(log, model, 3 * SEGMENT_SIZE, seed + 9, keys);
        log.compact(86_400_000, 1_000_000);
        check(log, model, Math.floor(log.highWatermark / SEGMENT_SIZE) * SEGMENT_SIZE);
        expect(log.sizeInBytes).toBeLessThan(model.length * 30);
      }),
      { numRuns: 4 },
    );
  });

  it('leaves segments at or above the LSO alone, and drops tombstones only delete.retention.ms after the first compaction', () => {
    const log = new PartitionLog('t', 0);
    const open: TxnMark = { state: 'open' };
    for (let i = 0; i < SEGMENT_SIZE; i++) log.append(Buffer.from('a'), Buffer.from(`v${i}`), 1, null, 30, i === 10 ? open : null, i === 10 ? 5 : 1);
    for (let i = 0; i < SEGMENT_SIZE; i++) log.append(Buffer.from('a'), null, 1, null, 30, null, 1);
    log.append(Buffer.from('b'), Buffer.from('x'), 1, null, 30, null, 1);
    log.compact(1000, 0);
    expect(readAll(log, 0, false).records.length).toBe(2 * SEGMENT_SIZE + 1); // LSO = 10: nothing compacted
    open.state = 'aborted';
    log.writeMarker(5, open);
    log.compact(1000, 0);
    // Offset 2*SEGMENT_SIZE - 1 is the last tombstone of 'a'; 'b' and the marker are in the active segment.
    expect(readAll(log, 0, false).records.map((r) => r.offset)).toEqual([2 * SEGMENT_SIZE - 1, 2 * SEGMENT_SIZE]);
    log.compact(1000, 999); // nothing new to compact
    for (let i = 0; i < SEGMENT_SIZE * 2; i++) log.append(Buffer.from('c'), Buffer.from('y'), 1, null, 30, null, 1);
    log.compact(1000, 1000);
    const offsets = readAll(log, 0, false).records.map((r) => r.offset);
    expect(offsets).not.toContain(2 * SEGMENT_SIZE - 1); // tombstone gone 1000 ms after its first compaction
    expect(offsets).toContain(2 * SEGMENT_SIZE); // 'b' stays
    expect(log.logStartOffset).toBe(0);
  });

  it('retention drops only topics with the delete policy; compact topics are compacted instead', async () => {
    const kafka = new EmbeddedKafka({ enforceRetention: true, topicDefaults: { 'retention.bytes': '100000' } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([
      { topic: 'del', numPartitions: 1 },
      { topic: 'cmp', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
      { topic: 'both', numPartitions: 1, configs: { 'cleanup.policy': 'compact,delete' } },
    ]);
    const p = kafka.producer();
    await p.connect();
    for (let i = 0; i < 6; i++) {
      for (const topic of ['del', 'cmp', 'both']) {
        // Unique keys: compaction removes nothing, so only retention can shrink a log.
        await p.send(
          outgoingBatch(Array.from({ length: SEGMENT_SIZE }, (_, j) => ({ topic, key: Buffer.from(`k${i * SEGMENT_SIZE + j}`), value: Buffer.alloc(20) }))),
        );
      }
    }
    await p.send(outgoingBatch([{ topic: 'cmp', key: Buffer.from('k0'), value: Buffer.from('new') }]));
    // Enough rewrites of one key that the uncompacted part reaches half the log (min.cleanable.dirty.ratio).
    for (let i = 0; i < 8; i++)
      await p.send(outgoingBatch(Array.from({ length: SEGMENT_SIZE }, () => ({ topic: 'cmp', key: Buffer.from('k1'), value: Buffer.alloc(20) }))));
    const low = async (topic: string): Promise<number> => Number((await admin.fetchTopicOffsets(topic))[0]!.low);
    expect(await low('del')).toBeGreaterThan(0);
    expect(await low('both')).toBeGreaterThan(0);
    expect(await low('cmp')).toBe(0);
    const c = kafka.consumer({ groupId: 'g' });
    await c.connect();
    await c.assign([{ topic: 'cmp', partition: 0 }]);
    const got: IncomingRecord[] = [];
    for (let i = 0; i < 20 && got.length < 6 * SEGMENT_SIZE; i++) for (const b of fetchedBatches(await c.poll(100))) got.push(...b.records);
    const keys = got.map((r) => r.key!.toString());
    expect(keys.filter((k) => k === 'k0').length).toBe(1);
    expect(got.find((r) => r.key!.toString() === 'k0')!.value!.toString()).toBe('new');
    expect(new Set(keys).size).toBe(keys.length - (keys.filter((k) => k === 'k1').length - 1));
    await c.close();
    await p.disconnect();
    await admin.disconnect();
    await kafka.close();
  });
});
