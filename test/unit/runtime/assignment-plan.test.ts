/**
 * The TaskManager's incremental diff of an assignment change (`planAssignmentChange`): which
 * running tasks close, which are created, which keep running untouched.
 */
import { describe, expect, it } from 'vitest';
import type { TopicPartition } from '../../../lib/kafka/types.js';
import { planAssignmentChange } from '../../../lib/runtime/task-manager.js';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
/** Topics a and b feed subtopology 0 (co-partitioned, like a join); c feeds subtopology 1; x feeds none. */
const taskOf = (p: TopicPartition): string | undefined => (p.topic === 'x' ? undefined : `${p.topic === 'c' ? 1 : 0}_${p.partition}`);
const running = (...ids: string[]): Map<string, TopicPartition[]> =>
  new Map(
    ids.map((id) => {
      const [sub, p] = id.split('_').map(Number) as [number, number];
      return [id, sub === 0 ? [tp('a', p), tp('b', p)] : [tp('c', p)]];
    }),
  );
const plain = (plan: ReturnType<typeof planAssignmentChange>) => ({
  close: [...plan.close].sort(),
  create: Object.fromEntries([...plan.create].map(([id, inputs]) => [id, inputs.map((i) => `${i.topic}-${i.partition}`).sort()])),
  keep: [...plan.keep].sort(),
});

describe('planAssignmentChange', () => {
  it('cooperative revocation: only the tasks of revoked partitions close, the others keep running', () => {
    const plan = planAssignmentChange(running('0_0', '0_1', '1_0', '1_1'), [tp('a', 1), tp('b', 1)], [], taskOf);
    expect(plain(plan)).toEqual({ close: ['0_1'], create: {}, keep: ['0_0', '1_0', '1_1'] });
  });

  it('cooperative assignment: new tasks are created with all their inputs, running ones are untouched', () => {
    const plan = planAssignmentChange(running('0_0', '1_0'), [], [tp('a', 2), tp('b', 2), tp('c', 2)], taskOf);
    expect(plain(plan)).toEqual({ close: [], create: { '0_2': ['a-2', 'b-2'], '1_2': ['c-2'] }, keep: ['0_0', '1_0'] });
  });

  it('eager: everything revoked closes everything; the re-assignment recreates everything', () => {
    const all = [tp('a', 0), tp('b', 0), tp('c', 0)];
    expect(plain(planAssignmentChange(running('0_0', '1_0'), all, [], taskOf))).toEqual({ close: ['0_0', '1_0'], create: {}, keep: [] });
    expect(plain(planAssignmentChange(new Map(), [], all, taskOf))).toEqual({ close: [], create: { '0_0': ['a-0', 'b-0'], '1_0': ['c-0'] }, keep: [] });
  });

  it('a partition of a task already running is not a new task', () => {
    const plan = planAssignmentChange(running('0_0'), [], [tp('a', 0)], taskOf);
    expect(plain(plan)).toEqual({ close: [], create: {}, keep: ['0_0'] });
  });

  it('a running task that gains an input is closed and recreated with all of its inputs', () => {
    const r = new Map([['0_3', [tp('a', 3)]]]);
    const plan = planAssignmentChange(r, [], [tp('b', 3)], taskOf);
    expect(plain(plan)).toEqual({ close: ['0_3'], create: { '0_3': ['a-3', 'b-3'] }, keep: [] });
  });

  it('revoked and added in one change: a recreated task keeps only inputs that are not revoked', () => {
    const plan = planAssignmentChange(running('0_1', '1_1'), [tp('a', 1)], [tp('a', 1), tp('c', 4)], taskOf);
    expect(plain(plan)).toEqual({ close: ['0_1'], create: { '0_1': ['a-1', 'b-1'], '1_4': ['c-4'] }, keep: ['1_1'] });
  });

  it('partitions of topics no subtopology reads are ignored', () => {
    expect(plain(planAssignmentChange(running('1_0'), [tp('x', 0)], [tp('x', 1)], taskOf))).toEqual({ close: [], create: {}, keep: ['1_0'] });
  });
});
