/**
 * Exactly-once from Kafka into Delta across crashes, on the real broker.
 *
 * 40k transaction events by default (2% malformed: invalid JSON, missing fields, wrong types, bad
 * timestamps, invalid values) are produced over ~24 s into a 4-partition topic while the
 * application (bronze-app.ts: schema check, enrichment, deltaSink partitioned by event_date) runs
 * as a child process and is SIGKILLed again and again at random moments — some runs also kill
 * themselves right after a Delta commit and before the Kafka commit, the window the ordering rule
 * covers (run 1, half of its commits); at least 3 kills come from outside. A last run finishes the input. Then, read by delta-rs (not by us):
 *   - no (partition, offset) appears twice in the table; none twice in the dead-letter topic
 *     (read by the Java client, read_committed);
 *   - table ∪ dead-letter = every produced offset, disjoint (in = out + dead-lettered);
 *   - table rows = the valid events generated, dead letters = the malformed ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { TransactionGenerator } from '../../../lib/cli/produce/transactions.js';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { IncomingRecord, KafkaClient } from '../../../lib/kafka/types.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const run = promisify(execFile);
const DEFAULT_RECORDS = 40_000;
const PARTITIONS = 4;
/** External SIGKILLs at least (run 1 may also kill itself inside a commit). */
export const DELTA_EOS_KILLS = 3;
const BATCH = 1_000;
/** ~24 s of input by default: the application keeps up easily, so every kill lands while it is ingesting. */
const DEFAULT_PRODUCE_MS = 24_000;
const here = import.meta.dirname;
const root = path.resolve(here, '../../..');

interface Child {
  readonly proc: ChildProcess;
  commits: number;
  crashedInCommit: boolean;
  readonly exited: Promise<number | null>;
  firstCommit: Promise<void>;
  readonly stderr: string[];
}

function startApp(envExtra: Record<string, string>): Child {
  // (env of the scenario: see runDeltaEos)
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'bronze-app.ts')], {
    cwd: root,
    env: { ...process.env, ...envExtra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolveFirst!: () => void;
  const child: Child = {
    proc,
    commits: 0,
    crashedInCommit: false,
    exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
    firstCommit: new Promise((resolve) => (resolveFirst = resolve)),
    stderr: [],
  };
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('{"commit"')) {
        child.commits++;
        resolveFirst();
      } else if (line === 'crash-in-commit') child.crashedInCommit = true;
    }
  });
  proc.stderr!.on('data', (d: Buffer) => {
    child.stderr.push(d.toString());
    if (process.env['DELTA_EOS_LOG']) appendFileSync(process.env['DELTA_EOS_LOG'], d);
  });
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const kafkaLibs = path.join(process.env['TRIBUTARY_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'tributary'), 'kafka-3.9.1', 'libs');

/** [source partition, source offset] of every dead letter, read by the Java client (read_committed). */
async function readDlqWithJava(bootstrap: string, topic: string): Promise<Array<[number, number]>> {
  const classes = path.join(tmpdir(), 'tributary-delta-eos-java');
  const cp = `${kafkaLibs}/*${path.delimiter}${classes}`;
  await run('javac', ['-d', classes, '-cp', `${kafkaLibs}/*`, path.join(here, 'DlqRead.java')]);
  const { stdout } = await run('java', ['-Xmx256m', '-cp', cp, 'DlqRead', bootstrap, topic], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').map(Number) as [number, number]);
}

/** Reads the dead-letter topic read_committed through the kafkajs adapter (reported, not asserted). */
async function readDlq(client: KafkaClient, topic: string, expected: number): Promise<IncomingRecord[]> {
  const consumer = client.consumer({ groupId: uniqueName('eos-dlq-reader') });
  await consumer.connect();
  await consumer.subscribe([topic]);
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + 60_000;
  try {
    while (out.length < expected && Date.now() < deadline) for (const b of fetchedBatches(await consumer.poll(500))) out.push(...b.records);
    for (let i = 0; i < 3; i++) for (const b of fetchedBatches(await consumer.poll(500))) out.push(...b.records);
  } finally {
    await consumer.close();
  }
  return out;
}

export interface DeltaEosOptions {
  /** The table location: a directory under `work` by default, or e.g. `s3://bucket/bronze`. */
  readonly table?: string;
  /** Extra env for the application processes (e.g. the S3 endpoint and credentials). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra env for delta-rs (e.g. DELTA_RS_STORAGE_OPTIONS). */
  readonly readerEnv?: Readonly<Record<string, string>>;
  readonly records?: number;
  /** The input is spread over this long (the kills happen meanwhile). Default 24 s. */
  readonly produceOverMs?: number;
}

/**
 * Runs the scenario of the module doc and asserts its outcome. Used by delta-eos.test.ts (local
 * table) and test/integration/s3/s3-delta-eos.test.ts (the table on an S3-compatible store).
 */
export async function runDeltaEos(options: DeltaEosOptions = {}): Promise<void> {
  const RECORDS = options.records ?? DEFAULT_RECORDS;
  const work = mkdtempSync(path.join(tmpdir(), 'tributary-delta-eos-'));
  try {
    const bootstrap = realBootstrapServers();
    const topic = uniqueName('eos-transactions');
    const appId = uniqueName('eos-bronze');
    const table = options.table ?? path.join(work, 'bronze');
    const client = createKafkaClient({ bootstrapServers: bootstrap, clientId: 'delta-eos-test' });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics([
      { topic, numPartitions: PARTITIONS },
      { topic: `${appId}-dlq`, numPartitions: 1 },
    ]);

    // Producer: the input spread over produceOverMs, so the kills land while the application is ingesting.
    const gen = new TransactionGenerator({ seed: 8, startTime: Date.UTC(2024, 5, 1), spacingMs: (3 * 86_400_000) / RECORDS, malformedShare: 0.02 });
    let malformed = 0;
    let produced = 0;
    let externalKills = 0;
    const producer = client.producer({ clientId: 'delta-eos-input' });
    await producer.connect();
    const producing = (async () => {
      while (produced < RECORDS) {
        // The last batch waits for all but one of the kills: the run that ingests it is killed too,
        // so every kill lands on a run with input to ingest, however slow the machine.
        if (produced + BATCH >= RECORDS) while (externalKills < DELTA_EOS_KILLS - 1) await sleep(100);
        const batch = [];
        for (let i = 0; i < BATCH && produced < RECORDS; i++, produced++) {
          const t = gen.next();
          if (t.category === 'malformed') malformed++;
          batch.push({ topic, key: Buffer.from(t.key), value: Buffer.from(t.value) });
        }
        await producer.send(outgoingBatch(batch));
        await sleep(Math.round(((options.produceOverMs ?? DEFAULT_PRODUCE_MS) * BATCH) / RECORDS));
      }
    })();

    const env = {
      KAFKA_BOOTSTRAP_SERVERS: bootstrap,
      EOS_TOPIC: topic,
      EOS_TABLE: table,
      EOS_APP_ID: appId,
      EOS_STATE_DIR: path.join(work, 'state'),
      EOS_COMMIT_MS: '1000',
      ...(options.env ?? {}),
    };
    const kills: string[] = [];
    let commitKills = 0;
    let producingDone = false;
    void producing.then(() => (producingDone = true));
    // Until the input is produced and DELTA_EOS_KILLS external kills happened.
    for (let k = 0; !producingDone || externalKills < DELTA_EOS_KILLS; k++) {
      // Run 1 may also kill itself between a Delta commit and the Kafka commit (then run 2 is
      // killed from outside before the last batch is sent, so the run after it has input to ingest).
      const child = startApp({ ...env, EOS_CRASH_IN_COMMIT: k === 1 ? '0.5' : '0' });
      const first = await Promise.race([child.firstCommit.then(() => 'commit'), child.exited.then(() => 'exit'), sleep(45_000).then(() => 'timeout')]);
      if (first !== 'commit' && !child.crashedInCommit) {
        child.proc.kill('SIGKILL');
        throw new Error(`run ${k}: the application made no Delta commit (${first}): ${child.stderr.join('')}`);
      }
      const delay = 200 + Math.floor(Math.random() * 3_000);
      const outcome = await Promise.race([child.exited.then(() => 'exited'), sleep(delay).then(() => 'timer')]);
      if (outcome === 'timer') child.proc.kill('SIGKILL');
      const code = await child.exited;
      if (child.crashedInCommit) commitKills++;
      else if (outcome === 'exited') throw new Error(`run ${k} exited by itself (${code}): ${child.stderr.join('')}`);
      else externalKills++;
      kills.push(`${child.crashedInCommit ? 'in-commit' : `+${delay}ms`} after ${child.commits} commits (produced ${produced})`);
      process.stderr.write(`delta-eos run ${k}: ${kills[kills.length - 1]}\n`);
      if (process.env['DELTA_EOS_LOG']) appendFileSync(process.env['DELTA_EOS_LOG'], `=== killed run ${k}: ${kills[kills.length - 1]}\n`);
    }
    await producing;
    await producer.disconnect();
    expect(externalKills).toBeGreaterThanOrEqual(DELTA_EOS_KILLS);

    // Final run: until the group's committed offsets reach the end of every partition.
    const ends = await admin.fetchTopicOffsets(topic);
    const last = startApp(env);
    const deadline = Date.now() + 240_000;
    for (;;) {
      const committed = await admin.fetchCommittedOffsets(appId, [topic]);
      const done = ends.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.high);
      if (done) break;
      if (Date.now() > deadline)
        throw new Error(`final run did not finish: committed ${JSON.stringify(committed)} vs ends ${JSON.stringify(ends)}; ${last.stderr.join('')}`);
      await sleep(1_000);
    }
    last.proc.kill('SIGTERM');
    await last.exited;

    const { stdout } = await run(process.env['PYTHON'] ?? 'python3', [path.join(here, 'verify_table.py'), table], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...(options.readerEnv ?? {}) },
    });
    const delta = JSON.parse(stdout) as {
      version: number;
      files: number;
      rows: number;
      topics: string[];
      nullDates: number;
      offsets: Record<string, number[]>;
      commits: number;
    };
    // The dead-letter topic as the Java client reads it (read_committed): the reference. The
    // kafkajs-based reader is only reported — it has returned records of aborted transactions.
    const dlq = await readDlqWithJava(bootstrap, `${appId}-dlq`);
    const dlqKafkajs = await readDlq(client, `${appId}-dlq`, malformed);
    await admin.disconnect();

    const dupes = (xs: number[]) => xs.filter((x, i) => i > 0 && xs[i - 1] === x).length;
    let tableDupes = 0;
    for (const xs of Object.values(delta.offsets)) tableDupes += dupes(xs);
    const dead = new Map<number, number[]>();
    for (const [p, o] of dlq) {
      const list = dead.get(p) ?? [];
      list.push(o);
      dead.set(p, list);
    }
    let dlqDupes = 0;
    for (const xs of dead.values()) dlqDupes += dupes(xs.sort((a, b) => a - b));
    let missing = 0;
    let overlap = 0;
    for (const e of ends) {
      const inTable = new Set(delta.offsets[String(e.partition)] ?? []);
      const inDlq = new Set(dead.get(e.partition) ?? []);
      for (let o = 0; o < e.high; o++) {
        if (inTable.has(o) && inDlq.has(o)) overlap++;
        else if (!inTable.has(o) && !inDlq.has(o)) missing++;
      }
    }
    const total = ends.reduce((n, e) => n + e.high, 0);
    const summary = {
      produced: total,
      tableRows: delta.rows,
      deadLettered: dlq.length,
      malformedGenerated: malformed,
      tableDupes,
      dlqDupes,
      missing,
      overlap,
      externalKills,
      commitKills,
      dlqViaKafkajs: dlqKafkajs.length,
      deltaVersion: delta.version,
      deltaCommits: delta.commits,
      files: delta.files,
      kills,
    };
    console.log(`delta-eos: ${JSON.stringify(summary)}`);
    expect(total).toBe(RECORDS);
    expect(delta.topics).toEqual([topic]);
    expect(tableDupes).toBe(0);
    expect(dlqDupes).toBe(0);
    expect(missing).toBe(0);
    expect(overlap).toBe(0);
    expect(delta.rows + dlq.length).toBe(RECORDS);
    expect(dlq.length).toBe(malformed);
    expect(delta.nullDates).toBe(0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
