import { describe, expect, it } from 'vitest';
import { assignCopartitioned } from '../../../lib/kafka/kafkajs/copartitioned-assignor.js';

const counts = new Map([
  ['orders', 4],
  ['payments', 4],
  ['app-x-repartition', 4],
  ['wide', 6],
]);

function owners(result: Map<string, Record<string, number[]>>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [member, a] of result) for (const [t, ps] of Object.entries(a)) for (const p of ps) m.set(`${t}-${p}`, member);
  return m;
}

describe('co-partitioned assignor', () => {
  it('puts partition p of every topic with the same partition count on one member, for 1..5 members', () => {
    for (let n = 1; n <= 5; n++) {
      const members = Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, owned: [] }));
      const o = owners(assignCopartitioned(counts, members));
      expect(o.size).toBe(18);
      for (let p = 0; p < 4; p++) {
        expect(o.get(`payments-${p}`)).toBe(o.get(`orders-${p}`));
        expect(o.get(`app-x-repartition-${p}`)).toBe(o.get(`orders-${p}`));
      }
      const loads = [...assignCopartitioned(counts, members).values()].map((a) => new Set(Object.values(a).flatMap((ps) => ps.map(String))).size);
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(2);
    }
  });

  it('is sticky: a joining member takes units only from the over-loaded ones', () => {
    const first = assignCopartitioned(new Map([['t', 4]]), [
      { memberId: 'a', owned: [] },
      { memberId: 'b', owned: [] },
    ]);
    const ownedBy = (m: string) => (first.get(m)!['t'] ?? []).map((partition) => ({ topic: 't', partition }));
    const second = assignCopartitioned(new Map([['t', 4]]), [
      { memberId: 'c', owned: [] },
      { memberId: 'a', owned: ownedBy('a') },
      { memberId: 'b', owned: ownedBy('b') },
    ]);
    const kept = ['a', 'b'].reduce((n, m) => n + (second.get(m)!['t'] ?? []).filter((p) => first.get(m)!['t']!.includes(p)).length, 0);
    expect(kept).toBe(3);
    expect(second.get('c')!['t']).toHaveLength(1);
  });

  it('ignores a claim on a partition two members both say they own', () => {
    const r = assignCopartitioned(new Map([['t', 2]]), [
      { memberId: 'a', owned: [{ topic: 't', partition: 0 }] },
      { memberId: 'b', owned: [{ topic: 't', partition: 0 }] },
    ]);
    expect(r.get('a')!['t']).toEqual([0]);
    expect(r.get('b')!['t']).toEqual([1]);
  });
});
