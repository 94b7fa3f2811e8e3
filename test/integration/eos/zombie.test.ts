/**
 * Zombie fencing on the real broker: runner A is paused (SIGSTOP) in the middle of processing,
 * its session expires and runner B takes every task over (B's InitProducerId per task fences
 * A's producers and aborts A's open transactions). More input is processed by B; then A resumes
 * (SIGCONT) with its stale batch and open transactions — every write it tries is fenced, it closes
 * its tasks dirty and rejoins. The committed output must match the model exactly: no duplicate,
 * no loss, and A must have reported the fencing. Runs with each Kafka client library (platformatic
 * is skipped, saying why, on a Node older than 22.22).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient, platformaticSupported, type KafkaClientKind } from '../../../lib/kafka/index.js';
import { readAll, spawnRunner, produceInput, verify, waitCommitted, waitRepartitionCommitted, type Runner } from '../../chaos/chaos.js';
import { chaosBase, GROUP_NAME, PARTITIONS } from '../../chaos/workload.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CASES: readonly [KafkaClientKind, 'exactly_once' | 'exactly_once_v2'][] = [
  ['kafkajs', 'exactly_once'],
  ['platformatic', 'exactly_once'],
  // v2: A's producer has another transactional id than B's; A is fenced by the group generation (KIP-447).
  ['platformatic', 'exactly_once_v2'],
];

describe.each(CASES)('exactly-once: a paused zombie is fenced (%s, %s)', (kafkaClient, guarantee) => {
  const stateRoot = mkdtempSync(join(tmpdir(), 'tributary-zombie-'));
  afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

  const skip = kafkaClient === 'platformatic' && !platformaticSupported();
  if (skip) it.skip(`skipped: @platformatic/kafka needs Node >= 22.22 or >= 24.6, this is Node ${process.versions.node}`, () => undefined);
  it.skipIf(skip)('SIGSTOP runner A, B takes over, SIGCONT A: A is fenced, output exact', { timeout: 180_000 }, async () => {
    const bootstrap = realBootstrapServers();
    const client = createKafkaClient({ client: kafkaClient, bootstrapServers: bootstrap, clientId: 'zombie-test' });
    const admin = client.admin();
    await admin.connect();
    const appId = uniqueName('zombie-app');
    const input = uniqueName('zombie-in');
    const output = uniqueName('zombie-out');
    await admin.createTopics([
      { topic: input, numPartitions: PARTITIONS },
      { topic: output, numPartitions: PARTITIONS },
    ]);
    const lines: Record<string, string[]> = { a: [], b: [] };
    const runners: Runner[] = [];
    const start = (name: 'a' | 'b') => {
      const r = spawnRunner(
        { bootstrap, appId, input, output, stateDir: mkdtempSync(join(stateRoot, `${name}-`)), name, guarantee, kafkaClient },
        (line) => lines[name]!.push(line),
        (m) => exits.push(m),
      );
      runners.push(r);
      return r;
    };
    const deadline = () => Date.now() + 120_000;
    const noop = () => {};
    const exits: string[] = [];
    try {
      const base = chaosBase(20_000);
      const a = start('a');
      await produceInput(client, input, 10_000, 0, base);
      await waitCommitted(admin, appId, input, 10_000, deadline(), noop);
      // More input while A works, then pause it mid-stream.
      const more = produceInput(client, input, 20_000, 3_000, base, 10_000);
      await sleep(1_500);
      // Pause A in the middle of the input: it holds open transactions and fetched batches.
      a.child.kill('SIGSTOP');
      const b = start('b');
      await more;
      await waitCommitted(admin, appId, input, 20_000, deadline(), noop);
      expect(lines.b!.some((l) => l.includes('"next":"RUNNING"'))).toBe(true);
      // A wakes up as a zombie with stale work; its writes must be fenced.
      a.child.kill('SIGCONT');
      // Until A reports that its stale work was refused (at most 30 s), then 2 s more for it to rejoin as a member.
      // It is refused at its next commit (producer fenced, or under v2 the group generation), or, when A learns
      // first that it left the group, at the commit of its revoked tasks.
      const isFenced = (l: string) => /migrated|fenced|refused/i.test(l);
      for (const end = Date.now() + 30_000; Date.now() < end && !lines.a!.some(isFenced); ) await sleep(200);
      await sleep(2_000);
      expect(a.alive && b.alive, `runner exited: ${exits.join('\n')}`).toBe(true);
      const fenced = lines.a!.filter(isFenced);
      const aTail = `runner A's last lines:\n${lines.a!.slice(-25).join('\n')}`;

      const repartition = `${appId}-${GROUP_NAME}-repartition`;
      const rep = await readAll(client, repartition);
      const lastData = new Map<number, number>();
      for (const r of rep) lastData.set(r.partition, Math.max(lastData.get(r.partition) ?? -1, r.offset));
      await waitRepartitionCommitted(admin, appId, repartition, lastData, deadline(), noop);
      for (const r of runners) r.child.kill('SIGTERM');
      expect(await Promise.all(runners.map((r) => r.exited))).toEqual([0, 0]);

      const report = verify({ records: 20_000, base }, rep, await readAll(client, output));
      expect(report.repartitionDuplicates).toBe(0);
      expect(report.repartitionMissing).toBe(0);
      expect(report.windowsExact).toBe(report.windows);
      expect(report.countSurplus).toBe(0);
      expect(report.nonIncreasingUpdates).toBe(0);
      expect(fenced.length, `runner A reported no refused write; ${aTail}`).toBeGreaterThan(0);
    } finally {
      for (const r of runners) {
        if (r.alive) {
          r.child.kill('SIGCONT');
          r.child.kill('SIGKILL');
        }
      }
      await Promise.all(runners.map((r) => r.exited));
      await admin.disconnect();
    }
  });
});
