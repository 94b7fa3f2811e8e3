/**
 * bench:joins — joins on the real runtime over the embedded broker, one Node thread (one core).
 *
 *   (st) stream-table enrichment: a table of 100k keys (~80-byte JSON), then 1M ~110-byte JSON
 *        stream records joined against it (default persistent LevelDB table store with cache).
 *        Timed from "table loaded" to "every stream record processed and committed".
 *   (ss) stream-stream inner join, 5-minute windows (grace 1 min), 1M records per side, 60k
 *        keys, timestamps 10 ms apart (≈ one partner per record), persistent window stores.
 *        Timed from start to "every record processed and committed".
 *
 * Each case runs in its own child process, so peak RSS is per case; inputs are produced into the
 * embedded broker before the clock starts. Target: (st) ≥ 250,000 records/s. The last line is one
 * JSON object for tooling.
 *
 *   npm run bench:joins [-- --records 1000000 --table-keys 100000 --partitions 2 --guarantee at_least_once]
 *   --case st --profile out.cpuprofile   one case in this process, CPU-profiled until it is drained and closed
 *   --target embedded|kafkajs|both       (default both) each case also through the kafkajs adapter on a real broker (bench/target.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Consumed, Materialized, Produced, StreamsBuilder } from '../lib/dsl/index.js';
import { JoinWindows, StreamJoined } from '../lib/dsl/joins/index.js';
import { EmbeddedKafka } from '../lib/kafka/embedded/index.js';
import type { OutgoingRecord } from '../lib/kafka/types.js';
import type { ProcessingGuarantee } from '../lib/runtime/config.js';
import { StreamsRuntime } from '../lib/runtime/streams-runtime.js';
import { Serdes } from '../lib/serde/serdes.js';
import { profiled } from './profile.js';
import { benchTargets, caseClient, caseTarget, closeClient, kafkajsLine, nameFor, withRealBroker } from './target.js';
import type { KafkaClient } from '../lib/kafka/types.js';
import { outgoingBatch } from '../lib/kafka/columns.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const RECORDS = Number(args.get('records') ?? 1_000_000);
const TABLE_KEYS = Number(args.get('table-keys') ?? 100_000);
const PARTITIONS = Number(args.get('partitions') ?? 2);
const GUARANTEE = (args.get('guarantee') ?? 'at_least_once') as ProcessingGuarantee;
const BASE = 1_700_000_000_000;
const FIVE_MINUTES = 5 * 60_000;
const TARGET = caseTarget(args);
const T = (base: string): string => nameFor(TARGET, base);

interface Click {
  id: string;
  user: string;
  page: string;
  durationMs: number;
  ts: number;
}
interface User {
  name: string;
  country: string;
  tier: string;
  signup: number;
}
interface Order {
  id: string;
  amount: number;
}
interface Payment {
  id: string;
  method: string;
}

const str = Serdes.string();

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function newKafka(): Promise<KafkaClient> {
  // Output topics keep at most 64 MB per partition (old segments dropped), standing in for a real
  // broker keeping its log outside our heap; inputs keep everything.
  return caseClient(
    TARGET,
    () =>
      new EmbeddedKafka({
        name: 'bench-joins',
        maxPollRecordsPerPartition: 2000,
        enforceRetention: true,
        topicDefaults: { 'retention.bytes': String(64 * 1024 * 1024) },
      }),
  );
}

async function produce(kafka: KafkaClient, make: (i: number) => OutgoingRecord, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const batch: OutgoingRecord[] = [];
  for (let i = 0; i < count; i++) {
    batch.push(make(i));
    if (batch.length === 10_000) await producer.send(outgoingBatch(batch.splice(0)));
  }
  if (batch.length > 0) await producer.send(outgoingBatch(batch.splice(0)));
  await producer.disconnect();
}

async function createTopics(kafka: KafkaClient, topics: string[], outputs: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([
    ...topics.map((topic) => ({ topic, numPartitions: PARTITIONS, configs: { 'retention.bytes': '-1' } })),
    ...outputs.map((topic) => ({ topic, numPartitions: PARTITIONS })),
  ]);
  await admin.disconnect();
}

const total = (runtime: StreamsRuntime, f: 'recordsIn' | 'recordsOut'): number => runtime.metrics().reduce((n, m) => n + m[f], 0);

interface CaseRun {
  readonly runtime: StreamsRuntime;
  readonly kafka: KafkaClient;
  readonly stateDir: string;
  /** Records the runtime reads in all (table and stream inputs). */
  readonly expected: number;
  readonly t0: number;
  readonly cpu0: NodeJS.CpuUsage;
}

/**
 * Runs the case's runtime until it has read `expected` records, closes it and the broker, removes
 * its state, and reports `records` per second of wall and CPU time since `t0` / `cpu0`.
 */
async function finishCase(name: string, records: number, { runtime, kafka, stateDir, expected, t0, cpu0 }: CaseRun): Promise<Record<string, number | string>> {
  await profiled(args.get('profile'), async () => {
    while (total(runtime, 'recordsIn') < expected) await runtime.runOnce(20);
    await runtime.close();
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out = total(runtime, 'recordsOut');
  await closeClient(kafka);
  rmSync(stateDir, { recursive: true, force: true });
  return {
    case: name,
    recordsPerSec: Math.round(records / seconds),
    recordsPerCpuSec: Math.round(records / ((cpu.user + cpu.system) / 1e6)),
    seconds: round(seconds),
    peakRssMb: peakRssMb(),
    recordsOut: out,
  };
}

async function streamTableCase(): Promise<Record<string, number | string>> {
  const kafka = await newKafka();
  await createTopics(kafka, [T('users'), T('clicks')], [T('enriched')]);
  const userJson = (i: number): Buffer =>
    Buffer.from(
      JSON.stringify({ name: `user-${i}`, country: ['DE', 'FR', 'US', 'NL'][i % 4], tier: i % 10 === 0 ? 'gold' : 'basic', signup: BASE - i } satisfies User),
    );
  await produce(kafka, (i) => ({ topic: T('users'), key: Buffer.from(`u${i}`), value: userJson(i), timestamp: BASE }), TABLE_KEYS);

  const b = new StreamsBuilder({ logger: () => {} });
  const users = b.table(T('users'), Consumed.with(str, Serdes.json<User>()), Materialized.as<string, User>('users-store'));
  b.stream(T('clicks'), Consumed.with(str, Serdes.json<Click>()))
    .join(users, (c, u) => ({ id: c.id, page: c.page, durationMs: c.durationMs, country: u.country, tier: u.tier }))
    .to(T('enriched'), Produced.with(str, Serdes.json<{ id: string; page: string; durationMs: number; country: string; tier: string }>()));
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-bench-joins-'));
  const runtime = new StreamsRuntime({
    topology: b.build(),
    client: kafka,
    config: { applicationId: T('bench-joins-st'), processingGuarantee: GUARANTEE, stateDir },
  });
  await runtime.start({ loop: false });
  while (total(runtime, 'recordsIn') < TABLE_KEYS) await runtime.runOnce(20);
  await runtime.commit();

  // Every ~7th click has a user outside the table (no output in an inner join).
  await produce(
    kafka,
    (i) => {
      const user = `u${(i * 7919) % Math.round(TABLE_KEYS * 1.15)}`;
      const click: Click = { id: `c-${String(i).padStart(10, '0')}`, user, page: `/p/${i % 500}`, durationMs: i % 10_000, ts: BASE + 1000 + i };
      return { topic: T('clicks'), key: Buffer.from(user), value: Buffer.from(JSON.stringify(click)), timestamp: BASE + 1000 + i };
    },
    RECORDS,
  );
  const expected = TABLE_KEYS + RECORDS;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return finishCase(`stream-table enrichment, ${TABLE_KEYS} table keys, ${RECORDS} stream records [${GUARANTEE}]`, RECORDS, {
    runtime,
    kafka,
    stateDir,
    expected,
    t0,
    cpu0,
  });
}

async function streamStreamCase(): Promise<Record<string, number | string>> {
  const kafka = await newKafka();
  await createTopics(kafka, [T('orders'), T('payments')], [T('paid')]);
  const KEYS = 60_000;
  const key = (i: number, salt: number): string => `o${(i * 7919 + salt) % KEYS}`;
  await produce(
    kafka,
    (i) => ({
      topic: T('orders'),
      key: Buffer.from(key(i, 0)),
      value: Buffer.from(JSON.stringify({ id: `order-${i}`, amount: i % 1000 } satisfies Order)),
      timestamp: BASE + i * 10,
    }),
    RECORDS,
  );
  await produce(
    kafka,
    (i) => ({
      topic: T('payments'),
      key: Buffer.from(key(i, 13)),
      value: Buffer.from(JSON.stringify({ id: `pay-${i}`, method: i % 2 ? 'card' : 'sepa' } satisfies Payment)),
      timestamp: BASE + i * 10 + 5,
    }),
    RECORDS,
  );
  const b = new StreamsBuilder({ logger: () => {} });
  b.stream(T('orders'), Consumed.with(str, Serdes.json<Order>()))
    .join(
      b.stream(T('payments'), Consumed.with(str, Serdes.json<Payment>())),
      (o, p) => ({ order: o.id, payment: p.id, amount: o.amount, method: p.method }),
      JoinWindows.ofTimeDifferenceAndGrace(FIVE_MINUTES, 60_000),
      StreamJoined.with(str, Serdes.json<Order>(), Serdes.json<Payment>()).withStoreName('order-payment'),
    )
    .to(T('paid'), Produced.with(str, Serdes.json<{ order: string; payment: string; amount: number; method: string }>()));
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-bench-joins-'));
  const runtime = new StreamsRuntime({
    topology: b.build(),
    client: kafka,
    config: { applicationId: T('bench-joins-ss'), processingGuarantee: GUARANTEE, stateDir },
  });
  const expected = 2 * RECORDS;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runtime.start({ loop: false });
  return finishCase(`stream-stream join, 5-min windows, ${RECORDS} records per side [${GUARANTEE}]`, expected, {
    runtime,
    kafka,
    stateDir,
    expected,
    t0,
    cpu0,
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const only = args.get('case');
  if (only !== undefined) {
    const result = only === 'st' ? await streamTableCase() : await streamStreamCase();
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
    for (const c of ['st', 'ss']) {
      const embedded = targets.includes('embedded') ? run(c, 'embedded') : undefined;
      if (embedded !== undefined) {
        const result = embedded;
        results.push(result);
        console.log(
          `${String(result.case).padEnd(80)} ${String(result.recordsPerSec).padStart(8)} rec/s  ${String(result.recordsPerCpuSec).padStart(8)} rec/cpu-s  ` +
            `peak RSS ${result.peakRssMb} MB  (${result.seconds} s, ${result.recordsOut} out)`,
        );
      }
      if (targets.includes('kafkajs')) {
        const real = run(c, 'kafkajs');
        if (embedded !== undefined) real.ratioToEmbedded = round((real.recordsPerSec as number) / (embedded.recordsPerSec as number));
        results.push(real);
        console.log(`${kafkajsLine(real, embedded)}  (${real.seconds} s, ${real.recordsOut} out)`);
      }
    }
  });
  console.log(`target: stream-table ≥ 250000 rec/s — ${(results[0]!.recordsPerSec as number) >= 250_000 ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      bench: 'joins',
      node: process.version,
      results: results.map((r) => ({
        case: r.case,
        target: r.target,
        ...(r.ratioToEmbedded === undefined ? {} : { ratioToEmbedded: r.ratioToEmbedded }),
        recordsPerSec: r.recordsPerSec,
        recordsPerCpuSec: r.recordsPerCpuSec,
        peakRssMb: r.peakRssMb,
      })),
    }),
  );
}

await main();
