/**
 * The seed's lakehouse chain bronze → silver (+ quarantine) → gold (daily, merchant) on local
 * Delta tables, with no Kafka: run straight through and incrementally, and under SIGKILLs of each
 * hop (child processes killed at random moments after a commit, restarted); every table must
 * equal the reference model and delta-rs must read the same rows (see chain.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDeltaStreams } from '../../../lib/connectors/delta/index.js';
import { lakehouseModel } from '../../../lib/cli/demo/lakehouse-model.js';
import { buildGoldTopology } from '../../../topologies/transactions-gold.js';
import { buildSilverTopology } from '../../../topologies/transactions-silver.js';
import { readWithDeltaRs } from '../delta/readers.js';
import { writeBronze } from './bronze-fixture.js';
import { RETENTION, chainKillTest, expectTablesEqualModel, type ChainReader } from './chain.js';
import { lakehouseTables } from './lakehouse-tables.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'trib-lakehouse-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const localDeltaRs: ChainReader = { read: (t) => readWithDeltaRs(t) };

describe('lakehouse chain bronze → silver → gold (Delta only)', () => {
  it('straight through, then incrementally: every table equals the model', async () => {
    const root = tmp();
    const t = lakehouseTables(root);
    const first = await writeBronze(t.bronze, 8, 400, 3);
    const opts = { stateDir: path.join(root, 'state'), untilCaughtUp: true } as const;
    await runDeltaStreams(buildSilverTopology(t.silver), { applicationId: 'lh-silver', ...opts });
    await runDeltaStreams(buildGoldTopology(t.gold), { applicationId: 'lh-gold', ...opts });
    await expectTablesEqualModel(root, lakehouseModel(first, RETENTION), localDeltaRs);
    const more = await writeBronze(t.bronze, 3, 300, 4, Date.UTC(2024, 5, 2));
    const s2 = await runDeltaStreams(buildSilverTopology(t.silver), { applicationId: 'lh-silver', ...opts });
    expect(s2.records).toBe(900);
    await runDeltaStreams(buildGoldTopology(t.gold), { applicationId: 'lh-gold', ...opts });
    const model = lakehouseModel([...first, ...more], RETENTION);
    expect(model.duplicates).toBeGreaterThan(0);
    expect(model.quarantine.length).toBeGreaterThan(0);
    await expectTablesEqualModel(root, model, localDeltaRs);
  }, 120_000);

  it('SIGKILL during each hop, restart: every table equals the model', async () => {
    const root = tmp();
    const log = await chainKillTest(root, path.join(root, 'state'), { kills: 4, commits: 30, rows: 1000, deltaRs: localDeltaRs });
    process.stderr.write(`lakehouse kills: ${log.join('; ')}\n`);
  }, 300_000);
});
