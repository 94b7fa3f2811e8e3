/**
 * Regression: bench:state's raw consume "stalled at ~950k records with node idle". The changelog
 * is compacted, and its records carried old timestamps, so the broker rolled segments at once and
 * its log cleaner removed superseded records; a reader waiting for as many records as were
 * written then waits forever. The end of a partition is an offset, not a count: this test makes
 * the cleaner remove records from a transactional compacted topic (small `segment.ms`, eager
 * cleaning), then checks that a manually assigned consumer's `position()` reaches the end offset
 * past the final commit marker with fewer records than were written, and that `restoreStores`
 * finishes with exactly the surviving latest value per key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Admin, IncomingRecord, KafkaClient } from '../../../lib/kafka/types.js';
import { restoreStores } from '../../../lib/state/restore.js';
import { Stores } from '../../../lib/state/stores.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { makeContext, stringSerde, tempDir } from '../../unit/state/helpers.js';
import { fetchedBatches, outgoingBatch } from '../../../lib/kafka/columns.js';

const KEYS = 20;
const TXNS = 6;
const PER_TXN = 200;

describe('reading a compacted transactional topic to its end (log cleaner removed records)', () => {
  let client: KafkaClient;
  let admin: Admin;
  const topic = uniqueName('compacted-end');

  beforeAll(async () => {
    client = createKafkaClient({ bootstrapServers: realBootstrapServers(), clientId: 'compacted-end' });
    admin = client.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.disconnect();
  });

  async function readToEnd(end: number): Promise<IncomingRecord[]> {
    const tp = { topic, partition: 0 };
    const c = client.consumer({ groupId: uniqueName('compacted-end-reader') });
    await c.connect();
    try {
      await c.assign([tp]);
      c.seek(tp, 0);
      const out: IncomingRecord[] = [];
      const deadline = Date.now() + 30_000;
      while ((c.position(tp) ?? -1) < end) {
        if (Date.now() > deadline) throw new Error(`position ${c.position(tp)} never reached ${end} (${out.length} records)`);
        for (const b of fetchedBatches(await c.poll(200))) out.push(...b.records);
      }
      expect(c.position(tp)).toBe(end);
      return out;
    } finally {
      await c.close();
    }
  }

  it('position reaches the end offset with fewer records than written, and restoration ends with the latest values', async () => {
    await admin.createTopics([
      {
        topic,
        numPartitions: 1,
        configs: { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01', 'min.compaction.lag.ms': '0' },
      },
    ]);
    const producer = client.producer({ transactionalId: `${topic}-txn` });
    await producer.connect();
    const latest = new Map<string, string>();
    let written = 0;
    try {
      for (let t = 0; t < TXNS; t++) {
        await producer.beginTransaction();
        const recs = Array.from({ length: PER_TXN }, (_, i) => {
          const k = `k${(t * PER_TXN + i) % KEYS}`;
          const v = `v${t}-${i}`;
          latest.set(k, v);
          return { topic, partition: 0, key: Buffer.from(k), value: Buffer.from(v) };
        });
        await producer.send(outgoingBatch(recs));
        await producer.commitTransaction();
        written += recs.length;
        await new Promise((r) => setTimeout(r, 150)); // the next append rolls the segment
      }
    } finally {
      await producer.disconnect();
    }
    const [end] = await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' });
    expect(end!.high).toBe(written + TXNS); // one commit marker per transaction

    // The cleaner looks for work every 15 s by default (every second on the test broker of
    // scripts/kafka-broker.ts): wait until it removed something.
    let got: IncomingRecord[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      got = await readToEnd(end!.high);
      if (got.length < written) break;
      if (Date.now() > deadline) throw new Error('the log cleaner removed nothing within 90 s');
      await new Promise((r) => setTimeout(r, 2000));
    }
    // Offsets are increasing with gaps; the latest value of every key survived compaction.
    for (let i = 1; i < got.length; i++) expect(got[i]!.offset).toBeGreaterThan(got[i - 1]!.offset);
    const survivors = new Map(got.map((r) => [r.key!.toString(), r.value!.toString()]));
    expect(survivors).toEqual(latest);

    const dir = tempDir();
    try {
      const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('s'), stringSerde, stringSerde).build();
      await store.init(makeContext(dir.dir, null));
      const [res] = await restoreStores({ client, groupId: uniqueName('compacted-end-restore'), partitions: [{ topic, partition: 0, store }] });
      expect(res!.endOffset).toBe(end!.high);
      expect(res!.restored).toBeLessThan(written);
      const restored = new Map<string, string>();
      for (const k of latest.keys()) restored.set(k, store.get(k)!);
      expect(restored).toEqual(latest);
      await store.close();
    } finally {
      dir.cleanup();
    }
  }, 150_000);
});
