/**
 * One hop of the lakehouse chain as a child process (the kill test SIGKILLs it): HOP=silver or
 * HOP=gold over the tables in DATA_DIR, commit interval COMMIT_MS, batches of BATCH_ROWS, until
 * caught up when UNTIL_CAUGHT_UP=1 (else until SIGTERM). Prints `done <records>` at the end.
 */
import { runDeltaStreams } from '../../../lib/connectors/delta/index.js';
import { buildGoldTopology, goldSettings } from '../../../topologies/transactions-gold.js';
import { buildSilverTopology, silverSettings } from '../../../topologies/transactions-silver.js';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`missing env ${k}`);
  return v;
};

async function main(): Promise<void> {
  const hop = env('HOP');
  const options = { dataDir: env('DATA_DIR'), params: { 'commit-interval': `${env('COMMIT_MS', '300')}ms`, 'batch-rows': env('BATCH_ROWS', '2000') } };
  const topology = hop === 'silver' ? buildSilverTopology(silverSettings(options)) : buildGoldTopology(goldSettings(options));
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  const res = await runDeltaStreams(topology, {
    applicationId: `lakehouse-${hop}`, stateDir: env('STATE_DIR'), untilCaughtUp: env('UNTIL_CAUGHT_UP', '0') === '1', signal: stop.signal, pollIntervalMs: 100,
    logger: (_level, message) => process.stdout.write(`log ${message}\n`),
    onCommit: (p) => process.stdout.write(`commit ${p.commits} ${p.records}\n`),
  });
  process.stdout.write(`done ${res.records} ${JSON.stringify(res.resumedAt)}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`chain-app failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
