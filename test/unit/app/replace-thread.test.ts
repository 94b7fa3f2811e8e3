/**
 * Issue #19, reproduction 2 (REPLACE_THREAD part): a failure that recurs at once must not spin
 * (the issue saw 862 replacements in 4 s while the app reported RUNNING). Replacements back off
 * exponentially (retryBackoffMs doubling up to retryBackoffMaxMs); a record that keeps failing is
 * dead-lettered by the poison-record guard; a failure no record explains stops the app in ERROR
 * after MAX_REPLACEMENTS_WITHOUT_PROGRESS threads failed in a row without a commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REPLACEMENTS_WITHOUT_PROGRESS, TributaryApp } from '../../../lib/app/tributary-app.js';
import { Consumed, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { EmbeddedKafka } from '../../../lib/kafka/embedded/index.js';
import type { IncomingRecord } from '../../../lib/kafka/types.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { Topology } from '../../../lib/topology/topology.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(): Promise<{ client: EmbeddedKafka; stateDir: string }> {
  const client = new EmbeddedKafka();
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-replace-'));
  cleanups.push(
    () => client.close(),
    () => rmSync(stateDir, { recursive: true, force: true }),
  );
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([
    { topic: 'in', numPartitions: 1 },
    { topic: 'out', numPartitions: 1 },
  ]);
  await admin.disconnect();
  return { client, stateDir };
}

async function produce(client: EmbeddedKafka, values: readonly string[]): Promise<void> {
  const p = client.producer();
  await p.connect();
  await p.send(outgoingBatch(values.map((v, i) => ({ topic: 'in', key: Buffer.from(v), value: Buffer.from(v), timestamp: Date.now() + i }))));
  await p.disconnect();
}

async function read(client: EmbeddedKafka, topic: string): Promise<IncomingRecord[]> {
  const c = client.consumer({ groupId: `reader-${Math.random()}`, autoOffsetReset: 'earliest' });
  await c.connect();
  await c.assign([{ topic, partition: 0 }]);
  const out: IncomingRecord[] = [];
  for (let i = 0; i < 5; i++) for (const b of fetchedBatches(await c.poll(20))) out.push(...b.records);
  await c.close();
  return out;
}

describe('REPLACE_THREAD backs off and gives up (#19 reproduction 2)', () => {
  it('a failure no record explains: backoff between replacements, then ERROR naming the failure', async () => {
    const { client, stateDir } = await setup();
    const broken = new Topology().addSource('src', 'in', { keySerde: str, valueSerde: str }).addProcessor(
      'broken',
      () => ({
        init: () => {
          throw new Error('cannot init');
        },
        process: () => undefined,
      }),
      'src',
    );
    const logs: string[] = [];
    const app = new TributaryApp(broken, {
      applicationId: 'replace-app',
      client,
      stateDir,
      uncaughtExceptionHandler: 'REPLACE_THREAD',
      retryBackoffMs: 10,
      retryBackoffMaxMs: 80,
      logger: (_level, message) => logs.push(message),
    });
    cleanups.push(() => app.close().then(() => undefined));
    await produce(client, ['a']);
    const started = Date.now();
    await app.start().catch(() => undefined);
    expect(await app.done()).toBe('ERROR');
    const elapsed = Date.now() - started;
    expect(app.metrics().threadReplacements).toBe(MAX_REPLACEMENTS_WITHOUT_PROGRESS);
    // 10, 20, 40, then 80 ms capped: at least the sum of the backoffs.
    const backoffs = Array.from({ length: MAX_REPLACEMENTS_WITHOUT_PROGRESS }, (_, i) => Math.min(80, 10 * 2 ** i)).reduce((a, b) => a + b, 0);
    expect(elapsed).toBeGreaterThanOrEqual(backoffs);
    expect(logs.join('\n')).toMatch(
      new RegExp(
        `REPLACE_THREAD gave up: ${MAX_REPLACEMENTS_WITHOUT_PROGRESS} stream threads in a row failed without committing anything; last failure: Processor broken failed in init: cannot init`,
      ),
    );
  });

  it('a poison record is dead-lettered after poisonRecordAttempts failures; the rest flows', async () => {
    const { client, stateDir } = await setup();
    const b = new StreamsBuilder({ logger: () => {} });
    b.stream('in', Consumed.with(str, str))
      .mapValues((v) => {
        if (v === 'poison') throw new Error('poison!');
        return v.toUpperCase();
      })
      .to('out', Produced.with(str, str));
    const app = new TributaryApp(b.build(), {
      applicationId: 'poison-app',
      client,
      stateDir,
      commitIntervalMs: 20,
      uncaughtExceptionHandler: 'REPLACE_THREAD',
      poisonRecordAttempts: 2,
      retryBackoffMs: 10,
      logger: () => undefined,
    });
    cleanups.push(() => app.close().then(() => undefined));
    await produce(client, ['a', 'poison', 'b']);
    await app.start();
    const deadline = Date.now() + 20_000;
    while ((await read(client, 'out')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await read(client, 'out')).map((r) => r.value?.toString())).toEqual(['A', 'B']);
    const dead = await read(client, 'poison-app-dlq');
    expect(dead.map((r) => r.value?.toString())).toEqual(['poison']);
    expect(app.metrics()).toMatchObject({ threadReplacements: 2, poisonRecordsDeadLettered: 1 });
    expect(app.state).toBe('RUNNING');
  });
});
