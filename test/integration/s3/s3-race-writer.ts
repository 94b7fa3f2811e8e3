/**
 * One of the writer processes of the S3 race test: appends S3_BATCHES batches of S3_ROWS rows to
 * the S3 table S3_TABLE (endpoint and credentials from the AWS env), one commit per batch, and
 * prints `{"writer":…,"batch":…,"version":…,"attempts":…}` per committed batch.
 */
import { DeltaTableWriter, field, struct } from '../../../lib/connectors/delta/index.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`missing env ${k}`);
  return v;
};

export const RACE_SCHEMA = struct([field('writer', 'string', false), field('batch', 'integer', false), field('i', 'integer', false)]);

async function main(): Promise<void> {
  const writer = env('S3_WRITER');
  const batches = Number(env('S3_BATCHES'));
  const rows = Number(env('S3_ROWS'));
  const w = await DeltaTableWriter.open({ tableDir: env('S3_TABLE'), schema: RACE_SCHEMA, configuration: { 'delta.checkpointInterval': '5' } });
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < rows; i++) {
      const r = w.append({ writer, batch: b, i });
      if (!r.ok) throw new Error(r.reason);
    }
    const res = await w.commit();
    process.stdout.write(`${JSON.stringify({ writer, batch: b, version: res!.version, attempts: res!.attempts })}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`s3-race-writer failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
