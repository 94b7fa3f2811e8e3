import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProducerFencedError, TributaryError } from '../../../../lib/errors.js';
import { pollN, rig, v, values, type Rig } from './helpers.js';
import { outgoingBatch } from '../../../../lib/kafka/columns.js';

let r: Rig;
afterEach(async () => r?.close());

describe('embedded transactions', () => {
  it('hides open transactions from read_committed until commit, and shows them to read_uncommitted', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer({ transactionalId: 'tx-a' });
    const committed = await r.consumer({ groupId: 'g1' });
    const uncommitted = await r.consumer({ groupId: 'g2', readUncommitted: true });
    await committed.assign([{ topic: 't', partition: 0 }]);
    await uncommitted.assign([{ topic: 't', partition: 0 }]);
    await p.beginTransaction();
    await p.send(
      outgoingBatch([
        { topic: 't', key: null, value: v('a') },
        { topic: 't', key: null, value: v('b') },
      ]),
    );
    expect(await committed.poll(50)).toEqual([]);
    expect(values(await uncommitted.poll(50))).toEqual(['a', 'b']);
    const waiting = committed.poll(2000);
    await p.commitTransaction();
    const batches = await waiting;
    expect(values(batches)).toEqual(['a', 'b']);
    expect(batches[0]!.highWatermark).toBe(3); // two records + the commit marker
  });

  it('never shows aborted records; markers leave gaps in offsets', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer({ transactionalId: 'tx-b' });
    for (const [val, commit] of [
      ['x', false],
      ['y', true],
      ['z', true],
    ] as const) {
      await p.beginTransaction();
      await p.send(outgoingBatch([{ topic: 't', partition: 0, key: null, value: v(val) }]));
      if (commit) await p.commitTransaction();
      else await p.abortTransaction();
    }
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    const got = await pollN(c, 2);
    expect(got.map((x) => [x.offset, x.value!.toString()])).toEqual([
      [2, 'y'],
      [4, 'z'],
    ]);
    const admin = r.kafka.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets('t')).toEqual([{ partition: 0, low: 0, high: 6 }]);
  });

  it("blocks read_committed at the LSO, even for other producers' records written after the open transaction", async () => {
    r = await rig({ t: 1 });
    const slow = await r.producer({ transactionalId: 'slow' });
    const fast = await r.producer({ transactionalId: 'fast' });
    const plain = await r.producer();
    await slow.beginTransaction();
    await slow.send(outgoingBatch([{ topic: 't', partition: 0, key: null, value: v('slow-1') }]));
    await fast.beginTransaction();
    await fast.send(outgoingBatch([{ topic: 't', partition: 0, key: null, value: v('fast-1') }]));
    await fast.commitTransaction();
    await plain.send(outgoingBatch([{ topic: 't', partition: 0, key: null, value: v('plain') }]));
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    expect(await c.poll(50)).toEqual([]);
    await slow.commitTransaction();
    expect(values(await c.poll(1000))).toEqual(['slow-1', 'fast-1', 'plain']);
  });

  it('fences the older instance on connect of a newer one and aborts its open transaction', async () => {
    r = await rig({ t: 2 });
    const zombie = await r.producer({ transactionalId: 'task-0' });
    await zombie.beginTransaction();
    await zombie.send(outgoingBatch([{ topic: 't', partition: 1, key: null, value: v('zombie') }]));
    await zombie.sendOffsets('app', [{ topic: 't', partition: 0, offset: 42 }]);
    const fresh = await r.producer({ transactionalId: 'task-0' });
    await expect(zombie.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    await expect(zombie.send(outgoingBatch([{ topic: 't', partition: 1, key: null, value: v('again') }]))).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
    await expect(zombie.beginTransaction()).rejects.toBeInstanceOf(ProducerFencedError);

    await fresh.beginTransaction();
    await fresh.send(outgoingBatch([{ topic: 't', partition: 1, key: null, value: v('fresh') }]));
    await fresh.commitTransaction();
    const c = await r.consumer({ groupId: 'reader' });
    await c.assign([{ topic: 't', partition: 1 }]);
    const got = await pollN(c, 1);
    expect(got.map((x) => [x.offset, x.value!.toString()])).toEqual([[2, 'fresh']]); // 0 zombie, 1 abort marker
    const admin = r.kafka.admin();
    await admin.connect();
    expect(await admin.fetchCommittedOffsets('app', ['t'])).toEqual([]);
  });

  it("makes sendOffsets the group's committed offsets only on commit", async () => {
    r = await rig({ in: 1, out: 1 });
    const admin = r.kafka.admin();
    await admin.connect();
    const p = await r.producer({ transactionalId: 'eos' });
    await p.beginTransaction();
    await p.send(outgoingBatch([{ topic: 'out', key: v('k'), value: v('1') }]));
    await p.sendOffsets('app', [{ topic: 'in', partition: 0, offset: 10 }]);
    expect(await admin.fetchCommittedOffsets('app', ['in'])).toEqual([]);
    await p.abortTransaction();
    expect(await admin.fetchCommittedOffsets('app', ['in'])).toEqual([]);
    await p.beginTransaction();
    await p.sendOffsets('app', [{ topic: 'in', partition: 0, offset: 11 }]);
    await p.sendOffsets('app', [{ topic: 'in', partition: 0, offset: 12 }]);
    await p.commitTransaction();
    expect(await admin.fetchCommittedOffsets('app', ['in'])).toEqual([{ topic: 'in', partition: 0, offset: 12 }]);
    await expect(p.sendOffsets('app', [{ topic: 'in', partition: 0, offset: 1 }])).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });

  it('aborts a transaction that outlives its timeout and fences its producer', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer({ transactionalId: 'stuck', transactionTimeoutMs: 100 });
    await p.beginTransaction();
    await p.send(outgoingBatch([{ topic: 't', key: null, value: v('late') }]));
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    // The LSO is released by the timeout abort; the record is never visible.
    expect(await c.poll(400)).toEqual([]);
    await expect(p.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    const plain = await r.producer();
    await plain.send(outgoingBatch([{ topic: 't', key: null, value: v('after') }]));
    expect(values(await c.poll(1000))).toEqual(['after']);
  });

  it('rejects sends outside a transaction for transactional producers and misuse of transactions', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer({ transactionalId: 'x' });
    await expect(p.send(outgoingBatch([{ topic: 't', key: null, value: v('a') }]))).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    await expect(p.commitTransaction()).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    await p.beginTransaction();
    expect(p.inTransaction).toBe(true);
    await expect(p.beginTransaction()).rejects.toBeInstanceOf(TributaryError);
    await p.commitTransaction();
    expect(p.inTransaction).toBe(false);
    const plain = await r.producer();
    await expect(plain.beginTransaction()).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });

  it('commits atomically across partitions and topics', async () => {
    r = await rig({ a: 3, b: 2 });
    const p = await r.producer({ transactionalId: 'multi' });
    await p.beginTransaction();
    const recs = Array.from({ length: 50 }, (_, i) => ({ topic: i % 2 ? 'a' : 'b', key: v(`k${i}`), value: v(`${i}`) }));
    await p.send(outgoingBatch(recs));
    const c = await r.consumer({ groupId: 'g' });
    await c.subscribe(['a', 'b']);
    expect(await c.poll(100)).toEqual([]);
    await p.commitTransaction();
    expect((await pollN(c, 50)).length).toBe(50);
  });

  it('follows fake timers for the transaction timeout while calls still complete', async () => {
    vi.useFakeTimers();
    try {
      r = await rig({ t: 1 });
      const p = await r.producer({ transactionalId: 'fake-clock' }); // default timeout: 60 s
      await p.beginTransaction();
      await p.send(outgoingBatch([{ topic: 't', key: null, value: v('x') }]));
      vi.advanceTimersByTime(59_000);
      await p.send(outgoingBatch([{ topic: 't', key: null, value: v('y') }]));
      vi.advanceTimersByTime(1_001);
      await expect(p.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    } finally {
      vi.useRealTimers();
    }
  });
});
