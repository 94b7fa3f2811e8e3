import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { Serde } from '../../../lib/serde/types.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';
import { hasNullValue, withKey } from '../../../lib/topology/record.js';
import { Topology } from '../../../lib/topology/topology.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();

function counting<T>(inner: Serde<T>): Serde<T> & { decodes: number } {
  const s = {
    decodes: 0,
    serialize: (v: T, t?: string) => inner.serialize(v, t),
    deserialize: (b: Buffer, t?: string) => {
      s.decodes++;
      return inner.deserialize(b, t);
    },
  };
  return s;
}

/** Reads the value only for keys starting with `read`; re-keys everything with withKey and forwards. */
function topology(valueSerde: Serde<unknown>): Topology {
  return new Topology()
    .addSource('src', 'in', { keySerde: str, valueSerde })
    .addProcessor(
      'p',
      () => {
        let ctx: ProcessorContext<string, unknown>;
        return {
          init: (c: ProcessorContext<string, unknown>) => (ctx = c),
          process: (r: Record<string, unknown>) => {
            if (hasNullValue(r)) return;
            if (r.key.startsWith('read')) void r.value;
            ctx.forward(withKey(r, r.key.toUpperCase()));
          },
        };
      },
      'src',
    )
    .addProcessor('sink-like', () => ({ process: () => undefined }), 'p');
}

describe('lazy value deserialization', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('decodes a value only when an operator reads it; an unread invalid value is never validated', async () => {
    const serde = counting(Serdes.json<unknown>());
    driver = new TopologyTestDriver(topology(serde as Serde<unknown>));
    const input = driver.createInputTopic('in', str, str);
    await input.pipeKeyValueList([
      { key: 'skip-1', value: '{"a":1}' },
      { key: 'read-1', value: '{"a":2}' },
      { key: 'skip-2', value: 'not json at all' },
      { key: 'skip-3', value: null as unknown as string },
    ]);
    expect(serde.decodes).toBe(1);
    expect(driver.metrics()[0]).toMatchObject({ recordsIn: 4, processed: 4, deadLettered: 0 });
  });

  it('switches to eager decoding while every value is read, with identical results', async () => {
    const serde = counting(Serdes.json<unknown>());
    driver = new TopologyTestDriver(topology(serde as Serde<unknown>), { applicationId: 'eager' });
    const input = driver.createInputTopic('in', str, str);
    const dlq = driver.createOutputTopic('eager-dlq', str, str);
    const records = Array.from({ length: 1000 }, (_, i) => ({ key: `read-${i}`, value: i === 700 ? '{broken' : `{"i":${i}}` }));
    await input.pipeKeyValueList(records);
    expect(serde.decodes).toBe(1000);
    const dead = await dlq.readRecordsToList();
    expect(dead.map((r) => [r.key, r.headers['tributary.error.processor']?.toString()])).toEqual([['read-700', 'src']]);
    expect(driver.metrics()[0]).toMatchObject({ recordsIn: 1000, processed: 999, deadLettered: 1 });
  });
});
