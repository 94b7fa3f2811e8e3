import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '../../../lib/dsl/index.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();
const i64 = Serdes.int64();

function countTopology() {
  const b = new StreamsBuilder();
  b.stream('words', Consumed.with(str, str))
    .selectKey((_k, v) => v)
    .groupByKey(Grouped.with(str, str))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to('counts-out', Produced.with(str, i64));
  return b.build();
}

describe('TopologyTestDriver with the DSL', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`selectKey → groupByKey → count through a repartition topic (${guarantee}); caching compacts until the read`, async () => {
      driver = new TopologyTestDriver(countTopology(), { processingGuarantee: guarantee, applicationId: 'wc' });
      const input = driver.createInputTopic('words', str, str, { partitions: 2 });
      const output = driver.createOutputTopic('counts-out', str, i64);
      await input.pipeKeyValueList(
        ['a', 'b', 'a', 'c', 'a'].map((w, i) => ({ key: `k${i}`, value: w })),
        100,
        1,
      );
      // One update per key: the cache compacted a,a,a into a=3 before the commit that the read triggers.
      expect(await output.readKeyValuesToMap()).toEqual(
        new Map([
          ['a', 3],
          ['b', 1],
          ['c', 1],
        ]),
      );
      expect(await output.isEmpty()).toBe(true);
      await input.pipeInput('k9', 'b', 200);
      expect(await output.readKeyValuesToList()).toEqual([{ key: 'b', value: 2 }]);
      const store = driver.getKeyValueStore<string, number>('counts');
      expect(store.get('a')).toBe(3);
      expect(store.get('b')).toBe(2);
      expect(
        driver.streams
          .tasks()
          .map((t) => t.id)
          .sort(),
      ).toEqual(['0_0', '0_1', '1_0', '1_1']);
    });
  }
});
