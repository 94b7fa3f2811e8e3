/**
 * `TributaryApp.metrics()` / `progress()` totals on the embedded broker: they add up to the input
 * across rebalances (tasks closed on one member and recreated on another) and across replaced
 * stream threads, and a runtime's counters are never counted twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryApp } from '../../../lib/app/index.js';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const P = 4;
const str = Serdes.string();
const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** in ─▶ selectKey (throws for `poison`) ─▶ repartition ─▶ count ─▶ out: every input record is processed twice. */
function topology(poison: ReadonlySet<string> = new Set()) {
  const b = new StreamsBuilder({ logger: () => {} });
  b.stream('in', Consumed.with(str, str))
    .selectKey((_k, v) => {
      if (poison.has(v)) throw new Error(`poison ${v}`);
      return `k${Number(v) % 31}`;
    })
    .groupByKey(Grouped.as<string, string>('g').withKeySerde(str).withValueSerde(str))
    .count(Materialized.as<string, number>('counts').withKeySerde(str))
    .toStream()
    .to('out', Produced.with(str, Serdes.json<number>()));
  return b.build();
}

async function setup(): Promise<EmbeddedKafka> {
  const client = new EmbeddedKafka({ maxPollRecordsPerPartition: 200 });
  cleanups.push(() => client.close());
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: 'in', numPartitions: P },
    { topic: 'out', numPartitions: P },
  ]);
  await admin.disconnect();
  return client;
}

async function produce(client: EmbeddedKafka, from: number, to: number, pauseMs = 0): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  for (let i = from; i < to; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(to, i + 200); j++)
      batch.push({ topic: 'in', partition: j % P, key: null, value: Buffer.from(String(j)), timestamp: 1_000 + j });
    await producer.send(outgoingBatch(batch));
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  await producer.disconnect();
}

function app(
  client: EmbeddedKafka,
  name: string,
  extra: Partial<ConstructorParameters<typeof TributaryApp>[1]> = {},
  poison?: ReadonlySet<string>,
): TributaryApp {
  const stateDir = mkdtempSync(join(tmpdir(), `tributary-app-metrics-${name}-`));
  dirs.push(stateDir);
  const a = new TributaryApp(topology(poison), { applicationId: 'metrics-app', client, commitIntervalMs: 50, stateDir, logger: () => undefined, ...extra });
  cleanups.push(() => a.close());
  return a;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TributaryApp metrics', () => {
  it('totals over two members equal the input (twice: source and repartition) across rebalances that close and recreate tasks', async () => {
    const client = await setup();
    const a = app(client, 'a');
    await a.start();
    let n = 0;
    let stop = false;
    // Input keeps coming until b has taken over tasks and processed some of it.
    const producing = (async () => {
      while (!stop && n < 200_000) {
        await produce(client, n, n + 200);
        n += 200;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until('a to process', () => a.metrics().totals.processed > 500);
    const b = app(client, 'b');
    await b.start();
    await until('b to get tasks', () => b.metrics().runtime.tasksCreated > 0);
    await until('b to process', () => b.metrics().totals.processed > 0);
    stop = true;
    await producing;
    await b.close();
    const total = () => a.metrics().totals.processed + b.metrics().totals.processed;
    await until('both to process everything', () => total() >= 2 * n);
    await a.close();
    // Tasks moved to b and back: a closed and recreated its tasks, b closed its own.
    expect(a.metrics().runtime.tasksCreated).toBeGreaterThan(2 * P);
    expect(b.metrics().runtime.tasksClosedClean).toBeGreaterThan(0);
    expect(a.metrics().runtime.tasksClosedDirty + b.metrics().runtime.tasksClosedDirty).toBe(0);
    expect(total()).toBe(2 * n);
    expect(a.metrics().totals.recordsIn + b.metrics().totals.recordsIn).toBe(2 * n);
    const pa = a.progress();
    expect(pa.processed).toBe(a.metrics().totals.processed);
    expect(pa.state).toBe('NOT_RUNNING');
  }, 60_000);

  it('progress(): per-task stream times, the lowest as event time, commit latency of recent commits', async () => {
    const client = await setup();
    const a = app(client, 'p');
    expect(a.progress()).toMatchObject({ state: 'CREATED', tasks: [], processed: 0, eventTimeMs: undefined, commitLatencyMs: undefined });
    await a.start();
    await produce(client, 0, 400);
    await until('processing', () => a.progress().processed === 800);
    await until('a commit', () => a.progress().commitLatencyMs !== undefined);
    const p = a.progress();
    expect(p.tasks.map((t) => t.taskId).sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
    const source = p.tasks.filter((t) => t.taskId.startsWith('0_'));
    // Partition p got records p, p+4, ..., 396+p with timestamps 1000 + index.
    expect(source.map((t) => t.streamTimeMs).sort()).toEqual([1396, 1397, 1398, 1399]);
    expect(p.eventTimeMs).toBe(Math.min(...p.tasks.map((t) => t.streamTimeMs ?? Infinity)));
    expect(p.commitLatencyMs!.count).toBeGreaterThan(0);
    expect(p.commitLatencyMs!.maxMs).toBeGreaterThanOrEqual(p.commitLatencyMs!.meanMs);
    expect(await a.lag()).toBe(0);
    expect(a.externalSourceTopics).toEqual(['in']);
    expect(a.sourceTopics).toContain('metrics-app-g-repartition');
  }, 30_000);

  it('a replaced stream thread keeps its counters, once: totals survive REPLACE_THREAD and a close during the replacement', async () => {
    const client = await setup();
    const n = 2_000;
    await produce(client, 0, n);
    let failures = 0;
    let closing: Promise<boolean> | undefined;
    let atFailure = 0;
    const a = app(
      client,
      'r',
      {
        uncaughtExceptionHandler: () => {
          failures++;
          // The second failure: close while the thread is being replaced.
          if (failures === 2) {
            atFailure = a.metrics().totals.processed;
            closing = a.close();
          }
          return 'REPLACE_THREAD';
        },
      },
      new Set(['1001', '1803']),
    );
    await a.start();
    await until('two failures', () => failures >= 2);
    await closing;
    // Closed while its failed thread was being replaced: the app stops (ERROR, the thread had failed).
    expect(['NOT_RUNNING', 'ERROR']).toContain(await a.done());
    const m = a.metrics();
    expect(m.threadReplacements).toBe(2);
    // The failed runtimes' tasks processed records before they died: kept, and counted once.
    expect(atFailure).toBeGreaterThan(0);
    expect(m.totals.processed).toBe(atFailure);
    expect(m.totals.processed).toBe(m.tasks.reduce((s, t) => s + t.processed, 0));
  }, 30_000);
});
