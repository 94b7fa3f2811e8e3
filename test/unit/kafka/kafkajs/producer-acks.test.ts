/**
 * The adapter's check of a kafkajs `sendBatch` result (lib/kafka/kafkajs/producer.ts): which
 * records' partitions were never acknowledged (sent again), and which partitions were written twice
 * (a transaction is aborted). The failure itself is reproduced on a three-node cluster in
 * test/integration/kafka/leader-failover-send.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DefaultPartitioner, partitionForKey } from '../../../../lib/kafka/partitioner.js';
import { acknowledgedTwice, groupByLeader, splitByPartition, unacknowledged } from '../../../../lib/kafka/kafkajs/producer.js';

const m = (partition: number | undefined, value: string) => ({ value, ...(partition === undefined ? {} : { partition }) });
const ack = (topicName: string, partition: number) => ({ topicName, partition, errorCode: 0 });

describe('kafkajs send acknowledgements', () => {
  it('keeps, in order, the records of partitions missing from the acknowledgements', () => {
    const sent = [
      { topic: 'a', messages: [m(0, 'a0'), m(1, 'a1'), m(0, 'a2')] },
      { topic: 'b', messages: [m(1, 'b0')] },
    ];
    expect(unacknowledged(sent, [ack('a', 1), ack('b', 1)])).toEqual([{ topic: 'a', messages: [m(0, 'a0'), m(0, 'a2')] }]);
    expect(unacknowledged(sent, [ack('a', 0), ack('a', 1), ack('b', 1)])).toEqual([]);
    expect(unacknowledged(sent, [])).toEqual(sent);
  });

  it('a record without a partition (never partitioned) counts as unacknowledged', () => {
    expect(unacknowledged([{ topic: 'a', messages: [m(undefined, 'x')] }], [ack('a', 0)])).toEqual([{ topic: 'a', messages: [m(undefined, 'x')] }]);
  });

  it('names partitions acknowledged more than once', () => {
    expect(acknowledgedTwice([ack('a', 0), ack('a', 1), ack('b', 0)])).toEqual([]);
    expect(acknowledgedTwice([ack('a', 0), ack('a', 1), ack('a', 0), ack('b', 0)])).toEqual(['a-0']);
  });

  it('one entry per partition, in order; keyed records without a partition get the Java partition once the count is known', () => {
    const k = Buffer.from('user-7');
    const split = splitByPartition(
      [
        { topic: 'a', messages: [m(1, 'a0'), m(0, 'a1'), m(1, 'a2')] },
        { topic: 'b', messages: [{ key: k, value: 'b0' }] },
        { topic: 'c', messages: [{ key: k, value: 'c0' }] },
      ],
      (topic) => (topic === 'b' ? 6 : topic === 'a' ? 2 : undefined),
      new DefaultPartitioner(),
    );
    expect(split).toEqual([
      { topic: 'a', messages: [m(1, 'a0'), m(1, 'a2')] },
      { topic: 'a', messages: [m(0, 'a1')] },
      { topic: 'b', messages: [{ key: k, value: 'b0', partition: partitionForKey(k, 6) }] },
      { topic: 'c', messages: [{ key: k, value: 'c0' }] }, // count unknown: kafkajs partitions it
    ]);
  });

  it('one call per leader broker; entries with no known leader go alone', () => {
    const e = (topic: string, partition: number | undefined) => ({ topic, messages: [m(partition, `${topic}${partition}`)] });
    const leaders: Record<string, number> = { 'a-0': 1, 'a-1': 2, 'b-0': 1 };
    expect(groupByLeader([e('a', 0), e('a', 1), e('b', 0), e('b', 1), e('c', undefined)], (t, p) => leaders[`${t}-${p}`])).toEqual([
      [e('a', 0), e('b', 0)],
      [e('a', 1)],
      [e('b', 1)],
      [e('c', undefined)],
    ]);
  });
});
