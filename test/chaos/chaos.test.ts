/**
 * The short chaos run inside `npm test` (the long one: `npm run chaos`). Its own broker (it is
 * crash-restarted once), 3 runner processes, ≥ 5 SIGKILLs at random moments with replacements,
 * 200k records through a windowed aggregation over a 4-partition repartition topic; every input
 * record is accounted for in the read_committed output. Then the same under at-least-once:
 * duplicates may occur, losses may not.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos.js';

const log = (m: string) => {
  if (process.env['CHAOS_VERBOSE']) process.stderr.write(`[chaos] ${m}\n`);
};

describe('chaos on a real broker', () => {
  it('exactly_once: 200k records, 3 runners, 5 SIGKILLs, a broker crash-restart — zero duplicates, zero losses', { timeout: 240_000 }, async () => {
    const r = await runChaos({
      records: 200_000,
      runners: 3,
      kills: 5,
      guarantee: 'exactly_once',
      produceOverMs: 40_000,
      killGapMs: [4_000, 9_000],
      restartBroker: true,
      completionTimeoutMs: 150_000,
      log,
    });
    process.stderr.write(`[chaos] exactly_once ${JSON.stringify(r)}\n`);
    expect(r.kills).toBeGreaterThanOrEqual(5);
    expect(r.brokerRestarts).toBe(1);
    expect(r.inputRecords).toBe(200_000);
    expect(r.repartitionDuplicates).toBe(0);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsMissing).toBe(0);
    expect(r.windowsExact).toBe(r.windows);
    expect(r.countSurplus).toBe(0);
    expect(r.nonIncreasingUpdates).toBe(0);
  });

  it('at_least_once: kills may duplicate, never lose', { timeout: 180_000 }, async () => {
    const r = await runChaos({
      records: 60_000,
      runners: 2,
      kills: 3,
      guarantee: 'at_least_once',
      produceOverMs: 15_000,
      killGapMs: [3_000, 6_000],
      restartBroker: false,
      completionTimeoutMs: 120_000,
      log,
    });
    process.stderr.write(`[chaos] at_least_once ${JSON.stringify(r)}\n`);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsMissing).toBe(0);
    expect(r.windowsUnder).toBe(0);
    expect(r.countSurplus).toBeGreaterThanOrEqual(0);
  });
});
