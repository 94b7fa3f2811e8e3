/**
 * The Kafka seam conformance suite. Every `KafkaClient` implementation (kafkajs against a real
 * broker, the embedded in-process broker) runs exactly these tests under the same names, so the
 * embedded broker cannot drift from real Kafka semantics.
 *
 * Tests use random topic / group / transactional-id names and never sleep where a condition can be
 * polled for; timeouts are generous enough for a real broker's group rebalances.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProducerFencedError, TributaryError } from '../../lib/errors.js';
import type {
  Admin,
  Consumer,
  ConsumerOptions,
  FetchedColumns,
  Headers,
  IncomingRecord,
  KafkaClient,
  OutgoingBatch,
  OutgoingRecord,
  Producer,
  ProducerOptions,
  TopicPartition,
} from '../../lib/kafka/types.js';
import { fetchedBatches, outgoingBatch } from '../../lib/kafka/columns.js';
import { partitionForKey } from '../../lib/kafka/partitioner.js';

const WAIT_MS = 45_000;

interface Vector {
  readonly keyHex: string;
  readonly partitions: readonly number[];
}
interface VectorFile {
  readonly numPartitions: readonly number[];
  readonly vectors: readonly Vector[];
}

function javaVectors(): VectorFile {
  return JSON.parse(readFileSync(new URL('../fixtures/murmur2-vectors.json', import.meta.url), 'utf8')) as VectorFile;
}

function name(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');
const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const tpKey = (tp: TopicPartition): string => `${tp.topic}/${tp.partition}`;

/** Polls until `done(all records so far)` holds; fails with what was seen when time runs out. */
async function pollUntil(
  consumer: Consumer,
  done: (records: IncomingRecord[]) => boolean,
  timeoutMs = WAIT_MS,
  into: IncomingRecord[] = [],
): Promise<IncomingRecord[]> {
  const deadline = Date.now() + timeoutMs;
  while (!done(into)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; saw ${into.length} records`);
    for (const batch of fetchedBatches(await consumer.poll(200))) into.push(...batch.records);
  }
  return into;
}

/** Polls for `ms` and returns everything received (for asserting that nothing arrives). */
async function pollFor(consumer: Consumer, ms: number): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) for (const batch of fetchedBatches(await consumer.poll(100))) out.push(...batch.records);
  return out;
}

/** Retries an assertion until it passes (for state the broker completes asynchronously). */
async function eventually(check: () => Promise<void>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function byPartition(records: readonly IncomingRecord[]): Map<number, IncomingRecord[]> {
  const m = new Map<number, IncomingRecord[]>();
  for (const r of records) {
    let l = m.get(r.partition);
    if (!l) m.set(r.partition, (l = []));
    l.push(r);
  }
  return m;
}

/** One record as the columns say it: every field read straight from the columns (no helper). */
interface ColumnRow {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
  readonly headers: Record<string, string>;
}

function rowsOf(cols: FetchedColumns): ColumnRow[] {
  const out: ColumnRow[] = [];
  for (let i = 0; i < cols.length; i++) {
    const kc = cols.keyChunks[i]!;
    const vc = cols.valueChunks[i]!;
    const h = cols.headers === null ? undefined : cols.headers[i];
    out.push({
      partition: cols.partition,
      offset: cols.offsets[i]!,
      key: kc === null ? null : kc.toString('utf8', cols.keyStarts[i]!, cols.keyEnds[i]!),
      value: vc === null ? null : vc.toString('utf8', cols.valueStarts[i]!, cols.valueEnds[i]!),
      timestamp: cols.timestamps[i]!,
      headers: h === undefined ? {} : Object.fromEntries(Object.entries(h).map(([k, b]) => [k, b.toString('utf8')])),
    });
  }
  return out;
}

/** Polls raw columns until `n` records arrived; checks the shape of every `FetchedColumns` on the way. */
async function pollColumnsUntil(consumer: Consumer, n: number, timeoutMs = WAIT_MS): Promise<ColumnRow[]> {
  const rows: ColumnRow[] = [];
  const deadline = Date.now() + timeoutMs;
  while (rows.length < n) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; saw ${rows.length} records`);
    for (const cols of await consumer.poll(200)) {
      expect(cols.length).toBeGreaterThan(0);
      for (const column of [cols.offsets, cols.timestamps, cols.keyStarts, cols.keyEnds, cols.valueStarts, cols.valueEnds])
        expect(column.length).toBeGreaterThanOrEqual(cols.length);
      for (let i = 1; i < cols.length; i++) expect(cols.offsets[i]!).toBeGreaterThan(cols.offsets[i - 1]!);
      rows.push(...rowsOf(cols));
    }
  }
  return rows;
}

/**
 * An `OutgoingBatch` written by hand the awkward ways the seam allows: typed-array columns longer
 * than the batch (garbage past `length`), several records in one chunk with a record's value
 * before its key, keys and values in chunks of their own, null and empty keys and values, headers
 * on some records only.
 */
function awkwardBatch(t: string, partitions: number, n: number, shared: Buffer, withHeaders: boolean): OutgoingBatch {
  const cap = n + 7;
  const b = {
    length: n,
    topics: new Array<string>(cap).fill('not-a-topic'),
    partitions: new Int32Array(cap).fill(99),
    timestamps: new Float64Array(cap).fill(-5),
    keyChunks: new Array<Buffer | null>(cap).fill(shared),
    keyStarts: new Int32Array(cap).fill(-3),
    keyEnds: new Int32Array(cap).fill(-1),
    valueChunks: new Array<Buffer | null>(cap).fill(shared),
    valueStarts: new Int32Array(cap).fill(-3),
    valueEnds: new Int32Array(cap).fill(-1),
    headers: withHeaders ? new Array<Headers | undefined>(cap) : null,
  };
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const key = i % 7 === 3 ? null : i % 7 === 4 ? '' : `k${i}`;
    const value = i % 5 === 2 ? null : i % 5 === 3 ? '' : `v${i}-${'x'.repeat(i % 13)}`;
    b.topics[i] = t;
    // -1: murmur2 of the key bytes (null keys get an explicit partition: round-robin is not checkable).
    b.partitions[i] = i % 3 === 0 && key !== null ? -1 : i % partitions;
    b.timestamps[i] = i % 4 === 0 ? Number.NaN : 1_000_000 + i;
    if (i % 2 === 0) {
      // value first, then key, in the shared chunk
      b.valueChunks[i] = value === null ? null : shared;
      b.valueStarts[i] = pos;
      pos += value === null ? 0 : shared.write(value, pos);
      b.valueEnds[i] = pos;
      b.keyChunks[i] = key === null ? null : shared;
      b.keyStarts[i] = pos;
      pos += key === null ? 0 : shared.write(key, pos);
      b.keyEnds[i] = pos;
    } else {
      // each in a chunk of its own, with bytes around it that are not the record's
      const k = key === null ? null : Buffer.from(`<<${key}>>`);
      const v = value === null ? null : Buffer.from(`[${value}]`);
      b.keyChunks[i] = k;
      b.keyStarts[i] = 2;
      b.keyEnds[i] = k === null ? 0 : k.length - 2;
      b.valueChunks[i] = v;
      b.valueStarts[i] = 1;
      b.valueEnds[i] = v === null ? 0 : v.length - 1;
    }
    if (b.headers !== null && i % 3 === 1) b.headers[i] = { n: Buffer.from(String(i)), e: Buffer.alloc(0) };
  }
  return b;
}

/** What `awkwardBatch` record i must read back as (partition checked separately). */
function expectedRow(i: number, withHeaders: boolean): Omit<ColumnRow, 'partition' | 'offset' | 'timestamp'> {
  return {
    key: i % 7 === 3 ? null : i % 7 === 4 ? '' : `k${i}`,
    value: i % 5 === 2 ? null : i % 5 === 3 ? '' : `v${i}-${'x'.repeat(i % 13)}`,
    headers: withHeaders && i % 3 === 1 ? { n: String(i), e: '' } : {},
  };
}

export function describeKafkaConformance(targetName: string, makeClient: () => KafkaClient | Promise<KafkaClient>): void {
  describe(`Kafka seam conformance: ${targetName}`, () => {
    let client: KafkaClient;
    let admin: Admin;
    const cleanups: (() => Promise<void>)[] = [];

    beforeAll(async () => {
      client = await makeClient();
      admin = client.admin();
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.disconnect();
    });
    afterEach(async () => {
      while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
    });

    async function topic(partitions: number, configs?: Record<string, string>): Promise<string> {
      const t = name('conf');
      await admin.createTopics([{ topic: t, numPartitions: partitions, ...(configs ? { configs } : {}) }]);
      cleanups.push(() => admin.deleteTopics([t]));
      return t;
    }

    async function producer(options: ProducerOptions = {}): Promise<Producer> {
      const p = client.producer(options);
      await p.connect();
      cleanups.push(() => p.disconnect());
      return p;
    }

    async function consumer(options: Partial<ConsumerOptions> = {}): Promise<Consumer> {
      const c = client.consumer({ groupId: name('group'), heartbeatIntervalMs: 300, sessionTimeoutMs: 10_000, ...options });
      await c.connect();
      cleanups.push(() => c.close());
      return c;
    }

    async function readCommitted(t: string, count: number): Promise<IncomingRecord[]> {
      const c = await consumer();
      await c.subscribe([t]);
      return pollUntil(c, (rs) => rs.length >= count);
    }

    it('admin creates topics with partition counts and configs, idempotently, and deletes them', async () => {
      const a = name('conf-admin');
      const b = name('conf-admin');
      cleanups.push(() => admin.deleteTopics([a, b]));
      const created = await admin.createTopics([
        { topic: a, numPartitions: 3, configs: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' } },
        { topic: b, numPartitions: 1 },
      ]);
      expect(created.sort()).toEqual([a, b].sort());
      expect(await admin.createTopics([{ topic: a, numPartitions: 5 }])).toEqual([]);
      const [da, db] = await admin.describeTopics([a, b]);
      expect(da!.topic).toBe(a);
      expect(da!.partitions).toBe(3);
      expect(da!.configs['cleanup.policy']).toBe('compact');
      expect(da!.configs['retention.ms']).toBe('3600000');
      expect(db!.partitions).toBe(1);
      expect(await admin.listTopics()).toEqual(expect.arrayContaining([a, b]));
      await admin.deleteTopics([a, name('conf-missing')]);
      const deadline = Date.now() + WAIT_MS;
      while ((await admin.listTopics()).includes(a)) {
        if (Date.now() > deadline) throw new Error(`topic ${a} still listed after delete`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await expect(admin.describeTopics([a])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    });

    it('admin describe of a missing topic fails with TOPIC_NOT_FOUND naming it', async () => {
      const missing = name('conf-missing');
      const err = await admin.describeTopics([missing]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TributaryError);
      expect((err as TributaryError).code).toBe('TOPIC_NOT_FOUND');
      expect((err as TributaryError).message).toContain(missing);
    });

    it('fetchTopicOffsets reports log start and end offsets per partition', async () => {
      const t = await topic(2);
      const p = await producer();
      await p.send(outgoingBatch([0, 1, 2].map((i) => ({ topic: t, partition: 0, key: null, value: buf(`v${i}`) }))));
      await p.send(outgoingBatch([{ topic: t, partition: 1, key: null, value: buf('x') }]));
      expect(await admin.fetchTopicOffsets(t)).toEqual([
        { partition: 0, low: 0, high: 3 },
        { partition: 1, low: 0, high: 1 },
      ]);
    });

    it('produces and consumes in order per partition with keys, null keys, headers and timestamps', async () => {
      const t = await topic(3);
      const p = await producer();
      const base = 1_700_000_000_000;
      const records: OutgoingRecord[] = [];
      for (let i = 0; i < 60; i++) {
        records.push({
          topic: t,
          partition: i % 3,
          key: i % 4 === 0 ? null : buf(`k${i}`),
          value: i % 10 === 9 ? null : buf(`v${i}`),
          timestamp: base + i,
          ...(i % 2 === 0 ? { headers: { h: buf(`h${i}`), 'trace-id': Buffer.from([0, 255, i]) } } : {}),
        });
      }
      await p.send(outgoingBatch(records.slice(0, 30)));
      await p.send(outgoingBatch(records.slice(30)));
      const got = await readCommitted(t, 60);
      expect(got).toHaveLength(60);
      for (const [partition, list] of byPartition(got)) {
        const sent = records.filter((r) => r.partition === partition);
        expect(list.map((r) => r.offset)).toEqual(sent.map((_, i) => i));
        list.forEach((r, i) => {
          const s = sent[i]!;
          expect(r.topic).toBe(t);
          expect(str(r.key)).toBe(str(s.key));
          expect(str(r.value)).toBe(str(s.value));
          expect(r.timestamp).toBe(s.timestamp);
          const expectedHeaders = s.headers ?? {};
          expect(Object.keys(r.headers).sort()).toEqual(Object.keys(expectedHeaders).sort());
          for (const [h, v] of Object.entries(expectedHeaders)) {
            expect(Buffer.isBuffer(r.headers[h])).toBe(true);
            expect(r.headers[h]!.equals(v)).toBe(true);
          }
        });
      }
    });

    it('routes keys to the same partitions as the Java client', async () => {
      const file = javaVectors();
      const index = file.numPartitions.indexOf(12);
      expect(index).toBeGreaterThanOrEqual(0);
      const vectors = file.vectors.slice(0, 60);
      const t = await topic(12);
      const p = await producer();
      await p.send(outgoingBatch(vectors.map((v, i) => ({ topic: t, key: Buffer.from(v.keyHex, 'hex'), value: buf(String(i)) }))));
      const got = await readCommitted(t, vectors.length);
      for (const r of got) {
        const v = vectors[Number(str(r.value))]!;
        expect({ key: v.keyHex, partition: r.partition }).toEqual({ key: v.keyHex, partition: v.partitions[index] });
      }
      // Null keys are spread, not piled on one partition.
      const nullTopic = await topic(4);
      await p.send(outgoingBatch(Array.from({ length: 40 }, (_, i) => ({ topic: nullTopic, key: null, value: buf(String(i)) }))));
      const spread = byPartition(await readCommitted(nullTopic, 40));
      expect(spread.size).toBeGreaterThan(1);
    });

    it('read_committed hides aborted transactions and skips control records', async () => {
      const t = await topic(1);
      const p = await producer({ transactionalId: name('txn') });
      const send = async (prefix: string, commit: boolean): Promise<void> => {
        await p.beginTransaction();
        expect(p.inTransaction).toBe(true);
        await p.send(outgoingBatch([0, 1, 2].map((i) => ({ topic: t, partition: 0, key: buf(`${prefix}${i}`), value: buf(`${prefix}${i}`) }))));
        if (commit) await p.commitTransaction();
        else await p.abortTransaction();
        expect(p.inTransaction).toBe(false);
      };
      await send('a', true);
      await send('b', false);
      await send('c', true);
      const committed = await readCommitted(t, 6);
      expect(committed.map((r) => str(r.value))).toEqual(['a0', 'a1', 'a2', 'c0', 'c1', 'c2']);
      // Offsets: a0..a2 = 0..2, commit marker 3, b0..b2 = 4..6, abort marker 7, c0..c2 = 8..10, marker 11.
      expect(committed.map((r) => r.offset)).toEqual([0, 1, 2, 8, 9, 10]);
      expect((await admin.fetchTopicOffsets(t))[0]).toEqual({ partition: 0, low: 0, high: 12 });

      const uncommitted = await consumer({ readUncommitted: true });
      await uncommitted.subscribe([t]);
      const all = await pollUntil(uncommitted, (rs) => rs.length >= 9);
      expect(all.map((r) => str(r.value))).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2']);

      // A reader starting after the last record sees nothing, and a later commit arrives exactly once.
      const tail = await consumer();
      await tail.subscribe([t]);
      const seen = await pollUntil(tail, (rs) => rs.length >= 6);
      await send('d', true);
      await pollUntil(tail, (rs) => rs.length >= 9, WAIT_MS, seen);
      expect(seen.slice(6).map((r) => [r.offset, str(r.value)])).toEqual([
        [12, 'd0'],
        [13, 'd1'],
        [14, 'd2'],
      ]);
      expect(await pollFor(tail, 500)).toEqual([]);
    });

    it('read_committed keeps a committed transaction between two aborts of one producer, the second without records in the partition', async () => {
      // An exactly-once task restarted after a crash twice: its transactional id's producer aborted
      // (records), committed, then aborted a transaction that added the partition but wrote nothing
      // there. One fetch sees both abort markers of the producer and one aborted-transaction entry.
      // (platformatic 2.12's own filter pairs the entry with the producer's last abort marker and
      // drops the committed transaction too.)
      const t = await topic(1, { 'max.message.bytes': '4096' });
      const p = await producer({ transactionalId: name('txn') });
      const batch = (prefix: string) => outgoingBatch([0, 1].map((i) => ({ topic: t, partition: 0, key: buf(`${prefix}${i}`), value: buf(`${prefix}${i}`) })));
      await p.beginTransaction();
      await p.send(batch('a'));
      await p.abortTransaction();
      await p.beginTransaction();
      await p.send(batch('b'));
      await p.commitTransaction();
      await p.beginTransaction();
      // Refused by the broker (larger than the topic's max.message.bytes) after the partition joined the transaction.
      await expect(p.send(outgoingBatch([{ topic: t, partition: 0, key: null, value: Buffer.alloc(16_384, 1) }]))).rejects.toThrow();
      await p.abortTransaction();
      await p.beginTransaction();
      await p.send(batch('c'));
      await p.commitTransaction();
      const tp = { topic: t, partition: 0 };
      const end = (await admin.fetchTopicOffsets(t, { isolation: 'read_committed' }))[0]!.high;
      const c = await consumer();
      await c.assign([tp]);
      c.seek(tp, 0);
      const got: IncomingRecord[] = [];
      const deadline = Date.now() + WAIT_MS;
      while ((c.position(tp) ?? -1) < end) {
        if (Date.now() > deadline) throw new Error(`position stuck at ${c.position(tp)} of ${end} after ${got.length} records`);
        for (const b of fetchedBatches(await c.poll(200))) got.push(...b.records);
      }
      expect(got.map((r) => str(r.value))).toEqual(['b0', 'b1', 'c0', 'c1']);
    });

    it('read_committed hides aborted transactions of several interleaved producers, also across small fetches', async () => {
      const t = await topic(1);
      const producers: Producer[] = [];
      for (let i = 0; i < 4; i++) producers.push(await producer({ transactionalId: name(`conf-txn-mix${i}`) }));
      const expected: string[] = [];
      // Each round: all producers open a transaction and interleave their sends, then half abort.
      for (let round = 0; round < 6; round++) {
        for (const p of producers) await p.beginTransaction();
        for (let step = 0; step < 3; step++) {
          for (let i = 0; i < producers.length; i++) {
            const value = `r${round}-p${i}-s${step}`;
            await producers[i]!.send(outgoingBatch([{ topic: t, partition: 0, key: buf(`p${i}`), value: buf(value.padEnd(200, '.')) }]));
          }
        }
        for (let i = 0; i < producers.length; i++) {
          const abort = (round + i) % 2 === 0;
          if (abort) await producers[i]!.abortTransaction();
          else {
            await producers[i]!.commitTransaction();
            for (let step = 0; step < 3; step++) expected.push(`r${round}-p${i}-s${step}`);
          }
        }
      }
      // Small fetches start in the middle of open-then-aborted transactions of several producers.
      const c = await consumer({ maxBytesPerPartition: 1024 });
      await c.subscribe([t]);
      const seen = await pollUntil(c, (rs) => rs.length >= expected.length);
      seen.push(...(await pollFor(c, 500)));
      expect(seen.map((r) => str(r.value)!.replace(/\.+$/, '')).sort()).toEqual([...expected].sort());
    });

    it('one send of several megabytes to one partition succeeds (under the default message.max.bytes)', async () => {
      const t = await topic(2);
      const p = await producer({ transactionalId: name('conf-txn-big') });
      const value = Buffer.alloc(1000, 'x');
      const records: OutgoingRecord[] = [];
      for (let i = 0; i < 4000; i++) records.push({ topic: t, partition: i % 5 === 0 ? 1 : 0, key: buf(`k${i}`), value });
      await p.beginTransaction();
      await p.send(outgoingBatch(records));
      await p.commitTransaction();
      const seen = await readCommitted(t, records.length);
      expect(seen.length).toBe(records.length);
      const p0 = seen.filter((r) => r.partition === 0).map((r) => str(r.key));
      expect(p0).toEqual(records.filter((r) => r.partition === 0).map((r) => str(r.key)));
    });

    it('empty keys and values round-trip as empty buffers, distinct from null', async () => {
      const t = await topic(1);
      const p = await producer();
      const empty = Buffer.alloc(0);
      await p.send(
        outgoingBatch([
          { topic: t, partition: 0, key: empty, value: empty },
          { topic: t, partition: 0, key: null, value: null },
          { topic: t, partition: 0, key: buf('k'), value: empty },
          { topic: t, partition: 0, key: empty, value: null },
          { topic: t, partition: 0, key: null, value: empty, headers: { h: empty } },
        ]),
      );
      const got = await readCommitted(t, 5);
      const shape = (b: Buffer | null): string => (b === null ? 'null' : b.length === 0 ? 'empty' : `"${b.toString('utf8')}"`);
      expect(got.map((r) => [r.offset, shape(r.key), shape(r.value)])).toEqual([
        [0, 'empty', 'empty'],
        [1, 'null', 'null'],
        [2, '"k"', 'empty'],
        [3, 'empty', 'null'],
        [4, 'null', 'empty'],
      ]);
      for (const r of got) {
        if (r.key !== null) expect(Buffer.isBuffer(r.key)).toBe(true);
        if (r.value !== null) expect(Buffer.isBuffer(r.value)).toBe(true);
      }
      expect(Buffer.isBuffer(got[4]!.headers['h'])).toBe(true);
      expect(got[4]!.headers['h']!.length).toBe(0);
    });

    it('position reaches the end offset of a transactional log past its commit marker; high is the high watermark, read_committed high the last stable offset', async () => {
      const t = await topic(1);
      const p = await producer({ transactionalId: name('txn') });
      for (let txn = 0; txn < 3; txn++) {
        await p.beginTransaction();
        await p.send(outgoingBatch([0, 1].map((i) => ({ topic: t, partition: 0, key: buf(`k${txn}-${i}`), value: buf(`v${txn}-${i}`) }))));
        if (txn === 1) await p.abortTransaction();
        else await p.commitTransaction();
      }
      // Offsets: 0,1 data, 2 commit, 3,4 aborted data, 5 abort marker, 6,7 data, 8 commit marker.
      await eventually(async () => expect((await admin.fetchTopicOffsets(t))[0]).toEqual({ partition: 0, low: 0, high: 9 }));
      expect((await admin.fetchTopicOffsets(t, { isolation: 'read_committed' }))[0]).toEqual({ partition: 0, low: 0, high: 9 });
      const tp = { topic: t, partition: 0 };
      const c = await consumer();
      await c.assign([tp]);
      c.seek(tp, 0);
      expect(c.position(tp)).toBe(0);
      const got: IncomingRecord[] = [];
      const deadline = Date.now() + WAIT_MS;
      while ((c.position(tp) ?? -1) < 9) {
        if (Date.now() > deadline) throw new Error(`position stuck at ${c.position(tp)} after ${got.length} records`);
        for (const b of fetchedBatches(await c.poll(200))) got.push(...b.records);
      }
      expect(c.position(tp)).toBe(9);
      expect(got.map((r) => r.offset)).toEqual([0, 1, 6, 7]);
      expect(await pollFor(c, 300)).toEqual([]);
      expect(c.position(tp)).toBe(9);

      // An open transaction: its records count in the high watermark, not in the last stable offset.
      await p.beginTransaction();
      await p.send(outgoingBatch([{ topic: t, partition: 0, key: buf('open'), value: buf('open') }]));
      expect((await admin.fetchTopicOffsets(t))[0]).toEqual({ partition: 0, low: 0, high: 10 });
      expect((await admin.fetchTopicOffsets(t, { isolation: 'read_committed' }))[0]).toEqual({ partition: 0, low: 0, high: 9 });
      expect(await pollFor(c, 300)).toEqual([]);
      expect(c.position(tp)).toBe(9);
      await p.commitTransaction();
      const tail = await pollUntil(c, (rs) => rs.length >= 1);
      expect(tail.map((r) => [r.offset, str(r.value)])).toEqual([[9, 'open']]);
      await eventually(async () => {
        await pollFor(c, 100);
        expect(c.position(tp)).toBe(11);
      });
    });

    async function subscribed(t: string): Promise<Consumer> {
      const c = await consumer();
      await c.subscribe([t]);
      return c;
    }

    it('sendOffsets commits consumed offsets atomically with the outputs', async () => {
      const input = await topic(1);
      const output = await topic(1);
      const group = name('eos-group');
      const plain = await producer();
      await plain.send(outgoingBatch([0, 1, 2, 3, 4].map((i) => ({ topic: input, partition: 0, key: null, value: buf(`in${i}`) }))));
      const p = await producer({ transactionalId: name('txn') });
      const offsets = [{ topic: input, partition: 0, offset: 5 }];
      const outputs = [0, 1, 2].map((i) => ({ topic: output, partition: 0, key: null, value: buf(`out${i}`) }));

      await p.beginTransaction();
      await p.send(outgoingBatch(outputs));
      await p.sendOffsets(group, offsets);
      await p.abortTransaction();
      expect(await admin.fetchCommittedOffsets(group, [input])).toEqual([]);

      await p.beginTransaction();
      await p.send(outgoingBatch(outputs));
      await p.sendOffsets(group, offsets);
      await p.commitTransaction();
      // The coordinator completes the commit asynchronously after EndTxn: wait for the offsets.
      await eventually(async () => expect(await admin.fetchCommittedOffsets(group, [input])).toEqual(offsets));
      const visible = await readCommitted(output, 3);
      expect(visible.map((r) => [r.offset, str(r.value)])).toEqual([
        [4, 'out0'],
        [5, 'out1'],
        [6, 'out2'],
      ]);

      // A member of the group resumes after the transactionally committed offset.
      const member = await consumer({ groupId: group });
      await member.subscribe([input]);
      expect(await pollFor(member, 1500)).toEqual([]);
      await plain.send(outgoingBatch([{ topic: input, partition: 0, key: null, value: buf('in5') }]));
      const next = await pollUntil(member, (rs) => rs.length >= 1);
      expect(next.map((r) => [r.offset, str(r.value)])).toEqual([[5, 'in5']]);
    });

    it('fences a zombie producer with the same transactional id and aborts its open transaction', async () => {
      const t = await topic(1);
      const txnId = name('txn');
      const zombie = await producer({ transactionalId: txnId });
      await zombie.beginTransaction();
      await zombie.send(outgoingBatch([{ topic: t, partition: 0, key: null, value: buf('zombie') }]));

      const successor = await producer({ transactionalId: txnId });
      const err = await zombie
        .send(outgoingBatch([{ topic: t, partition: 0, key: null, value: buf('zombie-2') }]))
        .then(() => zombie.commitTransaction())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(ProducerFencedError);
      expect((err as ProducerFencedError).code).toBe('PRODUCER_FENCED');
      await expect(zombie.beginTransaction()).rejects.toBeInstanceOf(ProducerFencedError);

      await successor.beginTransaction();
      await successor.send(outgoingBatch([{ topic: t, partition: 0, key: null, value: buf('successor') }]));
      await successor.commitTransaction();
      const reader = await subscribed(t);
      const got = await pollUntil(reader, (rs) => rs.length >= 1);
      got.push(...(await pollFor(reader, 1000)));
      expect(got.map((r) => [r.offset, str(r.value)])).toEqual([[2, 'successor']]);
    });

    it('splits partitions across a group and moves them to the remaining member from committed offsets', async () => {
      const t = await topic(4);
      const group = name('group');
      const p = await producer();
      const phase = async (tag: string): Promise<void> => {
        const recs: OutgoingRecord[] = [];
        for (let partition = 0; partition < 4; partition++) {
          for (let i = 0; i < 10; i++) recs.push({ topic: t, partition, key: null, value: buf(`${tag}-${partition}-${i}`) });
        }
        await p.send(outgoingBatch(recs));
      };
      await phase('one');

      const events: string[] = [];
      const listener = (who: string) => ({
        onPartitionsRevoked: (tps: TopicPartition[]) => void events.push(`${who} revoked ${tps.map(tpKey).sort().join(',')}`),
        onPartitionsAssigned: (tps: TopicPartition[]) => void events.push(`${who} assigned ${tps.map(tpKey).sort().join(',')}`),
      });
      const c1 = await consumer({ groupId: group });
      const c2 = await consumer({ groupId: group });
      await c1.subscribe([t], listener('c1'));
      await c2.subscribe([t], listener('c2'));

      const seen = new Set<string>();
      const pollAndCommit = async (c: Consumer): Promise<IncomingRecord[]> => {
        const batches = fetchedBatches(await c.poll(200));
        const recs = batches.flatMap((b) => b.records);
        for (const r of recs) seen.add(str(r.value)!);
        const commits = batches
          .filter((b) => b.records.length > 0)
          .map((b) => ({ topic: b.topic, partition: b.partition, offset: b.records.at(-1)!.offset + 1 }));
        if (commits.length > 0) await c.commitOffsets(commits);
        return recs;
      };
      const split = (): boolean => {
        const a = c1.assignment().map(tpKey);
        const b = c2.assignment().map(tpKey);
        return a.length > 0 && b.length > 0 && a.length + b.length === 4 && new Set([...a, ...b]).size === 4;
      };
      const deadline = Date.now() + WAIT_MS;
      while (!(split() && seen.size === 40)) {
        if (Date.now() > deadline)
          throw new Error(`group did not split / consume: ${JSON.stringify({ c1: c1.assignment(), c2: c2.assignment(), seen: seen.size, events })}`);
        await Promise.all([pollAndCommit(c1), pollAndCommit(c2)]);
      }
      // Assigned callbacks ran for both members and cover their final assignment.
      expect(events.some((e) => e.startsWith('c1 assigned'))).toBe(true);
      expect(events.some((e) => e.startsWith('c2 assigned'))).toBe(true);
      const c2Partitions = c2.assignment().map(tpKey).sort();
      // Let both members drain any tail, then the second leaves.
      await Promise.all([pollFor(c1, 300), pollFor(c2, 300)]);
      await c2.close();
      await phase('two');

      const after: IncomingRecord[] = [];
      const deadline2 = Date.now() + WAIT_MS;
      while (!(c1.assignment().length === 4 && after.length >= 40)) {
        if (Date.now() > deadline2)
          throw new Error(`remaining member did not take over: ${JSON.stringify({ assignment: c1.assignment(), got: after.length, events })}`);
        after.push(...(await pollAndCommit(c1)));
      }
      after.push(...(await pollFor(c1, 500)));
      // Exactly the second phase, once, in order per partition: nothing consumed and committed before is re-read.
      expect(after.map((r) => str(r.value)).filter((v) => v!.startsWith('one'))).toEqual([]);
      for (let partition = 0; partition < 4; partition++) {
        const list = after.filter((r) => r.partition === partition);
        expect(list.map((r) => str(r.value))).toEqual(Array.from({ length: 10 }, (_, i) => `two-${partition}-${i}`));
        expect(list.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
      }
      expect(events.some((e) => e.startsWith('c1 assigned') && c2Partitions.every((tp) => e.includes(tp)))).toBe(true);
      expect(await admin.fetchCommittedOffsets(group, [t])).toEqual([0, 1, 2, 3].map((partition) => ({ topic: t, partition, offset: 20 })));
    });

    it('a member closed while still joining leaves the group: the remaining member gets every partition back', async () => {
      // Closed right away (before it sends JoinGroup) and a little later (JoinGroup under way).
      for (const closeAfterMs of [0, 150]) {
        const t = await topic(4);
        const group = name('group');
        const a = await consumer({ groupId: group });
        await a.subscribe([t]);
        const got = await pollUntil(a, () => a.assignment().length === 4);
        const b = await consumer({ groupId: group });
        await b.subscribe([t]);
        // `a` keeps polling (and so heartbeating and rejoining) while `b` is closed before its first poll.
        let closing = true;
        const aPolling = (async () => {
          while (closing) for (const batch of fetchedBatches(await a.poll(50))) got.push(...batch.records);
        })();
        await new Promise((r) => setTimeout(r, closeAfterMs));
        await b.close().finally(() => (closing = false));
        await aPolling;

        const p = await producer();
        const recs: OutgoingRecord[] = [];
        for (let partition = 0; partition < 4; partition++) {
          for (let i = 0; i < 5; i++) recs.push({ topic: t, partition, key: null, value: buf(`${partition}-${i}`) });
        }
        await p.send(outgoingBatch(recs));
        // Well within the time a departed member could hold partitions (session timeout 10 s, rebalance timeout).
        await pollUntil(a, (rs) => rs.length >= 20, 30_000, got).catch((e: unknown) => {
          throw new Error(`closeAfterMs ${closeAfterMs}: ${String(e)}; assignment ${JSON.stringify(a.assignment())}`);
        });
        got.push(...(await pollFor(a, 300)));
        expect(
          a
            .assignment()
            .map((tp) => tp.partition)
            .sort(),
        ).toEqual([0, 1, 2, 3]);
        for (let partition = 0; partition < 4; partition++) {
          expect(got.filter((r) => r.partition === partition).map((r) => str(r.value))).toEqual(Array.from({ length: 5 }, (_, i) => `${partition}-${i}`));
        }
      }
    });

    it('seek, pause and resume control what poll returns', async () => {
      const t = await topic(2);
      const p = await producer();
      const send = (partition: number, from: number, n: number) =>
        p.send(outgoingBatch(Array.from({ length: n }, (_, i) => ({ topic: t, partition, key: null, value: buf(`${partition}-${from + i}`) }))));
      await send(0, 0, 10);
      await send(1, 0, 10);
      const c = await consumer();
      await c.subscribe([t]);
      await pollUntil(c, (rs) => rs.length >= 20);

      c.seek({ topic: t, partition: 0 }, 3);
      const reread = await pollUntil(c, (rs) => rs.length >= 7);
      expect(reread.map((r) => [r.partition, r.offset])).toEqual([3, 4, 5, 6, 7, 8, 9].map((o) => [0, o]));

      c.pause([{ topic: t, partition: 1 }]);
      await send(0, 10, 5);
      await send(1, 10, 5);
      const whilePaused = await pollUntil(c, (rs) => rs.length >= 5);
      whilePaused.push(...(await pollFor(c, 1000)));
      expect(whilePaused.map((r) => [r.partition, r.offset])).toEqual([10, 11, 12, 13, 14].map((o) => [0, o]));

      c.resume([{ topic: t, partition: 1 }]);
      const resumed = await pollUntil(c, (rs) => rs.length >= 5);
      expect(resumed.map((r) => [r.partition, r.offset])).toEqual([10, 11, 12, 13, 14].map((o) => [1, o]));

      // Seeking back while paused, then resuming, starts exactly at the seek position.
      c.pause([{ topic: t, partition: 1 }]);
      c.seek({ topic: t, partition: 1 }, 12);
      expect(await pollFor(c, 500)).toEqual([]);
      c.resume([{ topic: t, partition: 1 }]);
      const fromSeek = await pollUntil(c, (rs) => rs.length >= 3);
      expect(fromSeek.map((r) => [r.partition, r.offset])).toEqual([12, 13, 14].map((o) => [1, o]));
    });

    it('manual assign reads chosen partitions from the group committed offsets', async () => {
      const t = await topic(3);
      const group = name('assign-group');
      const p = await producer();
      for (let partition = 0; partition < 3; partition++) {
        await p.send(outgoingBatch(Array.from({ length: 5 }, (_, i) => ({ topic: t, partition, key: null, value: buf(`${partition}-${i}`) }))));
      }
      const txn = await producer({ transactionalId: name('txn') });
      await txn.beginTransaction();
      await txn.sendOffsets(group, [{ topic: t, partition: 1, offset: 2 }]);
      await txn.commitTransaction();

      const c = await consumer({ groupId: group });
      await c.assign([
        { topic: t, partition: 1 },
        { topic: t, partition: 2 },
      ]);
      expect(c.assignment().map(tpKey).sort()).toEqual([`${t}/1`, `${t}/2`]);
      const got = await pollUntil(c, (rs) => rs.length >= 8);
      got.push(...(await pollFor(c, 500)));
      const parts = byPartition(got);
      expect([...parts.keys()].sort()).toEqual([1, 2]);
      expect(parts.get(1)!.map((r) => r.offset)).toEqual([2, 3, 4]);
      expect(parts.get(2)!.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);

      c.seek({ topic: t, partition: 2 }, 4);
      const again = await pollUntil(c, (rs) => rs.length >= 1);
      again.push(...(await pollFor(c, 300)));
      expect(again.map((r) => [r.partition, r.offset, str(r.value)])).toEqual([[2, 4, '2-4']]);

      await c.commitOffsets([{ topic: t, partition: 2, offset: 5 }]);
      expect(await admin.fetchCommittedOffsets(group, [t])).toEqual([
        { topic: t, partition: 1, offset: 2 },
        { topic: t, partition: 2, offset: 5 },
      ]);
    });
    describe('columns: poll returns FetchedColumns, send takes an OutgoingBatch', () => {
      it('a hand-written batch by column round-trips field by field: shared and separate chunks, value before key, null and empty keys and values, headers on some records, NaN timestamps, -1 partitions', async () => {
        const t = await topic(3);
        const n = 60;
        const shared = Buffer.alloc(8192, 0x2e);
        const before = Date.now();
        const p = await producer();
        await p.send(awkwardBatch(t, 3, n, shared, true));
        const c = await consumer();
        await c.subscribe([t]);
        const rows = await pollColumnsUntil(c, n);
        expect(rows.length).toBe(n);
        const now = (ts: number): number | string => (ts >= before - 1000 && ts <= Date.now() + 1000 ? 'now' : ts);
        for (let part = 0; part < 3; part++) {
          const want: unknown[] = [];
          for (let i = 0; i < n; i++) {
            const e = expectedRow(i, true);
            const explicit = !(i % 3 === 0 && e.key !== null);
            const routed = explicit ? i % 3 : partitionForKey(Buffer.from(e.key!), 3);
            if (routed === part) want.push({ ...e, timestamp: i % 4 === 0 ? 'now' : 1_000_000 + i });
          }
          const got = rows.filter((r) => r.partition === part).map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: now(r.timestamp) }));
          expect(got).toEqual(want);
        }
      });

      it('a batch without headers (headers column null) and one with a headers column of undefined entries read back without headers', async () => {
        const t = await topic(1);
        const p = await producer();
        const noHeaders = awkwardBatch(t, 1, 10, Buffer.alloc(1024), false);
        expect(noHeaders.headers).toBeNull();
        await p.send(noHeaders);
        const undefinedHeaders = { ...outgoingBatch([{ topic: t, partition: 0, key: buf('u'), value: buf('u') }]), headers: [undefined] };
        await p.send(undefinedHeaders);
        const c = await consumer();
        await c.subscribe([t]);
        const rows = await pollColumnsUntil(c, 11);
        expect(rows.map((r) => r.headers)).toEqual(Array.from({ length: 11 }, () => ({})));
        expect(rows.map((r) => r.offset)).toEqual(Array.from({ length: 11 }, (_, i) => i));
      });

      it('a large batch by column (12,000 records, ~4 MB, three partitions, one chunk) arrives complete and in order per partition', async () => {
        const t = await topic(3);
        const n = 12_000;
        const chunk = Buffer.alloc(n * 330);
        const b = {
          length: n,
          topics: new Array<string>(n).fill(t),
          partitions: new Int32Array(n),
          timestamps: new Float64Array(n).fill(Number.NaN),
          keyChunks: new Array<Buffer | null>(n).fill(chunk),
          keyStarts: new Int32Array(n),
          keyEnds: new Int32Array(n),
          valueChunks: new Array<Buffer | null>(n).fill(chunk),
          valueStarts: new Int32Array(n),
          valueEnds: new Int32Array(n),
          headers: null,
        };
        let pos = 0;
        for (let i = 0; i < n; i++) {
          b.partitions[i] = i % 3;
          b.keyStarts[i] = pos;
          pos += chunk.write(`key-${i}`, pos);
          b.keyEnds[i] = b.valueStarts[i] = pos;
          pos += chunk.write(`${i}:`.padEnd(300, 'v'), pos);
          b.valueEnds[i] = pos;
        }
        const p = await producer({ transactionalId: name('conf-cols-big') });
        await p.beginTransaction();
        await p.send(b);
        await p.commitTransaction();
        const c = await consumer();
        await c.subscribe([t]);
        const rows = await pollColumnsUntil(c, n, 90_000);
        expect(rows.length).toBe(n);
        for (let part = 0; part < 3; part++) {
          const keys = rows.filter((r) => r.partition === part).map((r) => r.key);
          const want: string[] = [];
          for (let i = part; i < n; i += 3) want.push(`key-${i}`);
          expect(keys).toEqual(want);
        }
        expect(rows.every((r) => r.value!.length === 300)).toBe(true);
      }, 120_000);

      it('an aborted transactional batch by column is never polled under read_committed; offsets skip it and the markers', async () => {
        const t = await topic(1);
        const p = await producer({ transactionalId: name('conf-cols-abort') });
        const shared = Buffer.alloc(4096);
        await p.beginTransaction();
        await p.send(awkwardBatch(t, 1, 5, shared, true));
        await p.abortTransaction();
        await p.beginTransaction();
        await p.send(
          outgoingBatch([
            { topic: t, partition: 0, key: buf('kept'), value: buf('1') },
            { topic: t, partition: 0, key: null, value: null },
          ]),
        );
        await p.commitTransaction();
        const c = await consumer();
        await c.subscribe([t]);
        const rows = await pollColumnsUntil(c, 2);
        rows.push(
          ...(await pollFor(c, 300)).map((r) => ({
            partition: r.partition,
            offset: r.offset,
            key: str(r.key),
            value: str(r.value),
            timestamp: r.timestamp,
            headers: {},
          })),
        );
        expect(rows.map((r) => [r.offset, r.key, r.value])).toEqual([
          [6, 'kept', '1'],
          [7, null, null],
        ]);
      });

      it('an empty batch is a no-op, also on a transactional producer', async () => {
        const t = await topic(1);
        const p = await producer({ transactionalId: name('conf-cols-empty') });
        await p.beginTransaction();
        await p.send(outgoingBatch([]));
        await p.send(outgoingBatch([{ topic: t, partition: 0, key: null, value: buf('only') }]));
        await p.commitTransaction();
        const c = await consumer();
        await c.subscribe([t]);
        expect((await pollColumnsUntil(c, 1)).map((r) => r.value)).toEqual(['only']);
      });
    });
  });
}
