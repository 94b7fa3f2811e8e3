import { describe, expect, it } from 'vitest';
import type { IncomingRecord } from '../../../lib/kafka/types.js';
import { PartitionGroup } from '../../../lib/runtime/partition-group.js';

const rec = (topic: string, offset: number, timestamp: number): IncomingRecord => ({
  topic,
  partition: 0,
  offset,
  key: null,
  value: null,
  timestamp,
  headers: {},
});

function drain(group: PartitionGroup): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (let n = group.next(); n !== null; n = group.next()) out.push([n.record.topic, n.record.offset, group.streamTime()]);
  return out;
}

describe('PartitionGroup', () => {
  it('takes the record whose partition head has the lowest timestamp', () => {
    const g = new PartitionGroup([
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
    ]);
    const a = g.queue('a')!;
    const b = g.queue('b')!;
    g.add(a, rec('a', 0, 10), 10);
    g.add(a, rec('a', 1, 30), 30);
    g.add(b, rec('b', 0, 20), 20);
    g.add(b, rec('b', 1, 25), 25);
    expect(drain(g).map(([t, o]) => `${t}${o}`)).toEqual(['a0', 'b0', 'b1', 'a1']);
  });

  it('compares heads only: a late record behind a high head waits for its turn (offset order per partition)', () => {
    const g = new PartitionGroup([
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
    ]);
    g.add(g.queue('a')!, rec('a', 0, 50), 50);
    g.add(g.queue('a')!, rec('a', 1, 5), 5);
    g.add(g.queue('b')!, rec('b', 0, 40), 40);
    expect(drain(g).map(([t, o]) => `${t}${o}`)).toEqual(['b0', 'a0', 'a1']);
  });

  it('breaks ties by partition registration order', () => {
    const g = new PartitionGroup([
      { topic: 'b', partition: 0 },
      { topic: 'a', partition: 0 },
    ]);
    g.add(g.queue('a')!, rec('a', 0, 7), 7);
    g.add(g.queue('b')!, rec('b', 0, 7), 7);
    expect(drain(g).map(([t]) => t)).toEqual(['b', 'a']);
  });

  it('stream time starts at -1, is the max timestamp seen, and never decreases', () => {
    const g = new PartitionGroup([{ topic: 'a', partition: 0 }]);
    expect(g.streamTime()).toBe(-1);
    for (const [i, ts] of [5, 3, 9, 1, 9, 12].entries()) g.add(g.queue('a')!, rec('a', i, ts), ts);
    expect(drain(g).map(([, , st]) => st)).toEqual([5, 5, 9, 9, 9, 12]);
    expect(g.streamTime()).toBe(12);
    expect(g.numBuffered()).toBe(0);
  });

  it('keeps order across many records (queue compaction)', () => {
    const g = new PartitionGroup([{ topic: 'a', partition: 0 }]);
    const q = g.queue('a')!;
    let expected = 0;
    let ok = true;
    for (let i = 0; i < 20_000; i++) {
      g.add(q, rec('a', i, i), i);
      if (i % 3 === 0) {
        const n = g.next()!;
        ok &&= n.record.offset === expected++;
      }
    }
    for (let n = g.next(); n !== null; n = g.next()) ok &&= n.record.offset === expected++;
    expect(ok).toBe(true);
    expect(expected).toBe(20_000);
  });
});
