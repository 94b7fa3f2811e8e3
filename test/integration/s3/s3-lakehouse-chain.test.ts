/**
 * The lakehouse chain kill test (test/integration/delta-source/chain.ts) with every table on an
 * S3-compatible store (moto): bronze written to s3://, silver and gold hops as child processes
 * configured through the AWS env, each SIGKILLed after commits and restarted; every table equals
 * the model and delta-rs reads silver and gold over S3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { clearTableStores } from '../../../lib/connectors/delta/object-store.js';
import { configureS3 } from '../../../lib/connectors/delta/s3-store.js';
import { chainKillTest } from '../delta-source/chain.js';
import { readS3WithDeltaRs, startMoto, type MotoServer } from '../../helpers/s3-moto.js';

let moto: MotoServer;
const state = mkdtempSync(path.join(os.tmpdir(), 'trib-s3-lakehouse-'));
beforeAll(async () => {
  moto = await startMoto();
  configureS3({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  clearTableStores();
}, 60_000);
afterAll(async () => {
  configureS3({});
  await moto?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe('lakehouse chain on S3 (moto)', () => {
  it('SIGKILL during each hop, restart: every S3 table equals the model', async () => {
    const root = `s3://${await moto.bucket('lake')}/lakehouse`;
    const log = await chainKillTest(root, state, {
      kills: Number(process.env['S3_CHAIN_KILLS'] ?? 2),
      commits: Number(process.env['S3_CHAIN_COMMITS'] ?? 6),
      rows: 1000,
      env: moto.env,
      deltaRs: { read: (t) => readS3WithDeltaRs(moto, t) },
    });
    process.stderr.write(`s3 lakehouse kills: ${log.join('; ')}\n`);
  }, 600_000);
});
