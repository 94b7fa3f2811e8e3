/**
 * `npm run diff:kafka-streams -- [--runs N] [--families a,b] [--seed S] [--shrink K]`: runs N
 * generated cases per family through Kafka Streams 3.9.1's TopologyTestDriver and tributary's,
 * prints per-family figures and every unexplained divergence (shrunk), exits 1 if there is any.
 *
 * `npm run diff:kafka-streams -- --real-broker [--families a,b] [--records N] [--partitions P]`:
 * runs a few families end to end as applications on a real broker (KAFKA_BOOTSTRAP_SERVERS, else
 * one started from the Maven jars), exactly-once, and compares their outputs (real-broker.ts).
 */
import { Command } from 'commander';
import { KafkaStreamsRunner, installKafkaStreamsRunner } from '../../scripts/differential/kafka-streams.js';
import { startBroker, type RunningBroker } from '../../scripts/kafka-broker.js';
import { ALL_FAMILIES } from './generators.js';
import { formatComparison, runFamilies } from './harness.js';
import { DEFAULT_REAL_BROKER_FAMILIES, runRealBroker } from './real-broker.js';

const program = new Command()
  .option('--runs <n>', 'cases per family', '200')
  .option('--families <list>', 'comma-separated families (default: all; with --real-broker: tumbling-count,session-reduce,ss-left,selectkey-count)')
  .option('--seed <n>', 'fast-check seed', String(Date.now() % 1_000_000))
  .option('--shrink <n>', 'unexplained divergences to shrink per family', '2')
  .option('--no-null-values', 'no null values (tombstones) in the generated input')
  .option('--concurrency <n>', 'tributary cases run at once', '4')
  .option('--real-broker', 'run families as applications on a real broker instead of the test drivers')
  .option('--records <n>', 'with --real-broker: input records per family', '4000')
  .option('--partitions <n>', 'with --real-broker: partitions per input topic', '4')
  .option('--verbose', 'progress messages')
  .parse();
const o = program.opts<{
  runs: string;
  families?: string;
  seed: string;
  shrink: string;
  nullValues: boolean;
  concurrency: string;
  realBroker?: boolean;
  records: string;
  partitions: string;
  verbose?: boolean;
}>();
const log = o.verbose ? (m: string) => console.error(m) : () => {};
const t0 = Date.now();

if (o.realBroker) {
  const families = o.families ? o.families.split(',') : DEFAULT_REAL_BROKER_FAMILIES;
  let broker: RunningBroker | null = null;
  let bootstrapServers = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (!bootstrapServers) {
    broker = await startBroker({ log });
    bootstrapServers = broker.bootstrapServers;
    log(`broker at ${bootstrapServers}`);
  }
  try {
    const reports = await runRealBroker({
      bootstrapServers,
      install: installKafkaStreamsRunner(log),
      families,
      records: Number(o.records),
      partitions: Number(o.partitions),
      seed: Number(o.seed),
      log,
    });
    console.log(
      `real broker, seed ${o.seed}, ${o.records} records per family, ${o.partitions} partitions, exactly-once, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `${'family'.padEnd(20)} ${'params'.padEnd(36)} ${'compare'.padEnd(9)} ${'input'.padStart(6)} ${'out KS'.padStart(7)} ${'out trib'.padStart(8)} ${'keys'.padStart(5)} ${'differ'.padStart(6)} ${'seconds'.padStart(8)}`,
    );
    for (const r of reports) {
      console.log(
        `${r.family.padEnd(20)} ${r.params.padEnd(36)} ${r.compare.padEnd(9)} ${String(r.inputRecords).padStart(6)} ${String(r.outputs.kafkaStreams).padStart(7)} ${String(r.outputs.tributary).padStart(8)} ${String(r.keys).padStart(5)} ${String(r.mismatches.length).padStart(6)} ${r.seconds.toFixed(1).padStart(8)}${r.error ? `  FAILED: ${r.error}` : ''}`,
      );
    }
    for (const r of reports) {
      for (const m of r.mismatches.slice(0, 5))
        console.log(`\nDIFFERS ${r.family} ${m.key}: Kafka Streams [${m.kafkaStreams.join(' ')}]  tributary [${m.tributary.join(' ')}]`);
    }
    process.exitCode = reports.some((r) => r.error !== undefined || r.mismatches.length > 0 || r.outputs.kafkaStreams === 0) ? 1 : 0;
  } finally {
    await broker?.stop();
  }
} else {
  const families = o.families ? o.families.split(',') : ALL_FAMILIES;
  const runner = KafkaStreamsRunner.start(installKafkaStreamsRunner(log));
  const reports = await runFamilies(runner, {
    families,
    runs: Number(o.runs),
    seed: Number(o.seed),
    shrinkLimit: Number(o.shrink),
    log,
    concurrency: Number(o.concurrency),
    generate: () => ({ nullValues: o.nullValues }),
  });
  await runner.close();

  console.log(`seed ${o.seed}, ${o.runs} cases per family, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(
    `${'family'.padEnd(24)} ${'cases'.padStart(6)} ${'diverge'.padStart(8)} ${'explained'.padStart(10)} ${'open'.padStart(5)} ${'unexplained'.padStart(12)} ${'seconds'.padStart(8)}  by entry`,
  );
  let bad = 0;
  for (const r of reports) {
    bad += r.unexplained;
    const entries = Object.entries(r.byEntry)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    console.log(
      `${r.family.padEnd(24)} ${String(r.cases).padStart(6)} ${String(r.divergent).padStart(8)} ${String(r.explained).padStart(10)} ${String(r.open).padStart(5)} ${String(r.unexplained).padStart(12)} ${r.seconds.toFixed(1).padStart(8)}  ${entries}`,
    );
  }
  for (const r of reports) {
    for (const f of r.findings) console.log(`\nUNEXPLAINED (shrunk) ${f.case.id}\n${formatComparison(f)}`);
  }
  process.exitCode = bad > 0 ? 1 : 0;
}
