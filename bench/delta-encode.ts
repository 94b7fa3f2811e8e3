/**
 * Delta encode benchmark: 1M transaction events of the seed scenario (plus Kafka metadata columns)
 * into a table partitioned by event_date.
 *
 *   parquet-encode   rows → schema check → Arrow columns → zstd Parquet (in memory), 128Ki rows/file
 *   write-commit     DeltaTableWriter with zod validation: files on disk + a Delta commit every
 *                    100k rows (10 commits → one checkpoint), the full write path minus Kafka
 *   write-commit-nozod  the same without the per-row zod safeParse (schema checks still strict)
 *
 * Input rows are generated up front (a pool of 100k events cycled with fresh offsets) so the
 * figures measure the writer, not the generator. Last line: one JSON object.
 * Usage: npm run bench:delta-encode [-- --rows N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DeltaTableWriter, deltaSchemaFromZod, loadSnapshot } from '../lib/connectors/delta/index.js';
import { encodeParquet } from '../lib/connectors/delta/parquet.js';
import { RowBuffer } from '../lib/connectors/delta/row-buffer.js';
import { TransactionGenerator } from '../lib/cli/produce/transactions.js';
import { TransactionEventSchema } from '../topologies/transactions-schema.js';

const args = process.argv.slice(2);
const ROWS = Number(args[args.indexOf('--rows') + 1] || 1_000_000) || 1_000_000;
const POOL = Math.min(ROWS, 100_000);
const COMMIT_EVERY = 100_000;

const BronzeSchema = TransactionEventSchema.extend({
  event_date: z.iso.date(),
  kafka_topic: z.string(),
  kafka_partition: z.int32(),
  kafka_offset: z.int(),
  ingest_time: z.date(),
});

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

function makePool(): Record<string, unknown>[] {
  const gen = new TransactionGenerator({ seed: 42, startTime: Date.UTC(2024, 5, 1), spacingMs: (5 * 86_400_000) / POOL, malformedShare: 0, lateShare: 0.05 });
  const ingest = new Date();
  return Array.from({ length: POOL }, (_, i) => {
    const e = gen.next().event;
    return {
      ...e,
      event_date: e.transaction_timestamp.slice(0, 10),
      kafka_topic: 'transactions',
      kafka_partition: i % 6,
      kafka_offset: i,
      ingest_time: ingest,
    };
  });
}

function rowAt(pool: Record<string, unknown>[], i: number): Record<string, unknown> {
  const r = pool[i % POOL]!;
  r['kafka_offset'] = i;
  return r;
}

interface Result {
  case: string;
  rows: number;
  seconds: number;
  recordsPerSec: number;
  peakRssMb: number;
  [k: string]: unknown;
}

function result(name: string, rows: number, ms: number, extra: Record<string, unknown> = {}): Result {
  sampleRss();
  return {
    case: name,
    rows,
    seconds: +(ms / 1000).toFixed(2),
    recordsPerSec: Math.round(rows / (ms / 1000)),
    peakRssMb: Math.round(peakRss / 1048576),
    ...extra,
  };
}

async function main(): Promise<void> {
  const pool = makePool();
  const schema = deltaSchemaFromZod(BronzeSchema);
  const results: Result[] = [];

  // 1. Encoding alone: per-partition buffers → Parquet bytes, nothing written.
  for (const rows of [Math.min(50_000, ROWS), ROWS]) {
    const warmup = rows !== ROWS;
    peakRss = 0;
    const dataFields = schema.fields.filter((f) => f.name !== 'event_date');
    const buffers = new Map<string, RowBuffer>();
    let files = 0;
    let bytes = 0;
    let encodeMs = 0;
    const t0 = performance.now();
    const flush = (b: RowBuffer) => {
      const e0 = performance.now();
      const out = encodeParquet(b.finish(), { codec: 'zstd' });
      encodeMs += performance.now() - e0;
      files++;
      bytes += out.length;
    };
    for (let i = 0; i < rows; i++) {
      const r = rowAt(pool, i);
      const key = r['event_date'] as string;
      let b = buffers.get(key);
      if (!b) buffers.set(key, (b = new RowBuffer(dataFields, ['event_date'])));
      const reason = b.append(r);
      if (reason) throw new Error(reason);
      if (b.length >= 131072) {
        b.stats();
        flush(b);
      }
    }
    for (const b of buffers.values()) if (b.length) flush(b);
    const ms = performance.now() - t0;
    if (!warmup)
      results.push(result('parquet-encode', ROWS, ms, { files, parquetMb: +(bytes / 1048576).toFixed(1), parquetWasmSeconds: +(encodeMs / 1000).toFixed(2) }));
  }

  // 2./3. Full write + commit, with and without zod validation.
  for (const zodValidate of [true, false]) {
    peakRss = 0;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trib-delta-bench-'));
    try {
      const w = await DeltaTableWriter.open({ tableDir: path.join(dir, 'bronze'), schema: BronzeSchema, partitionBy: ['event_date'], zodValidate });
      let commits = 0;
      let files = 0;
      let bytes = 0;
      const t0 = performance.now();
      for (let i = 0; i < ROWS; i++) {
        const res = w.append(rowAt(pool, i));
        if (!res.ok) throw new Error(res.reason);
        if ((i + 1) % COMMIT_EVERY === 0 || i === ROWS - 1) {
          const c = await w.commit();
          commits++;
          files += c!.files;
          bytes += c!.bytes;
        }
      }
      const ms = performance.now() - t0;
      const snap = await loadSnapshot(path.join(dir, 'bronze'));
      results.push(
        result(zodValidate ? 'write-commit' : 'write-commit-nozod', ROWS, ms, {
          files,
          commits,
          tableVersion: snap.version,
          partitions: new Set([...snap.files.values()].map((a) => a.partitionValues['event_date'])).size,
          parquetMb: +(bytes / 1048576).toFixed(1),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  clearInterval(sampler);
  for (const r of results)
    console.log(`${r.case.padEnd(20)} ${String(r.recordsPerSec).padStart(9)} rows/s  ${r.seconds}s  peak RSS ${r.peakRssMb} MB  ${JSON.stringify(r)}`);
  console.log(JSON.stringify({ bench: 'delta-encode', rows: ROWS, node: process.version, results }));
}

await main();
