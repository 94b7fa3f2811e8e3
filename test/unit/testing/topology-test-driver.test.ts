import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../lib/serde/serdes.js';
import type { ProcessorContext, Record } from '../../../lib/topology/processor.js';
import { Topology } from '../../../lib/topology/topology.js';
import { TopologyTestDriver } from '../../../lib/testing/index.js';

const str = Serdes.string();

function upperTopology(): Topology {
  return new Topology()
    .addSource('src', 'in', { keySerde: str, valueSerde: str })
    .addProcessor(
      'upper',
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c: ProcessorContext<string, string>) => (ctx = c),
          process: (r: Record<string, string>) => ctx.forward({ ...r, value: r.value.toUpperCase() }),
        };
      },
      'src',
    )
    .addSink('sink', 'out', { keySerde: str, valueSerde: str }, 'upper');
}

describe('TopologyTestDriver', () => {
  let driver: TopologyTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('pipes through the real runtime and reads outputs immediately', async () => {
    driver = new TopologyTestDriver(upperTopology());
    const input = driver.createInputTopic('in', str, str);
    const output = driver.createOutputTopic('out', str, str);
    await input.pipeInput('k1', 'hello', 10);
    await input.pipeInput('k2', 'world', 20);
    const records = await output.readRecordsToList();
    expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', 'HELLO', 10],
      ['k2', 'WORLD', 20],
    ]);
    expect(await output.isEmpty()).toBe(true);
  });

  it('runs one task per partition of a multi-partition input', async () => {
    driver = new TopologyTestDriver(upperTopology());
    const input = driver.createInputTopic('in', str, str, { partitions: 3 });
    const output = driver.createOutputTopic('out', str, str, { partitions: 3 });
    await input.pipeKeyValueList(
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
      1000,
      1,
    );
    expect(
      driver.streams
        .tasks()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['0_0', '0_1', '0_2']);
    const map = await output.readKeyValuesToMap();
    expect(map.size).toBe(30);
    expect(map.get('k7')).toBe('V7');
    const perTask = driver.metrics().map((m) => m.recordsIn);
    expect(perTask.reduce((a, b) => a + b, 0)).toBe(30);
    expect(perTask.every((n) => n > 0)).toBe(true);
  });

  it('works under exactly-once (outputs visible after the commit a read triggers)', async () => {
    driver = new TopologyTestDriver(upperTopology(), { processingGuarantee: 'exactly_once' });
    const input = driver.createInputTopic('in', str, str);
    const output = driver.createOutputTopic('out', str, str);
    await input.pipeInput('a', 'x', 5);
    expect(await output.readKeyValue()).toEqual({ key: 'a', value: 'X' });
  });
});
