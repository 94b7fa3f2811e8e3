import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Grouped } from '../../../lib/dsl/options/grouped.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Serde } from '../../../lib/serde/types.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import { takesValue } from '../../../lib/dsl/processors/stream-stateless.js';

interface Tx {
  account: string;
  amount: number;
  note?: string;
}
const str = Serdes.string();
const REPARTITION = 'app-by-account-repartition';

/**
 * selectKey (running `select` on each value) → groupByKey → reduce(latest) → out, so the values
 * read back from the repartition topic are visible downstream.
 */
function topology(select: (v: Tx) => string, valueSerde: Serde<Tx> = Serdes.json<Tx>(), groupedSerde: Serde<Tx> = Serdes.json<Tx>()): StreamsBuilder {
  const b = new StreamsBuilder({ logger: () => {} });
  b.stream('in', Consumed.with(str, valueSerde))
    .selectKey((_k, v) => select(v))
    .groupByKey(Grouped.with(str, groupedSerde).withName('by-account'))
    .reduce((_old, v) => v, Materialized.as<string, Tx>('latest').withCachingDisabled())
    .toStream()
    .to('out', Produced.with(str, Serdes.json<Tx>()));
  return b;
}

describe('value bytes passed through to repartition topics', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  async function run(b: StreamsBuilder, values: string[]): Promise<{ repartitioned: string[]; out: Tx[] }> {
    driver = new TopologyTestDriver(b.build(), { applicationId: 'app' });
    const input = driver.createInputTopic('in', str, str);
    await input.pipeKeyValueList(values.map((value, i) => ({ key: `k${i}`, value })));
    const repartitioned = (await driver.createOutputTopic(REPARTITION, str, Serdes.bytes()).readValuesToList()).map((v) => v.toString());
    const out = await driver.createOutputTopic('out', str, Serdes.json<Tx>()).readValuesToList();
    return { repartitioned, out };
  }

  it('writes an unchanged value as its input bytes (not re-serialized)', async () => {
    const values = ['{ "account": "a", "amount": 1.50 }', '{"amount":2,"account":"b"}'];
    const { repartitioned, out } = await run(
      topology((v) => v.account),
      values,
    );
    expect(repartitioned).toEqual(values);
    expect(out).toEqual([
      { account: 'a', amount: 1.5 },
      { amount: 2, account: 'b' },
    ]);
  });

  it('serializes a value the key selector changed, so the change reaches downstream', async () => {
    const mutate = (v: Tx): string => {
      v.amount *= 10;
      if (v.account === 'b') v.note = 'added';
      return v.account;
    };
    const { repartitioned, out } = await run(topology(mutate), ['{ "account": "a", "amount": 1.50 }', '{"account":"b","amount":2}']);
    expect(repartitioned).toEqual(['{"account":"a","amount":15}', '{"account":"b","amount":20,"note":"added"}']);
    expect(out).toEqual([
      { account: 'a', amount: 15 },
      { account: 'b', amount: 20, note: 'added' },
    ]);
  });

  it('serializes again when the serdes do not share a format', async () => {
    const custom: Serde<Tx> = {
      serialize: (v) => Buffer.from(JSON.stringify(v)),
      deserialize: (b) => JSON.parse(b.toString()) as Tx,
    };
    const { repartitioned } = await run(
      topology((v) => v.account, Serdes.json<Tx>(), custom),
      ['{ "account": "a", "amount": 1.50 }'],
    );
    expect(repartitioned).toEqual(['{"account":"a","amount":1.5}']);
  });

  it('passes the bytes of a value nothing read without decoding it', async () => {
    let decodes = 0;
    const json = Serdes.json<Tx>();
    const counting: Serde<Tx> = { ...json, deserialize: (b: Buffer, t?: string) => (decodes++, json.deserialize(b, t)) };
    const b = new StreamsBuilder({ logger: () => {} });
    b.stream('in', Consumed.with(str, counting))
      .selectKey((k) => k.toUpperCase())
      .groupByKey(Grouped.with(str, Serdes.json<Tx>()).withName('by-account'))
      .count(Materialized.as('n'));
    driver = new TopologyTestDriver(b.build(), { applicationId: 'app' });
    await driver.createInputTopic('in', str, str).pipeKeyValueList([{ key: 'k', value: '{ "account" : "a" ,"amount":1}' }]);
    const repartitioned = await driver.createOutputTopic(REPARTITION, str, Serdes.bytes()).readRecordsToList();
    expect(repartitioned.map((r) => [r.key, r.value.toString()])).toEqual([['K', '{ "account" : "a" ,"amount":1}']]);
    expect(decodes).toBe(0);
  });
});

describe('takesValue', () => {
  it('is false only for functions that visibly take the key alone', () => {
    const yes = [
      (_k: string, v: string) => v,
      (k: string, v = 'd') => k + v,
      (...a: string[]) => a[1],
      function (this: unknown, k: string) {
        // eslint-disable-next-line prefer-rest-params
        return k + String(arguments[1]);
      },
      ((k: string, v: string) => k + v).bind(null, 'x'),
    ];
    const no = [
      (k: string) => k.toUpperCase(),
      (k: string) => k,
      () => true,
      function (k: string) {
        return k;
      },
    ];
    expect(yes.map((f) => takesValue(f as never))).toEqual(yes.map(() => true));
    expect(no.map((f) => takesValue(f as never))).toEqual(no.map(() => false));
  });
});
