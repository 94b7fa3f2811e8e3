/**
 * The short chaos run inside `npm test` (the long one: `npm run chaos`). Its own broker (it is
 * crash-restarted once), 3 runner processes, ≥ 4 SIGKILLs at random moments with replacements,
 * 80k records through a windowed aggregation over a 4-partition repartition topic; every input
 * record is accounted for in the read_committed output. Then the same under at-least-once, on the
 * run's shared broker: duplicates may occur, losses may not. The exactly-once run uses kafkajs (so
 * the non-default client keeps a kill test in CI; the other chaos tests use the default client),
 * unless CHAOS_KAFKA_CLIENT says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { realBootstrapServers } from '../helpers/kafka-env.js';
import { runChaos } from './chaos.js';

const log = (m: string) => {
  if (process.env['CHAOS_VERBOSE']) process.stderr.write(`[chaos] ${m}\n`);
};

describe('chaos on a real broker', () => {
  it('exactly_once (kafkajs): 80k records, 3 runners, 4 SIGKILLs, a broker crash-restart — zero duplicates, zero losses', { timeout: 240_000 }, async () => {
    const r = await runChaos({
      kafkaClient: (process.env['CHAOS_KAFKA_CLIENT'] as 'kafkajs' | 'platformatic' | undefined) ?? 'kafkajs',
      records: 80_000,
      runners: 3,
      kills: 4,
      guarantee: 'exactly_once',
      produceOverMs: 20_000,
      killGapMs: [2_500, 5_000],
      restartBroker: true,
      completionTimeoutMs: 150_000,
      log,
    });
    process.stderr.write(`[chaos] exactly_once ${JSON.stringify(r)}\n`);
    expect(r.kills).toBeGreaterThanOrEqual(4);
    expect(r.brokerRestarts).toBe(1);
    expect(r.inputRecords).toBe(80_000);
    expect(r.repartitionDuplicates).toBe(0);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsMissing).toBe(0);
    expect(r.windowsExact).toBe(r.windows);
    expect(r.countSurplus).toBe(0);
    expect(r.nonIncreasingUpdates).toBe(0);
  });

  it('at_least_once: 30k records, 2 runners, 2 SIGKILLs — kills may duplicate, never lose', { timeout: 180_000 }, async () => {
    const r = await runChaos({
      records: 30_000,
      runners: 2,
      kills: 2,
      guarantee: 'at_least_once',
      produceOverMs: 8_000,
      killGapMs: [2_000, 4_000],
      restartBroker: false,
      completionTimeoutMs: 120_000,
      bootstrapServers: realBootstrapServers(),
      log,
    });
    process.stderr.write(`[chaos] at_least_once ${JSON.stringify(r)}\n`);
    expect(r.kills).toBeGreaterThanOrEqual(2);
    expect(r.inputRecords).toBe(30_000);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsMissing).toBe(0);
    expect(r.windowsUnder).toBe(0);
    expect(r.countSurplus).toBeGreaterThanOrEqual(0);
  });
});
