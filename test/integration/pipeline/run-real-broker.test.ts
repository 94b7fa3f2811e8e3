import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeTable } from '../../../lib/cli/demo/tables.js';
import { pipelineModel } from '../../../lib/cli/demo/model.js';
import { readWholeTopic } from '../../../lib/cli/demo/topic-reader.js';
import { generateTransactions } from '../../../lib/cli/produce/transactions.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Admin, IncomingRecord } from '../../../lib/kafka/types.js';
import { aggregateKey, type AggregateRow } from '../../../topologies/transactions-rows.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { readWithDeltaRs } from '../delta/readers.js';
import { runBin, startBin, type RunningBin } from './bin.js';
import { checkBronze, checkWindows, modelWindows } from './model-check.js';

const dirs: string[] = [];
const children: RunningBin[] = [];
afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const header = (r: IncomingRecord, name: string) => r.headers[name]?.toString();

async function committedToEnd(admin: Admin, group: string, topic: string): Promise<boolean> {
  const committed = new Map((await admin.fetchCommittedOffsets(group, [topic])).map((c) => [c.partition, c.offset]));
  return (await admin.fetchTopicOffsets(topic)).every((p) => committed.get(p.partition) === p.high);
}

async function until(what: string, check: () => Promise<boolean>, apps: RunningBin[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    for (const a of apps) if (a.child.exitCode !== null) throw new Error(`${what}: an application exited early:\n${a.stderr()}\n${a.stdout().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('producer CLI + tributary run of both seed topologies (real broker, child processes)', () => {
  it('bronze table, late and dead-letter topics, aggregates topic and gold table equal the model of the produced events', async () => {
    const servers = realBootstrapServers();
    const env = { KAFKA_BOOTSTRAP_SERVERS: servers };
    const dir = mkdtempSync(join(tmpdir(), 'tributary-pipeline-'));
    dirs.push(dir);
    const id = uniqueName('pipe');
    const t = {
      bronzeIn: `${id}-tx3`,
      windowedIn: `${id}-tx1`,
      late: `${id}-late`,
      aggregates: `${id}-agg`,
      windowedLate: `${id}-wlate`,
      bronzeApp: `${id}-bronze`,
      windowedApp: `${id}-windowed`,
    };
    const n = 3000;
    const startTime = '2025-01-15T12:00:00Z';
    const gen = { seed: 77, startTime: Date.parse(startTime), spacingMs: 1000, lateShare: 0.05, malformedShare: 0.02, watermarkMs: 600_000 };

    const client = createKafkaClient({ bootstrapServers: servers.split(','), clientId: 'pipeline-test' });
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics([
        { topic: t.bronzeIn, numPartitions: 3 },
        { topic: t.windowedIn, numPartitions: 1 },
      ]);
      const from = Date.now();
      const common = [
        '--data-dir',
        join(dir, 'data'),
        '--state-dir',
        join(dir, 'state'),
        '--progress-interval',
        '1s',
        '--param',
        'commit-interval=1s',
        '--processes',
        '1',
      ];
      const bronze = startBin(
        [
          'run',
          'topologies/transactions-bronze.ts',
          '--application-id',
          t.bronzeApp,
          ...common,
          '--param',
          `input-topic=${t.bronzeIn}`,
          '--param',
          `late-topic=${t.late}`,
        ],
        { env },
      );
      const windowed = startBin(
        [
          'run',
          'topologies/transactions-windowed.ts',
          '--window',
          '1 minute',
          '--application-id',
          t.windowedApp,
          ...common,
          '--param',
          `input-topic=${t.windowedIn}`,
          '--param',
          `output-topic=${t.aggregates}`,
          '--param',
          `late-topic=${t.windowedLate}`,
        ],
        { env },
      );
      children.push(bronze, windowed);

      // Same seeded events into both inputs, while the applications run.
      for (const [topic, partitions] of [
        [t.bronzeIn, 3],
        [t.windowedIn, 1],
      ] as const) {
        const p = await runBin(
          [
            'produce',
            'transactions',
            '--topic',
            topic,
            '--partitions',
            String(partitions),
            '--num-transactions',
            String(n),
            '--seed',
            String(gen.seed),
            '--start-time',
            startTime,
            '--event-spacing',
            '1s',
            '--late-share',
            '0.05',
            '--malformed-share',
            '0.02',
          ],
          { env },
        );
        expect(p.stderr).toBe('');
        expect(p.code).toBe(0);
      }
      const records = generateTransactions(n, gen);
      const model3 = pipelineModel(records, { partitions: 3, watermarkMs: 600_000, windowMs: 60_000, graceMs: 600_000 });
      const model1 = pipelineModel(records, { partitions: 1, watermarkMs: 600_000, windowMs: 60_000, graceMs: 600_000 });
      const windows = modelWindows(model1);
      expect(windows.length).toBeGreaterThan(1000);
      expect(model3.bronzeLate.length).toBeGreaterThan(50);

      const bronzeTable = join(dir, 'data/bronze/transactions');
      const goldTable = join(dir, 'data/gold/transaction_aggregates');
      await until('bronze to commit its input', () => committedToEnd(admin, t.bronzeApp, t.bronzeIn), [bronze, windowed]);
      await until('windowed to commit its input', () => committedToEnd(admin, t.windowedApp, t.windowedIn), [bronze, windowed]);
      // The per-merchant windows read a repartition topic: the app is done only when it has read that to its end too.
      const repartitions = (await admin.listTopics()).filter((x) => x.startsWith(`${t.windowedApp}-`) && x.endsWith('-repartition'));
      expect(repartitions.length).toBeGreaterThan(0);
      for (const topic of repartitions) {
        await until(`windowed to commit ${topic}`, () => committedToEnd(admin, t.windowedApp, topic), [bronze, windowed]);
      }
      await until('the gold table to hold every final window', async () => (await summarizeTable(goldTable)).rows >= windows.length, [bronze, windowed]);

      bronze.child.kill('SIGINT');
      windowed.child.kill('SIGINT');
      const [b, w] = await Promise.all([bronze.exited, windowed.exited]);
      const to = Date.now();
      for (const r of [b, w]) {
        expect(r.code, r.stderr).toBe(0);
        const events = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { event: string; late?: number; deadLettered?: number });
        expect(events.at(-1)!.event).toBe('stopped');
      }
      const stopped = (r: typeof b) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { late: number; deadLettered: number };
      expect(stopped(b)).toMatchObject({ late: model3.bronzeLate.length, deadLettered: model3.deadLettered.length });
      expect(stopped(w).deadLettered).toBe(model1.deadLettered.length);

      // Bronze: Delta table (delta-rs), late topic, dead-letter topic.
      const bronzeRead = await readWithDeltaRs(bronzeTable);
      expect(bronzeRead.partitionColumns).toEqual(['event_date']);
      checkBronze(bronzeRead.rows, model3, t.bronzeIn, { from, to });
      const late = await readWholeTopic(client, admin, t.late);
      expect(late.map((r) => JSON.parse(r.value!.toString()) as unknown).sort(byId)).toEqual(model3.bronzeLate.map((v) => v.event).sort(byId));
      for (const r of late) {
        expect(header(r, 'tributary.late.reason')).toBe('watermark');
        expect(Number(header(r, 'tributary.late.stream.time')) - r.timestamp).toBeGreaterThan(600_000);
      }
      const dlq = await readWholeTopic(client, admin, `${t.bronzeApp}-dlq`);
      expect(dlq.map((r) => r.value!.toString()).sort()).toEqual(model3.deadLettered.map((x) => x.value).sort());
      for (const r of dlq) {
        expect(header(r, 'tributary.error.reason')).toBeTruthy();
        expect(header(r, 'tributary.error.topic')).toBe(t.bronzeIn);
      }

      // Windowed: output topic, gold table (delta-rs), late and dead-letter topics.
      const out = await readWholeTopic(client, admin, t.aggregates);
      const outRows = out.map((r) => JSON.parse(r.value!.toString()) as AggregateRow);
      expect(out.map((r) => r.key!.toString())).toEqual(outRows.map((row) => aggregateKey(row)));
      checkWindows(outRows as unknown as Record<string, unknown>[], model1);
      const gold = await readWithDeltaRs(goldTable);
      checkWindows(gold.rows, model1);
      const wlate = await readWholeTopic(client, admin, t.windowedLate);
      expect(wlate.length).toBe(model1.accountLate.length + model1.merchantLate!.length);
      expect((await readWholeTopic(client, admin, `${t.windowedApp}-dlq`)).length).toBe(model1.deadLettered.length);
    } finally {
      await admin.deleteTopics(Object.values(t).filter((x) => !x.endsWith('-bronze') && !x.endsWith('-windowed'))).catch(() => undefined);
      await admin.disconnect();
    }
  }, 240_000);
});

function byId(a: unknown, b: unknown): number {
  const x = (a as { transaction_id: string }).transaction_id;
  const y = (b as { transaction_id: string }).transaction_id;
  return x < y ? -1 : x > y ? 1 : 0;
}
