/**
 * A bronze table for the lakehouse tests, written directly (no Kafka): rows in the bronze schema
 * of transactions-bronze (BronzeRowSchema), over several commits, with exact duplicates of
 * earlier rows (same transaction id, as a replayed producer would send) and rows the silver
 * layer must quarantine (a currency without a rate, an event time after the ingest time).
 */
import { randomUUID } from 'node:crypto';
import { DeltaTableWriter } from '../../../lib/connectors/delta/index.js';
import { BronzeRowSchema } from '../../../topologies/transactions-rows.js';
import type { BronzeInput } from '../../../topologies/transactions-silver.js';

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'SEK'];
const STATUSES = ['completed', 'pending', 'failed', 'declined'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `commits` commits of `rowsPerCommit` rows; returns every row in bronze (version, file) order is not known here: in write order. */
export async function writeBronze(table: string, commits: number, rowsPerCommit: number, seed = 1, startTs = Date.UTC(2024, 5, 1)): Promise<BronzeInput[]> {
  const r = rng(seed);
  const w = await DeltaTableWriter.open({
    tableDir: table,
    schema: BronzeRowSchema,
    partitionBy: ['event_date'],
    codec: 'snappy',
    configuration: { 'delta.checkpointInterval': '5' },
  });
  const all: BronzeInput[] = [];
  let offset = 0;
  for (let c = 0; c < commits; c++) {
    for (let i = 0; i < rowsPerCommit; i++, offset++) {
      const ts = startTs + offset * 7_000;
      const roll = r();
      let row: BronzeInput & Record<string, unknown>;
      if (roll < 0.03 && all.length > 0) {
        const orig = all[Math.floor(r() * all.length)]!;
        row = { ...orig, source_offset: offset };
      } else {
        const skewed = roll > 0.995;
        row = {
          transaction_id: randomUUID(),
          account_id: `ACC${String(Math.floor(r() * 500)).padStart(8, '0')}`,
          merchant_id: `MER${String(Math.floor(r() * 80)).padStart(6, '0')}`,
          amount: Math.round(r() * 50_000) / 100 + 0.01,
          currency: roll > 0.985 && roll <= 0.995 ? 'XAU' : CURRENCIES[Math.floor(r() * CURRENCIES.length)]!,
          transaction_type: 'purchase',
          status: STATUSES[Math.floor(r() * STATUSES.length)]!,
          transaction_timestamp: new Date(ts).toISOString(),
          event_date: new Date(ts).toISOString().slice(0, 10),
          source_topic: 'transactions',
          source_partition: 0,
          source_offset: offset,
          ingest_time: new Date(skewed ? ts - 3_600_000 : ts + 1_000).toISOString(),
        };
      }
      const res = w.append(row);
      if (!res.ok) throw new Error(`bronze fixture row does not fit: ${res.reason}`);
      all.push(row);
    }
    await w.commit();
  }
  return all;
}
