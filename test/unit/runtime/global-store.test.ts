import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';
import { outgoingBatch } from '../../../lib/kafka/columns.js';

const str = Serdes.string();

describe('global stores', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('bootstraps from the whole topic before processing and follows later updates (stream-globalTable join)', async () => {
    const b = new StreamsBuilder();
    const countries = b.globalTable('countries', Consumed.with(str, str), Materialized.as<string, string>('countries-store'));
    b.stream('orders', Consumed.with(str, str))
      .join(
        countries,
        (_k, v) => v.split(':')[0]!,
        (order, country) => `${order}@${country}`,
      )
      .to('enriched', Produced.with(str, str));
    const kafka = new (await import('../../../lib/kafka/embedded/index.js')).EmbeddedKafka();
    // Data already in the global topic (3 partitions) before the application starts.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'countries', numPartitions: 3 }]);
    const p = kafka.producer();
    await p.connect();
    await p.send(
      outgoingBatch([
        { topic: 'countries', key: Buffer.from('DE'), value: Buffer.from('Germany'), timestamp: 1 },
        { topic: 'countries', key: Buffer.from('FR'), value: Buffer.from('France'), timestamp: 1 },
      ]),
    );
    driver = new TopologyTestDriver(b.build(), { kafka });
    const orders = driver.createInputTopic('orders', str, str, { partitions: 2 });
    const globalInput = driver.createInputTopic('countries', str, str);
    const out = driver.createOutputTopic('enriched', str, str);
    await orders.pipeInput('o1', 'DE:shoes', 10);
    await orders.pipeInput('o2', 'NL:bike', 11);
    await globalInput.pipeInput('NL', 'Netherlands', 12);
    await orders.pipeInput('o3', 'NL:car', 13);
    expect(await out.readKeyValuesToMap()).toEqual(
      new Map([
        ['o1', 'DE:shoes@Germany'],
        ['o3', 'NL:car@Netherlands'],
      ]),
    );
    expect(driver.getKeyValueStore<string, string>('countries-store').get('FR')).toBe('France');
    await p.disconnect();
    await admin.disconnect();
  });
});
