import { describe, expect, it } from 'vitest';
import { PunctuationQueue } from '../../../lib/runtime/punctuation-queue.js';

function fired(queue: PunctuationQueue, times: number[]): number[] {
  const out: number[] = [];
  for (const t of times)
    queue.punctuate(t, (p, ts) => {
      p.callback(ts);
      out.push(ts);
    });
  return out;
}

describe('PunctuationQueue', () => {
  it('stream time: epoch-aligned, fires once per interval crossed, once per gap', () => {
    const q = new PunctuationQueue();
    const seen: number[] = [];
    q.schedule('p', 0, 10, (ts) => seen.push(ts));
    expect(q.isDue(-1)).toBe(false);
    fired(q, [-1, 3, 5, 9, 10, 11, 19, 20, 55, 56, 59, 60]);
    // 3 (due 0), 10 (due 10), 20 (due 20), 55 (gap: once, next due 60), 60
    expect(seen).toEqual([3, 10, 20, 55, 60]);
  });

  it('wall clock: first due one interval after scheduling', () => {
    const q = new PunctuationQueue();
    const seen: number[] = [];
    q.schedule('p', 1_000 + 100, 100, (ts) => seen.push(ts));
    fired(q, [1_050, 1_099, 1_100, 1_150, 1_450, 1_500]);
    expect(seen).toEqual([1_100, 1_450, 1_500]);
  });

  it('cancel stops a schedule; several schedules fire in due order', () => {
    const q = new PunctuationQueue();
    const seen: string[] = [];
    const a = q.schedule('a', 0, 7, () => seen.push('a'));
    q.schedule('b', 0, 5, () => seen.push('b'));
    fired(q, [0, 5, 7]);
    a.cancel();
    fired(q, [14, 15]);
    expect(seen).toEqual(['a', 'b', 'b', 'a', 'b', 'b']);
    expect(q.size).toBe(1);
  });

  it('rejects intervals below 1 ms', () => {
    expect(() => new PunctuationQueue().schedule('p', 0, 0, () => undefined)).toThrow(RangeError);
  });
});
