import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTableWriter, deltaSink, field, loadSnapshot, readTable, runDeltaStreams, struct, unpackOffset } from '../../../../lib/connectors/delta/index.js';
import { StreamsBuilder } from '../../../../lib/dsl/streams-builder.js';
import { Named } from '../../../../lib/dsl/index.js';
import { createKafkaClient } from '../../../../lib/kafka/index.js';
import { StreamsRuntime } from '../../../../lib/runtime/streams-runtime.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-runner-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const bronzeSchema = struct([field('id', 'long', false), field('amount', 'double'), field('p', 'string')]);
const silverSchema = struct([field('id', 'long', false), field('amount_x2', 'double')]);
const quarantineSchema = struct([field('id', 'long', false), field('reason', 'string')]);

async function appendBronze(table: string, ids: number[]): Promise<void> {
  const w = await DeltaTableWriter.open({ tableDir: table, schema: bronzeSchema, partitionBy: ['p'] });
  for (const id of ids) expect(w.append({ id, amount: id % 7 === 0 ? null : id / 2, p: id % 2 ? 'a' : 'b' }).ok).toBe(true);
  await w.commit();
}

function hop(bronze: string, silver: string, quarantine: string, maxRowsPerBatch = 1000) {
  const b = new StreamsBuilder();
  const rows = b.deltaStream<{ id: number; amount: number | null }>(bronze, { schema: bronzeSchema, maxRowsPerBatch, sourceName: 'bronze' });
  rows
    .filter((_k, v) => v.amount !== null, Named.as('valid'))
    .mapValues((v) => ({ id: v.id, amount_x2: v.amount! * 2 }))
    .process(deltaSink({ table: silver, schema: silverSchema, commitIntervalMs: 0 }), { named: Named.as('silver') });
  rows
    .filter((_k, v) => v.amount === null, Named.as('invalid'))
    .mapValues((v) => ({ id: v.id, reason: 'amount is null' }))
    .process(deltaSink({ table: quarantine, schema: quarantineSchema, commitIntervalMs: 0 }), { named: Named.as('quarantine') });
  return b.build();
}

const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r['id'] as number).sort((a, b) => a - b);

describe('runDeltaStreams (builder.deltaStream → deltaSink, no Kafka)', () => {
  it('copies a table into silver + quarantine; a second run reads only the new versions', async () => {
    const d = tmp();
    const [bronze, silver, quarantine] = ['bronze', 'silver', 'quarantine'].map((t) => path.join(d, t)) as [string, string, string];
    await appendBronze(
      bronze,
      Array.from({ length: 50 }, (_, i) => i),
    );
    await appendBronze(
      bronze,
      Array.from({ length: 50 }, (_, i) => 50 + i),
    );
    const first = await runDeltaStreams(hop(bronze, silver, quarantine, 30), {
      applicationId: 'silver-hop',
      stateDir: path.join(d, 'state'),
      untilCaughtUp: true,
    });
    expect(first.records).toBe(100);
    expect(first.resumedAt).toEqual({ bronze: 'start' });
    const valid = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 7 !== 0);
    const invalid = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 7 === 0);
    expect(ids((await readTable(silver)).rows)).toEqual(valid);
    expect(ids((await readTable(quarantine)).rows)).toEqual(invalid);
    const s = (await readTable(silver)).rows.find((r) => r['id'] === 3)!;
    expect(s['amount_x2']).toBe(3);
    const txn = (await loadSnapshot(silver)).txns.get('silver-hop-bronze-0')!;
    expect(unpackOffset(txn.version)).toMatchObject({ snapshot: true });

    await appendBronze(bronze, [100, 101, 105]);
    const second = await runDeltaStreams(hop(bronze, silver, quarantine), {
      applicationId: 'silver-hop',
      stateDir: path.join(d, 'state'),
      untilCaughtUp: true,
    });
    expect(second.records).toBe(3);
    expect(second.resumedAt['bronze']).not.toBe('start');
    expect(ids((await readTable(silver)).rows)).toEqual([...valid, 100, 101]);
    expect(ids((await readTable(quarantine)).rows)).toEqual([...invalid, 105]);
    // Both targets hold the same position: the last row read, not the last row each received.
    expect((await loadSnapshot(quarantine)).txns.get('silver-hop-bronze-0')!.version).toBe(
      (await loadSnapshot(silver)).txns.get('silver-hop-bronze-0')!.version,
    );
    const third = await runDeltaStreams(hop(bronze, silver, quarantine), { applicationId: 'silver-hop', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    expect(third.records).toBe(0);
  });

  it('a sink that is ahead skips what it holds: replay from the smaller position writes each row once', async () => {
    const d = tmp();
    const [bronze, silver, quarantine] = ['bronze', 'silver', 'quarantine'].map((t) => path.join(d, t)) as [string, string, string];
    await appendBronze(
      bronze,
      Array.from({ length: 40 }, (_, i) => i),
    );
    await runDeltaStreams(hop(bronze, silver, quarantine), { applicationId: 'hop', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    await appendBronze(
      bronze,
      Array.from({ length: 40 }, (_, i) => 40 + i),
    );
    // Only silver gets the new rows (as if the process died between the two sink commits).
    const b = new StreamsBuilder();
    b.deltaStream<{ id: number; amount: number | null }>(bronze, { sourceName: 'bronze' })
      .filter((_k, v) => v.amount !== null, Named.as('valid'))
      .mapValues((v) => ({ id: v.id, amount_x2: v.amount! * 2 }))
      .process(deltaSink({ table: silver, schema: silverSchema, commitIntervalMs: 0 }), { named: Named.as('silver') });
    await runDeltaStreams(b.build(), { applicationId: 'hop', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    const resumed = await runDeltaStreams(hop(bronze, silver, quarantine), { applicationId: 'hop', stateDir: path.join(d, 'state'), untilCaughtUp: true });
    expect(resumed.records).toBe(40);
    const all = Array.from({ length: 80 }, (_, i) => i);
    expect(ids((await readTable(silver)).rows)).toEqual(all.filter((i) => i % 7 !== 0));
    expect(ids((await readTable(quarantine)).rows)).toEqual(all.filter((i) => i % 7 === 0));
  });

  it('refuses at start what a Delta-only hop cannot do, saying what to change', async () => {
    const d = tmp();
    const bronze = path.join(d, 'bronze');
    await appendBronze(bronze, [1]);
    const withKafkaSink = new StreamsBuilder();
    withKafkaSink.deltaStream(bronze).to('out');
    await expect(runDeltaStreams(withKafkaSink.build(), { applicationId: 'x', untilCaughtUp: true })).rejects.toThrow(/writes to Kafka/);
    const needsColumn = new StreamsBuilder();
    needsColumn
      .deltaStream(bronze, { schema: struct([field('id', 'long', false), field('missing', 'string', false)]) })
      .process(deltaSink({ table: path.join(d, 's'), schema: silverSchema }));
    await expect(runDeltaStreams(needsColumn.build(), { applicationId: 'x', stateDir: path.join(d, 'state'), untilCaughtUp: true })).rejects.toThrow(
      /no column "missing"/,
    );
    // The Kafka runtime runs Delta sources (test/integration/delta-source/delta-to-kafka.test.ts), but
    // not merged with a Kafka topic in one sub-topology.
    const merged = new StreamsBuilder();
    merged.deltaStream(bronze).merge(merged.stream('in')).to('out');
    expect(
      () => new StreamsRuntime({ topology: merged.build(), client: createKafkaClient({ bootstrapServers: '127.0.0.1:1' }), config: { applicationId: 'x' } }),
    ).toThrow(/runs as a single task/);
  });
});
