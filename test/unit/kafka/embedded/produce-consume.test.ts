import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../../lib/errors.js';
import { EmbeddedKafka } from '../../../../lib/kafka/embedded/index.js';
import { partitionForKey } from '../../../../lib/kafka/partitioner.js';
import { pollN, rig, v, values, type Rig } from './helpers.js';
import { fetchedBatches, outgoingBatch } from '../../../../lib/kafka/columns.js';

let r: Rig;
afterEach(async () => r?.close());

describe('embedded produce and consume', () => {
  it('refuses to produce to a missing topic, naming it (no auto-creation)', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer();
    const err = await p.send(outgoingBatch([{ topic: 'nope', key: null, value: v('x') }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    expect(err).toMatchObject({ code: 'TOPIC_NOT_FOUND', context: { topic: 'nope' } });
    expect((err as Error).message).toContain('nope');
    const admin = r.kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(['t']);
  });

  it('routes keyed records with murmur2 and null keys round-robin', async () => {
    r = await rig({ t: 5 });
    const p = await r.producer();
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    await p.send(outgoingBatch(keys.map((k) => ({ topic: 't', key: v(k), value: v(k) }))));
    await p.send(outgoingBatch(Array.from({ length: 10 }, () => ({ topic: 't', key: null, value: v('n') }))));
    const c = await r.consumer({ groupId: 'g' });
    await c.subscribe(['t']);
    const got = await pollN(c, 50);
    for (const rec of got.filter((x) => x.key !== null)) expect(rec.partition).toBe(partitionForKey(rec.key!, 5));
    const nullParts = got.filter((x) => x.key === null).map((x) => x.partition);
    const counts = [0, 1, 2, 3, 4].map((p) => nullParts.filter((x) => x === p).length);
    expect(counts).toEqual([2, 2, 2, 2, 2]);
  });

  it('rejects an invalid partition and a record over max.message.bytes without appending anything', async () => {
    r = await rig({ t: 2 });
    const admin = r.kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'small', numPartitions: 1, configs: { 'max.message.bytes': '100' } }]);
    const p = await r.producer();
    await expect(
      p.send(
        outgoingBatch([
          { topic: 't', partition: 0, key: null, value: v('ok') },
          { topic: 't', partition: 2, key: null, value: v('x') },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'KAFKA' });
    await expect(p.send(outgoingBatch([{ topic: 'small', key: null, value: Buffer.alloc(200) }]))).rejects.toMatchObject({ code: 'KAFKA' });
    expect(await admin.fetchTopicOffsets('t')).toEqual([
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 0, high: 0 },
    ]);
  });

  it("keeps keys, values, headers and timestamps, copying the caller's buffers", async () => {
    r = await rig({ t: 1 });
    const p = await r.producer();
    const value = v('original');
    await p.send(
      outgoingBatch([
        { topic: 't', key: v('k'), value, timestamp: 1234, headers: { h: v('hv') } },
        { topic: 't', key: null, value: null },
      ]),
    );
    value.write('mutated!');
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    const [a, b] = await pollN(c, 2);
    expect(a).toMatchObject({ topic: 't', partition: 0, offset: 0, timestamp: 1234 });
    expect(a!.key!.toString()).toBe('k');
    expect(a!.value!.toString()).toBe('original');
    expect(a!.headers['h']!.toString()).toBe('hv');
    expect(b!.key).toBeNull();
    expect(b!.value).toBeNull();
    expect(Math.abs(b!.timestamp - Date.now())).toBeLessThan(5000);
  });

  it('wakes a waiting poll when data arrives instead of waiting for the timeout', async () => {
    r = await rig({ t: 1 });
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    const p = await r.producer();
    const t0 = Date.now();
    const pending = c.poll(5000);
    setTimeout(() => void p.send(outgoingBatch([{ topic: 't', key: null, value: v('wake') }])), 30);
    expect(values(await pending)).toEqual(['wake']);
    expect(Date.now() - t0).toBeLessThan(1000);
    // With nothing to read it returns empty after the timeout.
    const t1 = Date.now();
    expect(fetchedBatches(await c.poll(60))).toEqual([]);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(55);
  });

  it('answers asynchronously, like a network client', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer();
    let settled = false;
    const sending = p.send(outgoingBatch([{ topic: 't', key: null, value: v('x') }])).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await sending;
    const admin = r.kafka.admin();
    await admin.connect();
    expect((await admin.fetchTopicOffsets('t'))[0]!.high).toBe(1);
  });

  it('bounds a poll per partition by maxBytesPerPartition and record count', async () => {
    r = await rig({ t: 1 }, { maxPollRecordsPerPartition: 300 });
    const p = await r.producer();
    await p.send(outgoingBatch(Array.from({ length: 1000 }, (_, i) => ({ topic: 't', key: null, value: Buffer.alloc(100, i % 256) }))));
    const small = await r.consumer({ groupId: 'a', maxBytesPerPartition: 1000 });
    await small.assign([{ topic: 't', partition: 0 }]);
    const first = fetchedBatches(await small.poll(100));
    expect(first[0]!.records.length).toBeGreaterThan(0);
    expect(first[0]!.records.length).toBeLessThan(10);
    const big = await r.consumer({ groupId: 'b' });
    await big.assign([{ topic: 't', partition: 0 }]);
    expect(fetchedBatches(await big.poll(100))[0]!.records.length).toBe(300);
    expect(fetchedBatches(await big.poll(100))[0]!.records[0]!.offset).toBe(300);
  });

  it('seeks, pauses and resumes partitions', async () => {
    r = await rig({ t: 2 });
    const p = await r.producer();
    await p.send(outgoingBatch(Array.from({ length: 6 }, (_, i) => ({ topic: 't', partition: i % 2, key: null, value: v(`${i}`) }))));
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    c.pause([{ topic: 't', partition: 1 }]);
    expect(values(fetchedBatches(await c.poll(100))).sort()).toEqual(['0', '2', '4']);
    expect(fetchedBatches(await c.poll(30))).toEqual([]);
    c.resume([{ topic: 't', partition: 1 }]);
    expect(values(fetchedBatches(await c.poll(100)))).toEqual(['1', '3', '5']);
    c.seek({ topic: 't', partition: 0 }, 1);
    expect(values(fetchedBatches(await c.poll(100)))).toEqual(['2', '4']);
    expect(() => c.seek({ topic: 't', partition: 7 }, 0)).toThrow(TributaryError);
    // Out of range: reset per autoOffsetReset (earliest).
    c.seek({ topic: 't', partition: 0 }, 99);
    expect(values(fetchedBatches(await c.poll(100)))).toEqual(['0', '2', '4']);
  });

  it('starts at the committed offset, else at latest (the LSO under read_committed) or earliest', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer();
    await p.send(outgoingBatch([0, 1, 2].map((i) => ({ topic: 't', key: null, value: v(`${i}`) }))));
    const latest = await r.consumer({ groupId: 'l', autoOffsetReset: 'latest' });
    await latest.assign([{ topic: 't', partition: 0 }]);
    expect(fetchedBatches(await latest.poll(30))).toEqual([]);
    await p.send(outgoingBatch([{ topic: 't', key: null, value: v('3') }]));
    expect(values(fetchedBatches(await latest.poll(500)))).toEqual(['3']);
    await latest.commitOffsets([{ topic: 't', partition: 0, offset: 2 }]);
    const again = await r.consumer({ groupId: 'l', autoOffsetReset: 'latest' });
    await again.assign([{ topic: 't', partition: 0 }]);
    expect(values(fetchedBatches(await again.poll(500)))).toEqual(['2', '3']);
  });

  it('requires connect, and fails every call once the broker is closed', async () => {
    const kafka = new EmbeddedKafka();
    const p = kafka.producer();
    await expect(p.send(outgoingBatch([]))).rejects.toMatchObject({ code: 'KAFKA_CONNECTION' });
    const c = kafka.consumer({ groupId: 'g' });
    await c.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 't', numPartitions: 1 }]);
    await c.assign([{ topic: 't', partition: 0 }]);
    const pending = c.poll(5000);
    await kafka.close();
    expect(await pending).toEqual([]);
    await expect(admin.listTopics()).rejects.toMatchObject({ code: 'KAFKA_CONNECTION' });
  });
});

describe('embedded admin', () => {
  it('creates idempotently, describes, deletes, and validates like a broker', async () => {
    r = await rig({});
    const admin = r.kafka.admin();
    await admin.connect();
    expect(
      await admin.createTopics([
        { topic: 'x', numPartitions: 3, configs: { 'cleanup.policy': 'compact' } },
        { topic: 'y', numPartitions: 1 },
      ]),
    ).toEqual(['x', 'y']);
    expect(await admin.createTopics([{ topic: 'x', numPartitions: 9 }])).toEqual([]);
    expect(await admin.describeTopics(['x'])).toEqual([{ topic: 'x', partitions: 3, configs: { 'cleanup.policy': 'compact' } }]);
    await expect(admin.describeTopics(['x', 'zz'])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND', context: { topic: 'zz' } });
    await expect(admin.fetchTopicOffsets('zz')).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    await expect(admin.createTopics([{ topic: 'bad name', numPartitions: 1 }])).rejects.toMatchObject({ code: 'KAFKA' });
    await expect(admin.createTopics([{ topic: 'z', numPartitions: 0 }])).rejects.toMatchObject({ code: 'KAFKA' });
    await expect(admin.createTopics([{ topic: 'z', numPartitions: 1, replicationFactor: 3 }])).rejects.toMatchObject({ code: 'KAFKA' });
    await admin.deleteTopics(['y', 'missing']);
    expect(await admin.listTopics()).toEqual(['x']);
  });
});

describe('embedded positions and retention', () => {
  it('reports the position past markers and aborted records already fetched', async () => {
    r = await rig({ t: 1 });
    const p = await r.producer({ transactionalId: 'pos' });
    await p.beginTransaction();
    await p.send(outgoingBatch([{ topic: 't', key: null, value: v('a') }]));
    await p.commitTransaction();
    await p.beginTransaction();
    await p.send(outgoingBatch([{ topic: 't', key: null, value: v('b') }]));
    await p.abortTransaction();
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 't', partition: 0 }]);
    expect(c.position!({ topic: 't', partition: 0 })).toBe(0);
    expect(values(fetchedBatches(await c.poll(100)))).toEqual(['a']);
    expect(c.position!({ topic: 't', partition: 0 })).toBe(4); // a, commit marker, b (aborted), abort marker
    expect(c.position!({ topic: 't', partition: 9 })).toBeUndefined();
  });

  it('drops old segments of topics with retention.bytes when enforceRetention is on', async () => {
    r = await rig({}, { enforceRetention: true });
    const admin = r.kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'r', numPartitions: 1, configs: { 'retention.bytes': '100000' } }]);
    const p = await r.producer();
    for (let i = 0; i < 5; i++) await p.send(outgoingBatch(Array.from({ length: 4096 }, () => ({ topic: 'r', key: null, value: Buffer.alloc(100) }))));
    const [offsets] = await admin.fetchTopicOffsets('r');
    expect(offsets!.high).toBe(5 * 4096);
    expect(offsets!.low).toBe(4 * 4096);
    const c = await r.consumer({ groupId: 'g' });
    await c.assign([{ topic: 'r', partition: 0 }]);
    const [batch] = fetchedBatches(await c.poll(100));
    expect(batch!.records[0]!.offset).toBe(4 * 4096);
  });
});
