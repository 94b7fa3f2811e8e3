import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../../lib/time/timestamp-extractors.js';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Strings of the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` shape, with any digits (impossible dates included). */
const canonicalShaped = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`);

describe('parseEventTime: canonical ISO fast path', () => {
  it('agrees with the general (regular expression) path on every canonical-shaped string', () => {
    fc.assert(
      fc.property(canonicalShaped, (s) => {
        // A leading space takes the general path (it trims), which the fast path must match exactly.
        expect(parseEventTime(s)).toBe(parseEventTime(` ${s}`));
      }),
      { numRuns: 5000 },
    );
  });

  it('parses what toISOString writes to the epoch milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799999 }), (t) => {
        expect(parseEventTime(new Date(t).toISOString())).toBe(t);
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects impossible dates and leaves other shapes to the general path', () => {
    expect(parseEventTime('2025-02-30T00:00:00.000Z')).toBeNull();
    expect(parseEventTime('2025-13-01T00:00:00.000Z')).toBeNull();
    expect(parseEventTime('2025-01-01T24:00:00.000Z')).toBeNull();
    expect(parseEventTime('2025-01-01T00:00:00.0a0Z')).toBeNull();
    expect(parseEventTime('2025-01-01 00:00:00.000Z')).toBe(Date.UTC(2025, 0, 1));
    expect(parseEventTime('2025-01-01T00:00:00.123+01:00')).toBe(Date.UTC(2024, 11, 31, 23, 0, 0, 123));
  });
});
