import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ColumnRows } from '../../../../lib/connectors/delta/column-rows.js';

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
