import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';
import { Topology } from '../../../lib/topology/topology.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();

function mergeTopology(): Topology {
  return new Topology()
    .addSource('sa', 'a', { keySerde: str, valueSerde: str })
    .addSource('sb', 'b', { keySerde: str, valueSerde: str })
    .addProcessor(
      'merge',
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c: ProcessorContext<string, string>) => (ctx = c),
          process: (r: Record<string, string>) =>
            ctx.forward({ ...r, value: `${r.value}|st=${ctx.currentStreamTimeMs()}|${ctx.recordMetadata()!.topic}@${ctx.recordMetadata()!.offset}` }),
        };
      },
      'sa',
      'sb',
    )
    .addSink('out', 'merged', { keySerde: str, valueSerde: str }, 'merge');
}

describe('tasks and topics', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('a task reads partition p of each source topic and takes the lowest head timestamp first', async () => {
    driver = new TopologyTestDriver(mergeTopology());
    driver.createInputTopic('a', str, str, { partitions: 2 });
    driver.createInputTopic('b', str, str, { partitions: 2 });
    const out = driver.createOutputTopic('merged', str, str);
    await driver.start();
    expect(
      driver.streams.tasks().map((t) => [
        t.id,
        t
          .inputPartitions()
          .map((tp) => `${tp.topic}-${tp.partition}`)
          .sort(),
      ]),
    ).toEqual([
      ['0_0', ['a-0', 'b-0']],
      ['0_1', ['a-1', 'b-1']],
    ]);
    // Produce to both topics first, so one poll buffers both queues of task 0_0.
    const p = driver.kafka.producer();
    await p.connect();
    const rec = (topic: string, v: string, ts: number) => ({ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from(v), timestamp: ts });
    await p.send(outgoingBatch([rec('a', 'a1', 10), rec('a', 'a2', 30), rec('a', 'a3', 5), rec('b', 'b1', 20), rec('b', 'b2', 25)]));
    await p.disconnect();
    await driver.createInputTopic('a', str, str).pipeRecordList([]);
    expect(await out.readValuesToList()).toEqual([
      'a1|st=10|a@0',
      'b1|st=20|b@0',
      'b2|st=25|b@1',
      'a2|st=30|a@1',
      'a3|st=30|a@2', // late record: stream time does not go back
    ]);
  });

  it('fails at start, naming topics and partition counts, when co-partitioned topics differ', async () => {
    driver = new TopologyTestDriver(mergeTopology().copartitionSources('sa', 'sb'));
    driver.createInputTopic('a', str, str, { partitions: 2 });
    driver.createInputTopic('b', str, str, { partitions: 3 });
    await expect(driver.start()).rejects.toThrow(/Topics a \(2 partitions\), b \(3 partitions\) must be co-partitioned/);
  });

  it('fails at start naming a missing source topic', async () => {
    const t = new Topology().addSource('s', 'nowhere', { keySerde: str, valueSerde: str }).addSink('o', 'x', { keySerde: str, valueSerde: str }, 's');
    const { EmbeddedKafka } = await import('../../../lib/kafka/embedded/index.js');
    const { StreamsRuntime } = await import('../../../lib/runtime/streams-runtime.js');
    const kafka = new EmbeddedKafka();
    const rt = new StreamsRuntime({ topology: t, client: kafka, config: { applicationId: 'missing', stateDir: '/tmp/tributary-missing-test' } });
    await expect(rt.start({ loop: false })).rejects.toThrow(/Source topic nowhere does not exist/);
    expect(rt.state).toBe('error');
    await kafka.close();
  });

  it('creates repartition (delete) and changelog (compact) topics with the source partition count', async () => {
    const b = new StreamsBuilder();
    b.stream('words', Consumed.with(str, str))
      .selectKey((_k, v) => v)
      .groupByKey(Grouped.with(str, str).withName('by-word'))
      .count(Materialized.as<string, number>('counts'))
      .toStream()
      .to('counts-out', Produced.with(str, Serdes.int64()));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'it' });
    driver.createInputTopic('words', str, str, { partitions: 3 });
    await driver.start();
    const admin = driver.kafka.admin();
    await admin.connect();
    const internal = [...driver.streams.topology.repartitionTopics.map((t) => t.name), 'it-counts-changelog'];
    const described = await admin.describeTopics(internal);
    expect(described.map((d) => [d.topic, d.partitions, d.configs['cleanup.policy']])).toEqual([
      [internal[0], 3, 'delete'],
      ['it-counts-changelog', 3, 'compact'],
    ]);
    expect(internal[0]).toMatch(/^it-.*-repartition$/);
    expect((await admin.listTopics()).includes('it-dlq')).toBe(true);
    await admin.disconnect();
  });
});
