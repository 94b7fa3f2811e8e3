import { describe, expect, it } from 'vitest';
import { WindowEndBuckets } from '../../../lib/dsl/windowed/window-end-buckets.js';

describe('WindowEndBuckets', () => {
  it('polls by window end, first buffered first within an end; updates keep the position; a polled-out end no longer counts', () => {
    const b = new WindowEndBuckets<string, number>(() => {
      throw new Error('string keys are their own ids');
    });
    b.put('x', 100, 200, 1, 150);
    b.put('y', 0, 100, 1, 50);
    b.put('z', 100, 200, 1, 160);
    b.put('x', 100, 200, 2, 170);
    expect(b.size).toBe(3);
    expect(b.minEnd()).toBe(100);
    expect(b.poll()).toEqual({ key: { key: 'y', window: { start: 0, end: 100 } }, value: 1, timestamp: 50, end: 100 });
    expect(b.minEnd()).toBe(200); // the end-100 bucket is polled out
    expect(b.poll()?.key.key).toBe('x');
    expect(b.poll()?.key.key).toBe('z');
    expect(b.minEnd()).toBe(Number.POSITIVE_INFINITY);
    expect(b.poll()).toBeUndefined();
    expect(b.size).toBe(0);
  });

  it('identifies other keys through the given function and returns the key objects', () => {
    const b = new WindowEndBuckets<{ id: number }, string>((k) => `k${k.id}`);
    const k1 = { id: 1 };
    b.put(k1, 0, 10, 'a', 1);
    b.put({ id: 1 }, 0, 10, 'b', 2);
    b.put({ id: 2 }, 0, 10, 'c', 3);
    expect(b.size).toBe(2);
    const first = b.poll()!;
    expect(first.key.key).toBe(k1);
    expect(first.value).toBe('b');
    expect(b.poll()?.key.key).toEqual({ id: 2 });
  });
});
