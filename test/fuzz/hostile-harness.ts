/**
 * Runs one hostile fuzz case: an exactly-once topology (zod source with an event-time field →
 * Delta sink partitioned by a hostile value, and a 1 s tumbling count per key with late records
 * to a topic) on the embedded broker through the TopologyTestDriver, one driver per session,
 * the state directory damaged between sessions. Then compares everything observable with the
 * model (hostile-records.ts): the dead-letter topic (by source offset), the late topic, the final
 * counts, the Delta table (our reader per case; delta-rs for batches, see `DeltaRsBatch`) and the
 * task metrics (`in = processed + dead-lettered + late + skipped`).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { deltaSink, readTable } from '../../lib/connectors/delta/index.js';
import { field, struct } from '../../lib/connectors/delta/schema.js';
import { Consumed, Grouped, Materialized, Named, Produced, Serdes, StreamsBuilder, TimeWindows, TimestampExtractors, type Topology } from '../../lib/index.js';
import type { EmbeddedKafka } from '../../lib/kafka/embedded/index.js';
import type { IncomingRecord } from '../../lib/kafka/types.js';
import { recordSize } from '../../lib/kafka/embedded/partition-log.js';
import { sumMetrics } from '../../lib/runtime/task-metrics.js';
import { TopologyTestDriver } from '../../lib/testing/index.js';
import { ErrorHandlers } from '../../lib/runtime/error-handlers.js';
import {
  GRACE_CHOICES,
  WALL_MS,
  WINDOW_MS,
  encodeValue,
  eventTime,
  model,
  recordKeyOf,
  type Damage,
  type FuzzCase,
  type ModelOptions,
  type ModelResult,
  type SchemaVariant,
} from './hostile-records.js';

export interface HarnessOptions {
  readonly kafka: EmbeddedKafka;
  /** Directory for the case's state and table (removed by the caller). */
  readonly root: string;
  readonly model: ModelOptions;
  /** `max.message.bytes` of the input and dead-letter topics (created by the harness); default the broker's. */
  readonly maxMessageBytes?: number;
}

export interface CaseOutcome {
  readonly table: string;
  readonly expected: ModelResult;
  /** Rows as our reader returned them (already checked against the model). */
  readonly tableRows: number;
  /** False when no table was created (an app stopped by a FAIL handler before its first commit). */
  readonly deltaRsReadable: boolean;
}

/** A mismatch between what the app did and the model, with what is needed to reproduce it. */
export class InvariantError extends Error {}

const rowSchema = (variant: SchemaVariant) =>
  z.object({
    id: z.int(),
    k: z.string(),
    part: z.string().nullable(),
    ...(variant === 'A' ? { amount: z.number() } : { Amount: z.number() }),
    ts: z.unknown(),
  });

type Row = { id: number; k: string; part: string | null; amount?: number; Amount?: number; ts: unknown };

function deltaSchema(variant: SchemaVariant) {
  return struct([
    field('id', 'long', false),
    field('k', 'string'),
    field('part', 'string'),
    field(variant === 'A' ? 'amount' : 'Amount', 'double'),
    field('ts', 'long'),
    ...(variant === 'B' ? [field('Note', 'string')] : []),
  ]);
}

export interface TopicNames {
  readonly app: string;
  readonly input: string;
  readonly output: string;
  readonly late: string;
  readonly dlq: string;
}

export function topicNames(caseId: string): TopicNames {
  const app = `hz-${caseId}`;
  return { app, input: `${app}-in`, output: `${app}-counts`, late: `${app}-late`, dlq: `${app}-dlq` };
}

/** The fuzz topology for one session (its schema variant decides the amount column's spelling). */
export function fuzzTopology(
  t: TopicNames,
  table: string,
  variant: SchemaVariant,
  tsSource: 'field' | 'record' = 'field',
  graceMs: number = GRACE_CHOICES[0],
): Topology {
  const b = new StreamsBuilder();
  const consumed = Consumed.with(Serdes.string(), Serdes.zod(rowSchema(variant)) as unknown as ReturnType<typeof Serdes.json<Row>>).withName('hostile-source');
  const events = b.stream(t.input, tsSource === 'field' ? consumed.withTimestampExtractor(TimestampExtractors.field('ts')) : consumed);
  // The sink first: a row Delta refuses is dead-lettered before the count sees it.
  events.process(
    deltaSink<string, Row>({
      table,
      schema: deltaSchema(variant),
      partitionBy: ['part'],
      schemaEvolution: true,
      commitIntervalMs: 1,
      idleCommitMs: 1,
      toRow: (r) => {
        const v = r.value;
        // A tombstone reaches the topology as a null value: hand it on for the sink to refuse (DLQ).
        if (v === null) return v as unknown as globalThis.Record<string, unknown>;
        const amountKey = variant === 'A' ? 'amount' : 'Amount';
        return { id: v.id, k: v.k, part: v.part, [amountKey]: v[amountKey], ts: r.timestamp, ...(variant === 'B' ? { Note: `n${v.id}` } : {}) };
      },
    }),
    { named: Named.as('hostile-delta') },
  );
  events
    .groupByKey(Grouped.with(Serdes.string(), Serdes.json<Row>()).withName('by-k'))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, graceMs), { lateRecords: { topic: t.late, keySerde: Serdes.string(), valueSerde: Serdes.json<Row>() } })
    .count(Materialized.as<string, number>('hostile-counts'), Named.as('hostile-count'))
    .toStream(Named.as('hostile-count-stream'))
    .map((w, c) => ({ key: `${w.key}@${w.window.start}`, value: c }), Named.as('hostile-count-key'))
    .to(t.output, Produced.with(Serdes.string(), Serdes.json<number | null>()).withName('hostile-count-sink'));
  return b.build();
}

/** Damages the (closed) app's state directory; returns what it did, for the failure report. */
export async function damageState(stateDir: string, app: string, damage: Damage): Promise<string> {
  if (damage === 'none') return 'none';
  const appDir = path.join(stateDir, app);
  const tasks = await fs.readdir(appDir).catch(() => [] as string[]);
  const done: string[] = [];
  for (const task of tasks) {
    const taskDir = path.join(appDir, task);
    const entries = await fs.readdir(taskDir).catch(() => [] as string[]);
    const stores = entries.filter((e) => !e.startsWith('.'));
    switch (damage) {
      case 'wipe-task-dir':
        await fs.rm(taskDir, { recursive: true, force: true });
        done.push(`rm -r ${task}`);
        break;
      case 'delete-checkpoint':
        for (const e of entries.filter((x) => x.startsWith('.checkpoint'))) await fs.rm(path.join(taskDir, e), { force: true });
        done.push(`rm ${task}/.checkpoint`);
        break;
      case 'corrupt-checkpoint':
        for (const e of entries.filter((x) => x === '.checkpoint')) await fs.writeFile(path.join(taskDir, e), 'garbage\n\u0000\u0001 not a checkpoint');
        done.push(`garble ${task}/.checkpoint`);
        break;
      case 'delete-store-keep-checkpoint':
        for (const s of stores) await fs.rm(path.join(taskDir, s), { recursive: true, force: true });
        done.push(`rm -r ${task}/{${stores.join(',')}} (kept .checkpoint)`);
        break;
      case 'truncate-store-log':
      case 'corrupt-manifest':
        for (const s of stores) {
          for (const f of await walk(path.join(taskDir, s))) {
            const base = path.basename(f);
            if (damage === 'truncate-store-log' && (base.endsWith('.log') || base.endsWith('.ldb') || base.endsWith('.sst'))) {
              await fs.truncate(f, 0);
              done.push(`truncate ${path.relative(appDir, f)}`);
            }
            if (damage === 'corrupt-manifest' && base.startsWith('MANIFEST-')) {
              await fs.writeFile(f, Buffer.from('not a manifest at all'));
              done.push(`garble ${path.relative(appDir, f)}`);
            }
          }
        }
        break;
    }
  }
  return done.join('; ') || `${damage} (nothing to damage)`;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Every committed record of a topic (read_committed), in offset order. */
async function readTopic(kafka: EmbeddedKafka, topic: string): Promise<IncomingRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const [desc] = await admin.describeTopics([topic]);
    const consumer = kafka.consumer({ groupId: `hz-reader-${topic}`, autoOffsetReset: 'earliest' });
    await consumer.connect();
    try {
      await consumer.assign(Array.from({ length: desc!.partitions }, (_, partition) => ({ topic, partition })));
      const out: IncomingRecord[] = [];
      for (;;) {
        let n = 0;
        for (const b of fetchedBatches(await consumer.poll(0))) {
          out.push(...b.records);
          n += b.records.length;
        }
        if (n === 0) break;
      }
      return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    } finally {
      await consumer.close();
    }
  } finally {
    await admin.disconnect();
  }
}

/** What a dead letter's `tributary.error.reason` must say, per the model's reason (undefined: anything). */
const REASONS: Record<string, RegExp | undefined> = {
  'null value': undefined, // the extractor (field missing) or the sink (a row must be an object), by mode
  'malformed JSON': /invalid JSON/,
  schema: /does not match the schema/,
  'invalid UTF-8': /not valid UTF-8/,
  'invalid timestamp': /timestamp/i,
  'invalid record timestamp': /Invalid record timestamp/,
  'partition value': /partition (column|value)/,
};

/** Runs the case and checks every invariant; throws InvariantError (or the app's error) on a mismatch. */
export async function runCase(c: FuzzCase, caseId: string, h: HarnessOptions): Promise<CaseOutcome> {
  const t = topicNames(caseId);
  const stateDir = path.join(h.root, 'state');
  const table = path.join(h.root, 'table');
  const expected = model(c, h.model);
  const log: string[] = [];
  const failAt = c.handlers === 'fail' ? expected.fates.findIndex((f) => f.fate === 'dead-letter') : -1;
  const partitions = c.partitions ?? 1;
  if (failAt >= 0 && partitions !== 1) throw new InvariantError('FAIL-handler cases need one input partition');
  const idAt = new Map(expected.positions.map((p, i) => [`${p.partition}@${p.offset}`, i]));
  let id = 0;
  const totals = { recordsIn: 0, processed: 0, deadLettered: 0, skipped: 0, dropped: 0 };
  if (h.maxMessageBytes !== undefined) {
    const admin = h.kafka.admin();
    await admin.connect();
    const configs = { 'max.message.bytes': String(h.maxMessageBytes) };
    await admin.createTopics([t.input, t.dlq, t.late].map((topic) => ({ topic, numPartitions: topic === t.input ? partitions : 1, configs })));
    await admin.disconnect();
  }
  for (let s = 0; s < c.sessions.length; s++) {
    const session = c.sessions[s]!;
    const driver = new TopologyTestDriver(fuzzTopology(t, table, session.variant, c.tsSource ?? 'field', c.graceMs ?? GRACE_CHOICES[0]), {
      kafka: h.kafka,
      applicationId: t.app,
      stateDir,
      processingGuarantee: 'exactly_once',
      initialWallClockTimeMs: WALL_MS,
      ...(c.handlers === 'fail' ? { deserializationExceptionHandler: ErrorHandlers.fail, processingExceptionHandler: ErrorHandlers.fail } : {}),
      // The app's default (the driver disables the check unless given).
      ...(h.model.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: h.model.maxFutureSkewMs }),
    });
    try {
      const input = driver.createInputTopic(t.input, Serdes.string(), Serdes.bytes(), { partitions });
      driver.createOutputTopic(t.output, Serdes.string(), Serdes.string());
      driver.createOutputTopic(t.late, Serdes.string(), Serdes.string());
      const first = id;
      const records = session.records.map((r) => {
        const rid = id++;
        return {
          key: recordKeyOf(r, rid),
          value: encodeValue(r, rid, session.variant) as Buffer,
          timestamp: eventTime(r, c.tsSource ?? 'field').recordTs,
          partition: expected.positions[rid]!.partition,
        };
      });
      if (failAt >= first && failAt < id) {
        // FAIL handlers: the first bad record stops the app with an error naming it.
        const error = await input.pipeRecordList(records).then(
          () => undefined,
          (e: unknown) => e,
        );
        const text = String((error as Error | undefined)?.message ?? error);
        if (error === undefined) throw new InvariantError(`FAIL handlers: record ${failAt} (${JSON.stringify(expected.fates[failAt])}) did not stop the app`);
        if (!text.includes(`topic=${t.input},`) || !new RegExp(`offset=${failAt}\\b`).test(text))
          throw new InvariantError(`FAIL handlers: the error does not name ${t.input}-0@${failAt}: ${text}`);
        await driver.close().catch(() => undefined);
        return await afterFailure(h.kafka, t, table, expected, failAt, log);
      }
      await input.pipeRecordList(records);
      const m = sumMetrics(driver.metrics());
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += m[k];
    } catch (err) {
      if (err instanceof InvariantError) throw err;
      throw new InvariantError(`session ${s} failed: ${(err as Error).stack ?? String(err)}\n${log.join('\n')}`);
    } finally {
      await driver.close();
    }
    if (s < c.sessions.length - 1) log.push(`after session ${s}: ${await damageState(stateDir, t.app, session.damage)}`);
  }
  const context = (): string => `\n${log.join('\n')}`;
  const fail = (what: string): never => {
    throw new InvariantError(`${what}${context()}`);
  };

  // 1. The dead-letter topic holds exactly the records the model dead-letters (by source partition and offset).
  const dlq = await readTopic(h.kafka, t.dlq);
  /** The record id of a dead letter, from its source partition and offset headers. */
  const idOf = (r: IncomingRecord): number => {
    const where = `${r.headers['tributary.error.partition']?.toString()}@${r.headers['tributary.error.offset']?.toString()}`;
    return idAt.get(where) ?? fail(`a dead letter names ${where}, which no record had`);
  };
  // A late record whose copy (value + tributary.late.* headers) exceeds the late topic's limit is
  // dead-lettered by the production handler instead: accounted for once, in the DLQ.
  const lateTooLarge = new Set(dlq.filter((r) => r.headers['tributary.error.output-topic']?.toString() === t.late).map(idOf));
  for (const o of lateTooLarge) {
    if (expected.fates[o]?.fate !== 'late' || c.sessions.flatMap((x) => x.records)[o]!.pad === 0)
      fail(`record ${o} was dead-lettered as too large for the late topic, but the model has it ${JSON.stringify(expected.fates[o])}`);
  }
  for (const r of dlq) {
    if (recordSize(r.key, r.value, r.headers) > (h.maxMessageBytes ?? Number.POSITIVE_INFINITY))
      fail(`a dead letter of ${recordSize(r.key, r.value, r.headers)} bytes exceeds the DLQ's limit ${h.maxMessageBytes}`);
  }
  // Each dead letter says why, and the reason matches the model's.
  for (const r of dlq) {
    const o = idOf(r);
    const f = expected.fates[o];
    const reason = r.headers['tributary.error.reason']?.toString() ?? '';
    const want = f?.fate === 'dead-letter' ? REASONS[f.why] : /max\.message\.bytes/;
    if (want !== undefined && !want.test(reason))
      fail(`dead letter at offset ${o} (${JSON.stringify(f)}) has reason ${JSON.stringify(reason)}, expected ${want}`);
  }
  const dlqOffsets = dlq.map(idOf).sort((a, b) => a - b);
  const wantDlq = expected.fates.flatMap((f, i) => (f.fate === 'dead-letter' || lateTooLarge.has(i) ? [i] : []));
  if (JSON.stringify(dlqOffsets) !== JSON.stringify(wantDlq)) {
    const reasons = dlq.map((r) => `${r.headers['tributary.error.offset']?.toString()}: ${r.headers['tributary.error.reason']?.toString()}`);
    fail(
      `dead-letter record ids ${JSON.stringify(dlqOffsets)}, model ${JSON.stringify(wantDlq)} (${expected.fates.map((f, i) => `${i}:${f.fate}${f.fate === 'dead-letter' ? `(${f.why})` : ''}`).join(' ')}); reasons: ${reasons.join(' | ')}`,
    );
  }
  // 2. The late topic holds exactly the late records.
  const late = (await readTopic(h.kafka, t.late)).map((r) => (JSON.parse(r.value!.toString()) as { id: number }).id).sort((a, b) => a - b);
  const wantLate = expected.fates.flatMap((f, i) => (f.fate === 'late' && !lateTooLarge.has(i) ? [i] : []));
  if (JSON.stringify(late) !== JSON.stringify(wantLate)) fail(`late ids ${JSON.stringify(late)}, model ${JSON.stringify(wantLate)}`);
  // 3. The final count of every window equals the model's; no window the model lacks.
  const finals = new Map<string, number>();
  for (const r of await readTopic(h.kafka, t.output)) finals.set(r.key!.toString(), JSON.parse(r.value!.toString()) as number);
  const countsGot = JSON.stringify([...finals].sort());
  const countsWant = JSON.stringify([...expected.counts].sort());
  if (countsGot !== countsWant) fail(`final counts ${countsGot}, model ${countsWant}`);
  // 4. The Delta table (our reader) equals the model's rows, in the table's spelling.
  const contents = await readTable(table).catch((err: Error) => fail(`the table cannot be read: ${err.message}`));
  const got = contents.rows.map((r) => canonicalRow(r, expected.amountColumn)).sort();
  const want = expectedRows(
    expected,
    contents.schema.fields.some((f) => f.name === 'Note'),
  ).sort();
  if (JSON.stringify(got) !== JSON.stringify(want))
    fail(`table rows differ: got ${got.length}, model ${want.length}\n got: ${got.slice(0, 5).join('\n      ')}\nwant: ${want.slice(0, 5).join('\n      ')}`);
  const names = contents.schema.fields.map((f) => f.name.toLowerCase());
  if (new Set(names).size !== names.length) fail(`table schema has names equal ignoring case: ${names.join(', ')}`);
  // 5. Metrics reconcile, and with the model: in = processed + dead-lettered + late + skipped.
  const piped = c.sessions.reduce((n, s) => n + s.records.length, 0);
  const onTime = expected.fates.filter((f) => f.fate === 'on-time').length;
  if (totals.recordsIn !== piped) fail(`recordsIn ${totals.recordsIn}, piped ${piped}`);
  if (totals.recordsIn !== totals.processed + totals.deadLettered + totals.skipped) fail(`metrics do not reconcile: ${JSON.stringify(totals)}`);
  if (
    totals.deadLettered !== wantDlq.length - lateTooLarge.size ||
    totals.dropped !== wantLate.length + lateTooLarge.size ||
    totals.skipped !== 0 ||
    totals.processed - totals.dropped !== onTime
  ) {
    fail(`metrics ${JSON.stringify(totals)} vs model on-time ${onTime}, dead-lettered ${wantDlq.length}, late ${wantLate.length}`);
  }
  return { table, expected, tableRows: contents.rows.length, deltaRsReadable: true };
}

/**
 * After a FAIL handler stopped the app at record `failAt`: nothing from `failAt` on reached the
 * table, the counts or the late topic, nothing was dead-lettered, and the table is readable.
 */
async function afterFailure(kafka: EmbeddedKafka, t: TopicNames, table: string, expected: ModelResult, failAt: number, log: string[]): Promise<CaseOutcome> {
  const context = `\n${log.join('\n')}`;
  const dlq = await readTopic(kafka, t.dlq);
  if (dlq.length !== 0) throw new InvariantError(`FAIL handlers: ${dlq.length} records dead-lettered${context}`);
  const contents = await readTable(table).catch(() => undefined);
  const ids = (contents?.rows ?? []).map((r) => Number(r['id']));
  const allowed = new Set(expected.rows.filter((r) => r.id < failAt).map((r) => r.id));
  const stray = ids.filter((i) => !allowed.has(i));
  if (stray.length)
    throw new InvariantError(`FAIL handlers: rows ${JSON.stringify(stray)} at or after the failed record ${failAt} reached the table${context}`);
  return {
    table,
    expected: { ...expected, rows: expected.rows.filter((r) => ids.includes(r.id)) },
    tableRows: ids.length,
    deltaRsReadable: contents !== undefined,
  };
}

/** One row as a comparable string: id, k, part, amount (under the table's spelling), ts, note. */
function canonicalRow(r: Record<string, unknown>, amountColumn: string): string {
  return JSON.stringify([r['id'], r['k'], r['part'], r[amountColumn], r['ts'], r['Note'] ?? null]);
}

export function expectedRows(m: ModelResult, hasNote: boolean): string[] {
  return m.rows.map((r) => JSON.stringify([r.id, r.k, r.part, r.amount, r.ts, hasNote ? r.note : null]));
}

const DELTA_RS_BATCH = `
import sys, json, os
from deltalake import DeltaTable
out = {}
for line in sys.stdin:
    p = line.strip()
    if not p:
        continue
    print("reading " + p, file=sys.stderr, flush=True)
    try:
        t = DeltaTable(p)
        out[p] = {"rows": t.to_pyarrow_table().to_pylist(), "fields": [f.name for f in t.schema().fields]}
    except Exception as e:
        out[p] = {"error": f"{type(e).__name__}: {e}"}
print(json.dumps(out, default=str))
sys.stdout.flush()
# Skip interpreter teardown: deltalake 1.6.6's native threads often abort the process at exit
# ("terminate called without an active exception") after the output is complete, even for a
# table deltalake wrote itself (as scripts/delta-readers/delta_rs_read.py also works around).
os._exit(0)
`;
import { fetchedBatches } from '../../lib/kafka/columns.js';

/** Tables checked by delta-rs in one Python process per batch (spawning it per case would dominate). */
export class DeltaRsBatch {
  private readonly pending: { table: string; expected: ModelResult; caseId: string; cleanup: () => Promise<void> }[] = [];
  checked = 0;

  /** Queues a case's table; `cleanup` runs once delta-rs has read it. */
  add(caseId: string, outcome: CaseOutcome, cleanup: () => Promise<void>): void {
    this.pending.push({ table: outcome.table, expected: outcome.expected, caseId, cleanup });
  }

  get size(): number {
    return this.pending.length;
  }

  /** Reads every pending table with delta-rs; throws InvariantError naming the first mismatch. */
  async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    let keep: string | undefined;
    try {
      const stdout = await pythonStdin(DELTA_RS_BATCH, batch.map((b) => b.table).join('\n')).catch(async (err: Error) => {
        // delta-rs died (a crash, not an error it reports): keep the table it was reading.
        const last = [...err.message.matchAll(/reading (\S+)/g)].pop()?.[1];
        const b = batch.find((x) => x.table === last);
        if (b) {
          keep = await fs.mkdtemp(path.join(path.dirname(path.dirname(b.table)), `delta-rs-crash-case-${b.caseId}-`));
          await fs.cp(b.table, path.join(keep, 'table'), { recursive: true });
        }
        throw new InvariantError(
          `delta-rs crashed reading ${last ?? '?'} (case ${b?.caseId ?? '?'}; table kept at ${keep ?? '-'}): ${err.message.slice(-2000)}`,
        );
      });
      const read = JSON.parse(stdout) as Record<string, { rows?: Record<string, unknown>[]; fields?: string[]; error?: string }>;
      for (const b of batch) {
        const r = read[b.table];
        if (!r || r.error !== undefined || !r.rows || !r.fields)
          throw new InvariantError(`case ${b.caseId}: delta-rs cannot read ${b.table}: ${r?.error ?? 'no output'}`);
        const got = r.rows.map((row) => canonicalRow(row, b.expected.amountColumn)).sort();
        const want = expectedRows(b.expected, r.fields.includes('Note')).sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          throw new InvariantError(
            `case ${b.caseId}: delta-rs reads ${got.length} rows, model ${want.length}\n got: ${got.slice(0, 5).join('\n      ')}\nwant: ${want.slice(0, 5).join('\n      ')}`,
          );
        }
        this.checked++;
      }
    } finally {
      for (const b of batch) await b.cleanup();
    }
  }
}

function pythonStdin(script: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env['PYTHON'] ?? 'python3', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`delta-rs batch reader exited ${code} (run bash scripts/delta-readers/setup.sh): ${Buffer.concat(err).toString()}`));
    });
    child.stdin.end(input);
  });
}
