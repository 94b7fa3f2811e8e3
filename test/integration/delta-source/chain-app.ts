/**
 * One hop of the lakehouse chain as a child process (the kill tests SIGKILL it): HOP=silver or
 * HOP=gold over the tables under TABLE_ROOT (a directory or s3://bucket/prefix; see
 * lakehouseTables), commit interval COMMIT_MS, batches of BATCH_ROWS, until caught up when
 * UNTIL_CAUGHT_UP=1 (else until SIGTERM). Prints `log …` lines, `commit <n> <records>` after each
 * commit and `done <records> <resumedAt>` at the end.
 */
import { runDeltaStreams } from '../../../lib/connectors/delta/index.js';
import { buildGoldTopology } from '../../../topologies/transactions-gold.js';
import { buildSilverTopology } from '../../../topologies/transactions-silver.js';
import { lakehouseTables } from './lakehouse-tables.js';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`missing env ${k}`);
  return v;
};

async function main(): Promise<void> {
  const hop = env('HOP');
  const commitMs = Number(env('COMMIT_MS', '300'));
  const t = lakehouseTables(env('TABLE_ROOT'), { 'commit-interval': `${commitMs}ms`, 'batch-rows': env('BATCH_ROWS', '2000') });
  const topology = hop === 'silver' ? buildSilverTopology(t.silver) : buildGoldTopology(t.gold);
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  const res = await runDeltaStreams(topology, {
    applicationId: `lakehouse-${hop}`,
    stateDir: env('STATE_DIR'),
    untilCaughtUp: env('UNTIL_CAUGHT_UP', '0') === '1',
    signal: stop.signal,
    pollIntervalMs: 100,
    commitIntervalMs: commitMs,
    logger: (_level, message) => process.stdout.write(`log +${Math.round(performance.now())}ms ${message}\n`),
    onCommit: (p) => process.stdout.write(`commit ${p.commits} ${p.records}\n`),
    onIdle: (p) => {
      if (p.commits === 0) process.stdout.write(`caught up with nothing to do\n`);
    },
  });
  process.stdout.write(`done ${res.records} ${JSON.stringify(res.resumedAt)} +${Math.round(performance.now())}ms\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`chain-app failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
