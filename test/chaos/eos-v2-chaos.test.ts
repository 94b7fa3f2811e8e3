/**
 * Exactly-once v2 on a real broker with @platformatic/kafka: 3 runner processes, one transactional
 * producer each, SIGKILLs mid-stream with replacements (the restarted runner reuses its state dir,
 * so its transactional id, and fences its killed incarnation); every input record is accounted for
 * exactly once in the read_committed output. The long run: `CHAOS_KAFKA_CLIENT=platformatic npm run
 * chaos -- --guarantee exactly_once_v2 --partitions 32 --eos-only`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { platformaticSupported } from '../../lib/kafka/index.js';
import { runChaos } from './chaos.js';

const log = (m: string) => {
  if (process.env['CHAOS_VERBOSE']) process.stderr.write(`[chaos] ${m}\n`);
};

describe('exactly_once_v2 chaos (platformatic)', () => {
  const previous = process.env['CHAOS_KAFKA_CLIENT'];
  process.env['CHAOS_KAFKA_CLIENT'] = 'platformatic';
  afterAll(() => {
    if (previous === undefined) delete process.env['CHAOS_KAFKA_CLIENT'];
    else process.env['CHAOS_KAFKA_CLIENT'] = previous;
  });

  it.skipIf(!platformaticSupported())('60k records, 3 runners, 3 SIGKILLs — zero duplicates, zero losses', { timeout: 240_000 }, async () => {
    const r = await runChaos({
      records: 60_000,
      runners: 3,
      kills: 3,
      guarantee: 'exactly_once_v2',
      partitions: 8,
      produceOverMs: 25_000,
      killGapMs: [4_000, 8_000],
      restartBroker: false,
      completionTimeoutMs: 150_000,
      ...(process.env['KAFKA_BOOTSTRAP_SERVERS'] ? { bootstrapServers: process.env['KAFKA_BOOTSTRAP_SERVERS'] } : {}),
      log,
    });
    process.stderr.write(`[chaos] exactly_once_v2 ${JSON.stringify(r)}\n`);
    expect(r.kills).toBeGreaterThanOrEqual(3);
    expect(r.repartitionDuplicates).toBe(0);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsExact).toBe(r.windows);
    expect(r.countSurplus).toBe(0);
    expect(r.nonIncreasingUpdates).toBe(0);
  });
});
