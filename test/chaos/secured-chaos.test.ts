/**
 * The short exactly-once chaos run over the secured listeners of the run's broker: SASL_SSL
 * (SCRAM-SHA-512) and mutual TLS. Every client of every runner (consumers, per-task transactional
 * producers, admin, restore consumers) connects through the one listener it bootstrapped from,
 * while runners are SIGKILLed and replaced; the read_committed output must equal the model.
 * Smaller than chaos.test.ts (the broker is shared, so it is not restarted here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secureBroker, writeClientProperties, type SecureKind } from '../helpers/kafka-env.js';
import { runChaos } from './chaos.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-secured-chaos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = (m: string) => {
  if (process.env['CHAOS_VERBOSE']) process.stderr.write(`[chaos] ${m}\n`);
};

describe.each(['SASL_SSL', 'SSL'] as const)('exactly-once chaos over %s', (kind: SecureKind) => {
  it('20k records, 2 runners, 2 SIGKILLs: zero duplicates, zero losses', { timeout: 180_000 }, async () => {
    const s = secureBroker();
    const clientConfig = writeClientProperties(dir, kind, { password: s.users.alice });
    const r = await runChaos({
      records: 20_000,
      runners: 2,
      kills: 2,
      guarantee: 'exactly_once',
      produceOverMs: 8_000,
      killGapMs: [2_000, 4_000],
      restartBroker: false,
      completionTimeoutMs: 120_000,
      bootstrapServers: kind === 'SSL' ? s.sslBootstrap : s.saslSslBootstrap,
      clientConfig,
      log,
    });
    process.stderr.write(`[chaos] exactly_once over ${kind} ${JSON.stringify(r)}\n`);
    expect(r.kills).toBeGreaterThanOrEqual(2);
    expect(r.inputRecords).toBe(20_000);
    expect(r.repartitionDuplicates).toBe(0);
    expect(r.repartitionMissing).toBe(0);
    expect(r.windowsMissing).toBe(0);
    expect(r.windowsExact).toBe(r.windows);
    expect(r.countSurplus).toBe(0);
    expect(r.nonIncreasingUpdates).toBe(0);
  });
});
