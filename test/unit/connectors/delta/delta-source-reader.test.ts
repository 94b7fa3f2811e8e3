import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTableWriter, field, optimize, struct } from '../../../../lib/connectors/delta/index.js';
import { commitActions } from '../../../../lib/connectors/delta/commit.js';
import { loadSnapshot } from '../../../../lib/connectors/delta/snapshot.js';
import { DeltaSourceReader, type DeltaSourceOptions, type DeltaSourcePosition } from '../../../../lib/connectors/delta/source-reader.js';
import { readTable } from '../../../../lib/connectors/delta/read.js';
import { ALL_TYPES, sampleRows } from '../../../integration/delta/fixtures.js';

const run = promisify(execFile);
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-source-'));
  dirs.push(d);
  return path.join(d, 't');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const schema = struct([field('id', 'long', false), field('p', 'string')]);

/** A table with `commits` commits of `rows` rows each (ids in order), two partitions per commit. */
async function makeTable(commits: number, rows: number, configuration: Record<string, string> = {}): Promise<{ table: string; w: DeltaTableWriter }> {
  const table = tmp();
  const w = await DeltaTableWriter.open({ tableDir: table, schema, partitionBy: ['p'], configuration });
  let id = 0;
  for (let c = 0; c < commits; c++) {
    for (let i = 0; i < rows; i++, id++) expect(w.append({ id, p: id % 2 ? 'odd' : 'even' }).ok).toBe(true);
    await w.commit();
  }
  return { table, w };
}

async function drain(
  table: string,
  options: DeltaSourceOptions = {},
  from?: DeltaSourcePosition,
  max = 7,
): Promise<{ ids: number[]; end: DeltaSourcePosition; batches: number }> {
  const r = await DeltaSourceReader.open(table, options, from);
  const ids: number[] = [];
  let batches = 0;
  for (;;) {
    const b = await r.poll(max);
    if (b.rows.length === 0) return { ids, end: b.end, batches };
    expect(b.rows.length).toBeLessThanOrEqual(max);
    expect(b.segments.reduce((n, s) => n + s.rows, 0)).toBe(b.rows.length);
    batches++;
    for (const row of b.rows) ids.push(row['id'] as number);
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('DeltaSourceReader', () => {
  it('reads the initial snapshot, then tails new versions; batches respect maxRowsPerBatch', async () => {
    const { table, w } = await makeTable(3, 10);
    const r = await DeltaSourceReader.open(table, { maxRowsPerBatch: 4 });
    const ids: number[] = [];
    for (let b = await r.poll(); b.rows.length; b = await r.poll()) ids.push(...b.rows.map((x) => x['id'] as number));
    expect(sorted(ids)).toEqual(range(30));
    for (let i = 30; i < 35; i++) w.append({ id: i, p: 'even' });
    await w.commit();
    const next = await r.poll();
    expect(next.rows.map((x) => x['id'])).toEqual([30, 31, 32, 33]);
    expect(next.segments[0]).toMatchObject({ version: 4, fileIndex: 0, rowStart: 0, snapshot: false });
    expect((await r.poll()).rows.map((x) => x['id'])).toEqual([34]);
    expect((await r.poll()).rows).toEqual([]);
    expect(r.position).toEqual({ version: 5, fileIndex: 0, rowIndex: 0, snapshot: false });
  });

  it('from startingVersion: the commits in version order, file by file; resuming at any batch end gives exactly the rest', async () => {
    const { table } = await makeTable(4, 9);
    const all = await drain(table, { startingVersion: 1 });
    expect(sorted(all.ids)).toEqual(range(36));
    // version order: every id of commit c precedes every id of commit c+1
    for (let k = 1; k < all.ids.length; k++) expect(Math.floor(all.ids[k]! / 9)).toBeGreaterThanOrEqual(Math.floor(all.ids[k - 1]! / 9));
    expect((await drain(table, { startingVersion: 3 })).ids.length).toBe(18);
    const r = await DeltaSourceReader.open(table, { startingVersion: 1 });
    const seen: number[] = [];
    for (let b = await r.poll(5); b.rows.length; b = await r.poll(5)) {
      seen.push(...b.rows.map((x) => x['id'] as number));
      const rest = await drain(table, { startingVersion: 1 }, b.end);
      expect([...seen, ...rest.ids]).toEqual(all.ids);
    }
  });

  it('resumes inside the initial snapshot at the same version even after more commits', async () => {
    const { table, w } = await makeTable(2, 6);
    const r = await DeltaSourceReader.open(table);
    const first = await r.poll(5);
    expect(first.end.snapshot).toBe(true);
    w.append({ id: 100, p: 'odd' });
    await w.commit();
    const rest = await drain(table, {}, first.end);
    expect(sorted([...first.rows.map((x) => x['id'] as number), ...rest.ids])).toEqual([...range(12), 100]);
  });

  it('skips dataChange=false commits (optimize): no row twice', async () => {
    const { table, w } = await makeTable(4, 5);
    const res = await optimize(table, { targetFileSize: 1 << 30, minFileSize: 1 << 30 });
    expect(res.filesRemoved).toBeGreaterThan(0);
    await w.reload();
    w.append({ id: 20, p: 'even' });
    await w.commit();
    expect(sorted((await drain(table, { startingVersion: 0 })).ids)).toEqual(range(21));
  });

  it('refuses deletes and changes by default, naming the version; ignoreDeletes / ignoreChanges go on', async () => {
    const { table } = await makeTable(2, 4);
    const snap = await loadSnapshot(table);
    const victim = [...snap.files.values()][0]!;
    await commitActions(snap, { actions: [{ remove: { path: victim.path, deletionTimestamp: Date.now(), dataChange: true } }], operation: 'DELETE' });
    await expect(drain(table, { startingVersion: 0 })).rejects.toThrow(/version 3 deletes rows .*ignoreDeletes/);
    expect((await drain(table, { startingVersion: 0, ignoreDeletes: true })).ids.length).toBe(8);
    const s2 = await loadSnapshot(table);
    const other = [...s2.files.values()][0]!;
    await commitActions(s2, {
      actions: [{ remove: { path: other.path, deletionTimestamp: Date.now(), dataChange: true } }, { add: { ...other, modificationTime: Date.now() } }],
      operation: 'UPDATE',
    });
    await expect(drain(table, { startingVersion: 0, ignoreDeletes: true })).rejects.toThrow(/version 4 changes existing rows.*ignoreChanges/);
    const withChanges = await drain(table, { startingVersion: 0, ignoreChanges: true });
    expect(withChanges.ids.length).toBeGreaterThan(8);
  });

  it('a vacuumed file the source still needs is an error naming the version and file', async () => {
    const { table } = await makeTable(3, 4);
    const before = (await loadSnapshot(table, 1)).files;
    const v2 = [...(await loadSnapshot(table, 2)).files.values()].find((a) => !before.has(a.path))!;
    unlinkSync(path.join(table, decodeURIComponent(v2.path)));
    await expect(drain(table, { startingVersion: 0 })).rejects.toThrow(new RegExp(`data file .* of version 2 is gone \\(vacuumed\\?\\)`));
  });

  it('a commit the source needs that was cleaned up from the log is an error naming the version', async () => {
    const { table } = await makeTable(12, 2);
    expect(readdirSync(path.join(table, '_delta_log'))).toContain('00000000000000000010.checkpoint.parquet');
    for (let v = 0; v < 5; v++) unlinkSync(path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`));
    // The initial snapshot starts from the checkpoint: no need for the deleted commits.
    expect(sorted((await drain(table)).ids)).toEqual(range(24));
    await expect(drain(table, { startingVersion: 2 })).rejects.toThrow(/version 1/);
    await expect(DeltaSourceReader.open(table, {}, { version: 3, fileIndex: 0, rowIndex: 0, snapshot: false })).rejects.toThrow(/version 3/);
  });

  it('added nullable columns flow through: rows of versions before the change lack them, later rows carry them', async () => {
    const { table } = await makeTable(1, 3);
    const wide = struct([field('id', 'long', false), field('p', 'string'), field('extra', 'string')]);
    const w = await DeltaTableWriter.open({ tableDir: table, schema: wide, partitionBy: ['p'], schemaEvolution: true });
    w.append({ id: 3, p: 'odd', extra: 'x' });
    await w.commit();
    const r = await DeltaSourceReader.open(table, { startingVersion: 0 });
    const rows = (await r.poll(3)).rows;
    expect(rows.find((x) => x['id'] === 0)).toEqual({ id: 0, p: 'even' });
    const after = (await r.poll()).rows;
    expect(after).toEqual([{ id: 3, p: 'odd', extra: 'x' }]);
    expect(r.tableSchema!.fields.map((f) => f.name)).toEqual(['id', 'p', 'extra']);
  });

  it('reads a table written by delta-rs (write_deltalake, create_checkpoint, schema merge) row for row', async () => {
    const table = tmp();
    const { stdout } = await run(process.env['PYTHON'] ?? 'python3', [
      path.join(import.meta.dirname, '../../../integration/delta/delta_rs_write.py'),
      table,
      '4',
      '25',
      '2',
    ]);
    const written = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written.length).toBe(125);
    const key = (r: Record<string, unknown>) => JSON.stringify([r['id'], r['name'], r['amount'], r['day'], r['note'] ?? null]);
    const read = async (o: DeltaSourceOptions) => {
      const r = await DeltaSourceReader.open(table, o);
      const out: Record<string, unknown>[] = [];
      for (let b = await r.poll(17); b.rows.length; b = await r.poll(17)) out.push(...b.rows);
      return out;
    };
    // Version order: append k's rows (ids 25k…25k+24) all come before append k+1's; within one
    // version, file by file (delta-rs writes one file per partition).
    const fromZero = await read({ startingVersion: 0 });
    expect(fromZero.map((r) => Math.floor((r['id'] as number) / 25))).toEqual(written.map((r) => Math.floor((r['id'] as number) / 25)));
    expect(fromZero.map(key).sort()).toEqual(written.map(key).sort());
    expect((await read({})).map(key).sort()).toEqual(written.map(key).sort());
    // The log before the checkpoint is gone: the snapshot start and startingVersion 2 use the checkpoint (version 1).
    for (const v of [0, 1]) unlinkSync(path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`));
    expect((await read({})).map(key).sort()).toEqual(written.map(key).sort());
    expect((await read({ startingVersion: 2 })).map(key).sort()).toEqual(written.slice(50).map(key).sort());
  });

  it('reads a delta-rs table past a delta-rs optimize (dataChange=false): no row twice, later appends read', async () => {
    const table = tmp();
    const { stdout } = await run(process.env['PYTHON'] ?? 'python3', [
      path.join(import.meta.dirname, '../../../integration/delta/delta_rs_write.py'),
      table,
      '3',
      '20',
      '2',
      'OPTIMIZE',
    ]);
    const written = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written.length).toBe(100);
    const log = readdirSync(path.join(table, '_delta_log'))
      .filter((f) => f.endsWith('.json'))
      .sort();
    const optimizeCommit = log.map((f) => readFileSync(path.join(table, '_delta_log', f), 'utf8')).find((t) => t.includes('"remove"'));
    expect(optimizeCommit).toMatch(/"dataChange":false/);
    const key = (r: Record<string, unknown>) => JSON.stringify([r['id'], r['name'], r['amount'], r['day'], r['note'] ?? null]);
    const r = await DeltaSourceReader.open(table, { startingVersion: 0 });
    const out: Record<string, unknown>[] = [];
    for (let b = await r.poll(13); b.rows.length; b = await r.poll(13)) out.push(...b.rows);
    expect(out.map(key).sort()).toEqual(written.map(key).sort());
  });
});

describe('DeltaSourceReader rows (column-wise conversion)', () => {
  it('gives the same values as readTable for every column type, partition values and nulls included', async () => {
    const table = tmp();
    const w = await DeltaTableWriter.open({ tableDir: table, schema: ALL_TYPES, partitionBy: ['part'] });
    for (const row of sampleRows(400, 7)) expect(w.append(row).ok).toBe(true);
    await w.commit();
    const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (a['id'] as number) - (b['id'] as number));
    const expected = byId((await readTable(table)).rows);
    const r = await DeltaSourceReader.open(table);
    const got: Record<string, unknown>[] = [];
    for (let b = await r.poll(150); b.rows.length; b = await r.poll(150)) got.push(...b.rows);
    expect(byId(got)).toEqual(expected);
  });
});
