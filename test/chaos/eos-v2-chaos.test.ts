/**
 * Exactly-once v2 on a real broker with @platformatic/kafka: 3 runner processes, one transactional
 * producer each, 2 SIGKILLs mid-stream with replacements (the restarted runner reuses its state dir,
 * so its transactional id, and fences its killed incarnation); every input record is accounted for
 * exactly once in the read_committed output. The long run: `CHAOS_KAFKA_CLIENT=platformatic npm run
 * chaos -- --guarantee exactly_once_v2 --partitions 32 --eos-only`; a mid-size one (60k records,
 * 3 kills): `... npm run chaos -- --guarantee exactly_once_v2 --partitions 8 --records 60000 --kills 3 --eos-only`.
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

  it.skipIf(!platformaticSupported())('24k records, 3 runners, 2 SIGKILLs — zero duplicates, zero losses', { timeout: 240_000 }, async () => {
    const r = await runChaos({
      records: 24_000,
      runners: 3,
      kills: 2,
      guarantee: 'exactly_once_v2',
      partitions: 8,
      produceOverMs: 10_000,
      killGapMs: [2_500, 4_500],
      restartBroker: false,
      completionTimeoutMs: 150_000,
      ...(process.env['KAFKA_BOOTSTRAP_SERVERS'] ? { bootstrapServers: process.env['KAFKA_BOOTSTRAP_SERVERS'] } : {}),
      log,
    });
    process.stderr.write(`[chaos] exactly_once_v2 ${JSON.stringify(r)}\n`);
    expect(r.kills).toBeGreaterThanOrEqual(2);
    expect(r.inputRecords).toBe(24_000);
    expect(r.repartitionDuplicates).toBe(0);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsExact).toBe(r.windows);
    expect(r.countSurplus).toBe(0);
    expect(r.nonIncreasingUpdates).toBe(0);
  });
});
