import { afterEach, describe, expect, it } from 'vitest';
import type { Consumer, FetchedColumns, Headers, IncomingRecord, OutgoingBatch, Producer } from '../../../../lib/kafka/types.js';
import { partitionForKey } from '../../../../lib/kafka/partitioner.js';
import { pollN, rig, v, type Rig } from './helpers.js';
import { outgoingBatch, recordAt } from '../../../../lib/kafka/columns.js';

let r: Rig;
afterEach(async () => r?.close());

/** Polls by column until `n` records arrived; returns them as records (views of the chunks). */
async function pollColumnsN(c: Consumer, n: number, ms = 2000): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n && Date.now() < deadline) {
    for (const cols of await c.poll(Math.max(1, deadline - Date.now()))) for (let i = 0; i < cols.length; i++) out.push(recordAt(cols, i));
  }
  return out;
}

const plain = (rs: IncomingRecord[]) =>
  rs.map((x) => ({
    p: x.partition,
    o: x.offset,
    k: x.key?.toString() ?? null,
    v: x.value?.toString() ?? null,
    ts: x.timestamp,
    h: Object.fromEntries(Object.entries(x.headers).map(([k, b]) => [k, b.toString()])),
  }));

/** A batch by column whose keys and values are written one after the other into one shared chunk (as the record collector writes them). */
function batchOf(
  records: Array<{ topic: string; partition?: number; key: string | null; value: string | null; timestamp?: number; headers?: Headers }>,
): OutgoingBatch {
  const chunk = Buffer.alloc(4096);
  let pos = 0;
  const b = {
    length: records.length,
    topics: [] as string[],
    partitions: [] as number[],
    timestamps: [] as number[],
    keyChunks: [] as (Buffer | null)[],
    keyStarts: [] as number[],
    keyEnds: [] as number[],
    valueChunks: [] as (Buffer | null)[],
    valueStarts: [] as number[],
    valueEnds: [] as number[],
    headers: [] as (Headers | undefined)[],
  };
  for (const rec of records) {
    b.topics.push(rec.topic);
    b.partitions.push(rec.partition ?? -1);
    b.timestamps.push(rec.timestamp ?? Number.NaN);
    b.keyChunks.push(rec.key === null ? null : chunk);
    b.keyStarts.push(pos);
    pos += rec.key === null ? 0 : chunk.write(rec.key, pos);
    b.keyEnds.push(pos);
    b.valueChunks.push(rec.value === null ? null : chunk);
    b.valueStarts.push(pos);
    pos += rec.value === null ? 0 : chunk.write(rec.value, pos);
    b.valueEnds.push(pos);
    b.headers.push(rec.headers);
  }
  return b;
}

describe('embedded broker by column', () => {
  it('poll hands out by column what fetchedRecords reads back: offsets, keys, values (null too), timestamps, headers; read_committed skips aborted records and markers', async () => {
    r = await rig({ t: 2 });
    const p = await r.producer();
    await p.send(
      outgoingBatch([
        { topic: 't', partition: 0, key: v('a'), value: v('1'), timestamp: 5 },
        { topic: 't', partition: 0, key: null, value: v('2'), timestamp: 6, headers: { h: v('x') } },
        { topic: 't', partition: 1, key: v('b'), value: null, timestamp: 7 },
      ]),
    );
    const tp = await r.producer({ transactionalId: 'tx' });
    await tp.beginTransaction();
    await tp.send(outgoingBatch([{ topic: 't', partition: 0, key: v('aborted'), value: v('no') }]));
    await tp.abortTransaction();
    await tp.beginTransaction();
    await tp.send(outgoingBatch([{ topic: 't', partition: 0, key: v('c'), value: v('3'), timestamp: 9 }]));
    await tp.commitTransaction();
    const byRecords = await r.consumer({ groupId: 'records' });
    await byRecords.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    const byColumns = await r.consumer({ groupId: 'columns' });
    await byColumns.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    const sort = (xs: ReturnType<typeof plain>) => xs.sort((a, b) => a.p - b.p || a.o - b.o);
    const expected = sort(plain(await pollN(byRecords, 4)));
    expect(expected.map((x) => x.v)).toEqual(['1', '2', '3', null]);
    expect(sort(plain(await pollColumnsN(byColumns, 4)))).toEqual(expected);
    expect(byColumns.position({ topic: 't', partition: 0 })).toBe(byRecords.position({ topic: 't', partition: 0 }));
  });

  it('poll respects the per-partition record limit and resumes where it stopped', async () => {
    r = await rig({ t: 1 }, { maxPollRecordsPerPartition: 3 });
    const p = await r.producer();
    await p.send(outgoingBatch(Array.from({ length: 8 }, (_, i) => ({ topic: 't', key: null, value: v(`m${i}`) }))));
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    const sizes: number[] = [];
    const got: string[] = [];
    while (got.length < 8) {
      for (const cols of (await c.poll(500)) as FetchedColumns[]) {
        sizes.push(cols.length);
        for (let i = 0; i < cols.length; i++) got.push(recordAt(cols, i).value!.toString());
      }
    }
    expect(sizes).toEqual([3, 3, 2]);
    expect(got).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`));
  });

  it('send of a one-chunk batch (as the record collector writes it) stores: murmur2 routing, explicit partitions, null keys and values, timestamps (NaN: now), headers', async () => {
    r = await rig({ t: 3 });
    const p = await r.producer();
    const before = Date.now();
    await p.send(
      batchOf([
        { topic: 't', key: 'k1', value: 'v1', timestamp: 11 },
        { topic: 't', key: 'k2', value: null, timestamp: 12, headers: { a: v('b') } },
        { topic: 't', partition: 2, key: null, value: 'v3', timestamp: 13 },
        { topic: 't', key: '', value: '', timestamp: 14 },
        { topic: 't', partition: 1, key: 'k5', value: 'v5' },
      ]),
    );
    const c = await r.consumer({ groupId: 'g' });
    await c.subscribe(['t']);
    const got = plain(await pollN(c, 5));
    const find = (k: string | null, val: string | null) => got.find((x) => x.k === k && x.v === val)!;
    expect(find('k1', 'v1')).toMatchObject({ p: partitionForKey(v('k1'), 3), ts: 11 });
    expect(find('k2', null)).toMatchObject({ p: partitionForKey(v('k2'), 3), ts: 12, h: { a: 'b' } });
    expect(find(null, 'v3')).toMatchObject({ p: 2, ts: 13 });
    expect(find('', '')).toMatchObject({ p: partitionForKey(Buffer.alloc(0), 3), ts: 14 });
    const now = find('k5', 'v5');
    expect(now.p).toBe(1);
    expect(now.ts).toBeGreaterThanOrEqual(before);
  });

  it('send validates the whole batch first: an invalid partition appends nothing', async () => {
    r = await rig({ t: 2 });
    const p: Producer = await r.producer();
    await expect(
      p.send(
        batchOf([
          { topic: 't', partition: 0, key: null, value: 'ok' },
          { topic: 't', partition: 5, key: null, value: 'x' },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'KAFKA' });
    await expect(p.send(batchOf([{ topic: 't', partition: 0, key: null, value: 'ok', timestamp: -3 }]))).rejects.toMatchObject({ code: 'KAFKA' });
    const admin = r.kafka.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets('t')).toEqual([
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 0, high: 0 },
    ]);
  });

  it('a transactional send by column is invisible to read_committed readers until the commit', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer({ transactionalId: 'tx' });
    await p.beginTransaction();
    await p.send(batchOf([{ topic: 't', key: 'k', value: 'in-txn' }]));
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    expect(await c.poll(50)).toEqual([]);
    await p.commitTransaction();
    expect((await pollColumnsN(c, 1)).map((x) => x.value!.toString())).toEqual(['in-txn']);
  });
});
