import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deltaOptimize, deltaShow, deltaVacuum } from '../../../lib/cli/commands/delta.js';
import { DeltaSink, readTable } from '../../../lib/connectors/delta/index.js';
import { captureContext } from './capture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const Row = z.object({ id: z.int(), day: z.iso.date() });

async function table(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-delta-'));
  dirs.push(dir);
  const sink = await DeltaSink.open({ tableDir: dir, schema: Row, partitionBy: ['day'], applicationId: 'cli' });
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 5; i++) sink.append({ id: c * 5 + i, day: `2024-06-0${1 + (i % 2)}` }, { topic: 't', partition: 0, offset: c * 5 + i });
    await sink.commit();
  }
  return dir;
}

describe('tributary delta show|optimize|vacuum', () => {
  it('show prints the version, rows per partition and the history with rows added and txn', async () => {
    const dir = await table();
    const ctx = captureContext();
    await deltaShow({ table: dir, limit: 10, json: false }, ctx);
    const out = ctx.out();
    expect(out).toContain('version 3, 15 rows in 6 files');
    expect(out).toContain('day=2024-06-01: 9 rows, 3 files');
    expect(out).toContain('day=2024-06-02: 6 rows, 3 files');
    expect(out).toMatch(/\n\s+3 .*STREAMING UPDATE\s+\+2\/-0\s+5\s+cli-t-0=14/);
    expect(out).toMatch(/\n\s+0 .*CREATE TABLE/);
    const json = captureContext();
    await deltaShow({ table: dir, limit: 2, json: true }, json);
    const s = JSON.parse(json.out()) as { rows: number; history: { version: number; rowsAdded: number }[] };
    expect(s.rows).toBe(15);
    expect(s.history.map((h) => [h.version, h.rowsAdded])).toEqual([
      [3, 5],
      [2, 5],
    ]);
  });

  it('optimize compacts per partition (dry run first), vacuum deletes the removed files once past the retention', async () => {
    const dir = await table();
    const dry = captureContext();
    await deltaOptimize({ table: dir, targetSizeBytes: 1 << 20, dryRun: true }, dry);
    expect(dry.out()).toContain('dry run: 6 files below');
    const ctx = captureContext();
    await deltaOptimize({ table: dir, targetSizeBytes: 1 << 20, dryRun: false }, ctx);
    expect(ctx.out()).toContain('version 4, 6 files → 2, 15 rows rewritten');
    expect((await readTable(dir)).rows.map((r) => r['id']).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(15).keys()]);
    await expect(deltaVacuum({ table: dir, retentionMs: 0, dryRun: true }, captureContext())).rejects.toThrow(/shorter than the table's/);
    const v = captureContext();
    await deltaVacuum({ table: dir, retentionMs: 0, force: true, dryRun: false }, v);
    expect(v.out()).toContain('deleted 6 files');
    expect((await readTable(dir)).rows).toHaveLength(15);
  });
});
