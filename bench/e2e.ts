/**
 * bench:e2e — the chaos workload's shape end to end on a real broker, exactly-once, 100 ms
 * commits, one `TributaryApp` in this process, 4 and 32 input partitions (`--partitions 4,32`), once per
 * Kafka client and exactly-once version (`--clients kafkajs,platformatic`, `--guarantees
 * exactly_once,exactly_once_v2`; a guarantee the runtime rejects is skipped with the reason printed):
 *
 *   input (value `id|user|produceMs`) ─▶ selectKey ─▶ repartition ─▶ 10 s tumbling windows
 *     ─▶ aggregate {c, m: max produceMs} ─▶ output
 *
 * Cases:
 * - `backlog`: N records produced before the app starts; records/s = N / time from `start()`
 *   until a read_committed reader of the output sees final counts adding up to N. Latency here is queueing, reported anyway.
 * - `paced`: records produced at a fixed rate while the app runs; end-to-end latency per output
 *   record = time a read_committed consumer received it − the newest produce time it aggregates
 *   (so it includes the commit interval: outputs become visible when their transaction commits).
 *
 * Case names: `<backlog|paced>-…-<partitions>p-<client>-<v1|v2>`.
 * Flags: `--records N` (default 1,000,000), `--rate N` records/s for the paced case (default
 * 20,000), `--paced-seconds N` (default 20), `--skip-paced`, `--security PLAINTEXT|SASL_SSL|both`
 * (default PLAINTEXT; `both` runs each case over PLAINTEXT and then over SASL_SSL with
 * SCRAM-SHA-512 against the same broker's listeners and reports the ratio). `--metrics` (or TRIBUTARY_BENCH_METRICS=1: the metrics endpoint served and
 * scraped every second while the app runs, bench/metrics-load.ts). Env
 * `KAFKA_BOOTSTRAP_SERVERS` (+ `TRIBUTARY_SECURE_BROKER` for SASL_SSL) uses an existing broker;
 * otherwise one is started with the full JIT. Last line: one JSON object.
 * Profile with `node --cpu-prof --import tsx bench/e2e.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TributaryApp } from '../lib/app/index.js';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../lib/dsl/index.js';
import { TimeWindows } from '../lib/dsl/windows/index.js';
import { createKafkaClient } from '../lib/kafka/index.js';
import type { KafkaSecurity } from '../lib/kafka/security.js';
import type { KafkaClient } from '../lib/kafka/types.js';
import type { KafkaClientKind } from '../lib/kafka/client-choice.js';
import type { ProcessingGuarantee } from '../lib/runtime/config.js';
import { Serdes } from '../lib/serde/serdes.js';
import { startBroker, type RunningBroker, type SecureListeners } from '../scripts/kafka-broker.js';
import { metricsWanted, startMetricsLoad } from './metrics-load.js';
import { fetchedBatches, outgoingBatch } from '../lib/kafka/columns.js';

const KEYS = 1000;
const WINDOW_MS = 10_000;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function listFlag(name: string, fallback: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1]! : fallback)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

const str = Serdes.string();
const aggSerde = Serdes.json<{ c: number; m: number }>();
const keySerde = Serdes.timeWindowed(str, WINDOW_MS);

function topology(input: string, output: string) {
  const b = new StreamsBuilder({ logger: () => {} });
  b.stream(input, Consumed.with(str, str))
    .selectKey((_k, v) => v.slice(v.indexOf('|') + 1, v.lastIndexOf('|')))
    .groupByKey(Grouped.as<string, string>('e2e').withKeySerde(str).withValueSerde(str))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, 3_600_000))
    .aggregate(
      () => ({ c: 0, m: 0 }),
      (_k, v, a) => ({ c: a.c + 1, m: Math.max(a.m, Number(v.slice(v.lastIndexOf('|') + 1))) }),
      Materialized.as<string, { c: number; m: number }>('e2e-agg').withKeySerde(str).withValueSerde(aggSerde),
    )
    .toStream()
    .to(output, Produced.with(keySerde, aggSerde));
  return b.build();
}

async function produce(client: KafkaClient, topic: string, partitions: number, from: number, to: number, ratePerSec: number | null): Promise<void> {
  const producer = client.producer({ clientId: 'e2e-input' });
  await producer.connect();
  const chunk = ratePerSec === null ? 5000 : Math.max(50, Math.floor(ratePerSec / 50));
  const started = Date.now();
  for (let i = from; i < to; i += chunk) {
    const now = Date.now();
    const batch = [];
    for (let id = i; id < Math.min(to, i + chunk); id++) {
      batch.push({
        topic,
        partition: id % partitions,
        key: null,
        value: Buffer.from(`${id}|u${(Math.imul(id, 2654435761) >>> 0) % KEYS}|${now}`),
        timestamp: now,
      });
    }
    await producer.send(outgoingBatch(batch));
    if (ratePerSec !== null) {
      const due = started + ((i - from + chunk) / ratePerSec) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  }
  await producer.disconnect();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface CaseResult {
  readonly case: string;
  readonly recordsPerSec: number;
  readonly peakRssMb: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly metrics: string;
  /** CPU seconds (user + system) of this Node process during the case (the app, and the producer of paced input; not the broker). */
  readonly cpuSeconds: number;
  readonly recordsPerCpuSec: number;
  /** 1-minute load average at the start and the end of the case. */
  readonly loadAverage1m: readonly [number, number];
}

interface CaseSetup {
  readonly partitions: number;
  /** Written as `exactly_once` / `exactly_once_v2`; v2 is not in every runtime's type yet. */
  readonly guarantee: string;
}

async function runCase(client: KafkaClient, name: string, records: number, rate: number | null, setup: CaseSetup): Promise<CaseResult> {
  const { partitions } = setup;
  const suffix = `${Date.now().toString(36)}`;
  const input = `e2e-in-${suffix}`;
  const output = `e2e-out-${suffix}`;
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: input, numPartitions: partitions },
    { topic: output, numPartitions: partitions },
  ]);
  await admin.disconnect();
  // Built before the input is produced: a configuration the runtime rejects fails here, at once.
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-e2e-'));
  let app: TributaryApp;
  try {
    app = new TributaryApp(topology(input, output), {
      applicationId: `e2e-${suffix}`,
      client,
      processingGuarantee: setup.guarantee as ProcessingGuarantee,
      commitIntervalMs: 100,
      stateDir,
    });
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  if (rate === null) {
    const t0 = Date.now();
    await produce(client, input, partitions, 0, records, null);
    process.stderr.write(`[e2e] ${name}: produced ${records} in ${Date.now() - t0} ms\n`);
  }
  const latencies: number[] = [];
  // Completion is end to end: the committed output's final counts add up to every input record.
  const finalCounts = new Map<string, number>();
  let counted = 0;
  const reader = client.consumer({ groupId: `e2e-reader-${suffix}`, autoOffsetReset: 'earliest' });
  await reader.connect();
  await reader.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: output, partition })));
  let reading = true;
  const readLoop = (async () => {
    while (reading) {
      for (const b of fetchedBatches(await reader.poll(100))) {
        const now = Date.now();
        for (const r of b.records) {
          const agg = aggSerde.deserialize(r.value!, output);
          latencies.push(now - agg.m);
          const k = r.key!.toString('latin1');
          counted += agg.c - (finalCounts.get(k) ?? 0);
          finalCounts.set(k, agg.c);
        }
      }
    }
  })();
  const load = metricsWanted() ? await startMetricsLoad(app) : null;
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  const loadBefore = loadavg()[0]!;
  await app.start();
  const producing = rate === null ? Promise.resolve() : produce(client, input, partitions, 0, records, rate);
  let lastLog = 0;
  while (counted < records) {
    await new Promise((r) => setTimeout(r, 50));
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      process.stderr.write(
        `[e2e] ${name}: ${counted}/${records} records counted in the committed output, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`,
      );
    }
  }
  const elapsed = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const loadAfter = loadavg()[0]!;
  const served = await load?.stop();
  await producing;
  reading = false;
  await readLoop;
  await reader.close();
  await app.close();
  rmSync(stateDir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const result: CaseResult = {
    case: name,
    recordsPerSec: Math.round(records / (elapsed / 1000)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    metrics: served === undefined ? 'off' : `on (${served.scrapes} scrapes, ${served.events} live-page events)`,
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    recordsPerCpuSec: Math.round(records / cpuSeconds),
    loadAverage1m: [Number(loadBefore.toFixed(2)), Number(loadAfter.toFixed(2))],
  };
  process.stderr.write(`[e2e] ${name}: ${JSON.stringify(result)} (${latencies.length} output records, ${elapsed} ms)\n`);
  return result;
}

async function main(): Promise<void> {
  const records = flag('records', 1_000_000);
  const rate = flag('rate', 20_000);
  const pacedSeconds = flag('paced-seconds', 20);
  const securityArg = process.argv.indexOf('--security') >= 0 ? process.argv[process.argv.indexOf('--security') + 1]! : 'PLAINTEXT';
  if (!['PLAINTEXT', 'SASL_SSL', 'both'].includes(securityArg)) throw new Error(`--security: PLAINTEXT, SASL_SSL or both, got ${securityArg}`);
  const protocols = securityArg === 'both' ? ['PLAINTEXT', 'SASL_SSL'] : [securityArg];
  const needsSecure = protocols.includes('SASL_SSL');
  let broker: RunningBroker | undefined;
  const bootstrap =
    process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? (broker = await startBroker({ jvmOptions: [], heapMb: 1024, secure: needsSecure })).bootstrapServers;
  const secureFile = process.env['TRIBUTARY_SECURE_BROKER'];
  const secure: SecureListeners | undefined = broker?.secure ?? (secureFile ? (JSON.parse(readFileSync(secureFile, 'utf8')) as SecureListeners) : undefined);
  if (needsSecure && secure === undefined)
    throw new Error('SASL_SSL needs a broker with secured listeners: unset KAFKA_BOOTSTRAP_SERVERS or set TRIBUTARY_SECURE_BROKER');
  const partitionCounts = listFlag('partitions', '4,32').map(Number);
  const clients = listFlag('clients', 'kafkajs,platformatic') as KafkaClientKind[];
  const guarantees = listFlag('guarantees', 'exactly_once,exactly_once_v2');
  const results: CaseResult[] = [];
  const skipped: { case: string; reason: string }[] = [];
  try {
    for (const protocol of protocols) {
      const security: KafkaSecurity | undefined =
        protocol === 'SASL_SSL'
          ? {
              protocol: 'SASL_SSL',
              sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: secure!.users.alice },
              tls: { ca: readFileSync(secure!.caFile, 'utf8') },
            }
          : undefined;
      for (const partitions of partitionCounts) {
        for (const kind of clients) {
          const client = createKafkaClient({
            bootstrapServers: security ? secure!.saslSslBootstrap : bootstrap,
            clientId: 'e2e-bench',
            client: kind,
            ...(security ? { security } : {}),
          });
          for (const guarantee of guarantees) {
            const tag = `-${partitions}p-${kind}-${guarantee === 'exactly_once_v2' ? 'v2' : 'v1'}${protocol === 'PLAINTEXT' ? '' : `-${protocol.toLowerCase()}`}`;
            const cases: [string, number, number | null][] = [[`backlog-${records}-eos-100ms${tag}`, records, null]];
            if (!process.argv.includes('--skip-paced')) cases.push([`paced-${rate}/s-eos-100ms${tag}`, rate * pacedSeconds, rate]);
            for (const [name, n, r] of cases) {
              try {
                results.push(await runCase(client, name, n, r, { partitions, guarantee }));
              } catch (e) {
                // Only a guarantee the runtime does not know is skipped; anything else fails the bench.
                const msg = e instanceof Error ? e.message : String(e);
                if (guarantee === 'exactly_once' || !/processingGuarantee|exactly_once_v2/.test(msg)) throw e;
                const reason = msg.replace(/\s*\n\s*/g, ' ');
                skipped.push({ case: name, reason });
                process.stderr.write(`[e2e] ${name}: SKIPPED — the runtime rejects ${guarantee}: ${reason}\n`);
                break;
              }
            }
          }
        }
      }
    }
  } finally {
    await broker?.stop();
  }
  const ratio =
    protocols.length === 2 && partitionCounts.length * clients.length * guarantees.length === 1
      ? {
          saslSslOverPlaintextRecordsPerSec: Number((results[results.length / 2]!.recordsPerSec / results[0]!.recordsPerSec).toFixed(3)),
          saslSslOverPlaintextRecordsPerCpuSec: Number((results[results.length / 2]!.recordsPerCpuSec / results[0]!.recordsPerCpuSec).toFixed(3)),
        }
      : {};
  process.stdout.write(`${JSON.stringify({ bench: 'e2e', node: process.version, loadAverage1m: loadavg()[0], ...ratio, results, skipped })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
