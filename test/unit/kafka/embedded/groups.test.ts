import { afterEach, describe, expect, it } from 'vitest';
import { TaskMigratedError } from '../../../../lib/errors.js';
import type { Consumer, IncomingRecord, TopicPartition } from '../../../../lib/kafka/types.js';
import { rig, v, type Rig } from './helpers.js';
import { fetchedBatches, outgoingBatch } from '../../../../lib/kafka/columns.js';

let r: Rig;
afterEach(async () => r?.close());

const names = (tps: TopicPartition[]): string[] => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort();

/** Polls in the background until stopped; collects records. */
function loop(c: Consumer): { records: IncomingRecord[]; stop: () => Promise<void> } {
  const records: IncomingRecord[] = [];
  let running = true;
  const done = (async () => {
    while (running) for (const b of fetchedBatches(await c.poll(20))) records.push(...b.records);
  })();
  return {
    records,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((res) => setTimeout(res, 5));
  }
}

describe('embedded consumer groups', () => {
  it('splits partitions with the range assignor and revokes before the new owner is assigned', async () => {
    r = await rig({ a: 4, b: 4 });
    const events: string[] = [];
    const a = await r.consumer({ groupId: 'g', clientId: 'a' });
    await a.subscribe(['a', 'b'], {
      onPartitionsRevoked: async (tps) => {
        events.push(`a-revoke-start ${tps.length}`);
        await new Promise((res) => setTimeout(res, 50));
        events.push('a-revoke-end');
      },
      onPartitionsAssigned: (tps) => void events.push(`a-assigned ${names(tps).join(',')}`),
    });
    fetchedBatches(await a.poll(100));
    expect(names(a.assignment())).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'b-0', 'b-1', 'b-2', 'b-3']);
    const la = loop(a);
    const b = await r.consumer({ groupId: 'g', clientId: 'b' });
    await b.subscribe(['a', 'b'], {
      onPartitionsRevoked: () => undefined,
      onPartitionsAssigned: (tps) => void events.push(`b-assigned ${names(tps).join(',')}`),
    });
    const lb = loop(b);
    await until(() => events.some((e) => e.startsWith('b-assigned')));
    await la.stop();
    await lb.stop();
    // Range co-partitions: the same partition numbers of both topics go to the same member.
    expect(names(a.assignment())).toEqual(['a-0', 'a-1', 'b-0', 'b-1']);
    expect(names(b.assignment())).toEqual(['a-2', 'a-3', 'b-2', 'b-3']);
    const bAssigned = events.findIndex((e) => e.startsWith('b-assigned'));
    expect(events.indexOf('a-revoke-end')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('a-revoke-end')).toBeLessThan(bAssigned);
  });

  it('deals partitions round-robin with the roundrobin assignor', async () => {
    r = await rig({ t: 3, u: 2 }, { assignor: 'roundrobin' });
    const a = await r.consumer({ groupId: 'g', clientId: 'a' });
    const b = await r.consumer({ groupId: 'g', clientId: 'b' });
    await a.subscribe(['t', 'u']);
    await b.subscribe(['t', 'u']);
    const [pa, pb] = [a.poll(500), b.poll(500)];
    await Promise.all([pa, pb]);
    expect(names(a.assignment())).toEqual(['t-0', 't-2', 'u-1']);
    expect(names(b.assignment())).toEqual(['t-1', 'u-0']);
  });

  it("hands a closed member's partitions over, starting from the committed offsets", async () => {
    r = await rig({ t: 2 });
    const producer = await r.producer();
    await producer.send(outgoingBatch(Array.from({ length: 10 }, (_, i) => ({ topic: 't', partition: i % 2, key: null, value: v(`${i}`) }))));
    const a = await r.consumer({ groupId: 'g', clientId: 'a' });
    await a.subscribe(['t']);
    const first = fetchedBatches(await a.poll(500));
    expect(first.reduce((n, b) => n + b.records.length, 0)).toBe(10);
    await a.commitOffsets([
      { topic: 't', partition: 0, offset: 3 },
      { topic: 't', partition: 1, offset: 5 },
    ]);
    await a.close();
    const b = await r.consumer({ groupId: 'g', clientId: 'b' });
    await b.subscribe(['t']);
    const got: IncomingRecord[] = [];
    const deadline = Date.now() + 1000;
    while (got.length < 2 && Date.now() < deadline) for (const batch of fetchedBatches(await b.poll(100))) got.push(...batch.records);
    expect(got.map((x) => `${x.partition}@${x.offset}`).sort()).toEqual(['0@3', '0@4']);
  });

  it('removes a member that stops polling for longer than its session timeout', async () => {
    r = await rig({ t: 2 });
    const a = await r.consumer({ groupId: 'g', clientId: 'a', sessionTimeoutMs: 200 });
    const b = await r.consumer({ groupId: 'g', clientId: 'b', sessionTimeoutMs: 200 });
    await a.subscribe(['t']);
    await b.subscribe(['t']);
    const la = loop(a);
    const lb = loop(b);
    await until(() => a.assignment().length === 1 && b.assignment().length === 1);
    await la.stop(); // a goes silent: no more polls
    const t0 = Date.now();
    await until(() => b.assignment().length === 2);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(1500);
    // The zombie's commit is rejected: it is no longer a member of this generation.
    await expect(a.commitOffsets([{ topic: 't', partition: 0, offset: 1 }])).rejects.toBeInstanceOf(TaskMigratedError);
    // Polling again, it rejoins and the group rebalances back to one partition each.
    const la2 = loop(a);
    await until(() => a.assignment().length === 1 && b.assignment().length === 1);
    await la2.stop();
    await lb.stop();
  });

  it('keeps a member that waits inside a long poll alive', async () => {
    r = await rig({ t: 1 });
    const a = await r.consumer({ groupId: 'g', sessionTimeoutMs: 100 });
    await a.subscribe(['t']);
    fetchedBatches(await a.poll(400)); // longer than the session timeout, but heartbeating
    expect(a.assignment()).toEqual([{ topic: 't', partition: 0 }]);
    await a.commitOffsets([{ topic: 't', partition: 0, offset: 0 }]);
  });

  it('rejects commits without membership while the group has members, and deleting a non-empty group', async () => {
    r = await rig({ t: 1 });
    const member = await r.consumer({ groupId: 'g' });
    await member.subscribe(['t']);
    fetchedBatches(await member.poll(100));
    const manual = await r.consumer({ groupId: 'g' });
    await manual.assign([{ topic: 't', partition: 0 }]);
    await expect(manual.commitOffsets([{ topic: 't', partition: 0, offset: 0 }])).rejects.toMatchObject({ code: 'KAFKA' });
    const admin = r.kafka.admin();
    await admin.connect();
    await expect(admin.deleteGroups(['g'])).rejects.toMatchObject({ code: 'KAFKA' });
    await member.close();
    await manual.commitOffsets([{ topic: 't', partition: 0, offset: 0 }]);
    await admin.deleteGroups(['g', 'missing']);
    expect(await admin.fetchCommittedOffsets('g', ['t'])).toEqual([]);
  });

  it('assigns a subscribed topic once it is created', async () => {
    r = await rig({});
    const c = await r.consumer({ groupId: 'g' });
    await c.subscribe(['later']);
    expect(fetchedBatches(await c.poll(50))).toEqual([]);
    expect(c.assignment()).toEqual([]);
    const admin = r.kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'later', numPartitions: 2 }]);
    const p = await r.producer();
    await p.send(outgoingBatch([{ topic: 'later', partition: 1, key: null, value: v('x') }]));
    const got = fetchedBatches(await c.poll(1000));
    expect(names(c.assignment())).toEqual(['later-0', 'later-1']);
    expect(got.flatMap((b) => b.records.map((x) => x.value!.toString()))).toEqual(['x']);
  });
});

describe('embedded rebalance timeout', () => {
  it('removes a member stuck in its revocation callback past the rebalance timeout', async () => {
    r = await rig({ t: 2 });
    let release: () => void = () => {};
    const stuck = new Promise<void>((res) => (release = res));
    const a = await r.consumer({ groupId: 'g', clientId: 'a', rebalanceTimeoutMs: 200 });
    await a.subscribe(['t'], { onPartitionsRevoked: () => stuck, onPartitionsAssigned: () => undefined });
    fetchedBatches(await a.poll(50));
    expect(a.assignment().length).toBe(2);
    const b = await r.consumer({ groupId: 'g', clientId: 'b', rebalanceTimeoutMs: 200 });
    await b.subscribe(['t']);
    const aPoll = a.poll(800); // enters the revocation callback and hangs there
    const t0 = Date.now();
    const lb = loop(b);
    await until(() => b.assignment().length === 2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    // The stuck member was removed: its commit is refused.
    await expect(a.commitOffsets([{ topic: 't', partition: 0, offset: 0 }])).rejects.toBeInstanceOf(TaskMigratedError);
    release();
    await aPoll;
    await lb.stop();
  });
});
