import { describe, expect, it } from 'vitest';
import { fetchedRecords } from '../../../lib/kafka/columns.js';
import { batchColumns } from '../../../lib/kafka/platformatic/columns.js';

type Batch = Parameters<typeof batchColumns>[3][number];

const TXN = 0x10;
const CONTROL = 0x20;

function data(firstOffset: number, values: string[], producerId = -1n, attributes = 0, firstTimestamp = 1000n): Batch {
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: values.length - 1,
    firstTimestamp,
    maxTimestamp: firstTimestamp + BigInt(values.length),
    producerId,
    producerEpoch: 0,
    firstSequence: 0,
    records: values.map((v, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: i % 2 === 0 ? null : Buffer.from(`k${v}`),
      value: Buffer.from(v),
      headers: i === 0 ? [[Buffer.from('h'), Buffer.from(v)]] : [],
    })),
  };
}

/** A transaction marker: abort (type 0) or commit (type 1). */
function marker(offset: number, producerId: bigint, commit: boolean): Batch {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return {
    ...data(offset, ['x'], producerId, TXN | CONTROL),
    records: [{ length: 0, attributes: 0, timestampDelta: 0n, offsetDelta: 0, key, value: null, headers: [] }],
  };
}

const values = (r: ReturnType<typeof batchColumns>) => fetchedRecords(r.columns).map((x) => [x.offset, x.value!.toString()]);

describe('platformatic consumer: record batches to columns', () => {
  it('keys, values, headers and timestamps per record; skips records below the position; next is past the last batch', () => {
    const r = batchColumns('t', 0, 1, [data(0, ['a', 'b', 'c']), data(3, ['d'])], null, 9);
    expect(values(r)).toEqual([
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
    const recs = fetchedRecords(r.columns);
    expect(recs.map((x) => x.key?.toString() ?? null)).toEqual(['kb', null, null]);
    expect(recs.map((x) => x.timestamp)).toEqual([1001, 1002, 1000]);
    expect(recs[2]!.headers['h']!.toString()).toBe('d');
    expect(r.next).toBe(4);
    expect(r.columns.highWatermark).toBe(9);
  });

  it('read_committed: drops every aborted transaction (several of one producer), keeps committed ones, skips markers', () => {
    const p = 7n;
    const q = 8n;
    const batches = [
      data(0, ['a0', 'a1'], p, TXN), // aborted (marker at 4)
      data(2, ['q0'], q, TXN), // committed (marker at 5)
      marker(3, q, true),
      marker(4, p, false),
      data(5, ['c0'], p, TXN), // committed (marker at 6)
      marker(6, p, true),
      data(7, ['b0', 'b1'], p, TXN), // aborted again (marker at 9)
      marker(9, p, false),
    ];
    const aborted = [
      { producerId: p, firstOffset: 0n },
      { producerId: p, firstOffset: 7n },
    ];
    const r = batchColumns('t', 0, 0, batches, aborted, 10);
    expect(values(r)).toEqual([
      [2, 'q0'],
      [5, 'c0'],
    ]);
    expect(r.next).toBe(10);
    // read_uncommitted: every data record, still no markers.
    expect(values(batchColumns('t', 0, 0, batches, null, 10)).map(([, v]) => v)).toEqual(['a0', 'a1', 'q0', 'c0', 'b0', 'b1']);
  });

  it('read_committed: a fetch that ends inside an aborted transaction (its marker not fetched yet) hands out none of it', () => {
    const r = batchColumns('t', 0, 0, [data(0, ['ok']), data(1, ['x0', 'x1'], 3n, TXN)], [{ producerId: 3n, firstOffset: 1n }], 5);
    expect(values(r)).toEqual([[0, 'ok']]);
    expect(r.next).toBe(3);
    // The next fetch starts in the middle of it: the broker lists the transaction again.
    const more = batchColumns('t', 0, 3, [data(3, ['x2'], 3n, TXN), marker(4, 3n, false)], [{ producerId: 3n, firstOffset: 1n }], 5);
    expect(values(more)).toEqual([]);
    expect(more.next).toBe(5);
  });
});
