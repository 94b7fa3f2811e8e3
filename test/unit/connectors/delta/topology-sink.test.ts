/**
 * deltaSink as a topology terminal on the embedded broker (the same runtime as production):
 * paced commits, dead-lettering of misfit rows with the reason, skipping after a crash between
 * the Delta commit and the Kafka commit, fencing, and the start-up refusal of two sinks on one table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeltaSink, deltaSink, history, readTable, type DeltaSinkCommitInfo } from '../../../../lib/connectors/delta/index.js';
import { Consumed } from '../../../../lib/dsl/index.js';
import { StreamsBuilder } from '../../../../lib/dsl/streams-builder.js';
import { EmbeddedKafka } from '../../../../lib/kafka/embedded/index.js';
import type { IncomingRecord } from '../../../../lib/kafka/types.js';
import { ManualClock } from '../../../../lib/runtime/clock.js';
import { StreamsRuntime } from '../../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../../lib/serde/serdes.js';
import { fetchedBatches, outgoingBatch } from '../../../../lib/kafka/columns.js';

const str = Serdes.string();
const Row = z.object({ id: z.int(), name: z.string().min(1), day: z.iso.date(), offset: z.int() });
type Event = { id: number; name: string; ts: string };

const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function topology(
  table: string,
  opts: { commitIntervalMs?: number; idleCommitMs?: number; onCommit?: (i: DeltaSinkCommitInfo) => void; twice?: boolean } = {},
) {
  const b = new StreamsBuilder();
  const s = b.stream<string, Event>('in', Consumed.with(str, Serdes.json<Event>()));
  const sink = () =>
    deltaSink<string, Event>({
      table,
      schema: Row,
      partitionBy: ['day'],
      toRow: (r, src) => ({ id: r.value.id, name: r.value.name, day: r.value.ts.slice(0, 10), offset: src.offset }),
      commitIntervalMs: opts.commitIntervalMs ?? 5_000,
      ...(opts.idleCommitMs !== undefined ? { idleCommitMs: opts.idleCommitMs } : {}),
      ...(opts.onCommit ? { onCommit: opts.onCommit } : {}),
    });
  s.process(sink());
  if (opts.twice) s.process(sink());
  return b.build();
}

async function boot(kafka: EmbeddedKafka, table: string, clock: ManualClock, opts: Parameters<typeof topology>[1] = {}) {
  const runtime = new StreamsRuntime({
    topology: topology(table, opts),
    client: kafka,
    config: { applicationId: 'dsink', processingGuarantee: 'exactly_once', clock, stateDir: tmp('tributary-dsink-state-') },
  });
  await runtime.start({ loop: false });
  for (let i = 0; i < 100 && runtime.tasks().length === 0; i++) await runtime.runOnce(5);
  return runtime;
}

async function produce(kafka: EmbeddedKafka, values: string[]) {
  const p = kafka.producer();
  await p.connect();
  await p.send(outgoingBatch(values.map((v, i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(v), timestamp: 1_000 + i }))));
  await p.disconnect();
}

const good = (id: number) => JSON.stringify({ id, name: `n${id}`, ts: `2024-06-0${1 + (id % 3)}T10:00:00Z` });

async function dlq(kafka: EmbeddedKafka): Promise<IncomingRecord[]> {
  const c = kafka.consumer({ groupId: `dlq-reader-${Math.random()}` });
  await c.connect();
  await c.assign([{ topic: 'dsink-dlq', partition: 0 }]);
  const out: IncomingRecord[] = [];
  for (let i = 0; i < 5; i++) for (const b of fetchedBatches(await c.poll(5))) out.push(...b.records);
  await c.close();
  return out;
}

async function setup() {
  const kafka = new EmbeddedKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'in', numPartitions: 1 }]);
  cleanups.push(async () => {
    await admin.disconnect();
    await kafka.close();
  });
  return { kafka, admin, table: tmp('tributary-dsink-table-'), clock: new ManualClock(1_000) };
}

describe('deltaSink in a topology', () => {
  it('paces the task commit: Delta and Kafka commit together on the sink interval, not every 100 ms', async () => {
    const { kafka, admin, table, clock } = await setup();
    const commits: DeltaSinkCommitInfo[] = [];
    const runtime = await boot(kafka, table, clock, { idleCommitMs: 5_000, onCommit: (i) => commits.push(i) });
    cleanups.push(() => runtime.close());
    await produce(kafka, [good(0), good(1), good(2)]);
    await runtime.runOnce(0);
    for (let t = 0; t < 40; t++) {
      clock.advance(100);
      await runtime.runOnce(0);
    }
    expect(commits).toHaveLength(0);
    expect(await admin.fetchCommittedOffsets('dsink', ['in'])).toEqual([]);
    clock.advance(1_000);
    await runtime.runOnce(0);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({ rows: 3, files: 3, positions: [{ topic: 'in', partition: 0, offset: 2 }] });
    expect(await admin.fetchCommittedOffsets('dsink', ['in'])).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);
    const t = await readTable(table);
    expect(t.rows.map((r) => r['id']).sort()).toEqual([0, 1, 2]);
    const h = await history(table, 1);
    expect(h[0]!.txns).toEqual([expect.objectContaining({ appId: 'dsink-in-0', version: 2 })]);
  });

  it('commits early once no record arrived for idleCommitMs (end of a burst)', async () => {
    const { kafka, table, clock } = await setup();
    const commits: DeltaSinkCommitInfo[] = [];
    const runtime = await boot(kafka, table, clock, { commitIntervalMs: 10_000, idleCommitMs: 500, onCommit: (i) => commits.push(i) });
    cleanups.push(() => runtime.close());
    await produce(kafka, [good(0)]);
    await runtime.runOnce(0);
    for (let t = 0; t < 4; t++) {
      clock.advance(100);
      await runtime.runOnce(0);
    }
    expect(commits).toHaveLength(0);
    for (let t = 0; t < 3; t++) {
      clock.advance(100);
      await runtime.runOnce(0);
    }
    expect(commits).toHaveLength(1);
  });

  it('dead-letters misfit rows with the reason and never coerces them', async () => {
    const { kafka, table, clock } = await setup();
    const runtime = await boot(kafka, table, clock, { commitIntervalMs: 0 });
    cleanups.push(() => runtime.close());
    await produce(kafka, [
      good(0),
      JSON.stringify({ id: '1', name: 'x', ts: '2024-06-01T00:00:00Z' }),
      JSON.stringify({ id: 2, name: '', ts: '2024-06-01T00:00:00Z' }),
      '{not json',
      good(4),
    ]);
    await runtime.runOnce(0);
    clock.advance(100);
    await runtime.runOnce(0);
    const dead = await dlq(kafka);
    expect(dead.map((r) => r.offset)).toEqual([0, 1, 2]);
    const reasons = dead.map((r) => r.headers['tributary.error.reason']!.toString());
    expect(reasons[0]).toMatch(/does not fit Delta table .*id/);
    expect(reasons[1]).toMatch(/does not fit Delta table .*name/);
    expect(dead[0]!.headers['tributary.error.offset']!.toString()).toBe('1');
    expect(dead[2]!.headers['tributary.error.offset']!.toString()).toBe('3');
    expect((await readTable(table)).rows.map((r) => r['id']).sort()).toEqual([0, 4]);
  });

  it('a crash between the Delta commit and the Kafka commit: replay skips rows already in the table and re-dead-letters misfits once', async () => {
    const { kafka, table, clock } = await setup();
    let crash = true;
    const r1 = await boot(kafka, table, clock, {
      commitIntervalMs: 0,
      onCommit: () => {
        if (crash) throw new Error('simulated crash after the Delta commit');
      },
    });
    await produce(kafka, [good(0), good(1), JSON.stringify({ id: 'bad', name: 'x', ts: '2024-06-01T00:00:00Z' }), good(3)]);
    await r1.runOnce(0);
    clock.advance(100);
    await expect(r1.runOnce(0)).rejects.toThrow(/simulated crash/);
    await r1.close().catch(() => undefined);
    crash = false;
    expect((await readTable(table)).rows).toHaveLength(3); // in Delta, but Kafka offsets not committed
    const r2 = await boot(kafka, table, clock, { commitIntervalMs: 0 });
    cleanups.push(() => r2.close());
    await produce(kafka, [good(4)]);
    for (let i = 0; i < 3; i++) {
      await r2.runOnce(0);
      clock.advance(100);
    }
    await r2.runOnce(0);
    const ids = (await readTable(table)).rows.map((r) => r['id']).sort();
    expect(ids).toEqual([0, 1, 3, 4]);
    const dead = await dlq(kafka);
    expect(dead.map((r) => r.headers['tributary.error.offset']!.toString())).toEqual(['2']);
  });

  it('fenced by another writer of the same appId: the task is migrated, reloads and writes nothing twice', async () => {
    const { kafka, table, clock } = await setup();
    const runtime = await boot(kafka, table, clock, { commitIntervalMs: 1_000 });
    cleanups.push(() => runtime.close());
    await produce(kafka, [good(0), good(1), good(2)]);
    await runtime.runOnce(0);
    // A zombie with the same application id commits offsets 0..1 of in-0 first.
    const zombie = await DeltaSink.open({ tableDir: table, schema: Row, partitionBy: ['day'], applicationId: 'dsink' });
    for (const id of [0, 1]) zombie.append({ id, name: `n${id}`, day: '2024-06-02', offset: id }, { topic: 'in', partition: 0, offset: id });
    await zombie.commit();
    clock.advance(1_000);
    await runtime.runOnce(0); // Delta conflict → TaskMigratedError → tasks closed dirty, rejoin
    for (let i = 0; i < 50 && runtime.tasks().length === 0; i++) await runtime.runOnce(5);
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      await runtime.runOnce(0);
    }
    expect(runtime.state).not.toBe('error');
    const rows = (await readTable(table)).rows;
    expect(rows.map((r) => r['offset']).sort()).toEqual([0, 1, 2]);
  });

  it('refuses two sinks of one task on the same table at start', async () => {
    const { kafka, table, clock } = await setup();
    const runtime = new StreamsRuntime({
      topology: topology(table, { twice: true }),
      client: kafka,
      config: { applicationId: 'dsink', processingGuarantee: 'exactly_once', clock, stateDir: tmp('tributary-dsink-state-') },
    });
    await runtime.start({ loop: false });
    cleanups.push(() => runtime.close());
    await expect(
      (async () => {
        for (let i = 0; i < 100 && runtime.tasks().length === 0; i++) await runtime.runOnce(5);
      })(),
    ).rejects.toThrow(/two Delta sinks of task 0_0 write the same table/);
  });
});
