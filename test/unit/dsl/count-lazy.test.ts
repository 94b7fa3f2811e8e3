import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Grouped } from '../../../lib/dsl/options/grouped.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { SessionWindows } from '../../../lib/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../../lib/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../../lib/dsl/windows/time-windows.js';
import type { KGroupedStream } from '../../../lib/dsl/kgrouped-stream.js';
import type { KTable } from '../../../lib/dsl/ktable.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Serde } from '../../../lib/serde/types.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';

const str = Serdes.string();
const i64 = Serdes.int64();

/** JSON serde that counts decodes. */
function counting(): Serde<unknown> & { decodes: number } {
  const inner = Serdes.json<unknown>();
  const s = {
    decodes: 0,
    serialize: (v: unknown, t?: string) => inner.serialize(v, t),
    deserialize: (b: Buffer, t?: string) => {
      s.decodes++;
      return inner.deserialize(b, t);
    },
  };
  return s;
}

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

type Counter = (g: KGroupedStream<string, unknown>) => KTable<unknown, number>;

const cases: Array<[string, Counter, Serde<unknown>]> = [
  ['count', (g) => g.count(Materialized.as<string, number>('c').withCachingDisabled()) as KTable<unknown, number>, str as Serde<unknown>],
  [
    'windowed count',
    (g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count(Materialized.as<string, number>('c').withCachingDisabled()) as KTable<unknown, number>,
    Serdes.timeWindowed(str, 1000) as Serde<unknown>,
  ],
  [
    'sliding count',
    (g) =>
      g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(1000)).count(Materialized.as<string, number>('c').withCachingDisabled()) as KTable<
        unknown,
        number
      >,
    Serdes.timeWindowed(str, 1000) as Serde<unknown>,
  ],
  [
    'session count',
    (g) =>
      g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1000)).count(Materialized.as<string, number>('c').withCachingDisabled()) as KTable<
        unknown,
        number
      >,
    Serdes.sessionWindowed(str) as Serde<unknown>,
  ],
];

describe('count never decodes values', () => {
  it.each(cases)('%s counts records (null values skipped) without deserializing a value', async (_name, count, outKeySerde) => {
    const run = async (serde: Serde<unknown>): Promise<Array<[unknown, number | null, number]>> => {
      const b = new StreamsBuilder();
      count(b.stream('in', Consumed.with(str, serde)).groupByKey(Grouped.with(str, serde)))
        .toStream()
        .to('out', Produced.with(outKeySerde, i64));
      driver = new TopologyTestDriver(b.build());
      const input = driver.createInputTopic('in', str, str);
      await input.pipeInput('a', '{"x":1}', 100);
      await input.pipeInput('a', 'not json', 200);
      await input.pipeInput('a', null as unknown as string, 300);
      await input.pipeInput('b', '{"x":2}', 400);
      await input.pipeInput('a', '{"x":3}', 5000);
      const out = await driver.createOutputTopic('out', outKeySerde, i64).readRecordsToList();
      expect(driver.metrics()[0]).toMatchObject({ recordsIn: 5, deadLettered: 0 });
      await driver.close();
      driver = undefined;
      return out.map((r) => [r.key, r.value, r.timestamp]);
    };
    const serde = counting();
    const lazy = await run(serde);
    expect(serde.decodes).toBe(0);
    // The same counts as with a value serde that accepts anything.
    const reference = await run(str as Serde<unknown>);
    expect(lazy).toEqual(reference);
    expect(lazy.filter(([, v]) => v !== null).length).toBeGreaterThanOrEqual(3);
  });

  it('aggregate still reads every value', async () => {
    const serde = counting();
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(str, serde))
      .groupByKey(Grouped.with(str, serde))
      .aggregate(
        () => 0,
        (_k, v, agg) => agg + (v as { x: number }).x,
        Materialized.as<string, number>('agg').withValueSerde(i64).withCachingDisabled(),
      )
      .toStream()
      .to('out', Produced.with(str, i64));
    driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', str, str);
    await input.pipeInput('a', '{"x":1}', 100);
    await input.pipeInput('a', '{"x":5}', 200);
    expect((await driver.createOutputTopic('out', str, i64).readKeyValuesToList()).map((r) => r.value)).toEqual([1, 6]);
    expect(serde.decodes).toBe(2);
  });
});
