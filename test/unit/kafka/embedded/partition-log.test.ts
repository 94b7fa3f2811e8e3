import { describe, expect, it } from 'vitest';
import { PartitionLog, SEGMENT_SIZE, type TxnMark } from '../../../../lib/kafka/embedded/partition-log.js';
import type { IncomingRecord } from '../../../../lib/kafka/types.js';
import { logRead } from './helpers.js';

function put(log: PartitionLog, value: string, txn: TxnMark | null = null, producerId = 1): number {
  const offset = log.nextOffset;
  log.append(null, Buffer.from(value), 1000 + offset, null, 30, txn, producerId);
  return offset;
}

function readAll(log: PartitionLog, from: number, readCommitted: boolean): { values: string[]; next: number } {
  const out: IncomingRecord[] = [];
  const res = logRead(log, from, { readCommitted, maxRecords: 1_000_000, maxBytes: Number.MAX_SAFE_INTEGER }, out);
  return { values: out.map((r) => r.value!.toString()), next: res.nextOffset };
}

describe('PartitionLog', () => {
  it('holds the LSO at the first offset of the oldest open transaction, across interleaved producers', () => {
    const log = new PartitionLog('t', 0);
    put(log, 'a');
    const t1: TxnMark = { state: 'open' };
    const t2: TxnMark = { state: 'open' };
    expect(put(log, 't1-0', t1, 10)).toBe(1);
    expect(put(log, 't2-0', t2, 20)).toBe(2);
    put(log, 'b'); // non-transactional, after the open transactions
    put(log, 't1-1', t1, 10);
    expect(log.highWatermark).toBe(5);
    expect(log.lastStableOffset).toBe(1);
    // read_committed stops at the LSO, even for the committed-visible record 'b' after it.
    expect(readAll(log, 0, true)).toEqual({ values: ['a'], next: 1 });
    // read_uncommitted sees everything up to the high watermark.
    expect(readAll(log, 0, false).values).toEqual(['a', 't1-0', 't2-0', 'b', 't1-1']);

    // t2 commits first: the LSO stays at t1's first offset.
    t2.state = 'committed';
    log.writeMarker(20, t2);
    expect(log.highWatermark).toBe(6);
    expect(log.lastStableOffset).toBe(1);
    expect(readAll(log, 0, true).values).toEqual(['a']);

    // t1 aborts: its records vanish for read_committed, both markers take offsets.
    t1.state = 'aborted';
    log.writeMarker(10, t1);
    expect(log.highWatermark).toBe(7);
    expect(log.lastStableOffset).toBe(7);
    expect(readAll(log, 0, true)).toEqual({ values: ['a', 't2-0', 'b'], next: 7 });
    // read_uncommitted still returns aborted data, but never the control markers.
    expect(readAll(log, 0, false).values).toEqual(['a', 't1-0', 't2-0', 'b', 't1-1']);
  });

  it('puts a control marker at one offset per commit, so committed offsets have gaps', () => {
    const log = new PartitionLog('t', 0);
    for (let i = 0; i < 3; i++) {
      const t: TxnMark = { state: 'open' };
      put(log, `x${i}`, t, 7);
      t.state = 'committed';
      log.writeMarker(7, t);
    }
    const out: IncomingRecord[] = [];
    logRead(log, 0, { readCommitted: true, maxRecords: 100, maxBytes: 1e9 }, out);
    expect(out.map((r) => r.offset)).toEqual([0, 2, 4]);
    expect(log.highWatermark).toBe(6);
  });

  it('moves the position past trailing markers and aborted records without returning them', () => {
    const log = new PartitionLog('t', 0);
    const t: TxnMark = { state: 'open' };
    put(log, 'gone', t, 3);
    put(log, 'gone2', t, 3);
    t.state = 'aborted';
    log.writeMarker(3, t);
    expect(readAll(log, 0, true)).toEqual({ values: [], next: 3 });
  });

  it('bounds a read by records and bytes but always returns at least one record', () => {
    const log = new PartitionLog('t', 0);
    for (let i = 0; i < SEGMENT_SIZE * 2 + 10; i++) put(log, `v${i}`);
    const out: IncomingRecord[] = [];
    let res = logRead(log, SEGMENT_SIZE - 5, { readCommitted: true, maxRecords: 20, maxBytes: 1e9 }, out);
    expect(out.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => SEGMENT_SIZE - 5 + i));
    expect(res.nextOffset).toBe(SEGMENT_SIZE + 15);
    out.length = 0;
    res = logRead(log, 0, { readCommitted: true, maxRecords: 100, maxBytes: 95 }, out);
    expect(out.length).toBe(3); // 30 bytes each
    out.length = 0;
    res = logRead(log, 0, { readCommitted: true, maxRecords: 100, maxBytes: 1 }, out);
    expect(out.length).toBe(1);
    expect(res.nextOffset).toBe(1);
  });

  it('drops whole old segments under retention and moves the log start offset', () => {
    const log = new PartitionLog('t', 0);
    for (let i = 0; i < SEGMENT_SIZE * 3; i++) put(log, 'v');
    log.enforceRetention(-1, 30 * SEGMENT_SIZE + 1, Date.now());
    // As Kafka: a segment goes only if the rest still holds at least retention.bytes.
    expect(log.logStartOffset).toBe(SEGMENT_SIZE);
    expect(readAll(log, 0, true).values.length).toBe(SEGMENT_SIZE * 2);
    log.enforceRetention(-1, 30 * SEGMENT_SIZE, Date.now());
    expect(log.logStartOffset).toBe(SEGMENT_SIZE * 2);
    expect(readAll(log, 0, true).next).toBe(SEGMENT_SIZE * 3);
  });
});
