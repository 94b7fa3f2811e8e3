/**
 * Kafka → Delta exactly once across SIGKILLs with the table on an S3-compatible store (moto):
 * the delta-eos scenario (test/integration/delta-eos/scenario.ts) with `s3://bucket/bronze`,
 * the application processes configured through the AWS env, delta-rs reading over S3.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runDeltaEos } from '../delta-eos/scenario.js';
import { startMoto, type MotoServer } from '../../helpers/s3-moto.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

describe('Kafka → Delta exactly once across SIGKILLs, table on S3 (real broker, moto)', () => {
  it('30000 records, 3+ SIGKILLs (one run may also die inside a commit): every record exactly once in the S3 table or the dead-letter topic', async () => {
    const bucket = await moto.bucket('eos');
    await runDeltaEos({
      table: `s3://${bucket}/bronze`,
      env: moto.env,
      readerEnv: { DELTA_RS_STORAGE_OPTIONS: JSON.stringify(moto.storageOptions) },
      records: 30_000,
    });
  }, 900_000);
});
