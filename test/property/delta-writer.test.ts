/**
 * Property: for random batches with hostile partition values and random commit interleavings of
 * two writers on one table, the table read back (by our snapshot and, for a sample, by delta-rs)
 * equals the union of committed rows, rows with an empty partition value are rejected, and no
 * file is written outside the table directory.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeltaTableWriter, readTable, rowToJsonForm } from '../../lib/connectors/delta/index.js';
import { ALL_TYPES, allTypesRow } from '../integration/delta/fixtures.js';
import { readWithDeltaRs, stable } from '../integration/delta/readers.js';

const partValue: fc.Arbitrary<string | null> = fc.oneof(
  fc.constantFrom('', '.', '..', '/', '=', '%', '../..', '../../../tmp/x', 'a/b', '%2F', 'k=v', '\\', null),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('/', '=', '%', '.', 'a', 'é', '😀', '\\', ':', ' '), maxLength: 6 }),
);

type Op = { kind: 'append'; writer: 0 | 1; rows: Record<string, unknown>[] } | { kind: 'commit'; writers: (0 | 1)[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      writer: fc.constantFrom(0 as const, 1 as const),
      rows: fc.array(allTypesRow(partValue), { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), writers: fc.constantFrom<(0 | 1)[]>([0], [1], [0, 1]) }) },
);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('Delta writer property', () => {
  it('table = union of committed batches; nothing escapes the table directory', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const sandbox = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-prop-'));
        const table = path.join(sandbox, 'table');
        try {
          const writers = [
            await DeltaTableWriter.open({ tableDir: table, schema: ALL_TYPES, partitionBy: ['part'] }),
            await DeltaTableWriter.open({ tableDir: table, schema: ALL_TYPES, partitionBy: ['part'] }),
          ];
          const pending: Record<string, unknown>[][] = [[], []];
          const committed: Record<string, unknown>[] = [];
          let id = 0;
          const commit = async (ws: (0 | 1)[]) => {
            await Promise.all(ws.map((w) => writers[w]!.commit()));
            for (const w of ws) committed.push(...pending[w]!.splice(0));
          };
          for (const op of [...ops, { kind: 'commit', writers: [0, 1] } as Op]) {
            if (op.kind === 'commit') {
              await commit(op.writers);
              continue;
            }
            for (const r of op.rows) {
              const row: Record<string, unknown> = { ...r, id: id++ };
              const res = writers[op.writer]!.append(row);
              if (row['part'] === '') {
                expect(res).toMatchObject({ ok: false, reason: expect.stringMatching(/empty string/) });
              } else {
                expect(res).toEqual({ ok: true });
                pending[op.writer]!.push(row);
              }
            }
          }
          const expected = committed.map((r) => stable(rowToJsonForm(ALL_TYPES, r))).sort();
          const ours = await readTable(table);
          expect(ours.rows.map(stable).sort()).toEqual(expected);
          // Nothing outside the table directory; every data file under a single `part=` directory.
          expect(readdirSync(sandbox)).toEqual(['table']);
          const root = realpathSync(table);
          for (const f of walk(table)) {
            const rel = path.relative(root, realpathSync(f));
            expect(rel.startsWith('..') || path.isAbsolute(rel)).toBe(false);
            const segs = rel.split(path.sep);
            expect(segs[0] === '_delta_log' || (segs.length === 2 && segs[0]!.startsWith('part='))).toBe(true);
          }
          if (run++ % 6 === 0 && committed.length > 0) {
            const rs = await readWithDeltaRs(table);
            expect(rs.rows.map(stable).sort()).toEqual(expected);
          }
        } finally {
          rmSync(sandbox, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});
