import * as A from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnRows } from '../../../../lib/connectors/delta/column-rows.js';
import { formatTimestampIso } from '../../../../lib/connectors/delta/values.js';

describe('ColumnRows (rows made a range at a time)', () => {
  it('gives, for every range, exactly the slice of all rows, across record batches', () => {
    const part = (from: number, n: number) =>
      A.tableFromArrays({
        id: Int32Array.from({ length: n }, (_, i) => from + i),
        name: Array.from({ length: n }, (_, i) => ((from + i) % 4 === 0 ? null : (from + i) % 7 === 0 ? `é${from + i}` : `n${from + i}`)),
        x: Float64Array.from({ length: n }, (_, i) => (from + i) / 2),
      });
    const table = part(0, 7).concat(part(7, 5), part(12, 9)); // three record batches of 7, 5 and 9 rows
    expect(table.batches.length).toBe(3);
    const c = new ColumnRows(table, ['id', 'p', 'name', 'missing', 'x'], { p: 'P' });
    expect(c.length).toBe(21);
    const all = c.rows(0, c.length);
    expect(all.map((r) => r['id'])).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(all[7]).toEqual({ id: 7, p: 'P', name: 'é7', missing: null, x: 3.5 });
    expect(all[8]).toEqual({ id: 8, p: 'P', name: null, missing: null, x: 4 });
    for (let from = 0; from <= 21; from++) {
      for (let to = from; to <= 21; to++) expect(c.rows(from, to)).toEqual(all.slice(from, to));
    }
    const out = [{ id: -1 }];
    expect(c.rows(5, 9, out)).toBe(out);
    expect(out.map((r) => r['id'])).toEqual([-1, 5, 6, 7, 8]);
  });
});

describe('ColumnRows timestamps (flat strings made from character codes)', () => {
  const micros = fc.oneof(
    fc.bigInt({ min: -62_167_219_200_000_000n, max: 253_402_300_799_999_999n }), // years 0000–9999
    fc.bigInt({ min: -9_007_199_254_740_991n, max: 9_007_199_254_740_991n }), // safe integers (the fast path's limit)
    fc.bigInt({ min: -8_640_000_000_000_000_000n, max: 8_640_000_000_000_000_000n }), // any time a Date can print
    fc.constantFrom(0n, -1n, 1n, 999n, -999n, 1000n, -62_167_219_200_000_000n, 253_402_300_799_999_999n, 253_402_300_800_000_000n),
  );
  const column = (unit: A.TimeUnit, values: (bigint | null)[]): A.Table => {
    const type = new A.Timestamp(unit, 'UTC');
    const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
    values.forEach((v, i) => v !== null && (nullBitmap[i >> 3]! |= 1 << (i & 7)));
    const data = A.makeData({ type, length: values.length, data: BigInt64Array.from(values, (v) => v ?? 0n), nullBitmap });
    return new A.Table({ t: A.makeVector(data) });
  };
  it('= formatTimestampIso of the micros, for every unit, years 0000–9999 and beyond, nulls kept', () => {
    const units = [
      [A.TimeUnit.MICROSECOND, 1n],
      [A.TimeUnit.MILLISECOND, 1000n],
      [A.TimeUnit.SECOND, 1_000_000n],
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...units), fc.array(fc.option(micros, { nil: null, freq: 8 }), { minLength: 1, maxLength: 40 }), ([unit, mul], raw) => {
        // Values in the unit, kept within a long once multiplied to micros (the reader's own range).
        const values = raw.map((v) => (v === null ? null : v / mul));
        const rows = new ColumnRows(column(unit, values), ['t'], {}).rows(0, values.length);
        rows.forEach((r, i) => {
          const v = values[i]!;
          expect(r['t']).toBe(v === null ? null : formatTimestampIso(v * mul));
        });
      }),
      { numRuns: 1500 },
    );
  });
});

describe('ColumnRows strings (short ASCII ones made from character codes)', () => {
  it('= the strings written, for ASCII and non-ASCII columns, lengths around the limit (64), nulls kept', () => {
    const asciiUnit = fc.constantFrom('a', 'Z', '0', '-', ' ', '\u0000', '\u007f');
    const ascii = fc.oneof(fc.string({ unit: asciiUnit, maxLength: 70 }), fc.string({ unit: asciiUnit, minLength: 62, maxLength: 66 }));
    const any = fc.string({ unit: fc.constantFrom('a', '0', 'é', '€', '😀', '\u0080', '\u00ff'), maxLength: 70 });
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.oneof({ weight: 3, arbitrary: ascii }, { weight: 1, arbitrary: any }), { nil: null, freq: 6 }), { minLength: 1, maxLength: 30 }),
        fc.nat(),
        (values, cut) => {
          const table = new A.Table({ s: A.vectorFromArray(values, new A.Utf8()) });
          const c = new ColumnRows(table, ['s'], {});
          const from = cut % values.length;
          expect(c.rows(from, values.length).map((r) => r['s'])).toEqual(values.slice(from));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
