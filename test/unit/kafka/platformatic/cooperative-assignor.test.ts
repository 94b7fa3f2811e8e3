/**
 * The sticky, co-partitioned assignor of the cooperative protocol (KIP-429): balanced, keeps
 * owned units, withholds a moving unit for one round (its owner revokes it first) and gives it to
 * the intended member in the follow-up round.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterMetadata, ExtendedGroupProtocolSubscription } from '@platformatic/kafka';
import { cooperativeCopartitionedAssigner, cooperativeUnits } from '../../../../lib/kafka/platformatic/cooperative-assignor.js';

const owners = (plan: Record<string, number[]>): Map<number, string> => {
  const m = new Map<number, string>();
  for (const [id, units] of Object.entries(plan)) for (const u of units) m.set(u, id);
  return m;
};
const obj = (m: Map<string, number[]>): Record<string, number[]> => Object.fromEntries(m);

describe('cooperativeUnits', () => {
  it('first assignment: balanced, nothing withheld', () => {
    expect(obj(cooperativeUnits(['a', 'b'], 8, new Map()))).toEqual({ a: [0, 2, 4, 6], b: [1, 3, 5, 7] });
  });

  it('a third member joins: owners keep 3 each, the moving units are withheld, then go to the newcomer', () => {
    const before = { a: [0, 2, 4, 6], b: [1, 3, 5, 7] };
    const round1 = obj(cooperativeUnits(['a', 'b', 'c'], 8, owners(before)));
    expect(round1).toEqual({ a: [0, 2, 4], b: [1, 3, 5], c: [] });
    // a and b revoked 6 and 7 and rejoined owning only what they kept.
    const round2 = obj(cooperativeUnits(['a', 'b', 'c'], 8, owners(round1)));
    expect(round2).toEqual({ a: [0, 2, 4], b: [1, 3, 5], c: [6, 7] });
    // Nothing moves any more.
    expect(obj(cooperativeUnits(['a', 'b', 'c'], 8, owners(round2)))).toEqual(round2);
  });

  it('a member leaves: its units are unowned and assigned at once, the others keep theirs', () => {
    const plan = obj(cooperativeUnits(['a', 'b'], 8, owners({ a: [0, 2, 4], b: [1, 3, 5], c: [6, 7] })));
    expect(plan.a!.slice(0, 3)).toEqual([0, 2, 4]);
    expect(plan.b!.filter((u) => u !== 6 && u !== 7)).toEqual([1, 3, 5]);
    expect([...plan.a!, ...plan.b!].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.a!.length).toBe(4);
  });

  it('contested units (two owners in the same generation) are withheld from everyone', () => {
    const plan = obj(cooperativeUnits(['a', 'b'], 2, owners({ a: [0], b: [1] }), new Set([1])));
    expect(plan).toEqual({ a: [0], b: [] });
  });

  it('every unit is assigned at most once and loads differ by at most one', () => {
    for (let members = 1; members <= 5; members++) {
      for (let units = 0; units <= 12; units++) {
        const ids = Array.from({ length: members }, (_, i) => `m${i}`);
        const plan = cooperativeUnits(ids, units, new Map());
        const all = [...plan.values()].flat().sort((x, y) => x - y);
        expect(all).toEqual(Array.from({ length: units }, (_, i) => i));
        const sizes = [...plan.values()].map((l) => l.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('cooperativeCopartitionedAssigner', () => {
  it('gives partition p of every topic to the same member, keeping owned partitions (highest generation wins)', () => {
    const metadata = {
      topics: new Map([
        ['in', { partitionsCount: 4 }],
        ['rep', { partitionsCount: 4 }],
      ]),
    } as unknown as ClusterMetadata;
    const member = (memberId: string, generationId: number, owned: number[]): ExtendedGroupProtocolSubscription =>
      ({
        memberId,
        version: 3,
        topics: ['in', 'rep'],
        generationId,
        ownedPartitions:
          owned.length > 0
            ? [
                { topic: 'in', partitions: owned },
                { topic: 'rep', partitions: owned },
              ]
            : [],
      }) as unknown as ExtendedGroupProtocolSubscription;
    // x owns 0-3 now (generation 5); y claims 2 from an older generation: ignored.
    const members = new Map([
      ['x', member('x', 5, [0, 1, 2, 3])],
      ['y', member('y', 4, [2])],
    ]);
    const out = cooperativeCopartitionedAssigner('x', members, new Set(['in', 'rep']), metadata);
    const flat = Object.fromEntries(out.map((m) => [m.memberId, [...m.assignments.values()].map((a) => `${a.topic}:${a.partitions.join(',')}`)]));
    // x keeps two, two are withheld (moving from x to y), y gets nothing this round.
    expect(flat).toEqual({ x: ['in:0,1', 'rep:0,1'], y: [] });
  });
});
