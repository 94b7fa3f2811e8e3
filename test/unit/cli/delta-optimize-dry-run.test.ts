/**
 * `tributary delta optimize --dry-run` runs the real run's plan and checks (issue #19): a log
 * whose `add` paths leave the table is refused with the path, never listed as "would be
 * compacted"; on a sound table the dry run announces exactly what the real run then does.
 */
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deltaOptimize } from '../../../lib/cli/commands/delta.js';
import { DeltaTableWriter } from '../../../lib/connectors/delta/index.js';
import { field, struct } from '../../../lib/connectors/delta/schema.js';
import { captureContext } from './capture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function table(commits: number): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'tributary-cli-optimize-'));
  dirs.push(root);
  const dir = join(root, 'table');
  const w = await DeltaTableWriter.open({ tableDir: dir, schema: struct([field('id', 'long'), field('day', 'string')]), partitionBy: ['day'] });
  for (let c = 0; c < commits; c++) {
    w.append({ id: c, day: 'd1' });
    w.append({ id: 100 + c, day: 'd2' });
    await w.commit();
  }
  return dir;
}

/** Appends a commit adding a file at `path` (in partition day=d1) to the log, as a hostile writer could. */
function hostileCommit(dir: string, addPath: string): void {
  const log = join(dir, '_delta_log');
  const version = readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).length;
  const add = { add: { path: addPath, partitionValues: { day: 'd1' }, size: 10, modificationTime: Date.now(), dataChange: true } };
  writeFileSync(join(log, `${String(version).padStart(20, '0')}.json`), `${JSON.stringify(add)}\n`);
}

describe('delta optimize --dry-run', () => {
  for (const bad of ['../outside.parquet', '../../etc/passwd', 'file:///etc/passwd', 'day%3Dd1/..%2F..%2Fx.parquet']) {
    it(`refuses a log naming ${bad}, as the real run does, instead of listing it`, async () => {
      const dir = await table(2);
      hostileCommit(dir, bad);
      const dry = captureContext();
      const dryErr = await deltaOptimize({ table: dir, targetSizeBytes: 1 << 20, dryRun: true }, dry).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(dry.out()).not.toContain('would be compacted');
      expect(dryErr?.message).toMatch(/outside the table directory|is an absolute URI/);
      expect(dryErr?.message).toContain(JSON.stringify(bad));
      const real = await deltaOptimize({ table: dir, targetSizeBytes: 1 << 20, dryRun: false }, captureContext()).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(real?.message).toBe(dryErr?.message);
    });
  }

  it('on a sound table lists exactly the files the real run then compacts', async () => {
    const dir = await table(3);
    appendFileSync(join(dir, 'unrelated.txt'), 'x');
    const dry = captureContext();
    await deltaOptimize({ table: dir, targetSizeBytes: 1 << 20, dryRun: true }, dry);
    expect(dry.out()).toMatch(/dry run: 6 files below \d+ bytes in 2 partitions would be compacted\n {2}day=d1: 3 files\n {2}day=d2: 3 files\n/);
    const real = captureContext();
    await deltaOptimize({ table: dir, targetSizeBytes: 1 << 20, dryRun: false }, real);
    expect(real.out()).toContain('6 files → 2, 6 rows rewritten');
  });

  it('a target too small to pair any two files lists nothing, as the real run compacts nothing', async () => {
    const dir = await table(2);
    const dry = captureContext();
    await deltaOptimize({ table: dir, targetSizeBytes: 1, minSizeBytes: 1 << 20, dryRun: true }, dry);
    expect(dry.out()).toContain('dry run: 0 files below');
    const real = captureContext();
    await deltaOptimize({ table: dir, targetSizeBytes: 1, minSizeBytes: 1 << 20, dryRun: false }, real);
    expect(real.out()).toContain('nothing to compact');
  });
});
