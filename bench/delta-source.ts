/**
 * Delta source benchmark: a bronze table (the seed's bronze schema, partitioned by event_date,
 * written beforehand in commits of 100k rows, not timed) read as a stream.
 *
 *   source-read       DeltaSourceReader alone: the table's rows in version order (Parquet → rows)
 *   silver-hop-eos    the silver topology (topologies/transactions-silver.ts) under runDeltaStreams:
 *                     bronze stream → normalise → dedup → silver + quarantine deltaSinks, exactly
 *                     once (positions in each target's commits); timed until caught up
 *
 * Each case reports rows/s, records per CPU-second (user+system of this process) and peak RSS; the
 * 1-minute load average is printed with each. Last line: one JSON object.
 * Usage: npm run bench:delta-source [-- --records N] [-- --location DIR|s3://bucket/prefix] [-- --s3-moto]
 *        [-- --keep] (a local --location is kept, and its bronze table reused by the next run: A/B of one input)
 *        [-- --only silver-hop-eos|source-read] [-- --profile FILE.cpuprofile] (CPU profile of the timed cases)
 * (`--s3-moto` starts moto_server on loopback and puts the tables in a fresh bucket: S3 vs local.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DeltaSourceReader, DeltaTableWriter, configureS3, runDeltaStreams } from '../lib/connectors/delta/index.js';
import { BronzeRowSchema } from '../topologies/transactions-rows.js';
import { buildSilverTopology, silverSettings } from '../topologies/transactions-silver.js';
import { profiled } from './profile.js';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const arg = (name: string, d: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : d;
};
const RECORDS = Number(arg('--records', '1000000'));
const COMMIT_ROWS = 100_000;

interface Result {
  case: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
  recordsPerCpuSec: number;
  peakRssMb: number;
  load1: number;
  [k: string]: unknown;
}

async function measured(name: string, records: number, fn: () => Promise<Record<string, unknown> | void>): Promise<Result> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let extra: Record<string, unknown> | void;
  try {
    extra = await fn();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  const r: Result = {
    case: name,
    records,
    seconds: +seconds.toFixed(2),
    recordsPerSec: Math.round(records / seconds),
    recordsPerCpuSec: Math.round(records / cpuSec),
    cpuSeconds: +cpuSec.toFixed(2),
    peakRssMb: Math.round(peak / 1048576),
    load1: +os.loadavg()[0]!.toFixed(2),
    ...(extra ?? {}),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return r;
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'SEK'];
const STATUSES = ['completed', 'pending', 'failed', 'declined'];

async function writeBronze(table: string): Promise<void> {
  const t0 = performance.now();
  const w = await DeltaTableWriter.open({ tableDir: table, schema: BronzeRowSchema, partitionBy: ['event_date'], codec: 'snappy', zodValidate: false });
  const start = Date.UTC(2024, 5, 1);
  for (let i = 0; i < RECORDS; i++) {
    const ts = start + Math.floor((i * 5 * 86_400_000) / RECORDS);
    const r = w.append({
      transaction_id: randomUUID(),
      account_id: `ACC${String(i % 5000).padStart(8, '0')}`,
      merchant_id: `MER${String(i % 300).padStart(6, '0')}`,
      amount: ((i * 7919) % 100_000) / 100 + 0.01,
      currency: CURRENCIES[i % 8]!,
      transaction_type: 'purchase',
      status: STATUSES[i % 4]!,
      transaction_timestamp: new Date(ts).toISOString(),
      event_date: new Date(ts).toISOString().slice(0, 10),
      source_topic: 'transactions',
      source_partition: i % 4,
      source_offset: i >> 2,
      ingest_time: new Date(ts + 1000).toISOString(),
    });
    if (!r.ok) throw new Error(r.reason);
    if ((i + 1) % COMMIT_ROWS === 0) await w.commit();
  }
  await w.commit();
  process.stdout.write(`wrote ${RECORDS} bronze rows to ${table} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)\n`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-delta-source-'));
  let location = arg('--location', work);
  const keep = args.includes('--keep') && location !== work && !location.startsWith('s3:');
  let stopMoto: (() => Promise<void>) | undefined;
  if (args.includes('--s3-moto')) {
    const { startMoto } = await import('../test/helpers/s3-moto.js');
    const moto = await startMoto();
    stopMoto = () => moto.stop();
    configureS3({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    location = `s3://${await moto.bucket('bench')}/lake`;
  }
  const s = silverSettings({
    params: { 'bronze-table': `${location}/bronze`, table: `${location}/silver`, 'quarantine-table': `${location}/quarantine`, 'commit-interval': '5s' },
  });
  try {
    if (keep && existsSync(path.join(s.bronzeTable, '_delta_log'))) process.stdout.write(`reusing the bronze table ${s.bronzeTable}\n`);
    else await writeBronze(s.bronzeTable);
    if (keep) for (const t of [s.silverTable, s.quarantineTable]) rmSync(t, { recursive: true, force: true });
    const results: Result[] = [];
    const only = arg('--only', '');
    const profile = arg('--profile', '');
    const run = (name: string, fn: () => Promise<Record<string, unknown> | void>) =>
      only && only !== name
        ? Promise.resolve(undefined)
        : measured(name, RECORDS, () => profiled(profile ? path.join(path.dirname(profile), `${name}-${path.basename(profile)}`) : undefined, fn));
    const push = (r: Result | undefined) => r && results.push(r);
    push(
      await run('source-read', async () => {
        const r = await DeltaSourceReader.open(s.bronzeTable, { maxRowsPerBatch: 20_000 });
        let n = 0;
        for (let b = await r.poll(); b.rows.length; b = await r.poll()) n += b.rows.length;
        if (n !== RECORDS) throw new Error(`read ${n} rows, expected ${RECORDS}`);
      }),
    );
    push(
      await run('silver-hop-eos', async () => {
        const counters = { duplicates: 0 };
        const res = await runDeltaStreams(buildSilverTopology(s, counters), {
          applicationId: 'bench-silver',
          stateDir: mkdtempSync(path.join(work, 'state-')),
          untilCaughtUp: true,
        });
        if (res.records !== RECORDS) throw new Error(`the hop read ${res.records} rows, expected ${RECORDS}`);
        return { commits: res.commits };
      }),
    );
    process.stdout.write(`${JSON.stringify({ bench: 'delta-source', node: process.version, location: location === work ? 'local' : location, results })}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stopMoto?.();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
