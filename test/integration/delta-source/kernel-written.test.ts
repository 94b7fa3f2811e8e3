/**
 * A table written by a writer we did not write: Delta Kernel (Java) 4.0.0's write path
 * (scripts/delta-readers/kernel/KernelWrite.java: CREATE_TABLE with data, WRITE appends with txn
 * actions, a metaData change mid-log, Table.checkpoint, post-commit hooks writing .crc files, and
 * Hadoop's `.*.crc` sidecar files next to every file), read by our Delta source: every row exactly
 * once, in version order, with the values Kernel wrote (decimal as INT64, timestamps in
 * microseconds, date partition). Needs `bash scripts/delta-readers/setup.sh` (CI runs it).
 */
import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deltaSink, field, readTable, runDeltaStreams, struct } from '../../../lib/connectors/delta/index.js';
import { DeltaSourceReader, type DeltaSourceOptions, type DeltaSourcePosition } from '../../../lib/connectors/delta/source-reader.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Named } from '../../../lib/dsl/index.js';
import { writeWithKernel } from '../delta/readers.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-kernel-written-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const schema = struct([
  field('id', 'long', false),
  field('name', 'string'),
  field('amount', 'double'),
  field('price', 'decimal(10,2)'),
  field('flag', 'boolean'),
  field('ts', 'timestamp'),
  field('day', 'date'),
]);

type Row = Record<string, unknown>;
const withoutCommit = ({ _commit, ...rest }: Row): Row => rest;
const byId = (rows: Row[]) => [...rows].sort((a, b) => (a['id'] as number) - (b['id'] as number));

/** Reads from `from` (or the options' start) until caught up: rows with the version each came from. */
async function drain(
  table: string,
  options: DeltaSourceOptions,
  max: number,
  from?: DeltaSourcePosition,
): Promise<{ rows: Row[]; versions: number[]; end: DeltaSourcePosition | undefined }> {
  const r = await DeltaSourceReader.open(table, options, from);
  const rows: Row[] = [];
  const versions: number[] = [];
  let end: DeltaSourcePosition | undefined;
  for (;;) {
    const b = await r.poll(max);
    if (b.rows.length === 0) return { rows, versions, end };
    end = b.end;
    rows.push(...b.rows);
    for (const s of b.segments) for (let i = 0; i < s.rows; i++) versions.push(s.version);
  }
}

describe('Delta source on a table written by Delta Kernel (Java)', () => {
  it('reads every row exactly once, in version order, from version 0, from the snapshot, and after the log before the checkpoint is gone', async () => {
    const table = path.join(tmp(), 't');
    const written = await writeWithKernel(table, 6, 40, 3);
    expect(written.length).toBe(240);
    const log = readdirSync(path.join(table, '_delta_log'));
    expect(log).toContain('00000000000000000003.checkpoint.parquet');
    expect(log.some((f) => f.startsWith('.') && f.endsWith('.crc'))).toBe(true); // Hadoop's sidecar files

    // From version 0, in batches that cut files: rows in version order, each row tagged with the
    // version Kernel committed it in, values exactly as written.
    const all = await drain(table, { startingVersion: 0 }, 17);
    expect(all.rows.length).toBe(240);
    expect(all.versions).toEqual([...all.versions].sort((a, b) => a - b));
    const commitOf = new Map(written.map((w) => [w['id'], w['_commit']]));
    expect(all.rows.map((r) => commitOf.get(r['id']))).toEqual(all.versions);
    expect(new Set(all.rows.map((r) => r['id'])).size).toBe(240);
    expect(byId(all.rows)).toEqual(written.map(withoutCommit));

    // Resume at every batch end of a run with another batch size: the union is every row once.
    const resumed: Row[] = [];
    let pos: DeltaSourcePosition | undefined;
    for (let round = 0; round < 100; round++) {
      const r = await DeltaSourceReader.open(table, { startingVersion: 0 }, pos);
      const b = await r.poll(23);
      if (b.rows.length === 0) break;
      resumed.push(...b.rows);
      pos = b.end;
    }
    expect(resumed.map((r) => r['id'])).toEqual(all.rows.map((r) => r['id']));

    // No start given: the latest snapshot (read through the checkpoint at 3 plus commits 4, 5).
    expect(byId((await drain(table, {}, 50)).rows)).toEqual(written.map(withoutCommit));

    // The commits before the checkpoint are gone: the snapshot and startingVersion 4 use it.
    for (const v of [0, 1, 2]) unlinkSync(path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`));
    expect(byId((await drain(table, {}, 50)).rows)).toEqual(written.map(withoutCommit));
    const from4 = await drain(table, { startingVersion: 4 }, 50);
    expect(byId(from4.rows)).toEqual(written.filter((w) => (w['_commit'] as number) >= 4).map(withoutCommit));
    expect(new Set(from4.versions)).toEqual(new Set([4, 5]));
  });

  it('tails commits Kernel makes after the reader opened, and a deltaStream hop copies each row once across two runs', async () => {
    const d = tmp();
    const table = path.join(d, 'kernel');
    const out = path.join(d, 'copy');
    const first = await writeWithKernel(table, 3, 30, 99);
    const reader = await DeltaSourceReader.open(table, {});
    const seen: Row[] = [];
    for (let b = await reader.poll(25); b.rows.length; b = await reader.poll(25)) seen.push(...b.rows);
    expect(byId(seen)).toEqual(first.map(withoutCommit));
    const more = await writeWithKernel(table, 2, 30, 99);
    expect(more.map((r) => r['_commit'])).toEqual([...Array(30).fill(3), ...Array(30).fill(4)]);
    const tail: Row[] = [];
    for (let b = await reader.poll(25); b.rows.length; b = await reader.poll(25)) tail.push(...b.rows);
    expect(tail.slice(0, 30).every((r) => (r['id'] as number) < 120)).toBe(true);
    expect(byId(tail)).toEqual(more.map(withoutCommit));

    // builder.deltaStream → deltaSink, run until caught up; Kernel appends; the second run copies only the new rows.
    const hop = () => {
      const b = new StreamsBuilder();
      b.deltaStream<Row>(table, { schema, maxRowsPerBatch: 40, sourceName: 'kernel' }).process(
        deltaSink({ table: out, schema, partitionBy: ['day'], commitIntervalMs: 0 }),
        {
          named: Named.as('copy'),
        },
      );
      return b.build();
    };
    const run1 = await runDeltaStreams(hop(), { applicationId: 'kernel-copy', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    expect(run1.records).toBe(150);
    const last = await writeWithKernel(table, 2, 30, 6);
    const run2 = await runDeltaStreams(hop(), { applicationId: 'kernel-copy', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    expect(run2.records).toBe(60);
    const copied = (await readTable(out)).rows;
    expect(copied.length).toBe(210);
    expect(byId(copied)).toEqual([...first, ...more, ...last].map(withoutCommit));
  });
});
