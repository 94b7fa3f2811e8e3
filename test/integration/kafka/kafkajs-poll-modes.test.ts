/**
 * `Consumer.poll` of the kafkajs adapter in its two real modes — manual assignment (group-less
 * fetches, `AssignedFetcher`) and group membership (`GroupConsumer`) — against a real broker: the
 * same columns under read_committed — aborted transactions of interleaved producers hidden,
 * control records skipped, records below a seek inside a record batch skipped — and the same
 * position at the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../lib/kafka/index.js';
import type { Consumer, Producer, TopicPartition } from '../../../lib/kafka/types.js';
import { realBootstrapServers, uniqueName } from '../../helpers/kafka-env.js';
import { keyAt, outgoingBatch, valueAt } from '../../../lib/kafka/columns.js';

type Row = [offset: number, key: string | null, value: string | null, timestamp: number];

describe('kafkajs adapter: poll by column, manual assignment and group', () => {
  const client = createKafkaClient({ client: 'kafkajs', bootstrapServers: realBootstrapServers() });
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  });

  async function readAll(tp: TopicPartition, from: number, end: number, mode: 'assign' | 'subscribe'): Promise<Row[]> {
    const c: Consumer = client.consumer({ groupId: uniqueName('poll-modes'), maxBytesPerPartition: 1024 });
    closers.push(() => c.close());
    await c.connect();
    if (mode === 'assign') {
      await c.assign([tp]);
      c.seek(tp, from);
    } else await c.subscribe([tp.topic]);
    const rows: Row[] = [];
    const deadline = Date.now() + 30_000;
    while ((c.position(tp) ?? -1) < end) {
      if (Date.now() > deadline) throw new Error(`position ${c.position(tp)} never reached ${end}`);
      for (const cols of await c.poll(200)) {
        expect(`${cols.topic}/${cols.partition}`).toBe(`${tp.topic}/${tp.partition}`);
        for (let i = 0; i < cols.length; i++) {
          rows.push([cols.offsets[i]!, keyAt(cols, i)?.toString() ?? null, valueAt(cols, i)?.toString() ?? null, cols.timestamps[i]!]);
        }
      }
    }
    expect(c.position(tp)).toBe(end);
    return rows;
  }

  it('hands out the records poll does: committed only, no control records, from the seek offset, to the end offset', async () => {
    const topic = uniqueName('poll-modes');
    const admin = client.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const producers: Producer[] = [];
    for (let i = 0; i < 3; i++) {
      const p = client.producer({ transactionalId: uniqueName(`poll-modes-${i}`) });
      await p.connect();
      closers.push(() => p.disconnect());
      producers.push(p);
    }
    const committed: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const p of producers) await p.beginTransaction();
      for (let step = 0; step < 3; step++) {
        for (let i = 0; i < producers.length; i++) {
          const v = `r${round}-p${i}-s${step}`;
          await producers[i]!.send(
            outgoingBatch([
              {
                topic,
                partition: 0,
                key: step === 1 ? null : Buffer.from(`p${i}`),
                value: round === 2 && step === 2 ? null : Buffer.from(v.padEnd(150, '.')),
                timestamp: 1000 * round + step,
              },
            ]),
          );
        }
      }
      for (let i = 0; i < producers.length; i++) {
        if ((round + i) % 2 === 0) await producers[i]!.abortTransaction();
        else {
          await producers[i]!.commitTransaction();
          for (let step = 0; step < 3; step++) committed.push(`r${round}-p${i}-s${step}`);
        }
      }
    }
    const [end] = await admin.fetchTopicOffsets(topic, { isolation: 'read_committed' });
    const tp = { topic, partition: 0 };
    const viaPoll = await readAll(tp, 0, end!.high, 'subscribe');
    const viaEach = await readAll(tp, 0, end!.high, 'assign');
    expect(viaEach).toEqual(viaPoll);
    expect(viaEach.length).toBe(committed.length);
    const values = viaEach.map((r) => r[2]?.replace(/\.+$/, '') ?? null);
    expect(values.filter((v) => v !== null).sort()).toEqual(committed.filter((v) => !/^r2-.*-s2$/.test(v)).sort());
    expect(viaEach.some((r) => r[1] === null)).toBe(true);
    // From the middle: records below the seek offset are not handed out.
    const mid = viaEach[Math.floor(viaEach.length / 2)]![0];
    expect(await readAll(tp, mid + 1, end!.high, 'assign')).toEqual(viaPoll.filter((r) => r[0] > mid));
  }, 120_000);
});
