/**
 * `npm run diff:kafka-streams -- [--runs N] [--families a,b] [--seed S] [--shrink K]`: runs N
 * generated cases per family through Kafka Streams 3.9.1's TopologyTestDriver and tributary's,
 * prints per-family figures and every unexplained divergence (shrunk), exits 1 if there is any.
 */
import { Command } from 'commander';
import { KafkaStreamsRunner, installKafkaStreamsRunner } from '../../scripts/differential/kafka-streams.js';
import { ALL_FAMILIES } from './generators.js';
import { formatComparison, runFamilies } from './harness.js';

const program = new Command()
  .option('--runs <n>', 'cases per family', '200')
  .option('--families <list>', 'comma-separated families (default: all)')
  .option('--seed <n>', 'fast-check seed', String(Date.now() % 1_000_000))
  .option('--shrink <n>', 'unexplained divergences to shrink per family', '2')
  .option('--no-null-values', 'no null values (tombstones) in the generated input')
  .option('--concurrency <n>', 'tributary cases run at once', '4')
  .option('--verbose', 'progress messages')
  .parse();
const o = program.opts<{ runs: string; families?: string; seed: string; shrink: string; nullValues: boolean; concurrency: string; verbose?: boolean }>();
const families = o.families ? o.families.split(',') : ALL_FAMILIES;
const log = o.verbose ? (m: string) => console.error(m) : () => {};

const t0 = Date.now();
const runner = KafkaStreamsRunner.start(installKafkaStreamsRunner(log));
const reports = await runFamilies(runner, { families, runs: Number(o.runs), seed: Number(o.seed), shrinkLimit: Number(o.shrink), log, concurrency: Number(o.concurrency), generate: () => ({ nullValues: o.nullValues }) });
await runner.close();

console.log(`seed ${o.seed}, ${o.runs} cases per family, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${'family'.padEnd(24)} ${'cases'.padStart(6)} ${'diverge'.padStart(8)} ${'explained'.padStart(10)} ${'open'.padStart(5)} ${'unexplained'.padStart(12)} ${'seconds'.padStart(8)}  by entry`);
let bad = 0;
for (const r of reports) {
  bad += r.unexplained;
  const entries = Object.entries(r.byEntry).map(([k, v]) => `${k}:${v}`).join(' ');
  console.log(`${r.family.padEnd(24)} ${String(r.cases).padStart(6)} ${String(r.divergent).padStart(8)} ${String(r.explained).padStart(10)} ${String(r.open).padStart(5)} ${String(r.unexplained).padStart(12)} ${r.seconds.toFixed(1).padStart(8)}  ${entries}`);
}
for (const r of reports) {
  for (const f of r.findings) console.log(`\nUNEXPLAINED (shrunk) ${f.case.id}\n${formatComparison(f)}`);
}
process.exitCode = bad > 0 ? 1 : 0;
