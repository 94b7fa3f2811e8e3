/**
 * bench:producer — events/s of `tributary produce transactions` into a real broker (idempotent
 * producer, acks=all, 4 partitions), run in process through the CLI entry (`runCli`), so flag
 * parsing, generation, JSON encoding, batching and sending are all measured. Cases:
 *   - `generate-only`:     the seeded generator alone (the ceiling the sender can reach);
 *   - `cli-batch-<N>`:     `--num-transactions N` as fast as possible, default batch size;
 *   - `cli-batch-<N>-b10k`: the same with `--batch-size 10000`;
 *   - `cli-continuous-<S>s`: `--continuous --duration S`.
 * Each CLI case runs BENCH_REPEAT times (default 3; the machine is shared) and reports the median
 * run, with every run's figure in `runs`. Peak RSS is sampled every 20 ms (max over the runs).
 * Last line: one JSON object.
 *
 *   npm run bench:producer                               # starts its own broker (scripts/kafka-broker.ts)
 *   KAFKA_BOOTSTRAP_SERVERS=host:port npm run bench:producer
 *   BENCH_RECORDS=500000 BENCH_SECONDS=10 npm run bench:producer
 */
import { randomBytes } from 'node:crypto';
import type { CliContext } from '../lib/cli/context.js';
import { runCli } from '../lib/cli/main.js';
import { TransactionGenerator } from '../lib/cli/produce/transactions.js';
import { startBroker, type RunningBroker } from '../scripts/kafka-broker.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 300_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const REPEAT = Math.max(1, Number(process.env['BENCH_REPEAT'] ?? 3));

interface CaseResult {
  case: string;
  records: number;
  recordsPerSec: number;
  peakRssMb: number;
  [extra: string]: unknown;
}

async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = process.hrtime.bigint();
  try {
    const value = await fn();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { value, seconds, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576) };
  } finally {
    clearInterval(timer);
  }
}

function quietContext(): CliContext & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    confirm: undefined,
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

async function cliCase(name: string, servers: string, args: string[]): Promise<CaseResult> {
  const topic = `bench-producer-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const ctx = quietContext();
  const m = await measured(() =>
    runCli(['produce', 'transactions', '--bootstrap-servers', servers, '--topic', topic, '--partitions', '4', '--seed', '1', ...args], ctx),
  );
  if (m.value !== 0) throw new Error(`${name} failed (exit ${m.value}): ${ctx.err()}`);
  const summary = JSON.parse(ctx.out()) as { sent: number; eventsPerSec: number; late: number; malformed: number };
  return {
    case: name,
    records: summary.sent,
    // The producer's own figure: acknowledged records over the sending time (topic creation and connect excluded).
    recordsPerSec: summary.eventsPerSec,
    // Wall clock of the whole command, connect and topic creation included.
    commandRecordsPerSec: Math.round(summary.sent / m.seconds),
    peakRssMb: m.peakRssMb,
    late: summary.late,
    malformed: summary.malformed,
  };
}

async function repeated(name: string, servers: string, args: string[]): Promise<CaseResult> {
  const runs: CaseResult[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await cliCase(name, servers, args));
  const sorted = [...runs].sort((a, b) => a.recordsPerSec - b.recordsPerSec);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), runs: runs.map((r) => r.recordsPerSec) };
}

async function generateOnly(n: number): Promise<CaseResult> {
  const m = await measured(async () => {
    const gen = new TransactionGenerator({ seed: 1, startTime: Date.now() });
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const g = gen.next();
      bytes += Buffer.byteLength(g.value) + Buffer.byteLength(g.key);
    }
    return bytes;
  });
  return { case: 'generate-only', records: n, recordsPerSec: Math.round(n / m.seconds), peakRssMb: m.peakRssMb, avgRecordBytes: Math.round(m.value / n) };
}

async function main(): Promise<void> {
  let broker: RunningBroker | undefined;
  let servers = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (!servers) {
    process.stderr.write('starting a Kafka broker (scripts/kafka-broker.ts)…\n');
    broker = await startBroker({ log: (m) => process.stderr.write(`[broker] ${m}\n`) });
    servers = broker.bootstrapServers;
  }
  const results: CaseResult[] = [];
  try {
    results.push(await generateOnly(RECORDS));
    // Warm-up: JIT, connections and metadata on a small run, not reported.
    await cliCase('warmup', servers, ['--num-transactions', '20000']);
    results.push(await repeated(`cli-batch-${RECORDS}`, servers, ['--num-transactions', String(RECORDS)]));
    results.push(await repeated(`cli-batch-${RECORDS}-b10k`, servers, ['--num-transactions', String(RECORDS), '--batch-size', '10000']));
    results.push(await repeated(`cli-continuous-${SECONDS}s`, servers, ['--continuous', '--duration', String(SECONDS)]));
  } finally {
    await broker?.stop();
  }
  for (const r of results) {
    process.stdout.write(
      `${r.case.padEnd(28)} ${String(r.records).padStart(9)} records  ${String(r.recordsPerSec).padStart(9)} records/s  peak RSS ${r.peakRssMb} MB${r['runs'] ? `  runs ${String(r['runs'])}` : ''}\n`,
    );
  }
  process.stdout.write(`${JSON.stringify({ bench: 'producer', node: process.version, results })}\n`);
}

await main();
