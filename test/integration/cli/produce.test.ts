import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../lib/cli/main.js';
import { generateTransactions } from '../../../lib/cli/produce/transactions.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import { parseTransaction } from '../../../topologies/transactions-schema.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { captureContext } from '../../unit/cli/capture.js';
import { readTopic } from './kafka-read.js';

describe('tributary produce transactions (real broker)', () => {
  it('creates the topic, sends exactly the seeded reference events keyed by account, with the configured shares', async () => {
    const servers = realBootstrapServers();
    const topic = uniqueName('cli-produce');
    const n = 4000;
    const ctx = captureContext();
    const code = await runCli(
      [
        'produce',
        'transactions',
        '--bootstrap-servers',
        servers,
        '--topic',
        topic,
        '--partitions',
        '3',
        '--num-transactions',
        String(n),
        '--seed',
        '42',
        '--start-time',
        '2025-01-15T12:00:00Z',
        '--event-spacing',
        '50ms',
        '--late-share',
        '0.05',
        '--malformed-share',
        '0.02',
        '--batch-size',
        '500',
      ],
      ctx,
    );
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(ctx.out().trim()) as Record<string, unknown>;
    expect(summary).toMatchObject({ topic, sent: n, partitions: 3, topicCreated: true, seed: 42, startTime: '2025-01-15T12:00:00.000Z', spacingMs: 50 });

    const client = createKafkaClient({ bootstrapServers: servers });
    const admin = client.admin();
    await admin.connect();
    const [description] = await admin.describeTopics([topic]);
    await admin.disconnect();
    expect(description!.partitions).toBe(3);

    const records = await readTopic(servers, topic, n);
    expect(records).toHaveLength(n);

    const reference = generateTransactions(n, {
      seed: 42,
      startTime: Date.parse('2025-01-15T12:00:00Z'),
      spacingMs: 50,
      lateShare: 0.05,
      malformedShare: 0.02,
    });
    // Same multiset of (key, value), and per partition in generation order.
    const keyed = (k: string, v: string) => `${k}\u0000${v}`;
    expect(records.map((r) => keyed(r.key!.toString(), r.value!.toString())).sort()).toEqual(reference.map((r) => keyed(r.key, r.value)).sort());
    const position = new Map(reference.map((r, i) => [r.value, i]));
    for (const p of [0, 1, 2]) {
      const order = records.filter((r) => r.partition === p).map((r) => position.get(r.value!.toString())!);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // Classify what arrived with the schema alone: malformed fail it, late are older than the watermark.
    let malformed = 0;
    let late = 0;
    for (const r of records) {
      const parsed = parseTransaction(r.value);
      if (!parsed.ok) malformed++;
      else {
        expect(r.key!.toString()).toBe(parsed.event.account_id);
        const nominal = reference[position.get(r.value!.toString())!]!.nominalTime;
        if (nominal - Date.parse(parsed.event.transaction_timestamp) > 10 * 60_000) late++;
      }
    }
    expect(malformed).toBe(summary['malformed']);
    expect(late).toBe(summary['late']);
    expect(malformed / n).toBeGreaterThan(0.014);
    expect(malformed / n).toBeLessThan(0.026);
    expect(late / n).toBeGreaterThan(0.04);
    expect(late / n).toBeLessThan(0.06);
  });

  it('runs through bin/tributary.js, paces by --interval and prints one JSON summary line when not a TTY', async () => {
    const servers = realBootstrapServers();
    const topic = uniqueName('cli-produce-bin');
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['bin/tributary.js', 'produce', 'transactions', '--topic', topic, '--num-transactions', '60', '--interval', '0.02', '--seed', '7'],
        { env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: servers }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as { sent: number; partitions: number; elapsedMs: number };
    expect(summary.sent).toBe(60);
    expect(summary.partitions).toBe(4);
    // 60 records at 20 ms apart take at least ~1.2 s.
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(1100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
    expect(await readTopic(servers, topic, 60)).toHaveLength(60);
  });

  it('continuous mode stops after --duration', async () => {
    const servers = realBootstrapServers();
    const topic = uniqueName('cli-produce-cont');
    const ctx = captureContext();
    const code = await runCli(
      [
        'produce',
        'transactions',
        '--bootstrap-servers',
        servers,
        '--topic',
        topic,
        '--continuous',
        '--duration',
        '1.5',
        '--interval',
        '10ms',
        '--partitions',
        '1',
      ],
      ctx,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(ctx.out()) as { sent: number; stoppedBy: string; elapsedMs: number };
    expect(summary.stoppedBy).toBe('duration');
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(1500);
    expect(summary.sent).toBeGreaterThan(100);
    expect(summary.sent).toBeLessThanOrEqual(152);
    expect(await readTopic(servers, topic, summary.sent)).toHaveLength(summary.sent);
  });

  it('stops gracefully on interrupt, with every sent record acknowledged', async () => {
    const servers = realBootstrapServers();
    const topic = uniqueName('cli-produce-abort');
    const controller = new AbortController();
    const ctx = captureContext({ signal: controller.signal });
    setTimeout(() => controller.abort(), 1000);
    const code = await runCli(['produce', 'transactions', '--bootstrap-servers', servers, '--topic', topic, '--continuous', '--interval', '5ms'], ctx);
    expect(code).toBe(0);
    const summary = JSON.parse(ctx.out()) as { sent: number; stoppedBy: string };
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.sent).toBeGreaterThan(0);
    expect(await readTopic(servers, topic, summary.sent)).toHaveLength(summary.sent);
  });
});
