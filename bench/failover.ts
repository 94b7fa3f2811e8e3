/**
 * Failover bench (issue 17, standby replicas): a count-by-key app (persistent store, exactly-once)
 * owns one task whose store holds BENCH_KEYS keys; a second runner joins (with
 * numStandbyReplicas=1 it keeps a standby of the task); the owner is SIGKILLed and we measure the
 * time until the task's first commit on the new owner (the group's committed offset moves past
 * the dead owner's), and how many changelog records the new owner restored.
 *
 *   BENCH_KEYS=1000000 npm run bench:failover
 *
 * Env: BENCH_KEYS (default 1,000,000), BENCH_CASES (default "standby,no-standby"), BENCH_KAFKA_CLIENT
 * (kafkajs, the default, or platformatic: the runners' client; platformatic rebalances cooperatively),
 * BENCH_SESSION_MS (session timeout, default 6000: the broker minimum unless the bench starts its
 * own broker, which lowers group.min.session.timeout.ms to 1000 and uses 2000 by default),
 * KAFKA_BOOTSTRAP_SERVERS (use that broker), BENCH_FAILOVER_TRACE=1 (print the new owner's log
 * around the failover, ms from the SIGKILL). Last stdout line: the bench JSON.
 * `runFailover` is also used by test/integration/runtime/standby-failover.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { keyAt, outgoingBatch, valueAt } from '../lib/kafka/columns.js';
import { createKafkaClient } from '../lib/kafka/index.js';
import type { KafkaClient } from '../lib/kafka/types.js';

export interface FailoverResult {
  readonly case: string;
  readonly keys: number;
  readonly numStandbyReplicas: number;
  /** Records/s of the first owner counting the keys (input backlog → committed). */
  readonly recordsPerSec: number;
  /** Peak RSS of the runner that took over. */
  readonly peakRssMb: number;
  /** SIGKILL of the owner → first commit of the task on the new owner. */
  readonly failoverMs: number;
  /** Task assigned on the new owner → its first commit. */
  readonly assignedToCommitMs: number | null;
  /** SIGKILL → the task assigned on B: failure detection (session timeout) and the rebalance. */
  readonly killToAssignedMs: number | null;
  readonly kafkaClient: 'kafkajs' | 'platformatic';
  /** Changelog records the new owner restored when the task opened. */
  readonly restoredRecords: number;
  /** Changelog records the standby applied before the failover. */
  readonly standbyApplied: number;
  readonly sessionTimeoutMs: number;
  /** Every key's last count equals the records sent for it, and no count is above it. */
  readonly countsCorrect: boolean;
  readonly wrongCounts: number;
}

interface Runner {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
  peakRss: number;
  exited: Promise<number | null>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const keyOf = (i: number) => `k${String(i).padStart(8, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startRunner(env: Record<string, string>): Runner {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'failover', 'runner.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const r: Runner = { proc, lines: [], peakRss: 0, exited: new Promise((res) => proc.on('exit', (code) => res(code))) };
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      r.lines.push(o);
      if (typeof o['rss'] === 'number') r.peakRss = Math.max(r.peakRss, o['rss']);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  return r;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function produce(client: KafkaClient, topic: string, from: number, to: number): Promise<void> {
  const producer = client.producer({ idempotent: true, clientId: 'failover-bench-producer' });
  await producer.connect();
  const now = Date.now();
  for (let i = from; i < to; i += 5000) {
    const batch = [];
    for (let k = i; k < Math.min(to, i + 5000); k++) batch.push({ topic, partition: 0, key: Buffer.from(keyOf(k)), value: Buffer.from('v'), timestamp: now });
    await producer.send(outgoingBatch(batch));
  }
  await producer.disconnect();
}

async function committed(client: KafkaClient, group: string, topic: string): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    const o = (await admin.fetchCommittedOffsets(group, [topic])).find((x) => x.partition === 0);
    return o?.offset ?? -1;
  } finally {
    await admin.disconnect();
  }
}

/** Reads the output topic (read_committed) to its end: last count per key, and the largest seen per key. */
async function readCounts(client: KafkaClient, topic: string): Promise<Map<string, { last: number; max: number }>> {
  const admin = client.admin();
  await admin.connect();
  const end = (await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' })).find((o) => o.partition === 0)!.high;
  await admin.disconnect();
  const consumer = client.consumer({ groupId: `failover-check-${Date.now()}`, readUncommitted: false, autoOffsetReset: 'earliest' });
  await consumer.connect();
  await consumer.assign([{ topic, partition: 0 }]);
  consumer.seek({ topic, partition: 0 }, 0);
  const counts = new Map<string, { last: number; max: number }>();
  try {
    while ((consumer.position({ topic, partition: 0 }) ?? 0) < end) {
      for (const cols of await consumer.poll(200)) {
        for (let i = 0; i < cols.length; i++) {
          const key = keyAt(cols, i)!.toString('utf8');
          const v = valueAt(cols, i);
          if (v === null) continue;
          const n = Number(v.readBigInt64BE(0));
          const c = counts.get(key);
          counts.set(key, { last: n, max: Math.max(n, c?.max ?? 0) });
        }
      }
    }
  } finally {
    await consumer.close();
  }
  return counts;
}

export async function runFailover(options: {
  readonly bootstrap: string;
  readonly keys: number;
  readonly numStandbyReplicas: number;
  readonly sessionTimeoutMs: number;
  readonly caseName: string;
  readonly log?: (m: string) => void;
}): Promise<FailoverResult> {
  const { bootstrap, keys, numStandbyReplicas, sessionTimeoutMs } = options;
  const log = options.log ?? ((m: string) => process.stderr.write(`[failover] ${m}\n`));
  const client = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'failover-bench' });
  const app = `failover-${options.caseName}-${Date.now()}`;
  const input = `${app}-in`;
  const output = `${app}-out`;
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: input, numPartitions: 1 },
    { topic: output, numPartitions: 1 },
  ]);
  await admin.disconnect();
  const dirs = [mkdtempSync(join(tmpdir(), 'failover-a-')), mkdtempSync(join(tmpdir(), 'failover-b-'))];
  const runners: Runner[] = [];
  const base = {
    FAILOVER_BOOTSTRAP: bootstrap,
    FAILOVER_APP: app,
    FAILOVER_IN: input,
    FAILOVER_OUT: output,
    FAILOVER_SESSION_MS: String(sessionTimeoutMs),
    FAILOVER_STANDBYS: String(numStandbyReplicas),
  };
  const tail = Math.min(1000, keys);
  try {
    await produce(client, input, 0, keys);
    log(`${keys} records in ${input}`);
    const t0 = Date.now();
    const a = startRunner({ ...base, FAILOVER_NAME: 'runner-a', FAILOVER_STATE_DIR: dirs[0]! });
    runners.push(a);
    await waitFor('runner a to count every key', 600_000, async () => ((await committed(client, app, input)) >= keys ? true : undefined), 250);
    const recordsPerSec = Math.round((keys / (Date.now() - t0)) * 1000);
    log(`runner a counted ${keys} keys at ${recordsPerSec} rec/s (incl. start)`);
    const b = startRunner({ ...base, FAILOVER_NAME: 'runner-b', FAILOVER_STATE_DIR: dirs[1]! });
    runners.push(b);
    await waitFor('runner b to start', 120_000, () => (b.lines.some((l) => l['started'] === true) ? true : undefined));
    // Updates of `tail` keys while both run: the standby must follow them.
    await produce(client, input, 0, tail);
    await waitFor('runner a to commit the tail', 120_000, async () => ((await committed(client, app, input)) >= keys + tail ? true : undefined), 100);
    const applied = () => Math.max(0, ...b.lines.map((l) => (l['standby'] as { recordsApplied?: number } | undefined)?.recordsApplied ?? 0));
    if (numStandbyReplicas > 0) await waitFor('the standby to catch up', 600_000, () => (applied() >= keys + tail ? true : undefined), 250);
    else await sleep(2_000);
    const standbyApplied = applied();
    const before = await committed(client, app, input);
    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    await a.exited;
    // Input after the kill: only the new owner can commit it.
    await produce(client, input, 0, tail);
    const commitAt = await waitFor(
      'the first commit on runner b',
      600_000,
      async () => ((await committed(client, app, input)) > before ? Date.now() : undefined),
      25,
    );
    const failoverMs = commitAt - killedAt;
    if (process.env['BENCH_FAILOVER_TRACE'] === '1') {
      // B's log from 1 s before the kill to its first commit, with ms relative to the kill.
      for (const l of b.lines) {
        const t = l['t'] as number;
        if (typeof l['message'] === 'string' && t >= killedAt - 1_000 && t <= commitAt) log(`  B +${t - killedAt} ms ${l['level']} ${l['message']}`);
      }
    }
    const assigned = b.lines.find((l) => typeof l['message'] === 'string' && (l['message'] as string).startsWith('tasks assigned'));
    const restoredRecords = typeof assigned?.['restored'] === 'number' ? assigned['restored'] : -1;
    log(`failover ${failoverMs} ms; restored ${restoredRecords} records; standby had applied ${standbyApplied}`);
    await waitFor('runner b to commit everything', 120_000, async () => ((await committed(client, app, input)) >= keys + 2 * tail ? true : undefined), 100);
    const counts = await readCounts(client, output);
    let wrong = 0;
    for (let k = 0; k < keys; k++) {
      const expected = k < tail ? 3 : 1;
      const c = counts.get(keyOf(k));
      if (c === undefined || c.last !== expected || c.max !== expected) wrong++;
    }
    return {
      case: options.caseName,
      keys,
      numStandbyReplicas,
      recordsPerSec,
      peakRssMb: Math.round(b.peakRss / 1048576),
      failoverMs,
      assignedToCommitMs: assigned === undefined ? null : commitAt - (assigned['t'] as number),
      killToAssignedMs: assigned === undefined ? null : (assigned['t'] as number) - killedAt,
      kafkaClient: process.env['BENCH_KAFKA_CLIENT'] === 'platformatic' ? 'platformatic' : 'kafkajs',
      restoredRecords,
      standbyApplied,
      sessionTimeoutMs,
      countsCorrect: wrong === 0,
      wrongCounts: wrong,
    };
  } finally {
    for (const r of runners) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGTERM');
    await Promise.race([Promise.all(runners.map((r) => r.exited)), sleep(15_000)]);
    for (const r of runners) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const keys = Number(process.env['BENCH_KEYS'] ?? 1_000_000);
  const cases = (process.env['BENCH_CASES'] ?? 'standby,no-standby').split(',');
  let bootstrap = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  let stop: (() => Promise<void>) | undefined;
  let sessionTimeoutMs = Number(process.env['BENCH_SESSION_MS'] ?? 6000);
  if (bootstrap === undefined) {
    const { startBroker } = await import('../scripts/kafka-broker.js');
    const broker = await startBroker({ extraProperties: { 'group.min.session.timeout.ms': '1000' } });
    bootstrap = broker.bootstrapServers;
    stop = () => broker.stop();
    sessionTimeoutMs = Number(process.env['BENCH_SESSION_MS'] ?? 2000);
  }
  const results: FailoverResult[] = [];
  try {
    for (const c of cases) {
      results.push(await runFailover({ bootstrap, keys, numStandbyReplicas: c === 'standby' ? 1 : 0, sessionTimeoutMs, caseName: c }));
      process.stderr.write(`${JSON.stringify(results[results.length - 1])}\n`);
    }
  } finally {
    await stop?.();
  }
  const failover = Object.fromEntries(results.map((r) => [r.case, r.failoverMs]));
  process.stdout.write(`${JSON.stringify({ bench: 'failover', node: process.version, loadAverage1m: loadavg()[0], failoverMs: failover, results })}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
