import * as A from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeColumn } from '../../../../lib/connectors/delta/columns/index.js';
import { compareUtf8 } from '../../../../lib/connectors/delta/values.js';

describe('string column (short ASCII strings copied by a loop, the rest by TextEncoder)', () => {
  // Lengths around the loop's limit (64), ASCII or not at any position, control characters, lone surrogates.
  const unit = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a', 'Z', '0', '-', ' ', '\u0000', '\u007f') },
    { weight: 1, arbitrary: fc.constantFrom('\u0080', 'é', 'ß', '\u00ff', '€', '😀', '\ud800', '\udfff', '\ufeff') },
  );
  const text = fc.oneof(fc.string({ unit, maxLength: 70 }), fc.string({ unit, minLength: 60, maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 80 }));

  it('writes every string as TextEncoder would, with min/max in UTF-8 byte order', () => {
    fc.assert(
      fc.property(fc.array(fc.option(text, { nil: null, freq: 6 }), { minLength: 1, maxLength: 30 }), (values) => {
        const col = makeColumn('s', 'string', true);
        for (const v of values) col.push(col.prep(v) as never);
        const stats = col.stats({ left: 1 });
        const data = col.finish();
        const offsets = data.valueOffsets;
        const bytes = data.values as Uint8Array;
        const decoded = new A.Vector([data]).toArray() as (string | null)[];
        const enc = new TextEncoder();
        values.forEach((v, i) => {
          if (v === null) {
            expect(decoded[i]).toBeNull();
            return;
          }
          expect(Buffer.from(bytes.subarray(offsets[i]!, offsets[i + 1]!)).equals(Buffer.from(enc.encode(v)))).toBe(true);
        });
        const present = values.filter((v): v is string => v !== null);
        if (present.length === 0) return;
        const sorted = [...present].sort(compareUtf8);
        const minMax = stats as { min?: string; max?: string };
        if (minMax.min === undefined) return; // over 256 characters: no min/max
        expect(compareUtf8(minMax.min, sorted[0]!)).toBe(0);
        expect(compareUtf8(minMax.max!, sorted[sorted.length - 1]!)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});
