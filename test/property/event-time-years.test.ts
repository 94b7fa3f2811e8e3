/**
 * Property (issue #19): ISO-8601 event times parse to the instant they name at every year
 * 0000–9999, judged by an oracle we did not write: Python's `datetime` (years 1–9999; one child
 * process per batch of strings) and, for years 0–99, the 400-year Gregorian cycle (146,097 days).
 * `Date.UTC` reads years 0–99 as 1900–1999, which made '0099-06-15T00:00:00Z' parse as 1999.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventTime, utcMillis } from '../../lib/time/timestamp-extractors.js';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const DAY_MS = 86_400_000;

const year = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 199 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1960, max: 2100 }) },
  { weight: 1, arbitrary: fc.integer({ min: 9980, max: 9999 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 9999 }) },
);

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number | undefined;
  frac: string | undefined;
  zone: string;
  sep: 'T' | ' ';
}

const parts: fc.Arbitrary<Parts> = fc.record({
  y: year,
  mo: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 31 }), // impossible dates (February 30) included
  h: fc.integer({ min: 0, max: 23 }),
  mi: fc.integer({ min: 0, max: 59 }),
  s: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
  frac: fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }),
  zone: fc.oneof(
    fc.constant('Z'),
    fc
      .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([sg, hh, mm]) => `${sg}${pad(hh, 2)}:${pad(mm, 2)}`),
  ),
  sep: fc.constantFrom('T' as const, ' ' as const),
});

function format(p: Parts): string {
  const time =
    p.s === undefined ? `${pad(p.h, 2)}:${pad(p.mi, 2)}` : `${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}${p.frac === undefined ? '' : `.${p.frac}`}`;
  return `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}${p.sep}${time}${p.zone}`;
}

const ORACLE = `
import sys, json
from datetime import datetime, timezone, timedelta
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
out = []
for line in sys.stdin:
    s = json.loads(line)
    try:
        dt = datetime.fromisoformat(s)
        out.append((dt - EPOCH) // timedelta(milliseconds=1))
    except (ValueError, OverflowError):
        out.append(None)
print(json.dumps(out))
`;

/** Epoch ms of each string per Python's datetime, or null where it refuses the string. */
function pythonMillis(strings: readonly string[]): (number | null)[] {
  const stdout = execFileSync(process.env['PYTHON'] ?? 'python3', ['-c', ORACLE], { input: strings.map((s) => JSON.stringify(s)).join('\n') });
  return JSON.parse(stdout.toString()) as (number | null)[];
}

describe('parseEventTime at years 0000–9999 (oracle: Python datetime, 400-year cycle)', () => {
  it('agrees with Python on batches of ISO strings (negative instants are invalid event times)', () => {
    // Python's datetime has no year 0: that year is covered by the cycle property below.
    const batch = fc.sample(
      parts.filter((p) => p.y >= 1),
      { numRuns: 4000, seed: 19 },
    );
    const strings = batch.map(format);
    const oracle = pythonMillis(strings);
    const mismatches = strings
      .map((s, i) => ({ s, ours: parseEventTime(s), theirs: oracle[i] === null || oracle[i]! < 0 ? null : oracle[i]! }))
      .filter((r) => r.ours !== r.theirs);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('utcMillis agrees with Python for every valid date-time, before and after 1970', () => {
    const batch = fc.sample(
      fc.record({
        y: fc.integer({ min: 1, max: 9999 }),
        mo: fc.integer({ min: 1, max: 12 }),
        d: fc.integer({ min: 1, max: 28 }),
        h: fc.integer({ min: 0, max: 23 }),
        ms: fc.integer({ min: 0, max: 999 }),
      }),
      { numRuns: 3000, seed: 1999 },
    );
    const strings = batch.map((p) => `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}T${pad(p.h, 2)}:00:00.${pad(p.ms, 3)}+00:00`);
    const oracle = pythonMillis(strings);
    const ours = batch.map((p) => utcMillis(p.y, p.mo - 1, p.d, p.h, 0, 0, p.ms));
    expect(ours).toEqual(oracle);
  });

  it('years 0–99 are 400 years (146,097 days) before years 400–499, never 1900–1999', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        (y, mo, d, t) => {
          const h = Math.floor(t / 3_600_000);
          const mi = Math.floor(t / 60_000) % 60;
          const s = Math.floor(t / 1000) % 60;
          const ms = t % 1000;
          const ours = utcMillis(y, mo, d, h, mi, s, ms);
          expect(ours).toBe(utcMillis(y + 400, mo, d, h, mi, s, ms) - 146_097 * DAY_MS);
          expect(new Date(ours).getUTCFullYear()).toBe(y);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("'0099-06-15T00:00:00Z' is year 99 (before the epoch: not a valid event time), not 1999", () => {
    expect(utcMillis(99, 5, 15)).toBe(Date.parse('0099-06-15T00:00:00Z'));
    expect(parseEventTime('0099-06-15T00:00:00Z')).toBeNull();
    expect(parseEventTime('0099-06-15T00:00:00.000Z')).toBeNull(); // the canonical fast path
    expect(parseEventTime('0070-01-01T00:00:00+00:00')).toBeNull();
    expect(parseEventTime('1999-06-15T00:00:00Z')).toBe(Date.UTC(1999, 5, 15));
    expect(parseEventTime('0000-02-29T00:00:00Z')).toBeNull(); // year 0 is a leap year, and before 1970
  });
});
