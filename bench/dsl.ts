/**
 * bench:dsl — the DSL on the real runtime over the embedded broker, 1M records of ~170-byte JSON.
 *
 *   (a) filter → mapValues → to
 *   (b) selectKey → groupByKey → count (in-memory store; through a repartition topic)
 *   floor: a bare loop doing only JSON decode → the same functions as (a) → encode
 *
 * Each case runs in its own child process (so peak RSS is per case); input records are produced
 * into the embedded broker before the clock starts. The clock covers start → every record
 * processed → clean close (final commit). Targets: (a) ≥ 70% of the floor and ≥ 250k rec/s;
 * (b) ≥ 300k rec/s. The last line is one JSON object for tooling.
 *
 *   npm run bench:dsl [-- --records 1000000 --partitions 2 --guarantee at_least_once]
 *   --case a --profile out.cpuprofile   one case in this process, CPU-profiled over its timed section only
 *   --target embedded|kafkajs|both      (default both) (a) and (b) also through the kafkajs adapter on a real
 *                                       broker (KAFKA_BOOTSTRAP_SERVERS, else one started here; bench/target.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { profiled } from './profile.js';
import { benchTargets, caseClient, caseTarget, closeClient, kafkajsLine, nameFor, withRealBroker } from './target.js';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../lib/dsl/index.js';
import { EmbeddedKafka } from '../lib/kafka/embedded/index.js';
import type { OutgoingRecord } from '../lib/kafka/types.js';
import { StreamsRuntime } from '../lib/runtime/streams-runtime.js';
import type { ProcessingGuarantee } from '../lib/runtime/config.js';
import { Serdes } from '../lib/serde/serdes.js';
import type { Topology } from '../lib/topology/topology.js';
import { outgoingBatch } from '../lib/kafka/columns.js';

interface Tx {
  id: string;
  account: string;
  amount: number;
  currency: string;
  merchant: string;
  country: string;
  channel: string;
  ts: number;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const RECORDS = Number(args.get('records') ?? 1_000_000);
const PARTITIONS = Number(args.get('partitions') ?? 2);
const GUARANTEE = (args.get('guarantee') ?? 'at_least_once') as ProcessingGuarantee;
const POLL_RECORDS = Number(args.get('poll-records') ?? 2000);
const RETENTION_MB = Number(args.get('retention-mb') ?? 64);
const TARGET = caseTarget(args);
const IN = nameFor(TARGET, 'bench-in');
const OUT_A = nameFor(TARGET, 'bench-out-a');

// The same functions for (a) and the floor.
const keep = (v: Tx): boolean => v.amount >= 10;
const enrich = (v: Tx): { id: string; account: string; cents: number; currency: string; big: boolean } => ({
  id: v.id,
  account: v.account,
  cents: Math.round(v.amount * 100),
  currency: v.currency,
  big: v.amount > 500,
});

function makeValue(i: number): Buffer {
  const tx: Tx = {
    id: `tx-${String(i).padStart(10, '0')}`,
    account: `acct-${String(i % 10_000).padStart(6, '0')}`,
    amount: Math.round(((i * 7919) % 100_000) / 10) / 10,
    currency: i % 3 === 0 ? 'EUR' : 'USD',
    merchant: `merchant-${String(i % 997).padStart(5, '0')}`,
    country: ['DE', 'FR', 'US', 'NL'][i % 4]!,
    channel: i % 2 === 0 ? 'web' : 'pos',
    ts: 1_700_000_000_000 + i,
  };
  return Buffer.from(JSON.stringify(tx));
}

function makeInput(): { keys: Buffer[]; values: Buffer[] } {
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < RECORDS; i++) {
    keys.push(Buffer.from(`k${i % 50_000}`));
    values.push(makeValue(i));
  }
  return { keys, values };
}

/** Wall time, CPU time and GC time of `work`. */
async function measure(work: () => unknown): Promise<{ seconds: number; cpuSeconds: number; gcSeconds: number }> {
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await profiled(args.get('profile'), work);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setImmediate(r));
  obs.disconnect();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, gcSeconds: gcMs / 1000 };
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function floorCase(): Promise<Record<string, number | string>> {
  const { values } = makeInput();
  let out = 0;
  let bytes = 0;
  const t = await measure(() => {
    for (let i = 0; i < values.length; i++) {
      const v = JSON.parse(values[i]!.toString('utf8')) as Tx;
      if (!keep(v)) continue;
      const encoded = Buffer.from(JSON.stringify(enrich(v)), 'utf8');
      bytes += encoded.length;
      out++;
    }
  });
  return { case: 'floor: JSON decode → filter/mapValues fns → encode (bare loop)', ...rates(t), peakRssMb: peakRssMb(), outputs: out, outputBytes: bytes };
}

function rates(t: { seconds: number; cpuSeconds: number; gcSeconds: number }): Record<string, number> {
  return {
    // Other processes share the cores: the 1-minute load average when the case ended.
    load1: round(loadavg()[0]!),
    recordsPerSec: Math.round(RECORDS / t.seconds),
    recordsPerCpuSec: Math.round(RECORDS / t.cpuSeconds),
    seconds: round(t.seconds),
    cpuSeconds: round(t.cpuSeconds),
    gcSeconds: round(t.gcSeconds),
  };
}

function topologyA(): Topology {
  const b = new StreamsBuilder();
  b.stream(IN, Consumed.with(Serdes.string(), Serdes.json<Tx>()))
    .filter((_k, v) => keep(v))
    .mapValues((v) => enrich(v))
    .to(OUT_A, Produced.with(Serdes.string(), Serdes.json<ReturnType<typeof enrich>>()));
  return b.build();
}

function topologyB(): Topology {
  const b = new StreamsBuilder();
  b.stream(IN, Consumed.with(Serdes.string(), Serdes.json<Tx>()))
    .selectKey((_k, v) => v.account)
    .groupByKey(Grouped.with(Serdes.string(), Serdes.json<Tx>()))
    .count(Materialized.as<string, number>('bench-counts').withStoreType('in-memory'));
  return b.build();
}

async function runtimeCase(name: 'a' | 'b'): Promise<Record<string, number | string>> {
  // Internal and output topics keep at most 64 MB per partition in the embedded broker (whole old
  // segments are dropped), standing in for Kafka Streams purging repartition topics after commit
  // and for a real broker keeping its log outside our heap. The input topic keeps everything.
  const kafka = await caseClient(
    TARGET,
    () =>
      new EmbeddedKafka({
        name: 'bench',
        maxPollRecordsPerPartition: POLL_RECORDS,
        enforceRetention: RETENTION_MB > 0,
        topicDefaults: RETENTION_MB > 0 ? { 'retention.bytes': String(RETENTION_MB * 1024 * 1024) } : {},
      }),
  );
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: IN, numPartitions: PARTITIONS, configs: { 'retention.bytes': '-1' } },
    { topic: OUT_A, numPartitions: PARTITIONS },
  ]);
  const producer = kafka.producer();
  await producer.connect();
  {
    const { keys, values } = makeInput();
    const batch: OutgoingRecord[] = [];
    for (let i = 0; i < RECORDS; i++) {
      batch.push({ topic: IN, key: keys[i]!, value: values[i]!, timestamp: 1_700_000_000_000 + i });
      if (batch.length === 10_000) await producer.send(outgoingBatch(batch.splice(0)));
    }
    if (batch.length > 0) await producer.send(outgoingBatch(batch.splice(0)));
    await producer.disconnect();
  }
  await admin.disconnect();
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const runtime = new StreamsRuntime({
    topology: name === 'a' ? topologyA() : topologyB(),
    client: kafka,
    config: { applicationId: nameFor(TARGET, `bench-${name}`), processingGuarantee: GUARANTEE, stateDir },
  });
  const expected = name === 'a' ? RECORDS : 2 * RECORDS; // (b) reads every record twice: input, then repartition topic
  const total = (): number => runtime.metrics().reduce((n, m) => n + m.recordsIn, 0);
  const t = await measure(async () => {
    await runtime.start({ loop: false });
    while (total() < expected) await runtime.runOnce(50);
    await runtime.close();
  });
  const m = runtime.metrics();
  const sum = (f: (s: (typeof m)[number]) => number) => m.reduce((n, s) => n + f(s), 0);
  await closeClient(kafka);
  rmSync(stateDir, { recursive: true, force: true });
  return {
    case: name === 'a' ? `(a) filter → mapValues → to [${GUARANTEE}]` : `(b) selectKey → groupByKey → count, in-memory [${GUARANTEE}]`,
    ...rates(t),
    peakRssMb: peakRssMb(),
    records: RECORDS,
    partitions: PARTITIONS,
    recordsOut: sum((s) => s.recordsOut),
    changelogRecords: sum((s) => s.changelogRecords),
    commits: sum((s) => s.commits),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const only = args.get('case');
  if (only !== undefined) {
    const result = only === 'floor' ? await floorCase() : await runtimeCase(only as 'a' | 'b');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const targets = benchTargets(args);
  const results: Array<Record<string, number | string>> = [];
  const run = (c: string, target: string): Record<string, number | string> => {
    const extra = [...args].filter(([k]) => k !== 'target').flatMap(([k, v]) => [`--${k}`, v]);
    const out = execFileSync(process.execPath, [...process.execArgv, self, '--case', c, '--target', target, ...extra], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
    result.target = target;
    return result;
  };
  await withRealBroker(targets, async () => {
    for (const c of ['floor', 'a', 'b']) {
      const embedded = targets.includes('embedded') || c === 'floor' ? run(c, 'embedded') : undefined;
      if (embedded !== undefined) {
        results.push(embedded);
        const result = embedded;
        console.log(
          `${String(result.case).padEnd(62)} ${String(result.recordsPerSec).padStart(8)} rec/s  ${String(result.recordsPerCpuSec).padStart(8)} rec/cpu-s  ` +
            `peak RSS ${result.peakRssMb} MB  (${result.seconds} s, cpu ${result.cpuSeconds} s, gc ${result.gcSeconds} s, load ${result.load1})`,
        );
      }
      if (c !== 'floor' && targets.includes('kafkajs')) {
        const real = run(c, 'kafkajs');
        if (embedded !== undefined) real.ratioToEmbedded = round((real.recordsPerSec as number) / (embedded.recordsPerSec as number));
        results.push(real);
        console.log(`${kafkajsLine(real, embedded)}  (load ${real.load1})`);
      }
    }
  });
  const floor = results[0]!;
  const a = results.find((r) => r.target === 'embedded' && String(r.case).startsWith('(a)')) ?? results.find((r) => String(r.case).startsWith('(a)'))!;
  a.ratioToFloor = round((a.recordsPerSec as number) / (floor.recordsPerSec as number));
  a.cpuRatioToFloor = round((a.recordsPerCpuSec as number) / (floor.recordsPerCpuSec as number));
  console.log(`(a) / floor = ${a.ratioToFloor} wall, ${a.cpuRatioToFloor} cpu (target ≥ 0.7); targets: (a) ≥ 250000 rec/s, (b) ≥ 300000 rec/s`);
  console.log(JSON.stringify({ bench: 'dsl', node: process.version, records: RECORDS, partitions: PARTITIONS, guarantee: GUARANTEE, results }));
}

await main();
