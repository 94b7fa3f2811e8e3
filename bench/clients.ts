/**
 * bench:clients — the Kafka clients tributary can sit on, measured on the real broker with the
 * same workloads: `produce` (idempotent, acks=all, batches of 1,000 ~100-byte records, 8 in
 * flight), `consume` (a fresh group from the start of a 4-partition topic) and `eos` (the
 * read-process-write loop of an exactly-once task: consume → produce → send offsets → commit, one
 * transaction per 100 ms). Clients: kafkajs (today's), @confluentinc/kafka-javascript (librdkafka,
 * through its KafkaJS-compatible API) and @platformatic/kafka (pure TypeScript). A candidate that is
 * not installed, or does not load on this Node, is reported as unavailable with the reason.
 *
 * Each (client, case) runs in its own child process: records/s, records per CPU-second (the
 * process's user+system time over the measured interval; librdkafka's threads included), peak RSS
 * of that process, and the ratio to kafkajs. The last line is the bench JSON object.
 *
 *   BENCH_RECORDS (default 200000) · BENCH_CLIENTS=kafkajs,confluent,platformatic ·
 *   BENCH_CASES=produce,consume,eos · KAFKA_BOOTSTRAP_SERVERS: use that broker (else one is started)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '../lib/kafka/index.js';
import { outgoingBatch } from '../lib/kafka/columns.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';
import { kafkajsApi } from './clients/kafkajs-api.js';
import { platformaticApi } from './clients/platformatic.js';
import { inFlightPool, payload, startClock, type Measured, type Workload } from './clients/workload.js';

const CLIENTS = {
  kafkajs: { pkg: 'kafkajs', make: (m: unknown) => kafkajsApi(m, 'kafkajs') },
  confluent: { pkg: '@confluentinc/kafka-javascript', make: (m: unknown) => kafkajsApi(m, 'confluent') },
  platformatic: { pkg: '@platformatic/kafka', make: (m: unknown) => platformaticApi(m) },
} as const;
type ClientName = keyof typeof CLIENTS;
const CASES = ['produce', 'consume', 'eos'] as const;
type CaseName = (typeof CASES)[number];

interface WorkerResult extends Partial<Measured> {
  readonly client: ClientName;
  readonly case: CaseName;
  readonly version?: string;
  readonly peakRssMb?: number;
  readonly error?: string;
}

async function load(name: ClientName): Promise<{ workload: Workload; version: string }> {
  const spec = CLIENTS[name];
  const mod = (await import(spec.pkg)) as { default?: unknown };
  const version = packageVersion(fileURLToPath(import.meta.resolve(spec.pkg)), spec.pkg);
  // CommonJS packages arrive as { default: module.exports, ...named }.
  return { workload: spec.make(name === 'platformatic' ? mod : (mod.default ?? mod)), version };
}

/** The version in the package.json of `pkg` found above its resolved entry file. */
function packageVersion(entry: string, pkg: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (json.name === pkg) return json.version ?? '?';
  }
  return '?';
}

async function worker(client: ClientName, caseName: CaseName): Promise<void> {
  const env = process.env;
  let result: WorkerResult;
  try {
    const { workload, version } = await load(client);
    const measured = await workload[caseName]({
      bootstrap: env['BENCH_BOOTSTRAP']!,
      caseName: `${client}-${caseName}`,
      records: Number(env['BENCH_RECORDS']),
      batch: 1_000,
      inputTopic: env['BENCH_INPUT']!,
      outputTopic: `${env['BENCH_PREFIX']}-${client}-${caseName}-out`,
      groupId: `${env['BENCH_PREFIX']}-${client}-${caseName}`,
      commitIntervalMs: 100,
      startClock,
    });
    result = { client, case: caseName, version, ...measured, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } catch (err) {
    result = { client, case: caseName, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runWorker(client: ClientName, caseName: CaseName, env: Record<string, string>, timeoutMs: number): Promise<WorkerResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', client, caseName], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as WorkerResult);
      } catch {
        resolve({ client, case: caseName, error: `worker exited ${signal ?? code}: ${(err || out).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` });
      }
    });
  });
}

async function main(): Promise<void> {
  const records = Number(process.env['BENCH_RECORDS'] ?? 200_000);
  const clients = (process.env['BENCH_CLIENTS'] ?? 'kafkajs,confluent,platformatic').split(',') as ClientName[];
  const cases = (process.env['BENCH_CASES'] ?? CASES.join(',')).split(',') as CaseName[];
  for (const c of clients) if (!(c in CLIENTS)) throw new Error(`BENCH_CLIENTS: unknown client ${c}; known: ${Object.keys(CLIENTS).join(', ')}`);
  let broker: RunningBroker | undefined;
  const bootstrap = process.env['KAFKA_BOOTSTRAP_SERVERS'] || (broker = await startBroker({ jvmOptions: [], heapMb: 1024 })).bootstrapServers;
  const prefix = `bench-clients-${Date.now().toString(36)}`;
  const input = `${prefix}-in`;
  const results: WorkerResult[] = [];
  try {
    const kafka = createKafkaClient({ bootstrapServers: [bootstrap], clientId: 'bench-clients' });
    const admin = kafka.admin();
    await admin.connect();
    const topics = [input, ...clients.flatMap((c) => CASES.map((k) => `${prefix}-${c}-${k}-out`))];
    await admin.createTopics(topics.map((topic) => ({ topic, numPartitions: 4 })));
    const producer = kafka.producer();
    await producer.connect();
    await inFlightPool(records, 5_000, 4, (from, to) => {
      const batch = [];
      for (let i = from; i < to; i++) batch.push({ topic: input, key: Buffer.from(`k${i % 1000}`), value: payload(i) });
      return producer.send(outgoingBatch(batch));
    });
    await producer.disconnect();
    process.stderr.write(`[clients] ${records} records in ${input} (4 partitions); node ${process.version}; load ${loadavg()[0]!.toFixed(2)}\n`);
    for (const caseName of cases) {
      for (const client of clients) {
        const r = await runWorker(
          client,
          caseName,
          { BENCH_BOOTSTRAP: bootstrap, BENCH_RECORDS: String(records), BENCH_INPUT: input, BENCH_PREFIX: prefix },
          300_000,
        );
        results.push(r);
        process.stderr.write(`[clients] ${describe(r)} · load ${loadavg()[0]!.toFixed(2)}\n`);
      }
    }
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  } finally {
    await broker?.stop();
  }
  const rows = results.map((r) => {
    if (r.error !== undefined || r.ms === undefined) return r;
    const base = results.find((b) => b.client === 'kafkajs' && b.case === r.case && b.ms !== undefined);
    const recordsPerSec = Math.round((r.records! * 1000) / r.ms);
    const recordsPerCpuSec = Math.round((r.records! * 1000) / r.cpuMs!);
    const baseRate = base ? (base.records! * 1000) / base.ms! : undefined;
    const baseCpu = base ? (base.records! * 1000) / base.cpuMs! : undefined;
    return {
      client: r.client,
      case: r.case,
      version: r.version,
      records: r.records,
      ms: Math.round(r.ms),
      recordsPerSec,
      recordsPerCpuSec,
      peakRssMb: r.peakRssMb,
      ...(baseRate
        ? { ratioToKafkajs: Number((recordsPerSec / baseRate).toFixed(2)), cpuRatioToKafkajs: Number((recordsPerCpuSec / baseCpu!).toFixed(2)) }
        : {}),
    };
  });
  process.stdout.write(`${JSON.stringify({ bench: 'clients', node: process.version, loadAverage1m: loadavg()[0], records, results: rows })}\n`);
}

function describe(r: WorkerResult): string {
  if (r.error !== undefined || r.ms === undefined) return `${r.client} ${r.case}: unavailable (${r.error})`;
  return `${r.client}@${r.version} ${r.case}: ${Math.round((r.records! * 1000) / r.ms).toLocaleString('en-US')} rec/s, ${Math.round((r.records! * 1000) / r.cpuMs!).toLocaleString('en-US')} rec/CPU-s, peak RSS ${r.peakRssMb} MB`;
}

const workerAt = process.argv.indexOf('--worker');
if (workerAt >= 0) {
  void worker(process.argv[workerAt + 1] as ClientName, process.argv[workerAt + 2] as CaseName);
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
