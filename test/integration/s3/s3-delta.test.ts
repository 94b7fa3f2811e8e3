/**
 * Delta tables on an S3-compatible server (moto, started here): the conditional PUT the commit
 * protocol rests on, a partitioned table with checkpoints written and read back by us and by
 * delta-rs row-for-row, and two writer processes racing on one table.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTableWriter, field, loadSnapshot, readTable, struct } from '../../../lib/connectors/delta/index.js';
import { listLog } from '../../../lib/connectors/delta/log-store.js';
import { clearTableStores, tableStore } from '../../../lib/connectors/delta/object-store.js';
import { configureS3 } from '../../../lib/connectors/delta/s3-store.js';
import { startMoto, readS3WithDeltaRs, type MotoServer } from '../../helpers/s3-moto.js';
import { sortRows } from '../delta/readers.js';

const run = promisify(execFile);
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  configureS3({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  clearTableStores();
}, 60_000);
afterAll(async () => {
  configureS3({});
  await moto?.stop();
});

const schema = struct([field('id', 'long', false), field('name', 'string'), field('amount', 'decimal(12,2)'), field('ts', 'timestamp'), field('p', 'string')]);

describe('Delta on S3 (moto)', () => {
  it('a second If-None-Match: * PUT of one key is refused (412 → false), the first content stays', async () => {
    const store = tableStore(`s3://${await moto.bucket()}/t`);
    expect(await store.putIfAbsent('_delta_log/00000000000000000000.json', 'first\n')).toBe(true);
    expect(await store.putIfAbsent('_delta_log/00000000000000000000.json', 'second\n')).toBe(false);
    expect(Buffer.from(await store.read('_delta_log/00000000000000000000.json')).toString()).toBe('first\n');
    expect(await store.readIfExists('_delta_log/missing.json')).toBeUndefined();
    expect(await store.list('_delta_log')).toEqual(['00000000000000000000.json']);
  });

  it('writes a partitioned table with checkpoints to S3; we and delta-rs read it back row for row', async () => {
    const table = `s3://${await moto.bucket()}/lake/bronze`;
    const w = await DeltaTableWriter.open({ tableDir: table, schema, partitionBy: ['p'], configuration: { 'delta.checkpointInterval': '4' } });
    const expected: Record<string, unknown>[] = [];
    for (let c = 0; c < 9; c++) {
      for (let i = 0; i < 50; i++) {
        const id = c * 50 + i;
        const row = {
          id,
          name: id % 7 ? `n${id}` : null,
          amount: `${id}.25`,
          ts: new Date(Date.UTC(2024, 0, 1) + id * 1000).toISOString(),
          p: ['a', 'b/c', 'd e'][id % 3]!,
        };
        expect(w.append(row).ok).toBe(true);
        expected.push(row);
      }
      const res = await w.commit({ txns: [{ appId: 'app-x', version: c, lastUpdated: Date.now() }] });
      expect(res!.version).toBe(c + 1);
    }
    const listing = await listLog(table);
    expect(listing.checkpoints.map((c) => c.version)).toEqual([4, 8]);
    expect(Buffer.from((await tableStore(table).readIfExists('_delta_log/_last_checkpoint'))!).toString()).toContain('"version":8');

    const snap = await loadSnapshot(table);
    expect(snap.version).toBe(9);
    expect(snap.txns.get('app-x')?.version).toBe(8);
    const ours = await readTable(table);
    expect(ours.rows.length).toBe(450);

    const rs = await readS3WithDeltaRs(moto, table, ['app-x']);
    expect(rs.version).toBe(9);
    expect(rs.txn['app-x']).toBe(8);
    const norm = (rows: Record<string, unknown>[]) =>
      sortRows(rows.map((r) => ({ id: r['id'], name: r['name'], amount: r['amount'], p: r['p'], ts: String(r['ts']).slice(0, 19) })));
    expect(norm(rs.rows)).toEqual(norm(expected));
    expect(norm(ours.rows)).toEqual(norm(expected));
  }, 120_000);

  it('two writer processes racing on one S3 table: every committed batch lands, each in its own version', async () => {
    const table = `s3://${await moto.bucket()}/race`;
    const BATCHES = 12;
    const ROWS = 20;
    // Create the table first so both processes race on appends (creation races are covered locally).
    await DeltaTableWriter.open({
      tableDir: table,
      schema: struct([field('writer', 'string', false), field('batch', 'integer', false), field('i', 'integer', false)]),
      configuration: { 'delta.checkpointInterval': '5' },
    });
    const child = (writer: string) =>
      run(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 's3-race-writer.ts')], {
        env: { ...process.env, ...moto.env, S3_TABLE: table, S3_WRITER: writer, S3_BATCHES: String(BATCHES), S3_ROWS: String(ROWS) },
        maxBuffer: 16 * 1024 * 1024,
      });
    const outs = await Promise.all([child('A'), child('B')]);
    const commits = outs.flatMap((o) =>
      o.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { writer: string; batch: number; version: number; attempts: number }),
    );
    expect(commits.length).toBe(2 * BATCHES);
    const versions = commits.map((c) => c.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 2 * BATCHES }, (_, k) => k + 1));
    const lost = commits.reduce((n, c) => n + c.attempts - 1, 0);
    process.stderr.write(`s3 race: ${lost} lost races retried\n`);

    const rs = await readS3WithDeltaRs(moto, table);
    expect(rs.version).toBe(2 * BATCHES);
    const got = rs.rows.map((r) => `${r['writer']}/${r['batch']}/${r['i']}`).sort();
    const want: string[] = [];
    for (const wr of ['A', 'B']) for (let b = 0; b < BATCHES; b++) for (let i = 0; i < ROWS; i++) want.push(`${wr}/${b}/${i}`);
    expect(got).toEqual(want.sort());
  }, 180_000);
});
