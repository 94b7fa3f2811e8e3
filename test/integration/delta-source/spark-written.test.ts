/**
 * Tables written by Apache Spark + Delta Lake (pyspark 3.5, delta-spark 3.2), committed as fixtures
 * under test/fixtures/delta-spark/ by scripts/delta-readers/spark/spark_write.py (regenerate:
 * `npm run fixtures:delta-spark`). expected.json holds what Spark wrote: per version the operation,
 * its actions and the rows it added (for the row DELETE: the rows of the files it rewrote, read
 * back by Spark), and the final table as Spark reads it.
 *
 * main: partitioned by day, checkpointInterval 3 (Spark's checkpoints at 3 and 6, with Hadoop
 *   .crc sidecars), appends, mergeSchema adding a nullable column, OPTIMIZE (dataChange=false), a
 *   partition DELETE (removes only), a row DELETE (remove + add), an append. Spark's own
 *   encodings: timestamps as Parquet INT96 (Spark's default), decimal(10,2) as INT64.
 * dv: deletion vectors enabled (reader feature) with a DELETE that wrote one.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deltaSink, readTable, runDeltaStreams } from '../../../lib/connectors/delta/index.js';
import { DeltaSourceReader, type DeltaSourceOptions, type DeltaSourcePosition } from '../../../lib/connectors/delta/source-reader.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Named } from '../../../lib/dsl/index.js';

type Row = Record<string, unknown>;
interface VersionLog {
  version: number;
  operation: string;
  addsDataChange: number;
  removesDataChange: number;
  deletionVectors: number;
  rows: Row[];
}
interface Expected {
  writer: string;
  tables: { main: VersionLog[]; dv: VersionLog[] };
  mainFinalRows: Row[];
}

const FIXTURES = path.resolve(__dirname, '../../fixtures/delta-spark');
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
const dirs: string[] = [];
/** A private copy of a fixture table (tests delete log files in theirs). */
const copy = (name: string): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-spark-written-'));
  dirs.push(d);
  cpSync(path.join(FIXTURES, name), path.join(d, name), { recursive: true });
  return path.join(d, name);
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Timestamps in one form (ISO, µs digits only when present) so Spark's and ours compare. */
const ts = (v: unknown): unknown => {
  if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(v)) return v;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(v)!;
  const frac = (m[2] ?? '').padEnd(6, '0');
  return frac === '000000' ? `${m[1]}Z` : `${m[1]}.${frac}Z`;
};
const canon = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ts(v)]));
const byId = (rows: Row[]) => [...rows].map(canon).sort((a, b) => (a['id'] as number) - (b['id'] as number));

/** Reads until caught up or an error: the rows with the version each came from, and the error. */
async function drain(table: string, options: DeltaSourceOptions, max: number, from?: DeltaSourcePosition) {
  const rows: Row[] = [];
  const versions: number[] = [];
  let error: Error | undefined;
  try {
    const r = await DeltaSourceReader.open(table, options, from);
    for (;;) {
      const b = await r.poll(max);
      if (b.rows.length === 0) break;
      rows.push(...b.rows);
      for (const s of b.segments) for (let i = 0; i < s.rows; i++) versions.push(s.version);
    }
  } catch (e) {
    error = e as Error;
  }
  return { rows, versions, error };
}

/** Expected rows of the given versions, each tagged with its version. */
const rowsOf = (pred: (v: VersionLog) => boolean) => expected.tables.main.filter(pred).flatMap((v) => v.rows.map((r) => ({ v: v.version, r: canon(r) })));

/** Every row once and in version order: per version, the same rows as Spark wrote. */
function expectVersionOrder(got: { rows: Row[]; versions: number[] }, want: { v: number; r: Row }[]): void {
  expect(got.versions).toEqual([...got.versions].sort((a, b) => a - b));
  expect(got.versions).toEqual(want.map((w) => w.v));
  const perVersion = (xs: { v: number; r: Row }[]) => {
    const m = new Map<number, Row[]>();
    for (const x of xs) m.set(x.v, [...(m.get(x.v) ?? []), x.r]);
    return [...m].map(([v, rs]) => [v, byId(rs)]);
  };
  expect(perVersion(got.rows.map((r, i) => ({ v: got.versions[i]!, r })))).toEqual(perVersion(want));
}

describe('Delta source on tables written by Apache Spark + Delta Lake', () => {
  const log = expected.tables.main;
  const op = (re: RegExp) => log.find((v) => re.test(v.operation))!;
  const partitionDelete = op(/DELETE \(whole partition/);
  const rowDelete = op(/DELETE \(rows/);

  it('the fixture is what the generator says it is', () => {
    expect(expected.writer).toMatch(/^pyspark 3\.5\.\d+, delta-spark 3\.\d+\.\d+$/);
    expect(op(/OPTIMIZE/)).toMatchObject({ addsDataChange: 0, removesDataChange: 0 });
    expect(partitionDelete).toMatchObject({ addsDataChange: 0 });
    expect(partitionDelete.removesDataChange).toBeGreaterThan(0);
    expect(rowDelete.addsDataChange).toBeGreaterThan(0);
    expect(rowDelete.removesDataChange).toBeGreaterThan(0);
    const files = readdirSync(path.join(FIXTURES, 'main', '_delta_log'));
    expect(files).toContain('00000000000000000003.checkpoint.parquet');
    expect(files).toContain('00000000000000000006.checkpoint.parquet');
    expect(expected.tables.dv.some((v) => v.deletionVectors > 0)).toBe(true);
  });

  it('from version 0: every appended row once in version order; the delete is refused, naming its version', async () => {
    const table = copy('main');
    const got = await drain(table, { startingVersion: 0 }, 7);
    expectVersionOrder(
      got,
      rowsOf((v) => v.version < partitionDelete.version),
    );
    expect(got.error?.message).toMatch(new RegExp(`version ${partitionDelete.version} deletes rows.*ignoreDeletes`));
    // Rows before the column was added do not carry it; rows after do (null or a value).
    expect(got.rows.filter((r) => 'note' in r).length).toBe(rowsOf((v) => v.version < partitionDelete.version && v.rows.some((r) => 'note' in r)).length);
  });

  it('ignoreDeletes skips the partition delete and refuses the row delete (a rewrite); ignoreChanges re-reads the rewritten files', async () => {
    const table = copy('main');
    const del = await drain(table, { startingVersion: 0, ignoreDeletes: true }, 5);
    expectVersionOrder(
      del,
      rowsOf((v) => v.version < rowDelete.version),
    );
    expect(del.error?.message).toMatch(new RegExp(`version ${rowDelete.version} changes existing rows.*ignoreChanges`));

    const all = await drain(table, { startingVersion: 0, ignoreChanges: true }, 11);
    expect(all.error).toBeUndefined();
    expectVersionOrder(
      all,
      rowsOf(() => true),
    );

    // Resuming at every batch end of another batch size: the same rows, in the same order.
    const resumed: Row[] = [];
    let pos: DeltaSourcePosition | undefined;
    for (let round = 0; round < 200; round++) {
      const r = await DeltaSourceReader.open(table, { startingVersion: 0, ignoreChanges: true }, pos);
      const b = await r.poll(4);
      if (b.rows.length === 0) break;
      resumed.push(...b.rows);
      pos = b.end;
    }
    expect(resumed).toEqual(all.rows);
  });

  it('no start: the latest snapshot (Spark checkpoint + commits) equals the table as Spark reads it, also with the commits before the checkpoint gone', async () => {
    const table = copy('main');
    const snap = await drain(table, {}, 13);
    expect(snap.error).toBeUndefined();
    expect(byId(snap.rows)).toEqual(byId(expected.mainFinalRows));
    expect(byId((await readTable(table)).rows)).toEqual(byId(expected.mainFinalRows));
    for (let v = 0; v < 6; v++) unlinkSync(path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`));
    expect(byId((await drain(table, {}, 13)).rows)).toEqual(byId(expected.mainFinalRows));
    const tail = await drain(table, { startingVersion: 7, ignoreChanges: true }, 13);
    expectVersionOrder(
      tail,
      rowsOf((v) => v.version >= 7),
    );
  });

  it('a deltaStream hop (runDeltaStreams → deltaSink) copies every row once', async () => {
    const table = copy('main');
    const d = path.dirname(table);
    const out = path.join(d, 'copy');
    const b = new StreamsBuilder();
    b.deltaStream<Row>(table, { startingVersion: 0, ignoreChanges: true, maxRowsPerBatch: 6, sourceName: 'spark' }).process(
      deltaSink({ table: out, schema: (await DeltaSourceReader.open(table, {})).tableSchema!, partitionBy: ['day'], commitIntervalMs: 0 }),
      { named: Named.as('copy') },
    );
    const run = await runDeltaStreams(b.build(), { applicationId: 'spark-copy', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    const want = rowsOf(() => true).map((w) => w.r);
    expect(run.records).toBe(want.length);
    const copied = (await readTable(out)).rows.map(canon);
    // Rows from before the added column read back with note: null from the copy (its schema has it).
    expect(byId(copied)).toEqual(byId(want.map((r) => ({ note: null, ...r }))));
  });

  it('deletion vectors (a reader feature this source does not implement) are refused at open, by name', async () => {
    const table = copy('dv');
    for (const options of [{}, { startingVersion: 0 }] as DeltaSourceOptions[]) {
      const got = await drain(table, options, 100);
      expect(got.rows).toEqual([]);
      expect(got.error?.message).toMatch(/reader feature "deletionVectors"/);
    }
  });
});
