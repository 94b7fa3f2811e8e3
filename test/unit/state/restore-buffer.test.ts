import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestoreBuffer } from '../../../lib/state/restore-buffer.js';

type Op = { key: number[]; value: number[] | null; timestamp: number };

/** Last value per key, keys in first-seen order (what restoration writes). */
function model(ops: readonly Op[]): Array<{ key: string; value: string | null; timestamp: number }> {
  const m = new Map<string, { key: string; value: string | null; timestamp: number }>();
  for (const o of ops) {
    const key = Buffer.from(o.key).toString('hex');
    const prev = m.get(key);
    const entry = { key, value: o.value === null ? null : Buffer.from(o.value).toString('hex'), timestamp: o.timestamp };
    if (prev === undefined) m.set(key, entry);
    else Object.assign(prev, entry);
  }
  return [...m.values()];
}

const opArb = fc.record({
  // A small key space, so keys repeat; lengths from 0 to 80 bytes (past the short-copy limit).
  key: fc.oneof(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 80 })),
  value: fc.option(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 100 }), { nil: null }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

describe('RestoreBuffer', () => {
  it('keeps the last value and timestamp per key, in first-seen order, across drains', () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { maxLength: 300 }), { minLength: 1, maxLength: 4 }), (rounds) => {
        const buf = new RestoreBuffer();
        const drained: Array<ReturnType<RestoreBuffer['drain']>> = [];
        for (const ops of rounds) {
          // Records are slices of one shared buffer (as fetched), overwritten after adding.
          for (const o of ops) {
            const shared = Buffer.from([...o.key, ...(o.value ?? [])]);
            buf.add(shared.subarray(0, o.key.length), o.value === null ? null : shared.subarray(o.key.length), o.timestamp);
            shared.fill(0xee);
          }
          expect(buf.size).toBe(model(ops).length);
          drained.push(buf.drain());
          expect(buf.size).toBe(0);
        }
        // Earlier drains stay intact after later rounds reused the buffer.
        rounds.forEach((ops, i) => {
          const got = drained[i]!.map((r) => ({
            key: r.key.toString('hex'),
            value: r.value === null ? null : r.value.toString('hex'),
            timestamp: r.timestamp,
          }));
          expect(got).toEqual(model(ops));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its initial capacity (many distinct keys, long values)', () => {
    const buf = new RestoreBuffer();
    const n = 50_000;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < n; i++) buf.add(Buffer.from(`key-${i}`), Buffer.alloc(round === 1 ? 40 : 8, i & 0xff), i + round);
    }
    expect(buf.size).toBe(n);
    expect(buf.bytes).toBeGreaterThan(n * 40);
    const out = buf.drain();
    expect(out.length).toBe(n);
    expect(out[12_345]!.key.toString()).toBe('key-12345');
    expect(out[12_345]!.value).toEqual(Buffer.alloc(8, 12_345 & 0xff));
    expect(out[12_345]!.timestamp).toBe(12_347);
  });
});
