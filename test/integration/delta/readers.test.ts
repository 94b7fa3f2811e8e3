/**
 * Tables written by tributary, read back by delta-rs and Delta Kernel (Java): row-for-row equality
 * with the input for every column type, partitioned and not, across checkpoints, after optimize,
 * with txn versions, schema evolution, and refusal of unsupported tables.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DeltaSink,
  DeltaTableWriter,
  deltaType,
  field,
  history,
  lastCommittedOffsets,
  loadSnapshot,
  optimize,
  readTable,
  rowToJsonForm,
  struct,
  vacuum,
} from '../../../lib/connectors/delta/index.js';
import { ALL_TYPES, sampleRows } from './fixtures.js';
import { readWithDeltaRs, readWithKernel, stable, type ReaderOutput } from './readers.js';

const dirs: string[] = [];
function tmpTable(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-'));
  dirs.push(d);
  return path.join(d, 'table');
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const canon = (rows: Record<string, unknown>[]) => rows.map(stable).sort();

function expectSameRows(out: ReaderOutput | { rows: Record<string, unknown>[] }, input: Record<string, unknown>[], schema = ALL_TYPES): void {
  expect(out.rows.length).toBe(input.length);
  expect(canon(out.rows)).toEqual(canon(input.map((r) => rowToJsonForm(schema, r))));
}

async function writeAll(table: string, batches: Record<string, unknown>[][], partitionBy: string[] = []): Promise<void> {
  const w = await DeltaTableWriter.open({ tableDir: table, schema: ALL_TYPES, partitionBy });
  for (const batch of batches) {
    for (const r of batch) expect(w.append(r)).toEqual({ ok: true });
    await w.commit();
  }
}

describe('Delta tables read by delta-rs and Delta Kernel', () => {
  it('every column type, unpartitioned', async () => {
    const table = tmpTable();
    const rows = sampleRows(200, 7);
    await writeAll(table, [rows.slice(0, 120), rows.slice(120)]);
    const [rs, kernel, ours] = await Promise.all([readWithDeltaRs(table), readWithKernel(table), readTable(table)]);
    expect(rs.version).toBe(2);
    expect(kernel.version).toBe(2);
    expectSameRows(rs, rows);
    expectSameRows(kernel, rows);
    expectSameRows(ours, rows);
    expect(rs.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    expect(rs.history!.map((h) => h.operation)).toEqual(['STREAMING UPDATE', 'STREAMING UPDATE', 'CREATE TABLE']);
  });

  it('every column type, partitioned by a string with awkward values and null', async () => {
    const table = tmpTable();
    const parts = ['a', 'x/y', '../../escape', 'k=v', '100%', 'naïve ü 😀', ' sp ace', null];
    const rows = sampleRows(160, 11, parts);
    await writeAll(table, [rows.slice(0, 80), rows.slice(80)], ['part']);
    const [rs, kernel] = await Promise.all([readWithDeltaRs(table), readWithKernel(table)]);
    expect(rs.partitionColumns).toEqual(['part']);
    expectSameRows(rs, rows);
    expectSameRows(kernel, rows);
    const top = readdirSync(table).sort();
    expect(top.every((n) => n === '_delta_log' || n.startsWith('part='))).toBe(true);
    expect(top).toContain('part=__HIVE_DEFAULT_PARTITION__');
    expect(top).toContain('part=..%2F..%2Fescape');
  });

  it('partitioned by date (zod schema) with a filter pushed to delta-rs', async () => {
    const table = tmpTable();
    const schema = z.object({ event_date: z.iso.date(), n: z.int(), at: z.date(), amount: deltaType.decimal(12, 2) });
    const w = await DeltaTableWriter.open({ tableDir: table, schema, partitionBy: ['event_date'] });
    const rows = Array.from({ length: 90 }, (_, k) => ({
      event_date: `2024-03-0${1 + (k % 3)}`,
      n: k,
      at: new Date(Date.UTC(2024, 2, 1 + (k % 3), 0, k)),
      amount: `${k}.${k % 10}0`,
    }));
    for (const r of rows) expect(w.append(r).ok).toBe(true);
    await w.commit();
    const rs = await readWithDeltaRs(table, [], ['n', '>=', '60']);
    expect(rs.rows.length).toBe(30);
    expect(rs.rows.map((r) => r['n']).sort((a, b) => Number(a) - Number(b))).toEqual(rows.filter((r) => r.n >= 60).map((r) => r.n));
    const all = await readWithKernel(table);
    expect(canon(all.rows)).toEqual(canon(rows.map((r) => rowToJsonForm(w.schema, r))));
  });

  it('per-file stats, as parsed by delta-rs, equal the bounds of the data', async () => {
    const table = tmpTable();
    const rows = sampleRows(300, 5);
    await writeAll(table, [rows]);
    const rs = await readWithDeltaRs(table, [], undefined, true);
    expect(rs.addStats!.length).toBe(1);
    const st = rs.addStats![0]!;
    expect(st['num_records']).toBe(300);
    const json = rows.map((r) => rowToJsonForm(ALL_TYPES, r));
    const cp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const bounds = (col: string, cmp: (a: never, b: never) => number) => {
      const vals = json.map((r) => r[col]).filter((v) => v !== null) as never[];
      vals.sort(cmp);
      return { min: vals[0], max: vals[vals.length - 1], nulls: json.length - vals.length };
    };
    const num = (a: number, b: number) => a - b;
    const big = (a: number | string, b: number | string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
    const dec = (scale: number) => (a: string, b: string) => big(a.replace('.', ''), b.replace('.', '')) * (scale >= 0 ? 1 : 1);
    const tsMicros = (x: string) => BigInt(Date.parse(`${x.slice(0, 23)}Z`)) * 1000n + BigInt(x.length === 27 ? x.slice(23, 26) : '0');
    const ts = (a: string, b: string) => big(String(tsMicros(a)), String(tsMicros(b)));
    const checks: [string, (a: never, b: never) => number][] = [
      ['id', num as never],
      ['s', cp as never],
      ['l', big as never],
      ['i', num as never],
      ['d', num as never],
      ['f', num as never],
      ['day', cp as never],
      ['ts', ts as never],
      ['dec', dec(4) as never],
      ['wide', dec(10) as never],
    ];
    for (const [col, cmp] of checks) {
      const b = bounds(col, cmp);
      expect({ col, min: st[`min.${col}`], max: st[`max.${col}`], nulls: st[`null_count.${col}`] }).toEqual({ col, min: b.min, max: b.max, nulls: b.nulls });
    }
    expect(st['null_count.obj.name']).toBe(json.filter((r) => r['obj'] === null).length);
  });

  it('reads after checkpoints (25 commits, interval 10), and after optimize', async () => {
    const table = tmpTable();
    const rows = sampleRows(250, 3, ['p', 'q']);
    const batches = Array.from({ length: 25 }, (_, k) => rows.slice(k * 10, k * 10 + 10));
    await writeAll(table, batches, ['part']);
    const log = readdirSync(path.join(table, '_delta_log'));
    expect(log).toContain('00000000000000000010.checkpoint.parquet');
    expect(log).toContain('00000000000000000020.checkpoint.parquet');
    expect(log).toContain('_last_checkpoint');
    // Old JSON commits gone: readers must rely on the checkpoint.
    for (let v = 0; v < 20; v++) rmSync(path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`));
    const [rs, kernel, snap] = await Promise.all([readWithDeltaRs(table), readWithKernel(table), loadSnapshot(table)]);
    expect(rs.version).toBe(25);
    expect(kernel.version).toBe(25);
    expect(snap.files.size).toBe(50);
    expectSameRows(rs, rows);
    expectSameRows(kernel, rows);

    const before = snap.files.size;
    const res = await optimize(table);
    expect(res.filesRemoved).toBe(before);
    expect(res.filesAdded).toBe(2);
    const [rs2, kernel2, ours2] = await Promise.all([readWithDeltaRs(table), readWithKernel(table), readTable(table)]);
    expect(rs2.numFiles).toBe(2);
    expect(kernel2.numFiles).toBe(2);
    expectSameRows(rs2, rows);
    expectSameRows(kernel2, rows);
    expectSameRows(ours2, rows);
    expect(rs2.history![0]!.operation).toBe('OPTIMIZE');
    const h = await history(table, 1);
    expect(h[0]).toMatchObject({ operation: 'OPTIMIZE', adds: 2, removes: 50 });

    // vacuum: refuses short retention unless forced, then deletes exactly the compacted-away files.
    await expect(vacuum(table, { retentionHours: 0 })).rejects.toThrow(/shorter than the table's 168 h/);
    const v = await vacuum(table, { retentionHours: 0, force: true, now: Date.now() + 1000 });
    expect(v.deleted.length).toBe(50);
    expectSameRows(await readWithDeltaRs(table), rows);
  });

  it('DeltaSink: txn versions per source partition are visible to both readers', async () => {
    const table = tmpTable();
    const schema = z.object({ k: z.string(), v: z.int() });
    const sink = await DeltaSink.open({ tableDir: table, schema, applicationId: 'app' });
    for (let o = 0; o < 30; o++) sink.append({ k: `t0-${o}`, v: o }, { topic: 'tx', partition: 0, offset: o });
    for (let o = 100; o < 110; o++) sink.append({ k: `t1-${o}`, v: o }, { topic: 'tx', partition: 1, offset: o });
    await sink.commit();
    for (let o = 30; o < 40; o++) sink.append({ k: `t0-${o}`, v: o }, { topic: 'tx', partition: 0, offset: o });
    await sink.commit();
    const ids = ['app-tx-0', 'app-tx-1', 'app-tx-2'];
    const [rs, kernel] = await Promise.all([readWithDeltaRs(table, ids), readWithKernel(table, ids)]);
    expect(rs.txn).toEqual({ 'app-tx-0': 39, 'app-tx-1': 109, 'app-tx-2': null });
    expect(kernel.txn).toEqual({ 'app-tx-0': 39, 'app-tx-1': 109, 'app-tx-2': null });
    expect(rs.rows.length).toBe(50);
    const offsets = await lastCommittedOffsets(table, 'app', ['tx']);
    expect([...offsets.get('tx')!.entries()].sort()).toEqual([
      [0, 39],
      [1, 109],
    ]);
  });

  it('schema evolution adds a nullable column; readers see null in old files', async () => {
    const table = tmpTable();
    const v1 = struct([field('id', 'long', false), field('name', 'string')]);
    const w1 = await DeltaTableWriter.open({ tableDir: table, schema: v1 });
    w1.append({ id: 1, name: 'one' });
    await w1.commit();
    const v2 = struct([field('id', 'long', false), field('name', 'string'), field('score', 'double')]);
    await expect(DeltaTableWriter.open({ tableDir: table, schema: v2 })).rejects.toThrow(/enable schema evolution/);
    const w2 = await DeltaTableWriter.open({ tableDir: table, schema: v2, schemaEvolution: true });
    w2.append({ id: 2, name: 'two', score: 2.5 });
    await w2.commit();
    const expected = [
      { id: 1, name: 'one', score: null },
      { id: 2, name: 'two', score: 2.5 },
    ];
    const [rs, kernel] = await Promise.all([readWithDeltaRs(table), readWithKernel(table)]);
    expect(canon(rs.rows)).toEqual(canon(expected));
    expect(canon(kernel.rows)).toEqual(canon(expected));
    // The old writer's schema is still compatible (the new column is nullable).
    w1.append({ id: 3, name: 'three' });
    await w1.commit();
    expect((await readWithDeltaRs(table)).rows.length).toBe(3);
  });

  it('appends to a table created by delta-rs, and refuses unsupported protocols by name', async () => {
    const table = tmpTable();
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.env['PYTHON'] ?? 'python3', [
      '-c',
      `
import pyarrow as pa
from deltalake import write_deltalake
write_deltalake(${JSON.stringify(table)}, pa.table({"id": pa.array([1, 2], pa.int64()), "name": pa.array(["a", "b"])}))
`,
    ]);
    const w = await DeltaTableWriter.open({ tableDir: table, schema: struct([field('id', 'long'), field('name', 'string')]) });
    w.append({ id: 3, name: 'c' });
    await w.commit();
    const rs = await readWithDeltaRs(table);
    expect(canon(rs.rows)).toEqual(
      canon([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
        { id: 3, name: 'c' },
      ]),
    );

    const other = tmpTable();
    mkdirSync(path.join(other, '_delta_log'), { recursive: true });
    const meta = {
      id: 'x',
      format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify(struct([field('id', 'long')])),
      partitionColumns: [],
      configuration: {},
    };
    writeFileSync(
      path.join(other, '_delta_log', '00000000000000000000.json'),
      `${JSON.stringify({ protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } })}\n${JSON.stringify({ metaData: meta })}\n`,
    );
    await expect(DeltaTableWriter.open({ tableDir: other, schema: struct([field('id', 'long')]) })).rejects.toThrow(
      /Delta table .*table uses reader feature "deletionVectors"/,
    );
  });
});
