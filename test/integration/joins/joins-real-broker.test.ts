/**
 * Joins on the real broker (kafkajs adapter, exactly-once): four-partition input topics, a
 * stream-table enrichment and a windowed stream-stream left join, checked against the models.
 *
 * The table is loaded first and the runtime waits until it has processed it, so every click
 * sees the final table (a stream-table join reads the table as of processing time). The
 * stream-stream join gets a grace larger than the data's time range (nothing can be late in any
 * order) and one far-future sentinel per partition, so every unmatched record's window closes
 * and the left-join nulls are final.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { JoinWindows, StreamJoined } from '../../../lib/dsl/joins/index.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import { partitionForKey } from '../../../lib/kafka/partitioner.js';
import type { IncomingRecord, KafkaClient } from '../../../lib/kafka/types.js';
import { StreamsRuntime } from '../../../lib/runtime/streams-runtime.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();
const PARTITIONS = 4;
const WINDOW_MS = 60_000;
const BASE = 1_700_000_000_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

async function produce(client: KafkaClient, topic: string, records: Array<{ key: string; value: string; ts: number }>): Promise<void> {
  const producer = client.producer({ clientId: 'joins-it-input' });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 500) {
      await producer.send(
        outgoingBatch(records.slice(i, i + 500).map((r) => ({ topic, key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: r.ts }))),
      );
    }
  } finally {
    await producer.disconnect();
  }
}

async function readAll(client: KafkaClient, topic: string, expected: number, timeoutMs: number): Promise<IncomingRecord[]> {
  const consumer = client.consumer({ groupId: uniqueName('joins-it-reader'), autoOffsetReset: 'earliest' });
  await consumer.connect();
  await consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < expected && Date.now() < deadline) for (const b of fetchedBatches(await consumer.poll(500))) out.push(...b.records);
    for (const b of fetchedBatches(await consumer.poll(1000))) out.push(...b.records);
  } finally {
    await consumer.close();
  }
  return out;
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sortRows = (rows: string[][]) => rows.map((r) => r.join('|')).sort();

describe('joins on the real broker', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-joins-it-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('stream-table enrichment and windowed stream-stream left join over 4 partitions match the models', async () => {
    const client = createKafkaClient({ bootstrapServers: realBootstrapServers(), clientId: 'joins-it' });
    const t = {
      users: uniqueName('users'),
      clicks: uniqueName('clicks'),
      orders: uniqueName('orders'),
      payments: uniqueName('payments'),
      enriched: uniqueName('enriched'),
      matched: uniqueName('matched'),
    };
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics(Object.values(t).map((topic) => ({ topic, numPartitions: PARTITIONS })));
    await admin.disconnect();

    const random = rng(42);
    const users = Array.from({ length: 150 }, (_, i) => ({ key: `u${i}`, value: `name${i}`, ts: BASE }));
    const clicks = Array.from({ length: 1500 }, (_, i) => ({ key: `u${Math.floor(random() * 200)}`, value: `click${i}`, ts: BASE + 1000 + i }));
    const orders = Array.from({ length: 800 }, (_, i) => ({
      key: `o${Math.floor(random() * 300)}`,
      value: `order${i}`,
      ts: BASE + Math.floor(random() * 600_000),
    }));
    const payments = Array.from({ length: 800 }, (_, i) => ({
      key: `o${Math.floor(random() * 300)}`,
      value: `pay${i}`,
      ts: BASE + Math.floor(random() * 600_000),
    }));
    // One far-future order per partition closes every window on every task.
    const sentinels: typeof orders = [];
    for (let i = 0; sentinels.length < PARTITIONS; i++) {
      const key = `sentinel${i}`;
      const p = partitionForKey(Buffer.from(key), PARTITIONS);
      if (!sentinels.some((s) => partitionForKey(Buffer.from(s.key), PARTITIONS) === p)) sentinels.push({ key, value: `end${p}`, ts: BASE + 10_000_000 });
    }

    const b = new StreamsBuilder({ logger: () => {} });
    const table = b.table(t.users, Consumed.with(str, str), Materialized.as<string, string>('users-store'));
    b.stream(t.clicks, Consumed.with(str, str))
      .join(table, (click, name) => `${click}@${name}`)
      .to(t.enriched, Produced.with(str, str));
    const windows = JoinWindows.ofTimeDifferenceAndGrace(WINDOW_MS, 3_600_000);
    b.stream(t.orders, Consumed.with(str, str))
      .leftJoin(b.stream(t.payments, Consumed.with(str, str)), (o, p) => `${o}+${p}`, windows, StreamJoined.with(str, str, str).withStoreName('order-payments'))
      .to(t.matched, Produced.with(str, str));

    const runtime = new StreamsRuntime({
      topology: b.build(),
      client,
      config: { applicationId: uniqueName('joins-it-app'), processingGuarantee: 'exactly_once', stateDir, commitIntervalMs: 200 },
    });
    await produce(client, t.users, users);
    await runtime.start();
    try {
      const processed = () => runtime.metrics().reduce((n, m) => n + m.processed, 0);
      await until('the table to load', () => processed() >= users.length, 60_000);
      await produce(client, t.clicks, clicks);
      await produce(client, t.orders, [...orders]);
      await produce(client, t.payments, payments);
      await produce(client, t.orders, sentinels);

      // Models.
      const names = new Map(users.map((u) => [u.key, u.value]));
      const enrichedModel = clicks.filter((c) => names.has(c.key)).map((c) => [c.key, `${c.value}@${names.get(c.key)}`, String(c.ts)]);
      const matchedModel: string[][] = [];
      for (const o of orders) {
        const partners = payments.filter((p) => p.key === o.key && Math.abs(p.ts - o.ts) <= WINDOW_MS);
        for (const p of partners) matchedModel.push([o.key, `${o.value}+${p.value}`, String(Math.max(o.ts, p.ts))]);
        if (partners.length === 0) matchedModel.push([o.key, `${o.value}+null`, String(o.ts)]);
      }

      const enriched = await readAll(client, t.enriched, enrichedModel.length, 120_000);
      const matched = await readAll(client, t.matched, matchedModel.length, 120_000);
      const rows = (rs: IncomingRecord[]) => rs.map((r) => [r.key!.toString(), r.value!.toString(), String(r.timestamp)]);
      expect(sortRows(rows(enriched))).toEqual(sortRows(enrichedModel));
      expect(sortRows(rows(matched))).toEqual(sortRows(matchedModel));
      // Outputs stay partitioned by key.
      for (const r of [...enriched, ...matched]) expect(r.partition).toBe(partitionForKey(r.key!, PARTITIONS));
      expect(runtime.metrics().reduce((n, m) => n + m.dropped, 0)).toBe(0);
    } finally {
      await runtime.close();
    }
  }, 300_000);
});
