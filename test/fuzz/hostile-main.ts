/**
 * `npm run fuzz:hostile -- --runs N [--seed S] [--delta-rs-every K] [--all-damage | --damage
 * kind,kind] [--max-message-bytes B]`: the hostile fuzz suite on demand (CI runs 500 cases with
 * a fixed seed through test/fuzz/hostile.test.ts; here the seed is random unless given). Prints
 * one JSON report with the seed; exits 1 with the shrunk counterexample when an invariant broke.
 */
import { ALL_DAMAGE, SAFE_DAMAGE, runHostileFuzz } from './hostile-fuzz.js';
import type { Damage } from './hostile-records.js';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

/** `--damage a,b` (kinds from hostile-records.ts `Damage`), `--all-damage`, or the CI set. */
function damages(): readonly Damage[] {
  const i = process.argv.indexOf('--damage');
  if (i >= 0) return ['none', ...((process.argv[i + 1] ?? '').split(',').filter(Boolean) as Damage[])];
  return process.argv.includes('--all-damage') || process.env['HOSTILE_DAMAGE'] === 'all' ? ALL_DAMAGE : SAFE_DAMAGE;
}

async function main(): Promise<void> {
  const seed = flag('seed');
  const report = await runHostileFuzz({
    runs: flag('runs') ?? 20_000,
    ...(seed === undefined ? {} : { seed }),
    deltaRsEvery: flag('delta-rs-every') ?? 5,
    ...(flag('max-message-bytes') === undefined ? {} : { maxMessageBytes: flag('max-message-bytes')! }),
    damages: damages(),
    log: (m) => process.stderr.write(`[fuzz:hostile] ${m}\n`),
  });
  process.stdout.write(`${JSON.stringify({ ...report, failure: report.failure === undefined ? undefined : report.failure.slice(0, 200) })}\n`);
  if (report.failure !== undefined) {
    process.stderr.write(`${report.failure}\n`);
    process.exit(1);
  }
  process.exit(0);
}

void main();
