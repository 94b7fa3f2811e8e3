/**
 * Issue #19, Delta part: names that differ only by case are one column (Delta column names are
 * case-insensitive), and the partition value `__HIVE_DEFAULT_PARTITION__` cannot be confused
 * with null. Judged by delta-rs, which refuses a schema with two names equal ignoring case.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTableWriter, loadSnapshot, readTable } from '../../../lib/connectors/delta/index.js';
import { commitActions } from '../../../lib/connectors/delta/commit.js';
import { field, schemaToString, struct } from '../../../lib/connectors/delta/schema.js';
import { readWithDeltaRs, sortRows } from './readers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmpTable(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-hostile-'));
  dirs.push(d);
  return path.join(d, 'table');
}

function lastSchemaString(table: string): { name: string }[] {
  const log = path.join(table, '_delta_log');
  let schema: { fields: { name: string }[] } | undefined;
  for (const f of readdirSync(log)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    for (const line of readFileSync(path.join(log, f), 'utf8').split('\n').filter(Boolean)) {
      const a = JSON.parse(line) as { metaData?: { schemaString: string } };
      if (a.metaData) schema = JSON.parse(a.metaData.schemaString) as { fields: { name: string }[] };
    }
  }
  return schema!.fields;
}

describe('Delta schema evolution compares names ignoring case', () => {
  it("{amount} then {Amount} with schemaEvolution is one column (the table's casing wins); delta-rs reads every row", async () => {
    const table = tmpTable();
    const w1 = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('id', 'long', false), field('amount', 'double')]) });
    w1.append({ id: 1, amount: 1.5 });
    await w1.commit();

    const v2 = struct([field('id', 'long', false), field('Amount', 'double'), field('Note', 'string')]);
    const w2 = await DeltaTableWriter.open({ tableDir: table, schema: v2, schemaEvolution: true });
    expect(w2.append({ id: 2, Amount: 2.5, Note: 'x' })).toEqual({ ok: true });
    // The writer reads rows by its own names; the table's spelling is not a second name.
    expect(w2.append({ id: 3, amount: 3.5 })).toMatchObject({ ok: false, reason: expect.stringMatching(/"amount" is not in the table schema/) });
    await w2.commit();

    // A third writer spelling the evolved column differently adds nothing.
    const w3 = await DeltaTableWriter.open({
      tableDir: table,
      schema: struct([field('ID', 'long', false), field('AMOUNT', 'double'), field('note', 'string')]),
      schemaEvolution: true,
    });
    w3.append({ ID: 4, AMOUNT: 4.5, note: 'y' });
    await w3.commit();

    expect(lastSchemaString(table).map((f) => f.name)).toEqual(['id', 'amount', 'Note']);
    const expected = [
      { id: 1, amount: 1.5, Note: null },
      { id: 2, amount: 2.5, Note: 'x' },
      { id: 4, amount: 4.5, Note: 'y' },
    ];
    const rs = await readWithDeltaRs(table);
    expect(sortRows(rs.rows)).toEqual(sortRows(expected));
    expect(sortRows((await readTable(table)).rows)).toEqual(sortRows(expected));
  });

  it('a type change hidden behind a case change is refused at open, naming both spellings', async () => {
    const table = tmpTable();
    const w1 = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('amount', 'double')]) });
    w1.append({ amount: 1 });
    await w1.commit();
    await expect(DeltaTableWriter.open({ tableDir: table, schema: struct([field('Amount', 'string')]), schemaEvolution: true })).rejects.toThrow(
      /column "amount" is double in the table but string in the writer's schema \(as "Amount"; Delta column names are case-insensitive\)/,
    );
  });

  it("partition columns match ignoring case; rows land under the table's column name", async () => {
    const table = tmpTable();
    const w1 = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('id', 'long'), field('day', 'string')]), partitionBy: ['day'] });
    w1.append({ id: 1, day: 'a' });
    await w1.commit();
    const w2 = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('id', 'long'), field('Day', 'string')]), partitionBy: ['Day'] });
    w2.append({ id: 2, Day: 'b' });
    await w2.commit();
    expect(
      readdirSync(table)
        .filter((n) => !n.startsWith('_'))
        .sort(),
    ).toEqual(['day=a', 'day=b']);
    const rs = await readWithDeltaRs(table);
    expect(sortRows(rs.rows)).toEqual(
      sortRows([
        { id: 1, day: 'a' },
        { id: 2, day: 'b' },
      ]),
    );
  });

  it('a metaData commit whose schema has two names equal ignoring case never reaches the log', async () => {
    const table = tmpTable();
    const w = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('amount', 'double')]) });
    const snap = await loadSnapshot(table);
    const meta = { ...snap.requireMetadata(), schemaString: schemaToString(struct([field('amount', 'double'), field('Amount', 'double')])) };
    await expect(commitActions(snap, { actions: [{ metaData: meta }], operation: 'ADD COLUMNS' })).rejects.toThrow(
      /duplicate field "Amount" \(Delta names are case-insensitive\)/,
    );
    expect(readdirSync(path.join(table, '_delta_log')).filter((n) => n.endsWith('.json'))).toHaveLength(1);
    await w.discard();
  });
});

describe('the partition value __HIVE_DEFAULT_PARTITION__ and null', () => {
  it('the literal is refused with a reason; null and other values read back exactly (delta-rs)', async () => {
    const table = tmpTable();
    const w = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('id', 'long'), field('p', 'string')]), partitionBy: ['p'] });
    expect(w.append({ id: 1, p: null })).toEqual({ ok: true });
    expect(w.append({ id: 2, p: '__HIVE_DEFAULT_PARTITION__' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/partition column "p" is the literal "__HIVE_DEFAULT_PARTITION__".*confused with null/),
    });
    expect(w.append({ id: 3, p: '__hive_default_partition__' })).toEqual({ ok: true });
    expect(w.append({ id: 4, p: '_HIVE_DEFAULT_PARTITION_' })).toEqual({ ok: true });
    expect(w.append({ id: 5, p: null })).toEqual({ ok: true });
    await w.commit();
    const expected = [
      { id: 1, p: null },
      { id: 3, p: '__hive_default_partition__' },
      { id: 4, p: '_HIVE_DEFAULT_PARTITION_' },
      { id: 5, p: null },
    ];
    const rs = await readWithDeltaRs(table);
    expect(sortRows(rs.rows)).toEqual(sortRows(expected));
    expect(sortRows((await readTable(table)).rows)).toEqual(sortRows(expected));
  });

  it('a null partition value is never mistaken for the literal when the literal comes first', async () => {
    const table = tmpTable();
    const w = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('id', 'long'), field('p', 'string')]), partitionBy: ['p'] });
    expect(w.append({ id: 1, p: '__HIVE_DEFAULT_PARTITION__' }).ok).toBe(false);
    expect(w.append({ id: 2, p: null })).toEqual({ ok: true });
    await w.commit();
    const rs = await readWithDeltaRs(table);
    expect(rs.rows).toEqual([{ id: 2, p: null }]);
  });
});
