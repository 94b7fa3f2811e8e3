import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SinkBackpressureError, TributaryError } from '../../../../lib/errors.js';
import { DeltaSink, DeltaTableWriter, field, loadSnapshot, readTable, struct } from '../../../../lib/connectors/delta/index.js';
import { parseActions } from '../../../../lib/connectors/delta/log-store.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-unit-'));
  dirs.push(d);
  return path.join(d, 't');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const schema = struct([field('id', 'long', false), field('name', 'string'), field('p', 'string')]);
const log = (t: string, v: number) => parseActions(readFileSync(path.join(t, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8'), 'x');

describe('DeltaTableWriter', () => {
  it('creates version 0 with protocol and metaData, then appends with exact adds and stats', async () => {
    const t = tmp();
    const w = await DeltaTableWriter.open({ tableDir: t, schema, partitionBy: ['p'], configuration: { 'delta.appendOnly': 'false' } });
    const v0 = log(t, 0);
    expect(v0[0]).toEqual({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    const meta = (v0[1] as unknown as { metaData: Record<string, unknown> }).metaData;
    expect(meta['partitionColumns']).toEqual(['p']);
    expect(JSON.parse(meta['schemaString'] as string)).toEqual(schema);
    expect(meta['id']).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 10; i++) expect(w.append({ id: i, name: i % 2 ? `n${i}` : null, p: i < 5 ? 'a' : 'b' }).ok).toBe(true);
    const res = await w.commit();
    expect(res).toMatchObject({ version: 1, files: 2, rows: 10 });
    const adds = log(t, 1).flatMap((a) => ('add' in a ? [a.add] : []));
    for (const add of adds) {
      const file = path.join(t, decodeURIComponent(add.path));
      expect(readFileSync(file).length).toBe(add.size);
      const stats = JSON.parse(add.stats!);
      expect(stats.numRecords).toBe(5);
      expect(stats.nullCount).toEqual({ id: 0, name: add.partitionValues['p'] === 'a' ? 3 : 2 });
    }
    const ci = log(t, 1).find((a) => 'commitInfo' in a) as { commitInfo: { operation: string } };
    expect(ci.commitInfo.operation).toBe('STREAMING UPDATE');
  });

  it('rejects misfit rows with a reason and buffers nothing for them', async () => {
    const w = await DeltaTableWriter.open({ tableDir: tmp(), schema });
    expect(w.append({ id: 'x', p: 'a' })).toEqual({ ok: false, reason: expect.stringMatching(/field "id" expected a number or bigint/) });
    expect(w.append({ id: 1, extra: 1 })).toEqual({ ok: false, reason: 'field "extra" is not in the table schema' });
    expect(w.append({ id: null })).toEqual({ ok: false, reason: 'field "id" is null but the column is NOT NULL' });
    expect(w.bufferedRows).toBe(0);
    // Rows of one shape are checked by key identity after the first: a key that is unknown, in a
    // place a known key held, or first seen undefined and then defined, is still refused.
    expect(w.append({ id: 1, name: 'a', p: 'a' }).ok).toBe(true);
    expect(w.append({ id: 2, name: 'b', p: 'a' }).ok).toBe(true);
    expect(w.append({ id: 3, nom: 'c', p: 'a' })).toEqual({ ok: false, reason: 'field "nom" is not in the table schema' });
    expect(w.append({ id: 4, name: 'd', extra: undefined, p: 'a' }).ok).toBe(true);
    expect(w.append({ id: 5, name: 'e', extra: 1, p: 'a' })).toEqual({ ok: false, reason: 'field "extra" is not in the table schema' });
    expect(w.append({ id: 6, name: 'f', p: 'a' }).ok).toBe(true);
    expect(w.bufferedRows).toBe(4);
    const z1 = await DeltaTableWriter.open({ tableDir: tmp(), schema: z.object({ n: z.int().min(0) }) });
    expect(z1.append({ n: -1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^n: /) });
    const p = await DeltaTableWriter.open({ tableDir: tmp(), schema, partitionBy: ['p'] });
    expect(p.append({ id: 1, p: '' })).toMatchObject({ ok: false, reason: expect.stringMatching(/empty string/) });
  });

  it('rolls files by rows and applies backpressure by bytes', async () => {
    const t = tmp();
    const w = await DeltaTableWriter.open({ tableDir: t, schema, maxRowsPerFile: 100, maxBufferedBytes: 3000 });
    let threw = false;
    for (let i = 0; i < 1000 && !threw; i++) {
      try {
        w.append({ id: i, name: 'x'.repeat(50) });
      } catch (err) {
        expect(err).toBeInstanceOf(SinkBackpressureError);
        threw = true;
      }
    }
    expect(threw).toBe(true);
    const res = await w.commit();
    expect(res!.files).toBeGreaterThan(1);
    expect(w.bufferedBytes).toBe(0);
    expect((await readTable(t)).rows.length).toBe(res!.rows);
  });

  it('rolls by age: commitDue turns true once buffered rows reach maxFileAgeMs', async () => {
    const w = await DeltaTableWriter.open({ tableDir: tmp(), schema, maxFileAgeMs: 1000 });
    expect(w.commitDue(0)).toBe(false);
    w.append({ id: 1 }, 10_000);
    expect(w.commitDue(10_500)).toBe(false);
    expect(w.commitDue(11_000)).toBe(true);
    w.rollAged(11_000);
    expect(w.bufferedRows).toBe(1);
    expect((await w.commit())!.files).toBe(1);
    expect(w.commitDue(20_000)).toBe(false);
  });

  it('two writers racing for the same versions both land, in distinct versions', async () => {
    const t = tmp();
    const a = await DeltaTableWriter.open({ tableDir: t, schema });
    const b = await DeltaTableWriter.open({ tableDir: t, schema });
    const commits: Promise<unknown>[] = [];
    for (let k = 0; k < 6; k++) {
      a.append({ id: k, name: 'a' });
      b.append({ id: 100 + k, name: 'b' });
      commits.push(a.commit(), b.commit());
      await Promise.all(commits.splice(0));
    }
    const snap = await loadSnapshot(t);
    expect(snap.version).toBe(12);
    expect((await readTable(t)).rows.length).toBe(12);
  });

  it('writes a checkpoint every 10 commits that replays to the same state', async () => {
    const t = tmp();
    const w = await DeltaTableWriter.open({ tableDir: t, schema });
    for (let k = 0; k < 12; k++) {
      w.append({ id: k });
      await w.commit({ txns: [{ appId: 'app', version: k, lastUpdated: 1 }] });
    }
    expect(readdirSync(path.join(t, '_delta_log'))).toContain('00000000000000000010.checkpoint.parquet');
    expect(JSON.parse(readFileSync(path.join(t, '_delta_log', '_last_checkpoint'), 'utf8'))).toMatchObject({ version: 10, size: 13 });
    const fromLog = await loadSnapshot(t);
    rmSync(path.join(t, '_delta_log', `${'0'.repeat(19)}1.json`));
    const fromCheckpoint = await loadSnapshot(t);
    expect(fromCheckpoint.version).toBe(12);
    expect([...fromCheckpoint.files.keys()].sort()).toEqual([...fromLog.files.keys()].sort());
    expect(fromCheckpoint.txns.get('app')?.version).toBe(11);
    expect(fromCheckpoint.schema).toEqual(schema);
  });
});

describe('DeltaSink exactly-once', () => {
  const opts = (t: string) => ({ tableDir: t, schema: z.object({ v: z.int() }), applicationId: 'app' });

  it('skips offsets the table already holds', async () => {
    const t = tmp();
    const s1 = await DeltaSink.open(opts(t));
    for (let o = 0; o < 5; o++) s1.append({ v: o }, { topic: 't', partition: 0, offset: o });
    await s1.commit();
    const s2 = await DeltaSink.open(opts(t));
    expect(s2.lastCommittedOffsets(['t']).get('t')!.get(0)).toBe(4);
    expect(s2.append({ v: 3 }, { topic: 't', partition: 0, offset: 3 })).toEqual({ ok: true, duplicate: true });
    expect(s2.append({ v: 5 }, { topic: 't', partition: 0, offset: 5 })).toEqual({ ok: true });
    await s2.commit();
    expect((await readTable(t)).rows.map((r) => r['v']).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a zombie whose offsets were committed by the new owner is fenced and drops its buffers', async () => {
    const t = tmp();
    const zombie = await DeltaSink.open(opts(t));
    const owner = await DeltaSink.open(opts(t));
    for (let o = 0; o < 10; o++) zombie.append({ v: o }, { topic: 't', partition: 0, offset: o });
    for (let o = 0; o < 5; o++) owner.append({ v: o }, { topic: 't', partition: 0, offset: o });
    await owner.commit();
    const err = await zombie.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe('DELTA_CONFLICT');
    expect((err as TributaryError).retriable).toBe(false);
    expect((err as TributaryError).message).toMatch(/fenced/);
    expect(zombie.bufferedRows).toBe(0);
    expect(zombie.lastCommittedOffsets(['t']).get('t')!.get(0)).toBe(4);
    // The zombie re-seeks to offset 5 and continues without duplicates.
    for (let o = 5; o < 10; o++) zombie.append({ v: o }, { topic: 't', partition: 0, offset: o });
    await zombie.commit();
    const rows = (await readTable(t)).rows.map((r) => r['v'] as number).sort((a, b) => a - b);
    expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('one sink, rows of several topics and partitions interleaved: each keeps its own position', async () => {
    const t = tmp();
    const s = await DeltaSink.open(opts(t));
    const sources = [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
      { topic: 'u', partition: 0 },
      { topic: 't', partition: 0 },
      { topic: 'u', partition: 1 },
      { topic: 'u', partition: 0 },
    ];
    const last = new Map<string, number>();
    sources.forEach((src, i) => {
      expect(s.append({ v: i }, { ...src, offset: 10 + i })).toEqual({ ok: true });
      last.set(`${src.topic}-${src.partition}`, 10 + i);
    });
    await s.commit();
    const committed = s.lastCommittedOffsets(['t', 'u']);
    for (const [k, o] of last) {
      const [topic, partition] = k.split('-') as [string, string];
      expect(committed.get(topic)!.get(Number(partition)), k).toBe(o);
    }
    // At or below each partition's own position: duplicates; above: new rows.
    expect(s.append({ v: 0 }, { topic: 't', partition: 0, offset: 13 })).toEqual({ ok: true, duplicate: true });
    expect(s.append({ v: 0 }, { topic: 'u', partition: 1, offset: 14 })).toEqual({ ok: true, duplicate: true });
    expect(s.append({ v: 0 }, { topic: 't', partition: 1, offset: 12 })).toEqual({ ok: true });
    expect(s.append({ v: 0 }, { topic: 'u', partition: 0, offset: 15 })).toEqual({ ok: true, duplicate: true });
    expect(s.append({ v: 0 }, { topic: 'u', partition: 0, offset: 16 })).toEqual({ ok: true });
  });

  it('writers on different partitions of the same topic do not fence each other', async () => {
    const t = tmp();
    const a = await DeltaSink.open(opts(t));
    const b = await DeltaSink.open(opts(t));
    a.append({ v: 1 }, { topic: 't', partition: 0, offset: 0 });
    b.append({ v: 2 }, { topic: 't', partition: 1, offset: 0 });
    await Promise.all([a.commit(), b.commit()]);
    expect((await readTable(t)).rows.length).toBe(2);
  });
});
