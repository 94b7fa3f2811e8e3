/**
 * `npm run chaos`: the long chaos run (default 1M records, 3 runners, 20 kills, one broker
 * restart), exactly-once, then at-least-once unless `--eos-only`. Flags: `--records N`,
 * `--runners N`, `--kills N`, `--over-ms N` (input spread), `--seed N`, `--eos-only`.
 * `--brokers 3`: exactly-once only, on a three-node KRaft cluster, SIGKILLing and restarting the
 * leader of input / changelog / repartition partitions `--leader-kills N` times (default 12)
 * instead of killing runners (2 runners, 300k records by default).
 * `--guarantee exactly_once_v2`: the exactly-once run under EOS v2 (on platformatic, the default client);
 * `CHAOS_KAFKA_CLIENT=kafkajs` runs the runners on kafkajs instead (not with v2);
 * `--partitions N`: input/output partitions (default 4).
 * Prints the reports as JSON and exits non-zero when exactly-once was violated.
 */
import { runChaos, type ChaosOptions, type ChaosReport } from './chaos.js';

function eosGuarantee(): 'exactly_once' | 'exactly_once_v2' {
  const i = process.argv.indexOf('--guarantee');
  const v = i >= 0 ? process.argv[i + 1] : 'exactly_once';
  if (v !== 'exactly_once' && v !== 'exactly_once_v2') throw new Error(`--guarantee: exactly_once or exactly_once_v2, got ${v}`);
  return v;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function exactlyOnceHeld(r: ChaosReport): boolean {
  return r.repartitionDuplicates === 0 && r.repartitionMissing === 0 && r.windowsExact === r.windows && r.countSurplus === 0 && r.nonIncreasingUpdates === 0;
}

async function main(): Promise<void> {
  if (flag('brokers', 1) > 1) {
    const r = await runChaos({
      records: flag('records', 300_000),
      runners: flag('runners', 2),
      kills: flag('kills', 0),
      guarantee: eosGuarantee(),
      partitions: flag('partitions', 4),
      produceOverMs: flag('over-ms', 240_000),
      killGapMs: [4_000, 10_000],
      restartBroker: false,
      completionTimeoutMs: 30 * 60_000,
      seed: flag('seed', Date.now() % 1e9),
      cluster: { brokers: flag('brokers', 3), leaderKills: flag('leader-kills', 12), downMs: [3_000, 10_000] },
      log: (m) => process.stderr.write(`[chaos] ${m}\n`),
    });
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(exactlyOnceHeld(r) ? 0 : 1);
  }
  const records = flag('records', 1_000_000);
  const kills = flag('kills', 20);
  const base: Omit<ChaosOptions, 'guarantee'> = {
    records,
    partitions: flag('partitions', 4),
    runners: flag('runners', 3),
    kills,
    produceOverMs: flag('over-ms', Math.max(60_000, kills * 6_000)),
    killGapMs: [3_000, 9_000],
    restartBroker: true,
    completionTimeoutMs: 30 * 60_000,
    seed: flag('seed', Date.now() % 1e9),
    log: (m) => process.stderr.write(`[chaos] ${m}\n`),
  };
  const eos = await runChaos({ ...base, guarantee: eosGuarantee() });
  process.stdout.write(`${JSON.stringify(eos)}\n`);
  let ok = exactlyOnceHeld(eos);
  if (!process.argv.includes('--eos-only')) {
    const alos = await runChaos({ ...base, guarantee: 'at_least_once', records: Math.min(records, 300_000), kills: Math.min(kills, 8) });
    process.stdout.write(`${JSON.stringify(alos)}\n`);
    ok &&= alos.repartitionMissing === 0 && alos.windowsUnder === 0 && alos.windowsMissing === 0;
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
