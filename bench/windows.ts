/**
 * bench:windows — event-time windowing on the real runtime over the embedded broker.
 *
 * 1M out-of-order transactions over 10k accounts (JSON values; event time read from
 * `transaction_timestamp`, ISO-8601, by `TimestampExtractors.field`), tumbling 1-minute windows
 * with a 10-minute grace, `count` into a LevelDB window store (caching and changelog on), then
 * `suppress(untilWindowCloses)` to a final-results topic. Disorder: every record is up to 5
 * minutes behind the newest one; 1% are 15–25 minutes behind (late: counted and sent to a
 * late-records topic). One partition, one task, one core. Input is produced before the clock
 * starts; the clock covers start → all records processed → clean close (final commit).
 * Each case runs in its own child process (peak RSS per case) with the `tributary` runner's V8
 * heap setting (lib/cli/heap-settings.ts: heap growth capped at +50%); one more case runs the
 * LevelDB store with V8's default heap growth, to show what the setting trades. Target
 * ≥ 200,000 records/s and peak RSS < 500 MB. The last line is one JSON object for tooling.
 *
 *   npm run bench:windows [-- --records 1000000 --keys 10000] [TRIBUTARY_BENCH_METRICS=1: with the metrics endpoint served and scraped]
 *   --guarantee at_least_once|exactly_once   (default: the product's, exactly_once)
 *   --target embedded|kafkajs|both   (default both) each case also through the kafkajs adapter on a real broker (bench/target.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Consumed, Materialized, Produced, StreamsBuilder } from '../lib/dsl/index.js';
import { BufferConfig, Suppressed } from '../lib/dsl/windowed/suppressed.js';
import { TimeWindows } from '../lib/dsl/windows/time-windows.js';
import { EmbeddedKafka } from '../lib/kafka/embedded/index.js';
import type { OutgoingRecord } from '../lib/kafka/types.js';
import { StreamsRuntime } from '../lib/runtime/streams-runtime.js';
import type { ProcessingGuarantee } from '../lib/runtime/config.js';
import { Serdes } from '../lib/serde/serdes.js';
import type { Topology } from '../lib/topology/topology.js';
import { TimestampExtractors } from '../lib/time/timestamp-extractors.js';
import { applyRunnerHeapSettings } from '../lib/cli/heap-settings.js';
import { runtimeSource } from '../lib/observability/runtime-source.js';
import { metricsWanted, startMetricsLoad } from './metrics-load.js';
import { benchTargets, caseClient, caseTarget, closeClient, kafkajsLine, nameFor, withRealBroker } from './target.js';
import { outgoingBatch } from '../lib/kafka/columns.js';

interface Tx {
  account_id: string;
  amount: number;
  transaction_timestamp: string;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const RECORDS = Number(args.get('records') ?? 1_000_000);
const KEYS = Number(args.get('keys') ?? 10_000);
const CACHE_MB = Number(args.get('cache-mb') ?? 10);
const COMMIT_MS = Number(args.get('commit-ms') ?? 1000);
/** Default: the product's default guarantee (exactly-once). `--guarantee at_least_once` compares with figures taken before that default moved. */
const GUARANTEE = args.get('guarantee') as ProcessingGuarantee | undefined;
const BASE = Date.UTC(2025, 0, 1);
/** `--metrics` / TRIBUTARY_BENCH_METRICS=1: serve and scrape the metrics endpoint during each case (bench/metrics-load.ts). */
const METRICS = metricsWanted();
const TARGET = caseTarget(args);
const TX = nameFor(TARGET, 'tx');
const TX_LATE = nameFor(TARGET, 'tx-late');
const TX_FINAL = nameFor(TARGET, 'tx-counts-final');
const STEP_MS = 6; // 1M records span ~100 minutes of event time

function eventTime(i: number): number {
  // Deterministic pseudo-random disorder: xorshift on i.
  let x = (i + 1) * 2654435761;
  x ^= x >>> 13;
  x = Math.imul(x, 0x5bd1e995);
  x ^= x >>> 15;
  const r = (x >>> 0) / 0xffffffff;
  const behind = i % 100 === 99 ? 15 * 60_000 + Math.floor(r * 10 * 60_000) : Math.floor(r * 5 * 60_000);
  return Math.max(0, BASE + i * STEP_MS - behind);
}

function topology(store: 'persistent' | 'in-memory'): Topology {
  const b = new StreamsBuilder();
  const str = Serdes.string();
  b.stream(TX, Consumed.with(str, Serdes.json<Tx>()).withTimestampExtractor(TimestampExtractors.field('transaction_timestamp')))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace('1 minute', '10 minutes'), { lateRecords: { topic: TX_LATE } })
    .count(
      Materialized.as<string, number>('tx-counts')
        .withStoreType(store)
        .withCachingEnabled(CACHE_MB * 1024 * 1024),
    )
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .to(TX_FINAL, Produced.with(Serdes.timeWindowed(str, 60_000), Serdes.int64()));
  return b.build();
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function runCase(store: 'persistent' | 'in-memory', heap: string): Promise<Record<string, number | string>> {
  // Changelog and output topics keep at most 64 MB per partition in the embedded broker (old
  // segments dropped), standing in for a real broker keeping its log outside our heap.
  const kafka = await caseClient(
    TARGET,
    () =>
      new EmbeddedKafka({
        name: 'bench-windows',
        maxPollRecordsPerPartition: 2000,
        enforceRetention: true,
        topicDefaults: { 'retention.bytes': String(64 * 1024 * 1024) },
      }),
  );
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: TX, numPartitions: 1, configs: { 'retention.bytes': '-1' } },
    { topic: TX_LATE, numPartitions: 1 },
    { topic: TX_FINAL, numPartitions: 1 },
  ]);
  const producer = kafka.producer();
  await producer.connect();
  const batch: OutgoingRecord[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const ts = eventTime(i);
    const account = `acct-${String((i * 7919) % KEYS).padStart(6, '0')}`;
    const tx: Tx = { account_id: account, amount: (i % 1000) / 10, transaction_timestamp: new Date(ts).toISOString() };
    batch.push({ topic: TX, key: Buffer.from(account), value: Buffer.from(JSON.stringify(tx)), timestamp: BASE + i * STEP_MS });
    if (batch.length === 10_000) await producer.send(outgoingBatch(batch.splice(0)));
  }
  if (batch.length > 0) await producer.send(outgoingBatch(batch.splice(0)));
  await producer.disconnect();
  await admin.disconnect();
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-bench-windows-'));
  const runtime = new StreamsRuntime({
    topology: topology(store),
    client: kafka,
    config: {
      applicationId: nameFor(TARGET, 'bench-windows'),
      stateDir,
      commitIntervalMs: COMMIT_MS,
      ...(GUARANTEE === undefined ? {} : { processingGuarantee: GUARANTEE }),
    },
  });
  const total = (): number => runtime.metrics().reduce((n, m) => n + m.recordsIn, 0);
  const load = METRICS ? await startMetricsLoad(runtimeSource(runtime)) : null;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runtime.start({ loop: false });
  while (total() < RECORDS) await runtime.runOnce(50);
  await runtime.close();
  const seconds = (performance.now() - t0) / 1000;
  const served = await load?.stop();
  const cpu = process.cpuUsage(cpu0);
  const m = runtime.metrics();
  const sum = (f: (s: (typeof m)[number]) => number): number => m.reduce((n, s) => n + f(s), 0);
  await closeClient(kafka);
  rmSync(stateDir, { recursive: true, force: true });
  return {
    case: `tumbling 1m, grace 10m, count → suppress(untilWindowCloses), ${store === 'persistent' ? 'LevelDB' : 'in-memory'} store, ${KEYS} keys, ${heap}`,
    recordsPerSec: Math.round(RECORDS / seconds),
    recordsPerCpuSec: Math.round(RECORDS / ((cpu.user + cpu.system) / 1e6)),
    seconds: Math.round(seconds * 100) / 100,
    peakRssMb: peakRssMb(),
    records: RECORDS,
    late: sum((s) => s.dropped),
    finalResults: sum((s) => s.recordsOut) - sum((s) => s.dropped),
    changelogRecords: sum((s) => s.changelogRecords),
    commits: sum((s) => s.commits),
    metrics: served === undefined ? 'off' : `on (${served.scrapes} scrapes of /metrics, ${served.events} live-page events)`,
  };
}

const child = args.get('case');
if (child !== undefined) {
  const v8Default = child.endsWith('-v8-default');
  const percent = v8Default ? null : applyRunnerHeapSettings();
  const heap = percent === null ? 'V8 default heap growth' : `runner heap setting (growth +${percent}%)`;
  const result = await runCase(child.replace('-v8-default', '') as 'persistent' | 'in-memory', heap);
  console.log(JSON.stringify(result));
} else {
  const self = fileURLToPath(import.meta.url);
  const targets = benchTargets(args);
  const results: Array<Record<string, number | string>> = [];
  const run = (c: string, target: string): Record<string, number | string> => {
    const out = execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        self,
        '--case',
        c,
        '--target',
        target,
        '--records',
        String(RECORDS),
        '--keys',
        String(KEYS),
        '--cache-mb',
        String(CACHE_MB),
        '--commit-ms',
        String(COMMIT_MS),
        ...(GUARANTEE === undefined ? [] : ['--guarantee', GUARANTEE]),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...(METRICS ? { TRIBUTARY_BENCH_METRICS: '1' } : {}) } },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
    r['target'] = target;
    return r;
  };
  await withRealBroker(targets, async () => {
    for (const c of ['persistent', 'in-memory', 'persistent-v8-default']) {
      const embedded = targets.includes('embedded') ? run(c, 'embedded') : undefined;
      if (embedded !== undefined) {
        const r = embedded;
        console.log(
          `${r['case']}: ${r['recordsPerSec']} records/s (${r['recordsPerCpuSec']} per CPU-s), peak RSS ${r['peakRssMb']} MB, late ${r['late']}, final results ${r['finalResults']}, metrics ${r['metrics']}`,
        );
        results.push(r);
      }
      // The heap-growth comparison case stays in process.
      if (targets.includes('kafkajs') && c !== 'persistent-v8-default') {
        const real = run(c, 'kafkajs');
        if (embedded !== undefined)
          real['ratioToEmbedded'] = Math.round(((real['recordsPerSec'] as number) / (embedded['recordsPerSec'] as number)) * 1000) / 1000;
        console.log(`${kafkajsLine(real, embedded)}, late ${real['late']}, final results ${real['finalResults']}`);
        results.push(real);
      }
    }
  });
  console.log(JSON.stringify({ bench: 'windows', node: process.version, guarantee: GUARANTEE ?? 'exactly_once', results }));
}
