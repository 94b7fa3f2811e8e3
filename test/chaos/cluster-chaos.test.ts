/**
 * Broker failures under exactly-once on a three-node KRaft cluster (replication factor 3,
 * min.insync.replicas 2): while the chaos windowed app (repartition + changelog) runs on two
 * runner processes, the leader of an input, a changelog and a repartition partition is SIGKILLed in
 * turn and restarted. The read_committed output must equal the model: 0 duplicates, 0 missing.
 * The long version: `npm run chaos -- --brokers 3`.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos.js';

const lines: string[] = [];
const log = (m: string) => {
  lines.push(`${new Date().toISOString()} ${m}`);
  if (process.env['CHAOS_VERBOSE']) process.stderr.write(`[chaos] ${m}\n`);
};

// The earlier lost records and time-outs (issue #14) were kafkajs dropping the records of a
// partition whose leader died mid-send (the harness's input and, possibly, a task's transaction);
// see test/integration/kafka/leader-failover-send.test.ts. TRIBUTARY_SKIP_CLUSTER_CHAOS=1 skips it.
describe.skipIf(!!process.env['TRIBUTARY_SKIP_CLUSTER_CHAOS'])('exactly-once chaos on a three-broker cluster', () => {
  it(
    'SIGKILL + restart of the leader of input, changelog and repartition partitions: zero duplicates, zero losses',
    { timeout: 240_000 },
    async ({ onTestFailed }) => {
      // A failure or time-out prints the run's log (kills, leader moves, progress) to tell where it stood.
      onTestFailed(() => {
        process.stderr.write(`[chaos] cluster-chaos log:\n${lines.join('\n')}\n`);
      });
      const r = await runChaos({
        kafkaClient: (process.env['CHAOS_KAFKA_CLIENT'] as 'kafkajs' | 'platformatic' | undefined) ?? 'kafkajs',
        records: 30_000,
        runners: 2,
        kills: 0,
        guarantee: 'exactly_once',
        produceOverMs: 20_000,
        killGapMs: [1_500, 3_000],
        restartBroker: false,
        completionTimeoutMs: 120_000,
        // A node stays down until its partition's leader moved (see chaos.ts), then 1-2 s more.
        cluster: { brokers: 3, leaderKills: 3, downMs: [1_000, 2_000] },
        log,
      });
      process.stderr.write(`[chaos] 3-broker exactly_once ${JSON.stringify(r)}\n`);
      expect(r.leaderKills).toBe(3);
      expect(r.leaderChanges).toBeGreaterThanOrEqual(3);
      expect(r.replicationFactors).toEqual([3]);
      expect(r.inputRecords).toBe(30_000);
      expect(r.repartitionDuplicates).toBe(0);
      expect(r.repartitionMissing).toBe(0);
      expect(r.windowsMissing).toBe(0);
      expect(r.windowsExact).toBe(r.windows);
      expect(r.countSurplus).toBe(0);
      expect(r.nonIncreasingUpdates).toBe(0);
    },
  );
});
