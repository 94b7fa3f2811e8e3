import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Grouped } from '../../../lib/dsl/options/grouped.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();

describe('KTable operators through the driver', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('groupBy().count() moves a key between groups (subtract old, add new)', async () => {
    const b = new StreamsBuilder({ logger: () => {} });
    b.table('user-region', Consumed.with(str, str), Materialized.as<string, string>('users').withCachingDisabled())
      .groupBy((user, region) => ({ key: region, value: user }), Grouped.with(str, str).withName('by-region'))
      .count(Materialized.as<string, number>('region-counts').withCachingDisabled())
      .toStream()
      .to('region-counts-out', Produced.with(str, Serdes.int64()));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'kt' });
    const input = driver.createInputTopic('user-region', str, str);
    const output = driver.createOutputTopic('region-counts-out', str, Serdes.int64());
    await input.pipeInput('alice', 'eu', 1);
    await input.pipeInput('bob', 'eu', 2);
    await input.pipeInput('alice', 'us', 3);
    expect(await output.readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 },
      { key: 'eu', value: 2 },
      { key: 'eu', value: 1 },
      { key: 'us', value: 1 },
    ]);
  });

  it('filter and mapValues forward changes; toStream emits tombstones for filtered keys', async () => {
    const b = new StreamsBuilder({ logger: () => {} });
    b.table('prices', Consumed.with(str, Serdes.int32()))
      .filter((_k, v) => v > 10)
      .mapValues((v) => v * 2)
      .toStream()
      .to('out', Produced.with(str, Serdes.int32()));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'kt2' });
    const input = driver.createInputTopic('prices', str, Serdes.int32());
    const output = driver.createOutputTopic('out', str, Serdes.int32());
    await input.pipeInput('a', 20, 1);
    await input.pipeInput('a', 5, 2);
    expect(await output.readKeyValuesToList()).toEqual([
      { key: 'a', value: 40 },
      { key: 'a', value: null },
    ]);
  });

  it('KStream aggregate and reduce keep per-key state', async () => {
    const b = new StreamsBuilder({ logger: () => {} });
    const s = b.stream('in', Consumed.with(str, Serdes.int32()));
    s.groupByKey()
      .reduce((a, v) => a + v, Materialized.as<string, number>('sum').withCachingDisabled())
      .toStream()
      .to('sum', Produced.with(str, Serdes.int32()));
    s.groupByKey()
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        Materialized.as<string, string>('concat').withValueSerde(str).withCachingDisabled().withStoreType('in-memory'),
      )
      .toStream()
      .to('concat', Produced.with(str, str));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'agg' });
    const input = driver.createInputTopic('in', str, Serdes.int32());
    const sum = driver.createOutputTopic('sum', str, Serdes.int32());
    const concat = driver.createOutputTopic('concat', str, str);
    await input.pipeKeyValueList(
      [
        { key: 'k', value: 1 },
        { key: 'k', value: 2 },
        { key: 'j', value: 5 },
      ],
      10,
      1,
    );
    expect(await sum.readKeyValuesToList()).toEqual([
      { key: 'k', value: 1 },
      { key: 'k', value: 3 },
      { key: 'j', value: 5 },
    ]);
    expect(await concat.readValuesToList()).toEqual(['1', '12', '5']);
  });
});
