/**
 * The optimisation pass (lib/dsl/internal/optimize.ts): what it fuses, how `describe()` shows it,
 * how the built topology wires a fused processor, and that fusing no longer depends on the order
 * in which a task initialises its processors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Grouped } from '../../../lib/dsl/options/grouped.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../../lib/dsl/windowed/suppressed.js';
import { TimeWindows } from '../../../lib/dsl/windows/time-windows.js';
import { SlidingWindows } from '../../../lib/dsl/windows/sliding-windows.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { EventTime } from '../../../lib/time/event-time.js';
import { TopologyTestDriver } from '../../../lib/testing/topology-test-driver.js';
import type { Topology } from '../../../lib/topology/topology.js';

const str = Serdes.string();
const i64 = Serdes.int64();
const windowSerde = Serdes.timeWindowed(str, 1000);

/** count per 1 s tumbling window (grace 200 ms), final results only; late records to `late` when asked; plus a chain. */
function program(lateTopic: boolean): Topology {
  const b = new StreamsBuilder({ logger: () => {} });
  const s = b.stream('in', Consumed.with(str, i64));
  s.groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(1000, 200), lateTopic ? { lateRecords: { topic: 'late' } } : {})
    .count(Materialized.as<string, number>('counts'))
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
    .toStream()
    .to('out', Produced.with(windowSerde, i64));
  s.filter((k) => k !== 'skip')
    .selectKey((k) => k.toUpperCase())
    .mapValues((v) => v * 10)
    .to('upper', Produced.with(str, i64));
  return b.build();
}

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

async function outputs(topology: Topology, optimize: boolean): Promise<string[]> {
  driver = new TopologyTestDriver(topology, { applicationId: 'opt', optimize });
  const input = driver.createInputTopic('in', str, i64);
  const out = driver.createOutputTopic('out', windowSerde, i64);
  const upper = driver.createOutputTopic('upper', str, i64);
  for (const [k, t] of [
    ['a', 10],
    ['b', 500],
    ['a', 900],
    ['skip', 950],
    ['a', 1500],
    ['b', 400],
    ['a', 2300],
    ['b', 3500],
  ] as const) {
    await input.pipeInput(k, 1, t);
  }
  const lines = [
    ...(await out.readRecordsToList()).map((r) => `out ${r.key.key}@${r.key.window.start}=${r.value} ts ${r.timestamp}`),
    ...(await upper.readRecordsToList()).map((r) => `upper ${r.key}=${r.value} ts ${r.timestamp}`),
  ];
  await driver.close();
  driver = undefined;
  return lines;
}

const expected = [
  'out a@0=2 ts 900',
  'out b@0=1 ts 500',
  'out skip@0=1 ts 950',
  'out a@1000=1 ts 1500',
  'out a@2000=1 ts 2300',
  'upper A=10 ts 10',
  'upper B=10 ts 500',
  'upper A=10 ts 900',
  'upper A=10 ts 1500',
  'upper B=10 ts 400',
  'upper A=10 ts 2300',
  'upper B=10 ts 3500',
];

describe('optimisation pass', () => {
  it('describe() keeps the Kafka Streams text and lists the fused processors after it, under "Tributary plan:"', () => {
    const text = program(true).describe().toString();
    const [ks, plan] = text.split('Tributary plan:\n');
    expect(ks).toBe(program(true).describe().kafkaStreamsText());
    expect(ks).toContain('Processor: KSTREAM-AGGREGATE-0000000001 (stores: [counts])');
    expect(ks).toContain('Processor: final (stores: [final-store])');
    expect(plan).toBe(
      '  Fused: KSTREAM-AGGREGATE-0000000001 (windowed aggregation + final-results suppression)\n' +
        '      replaces: KSTREAM-AGGREGATE-0000000001, KSTREAM-AGGREGATE-0000000001-EMIT, final\n' +
        '  Fused: KSTREAM-FILTER-0000000004 (record-by-record: filter ▶ selectKey ▶ mapValues)\n' +
        '      replaces: KSTREAM-FILTER-0000000004, KSTREAM-KEY-SELECT-0000000005, KSTREAM-MAPVALUES-0000000006\n',
    );
    // Nothing fused, nothing appended: the text is Kafka Streams' alone.
    const b = new StreamsBuilder({ logger: () => {} });
    b.stream('in', Consumed.with(str, i64))
      .filter(() => true)
      .to('out');
    expect(b.build().describe().toString()).not.toContain('Tributary plan:');
  });

  it("builds the fused processor in place of the nodes it replaces: the head's name and parents, every outside child, all stores", () => {
    const built = program(true).build('app');
    expect(built.fused.map((f) => f.replaces[0])).toEqual(['KSTREAM-AGGREGATE-0000000001', 'KSTREAM-FILTER-0000000004']);
    const sub = built.subtopologies[0]!;
    const agg = sub.nodesByName.get('KSTREAM-AGGREGATE-0000000001')!;
    expect(agg).toMatchObject({
      kind: 'processor',
      parents: ['KSTREAM-SOURCE-0000000000'],
      children: ['KSTREAM-AGGREGATE-0000000001-LATE-RECORDS-SINK', 'KTABLE-TOSTREAM-0000000002'],
      stores: ['counts', 'final-store'],
    });
    expect(sub.nodesByName.has('final')).toBe(false);
    expect(sub.nodesByName.has('KSTREAM-AGGREGATE-0000000001-EMIT')).toBe(false);
    expect(sub.nodesByName.get('KTABLE-TOSTREAM-0000000002')!.parents).toEqual(['KSTREAM-AGGREGATE-0000000001']);
    expect(sub.stores.find((s) => s.name === 'final-store')!.processors).toEqual(['KSTREAM-AGGREGATE-0000000001']);
    expect(sub.nodesByName.get('KSTREAM-FILTER-0000000004')).toMatchObject({ children: ['KSTREAM-SINK-0000000007'] });
    // optimize: false runs every logical node.
    const plain = program(true).build('app', { optimize: false });
    expect(plain.fused).toEqual([]);
    expect(plain.subtopologies[0]!.nodesByName.has('final')).toBe(true);
  });

  it('does not fuse what it cannot: a suppression with a record bound, or of sliding windows; an aggregation with a second consumer', () => {
    const b = new StreamsBuilder({ logger: () => {} });
    const g = b.stream('in', Consumed.with(str, i64)).groupByKey(Grouped.with(str, i64));
    g.windowedBy(TimeWindows.ofSizeAndGrace(1000, 0))
      .count(Materialized.as('bounded'))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(10).shutDownWhenFull()));
    g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(1000, 0))
      .count(Materialized.as('sliding'))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    const t = g.windowedBy(TimeWindows.ofSizeAndGrace(1000, 0)).count(Materialized.as('shared'));
    t.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    t.toStream().to('updates');
    expect(b.build().describe().fused).toEqual([]);
  });

  it('refuses an optimize setting that is not a boolean, saying what to set', () => {
    expect(() => new TopologyTestDriver(program(false), { optimize: 'no' as unknown as boolean })).toThrow(/optimize: must be true or false/);
  });

  it('gives the same outputs with the pass on and off', async () => {
    expect(await outputs(program(true), true)).toEqual(expected);
    expect(await outputs(program(true), false)).toEqual(expected);
    expect(await outputs(program(false), true)).toEqual(expected);
  });

  it('fuses regardless of the order in which the task initialises processors (no run-time registration)', async () => {
    // The task initialises processors in topology order. Put the suppression (and the emit
    // pass-through) before its aggregation: the old implicit fusion, which registered the
    // suppression at its init for the aggregation to find, and the clock the aggregation
    // registered for the suppression to read, depended on the opposite order.
    const reordered = (): Topology => {
      const t = program(true);
      const entries = [...t.nodes];
      const late = entries.filter(([name]) => name === 'final' || name === 'KSTREAM-AGGREGATE-0000000001-EMIT');
      const rest = entries.filter((e) => !late.includes(e));
      t.nodes.clear();
      for (const [name, def] of [rest[0]!, ...late, ...rest.slice(1)]) t.nodes.set(name, def);
      return t;
    };
    expect([...reordered().nodes.keys()].indexOf('final')).toBeLessThan([...reordered().nodes.keys()].indexOf('KSTREAM-AGGREGATE-0000000001'));
    expect(
      reordered()
        .build('opt')
        .fused.map((f) => f.description),
    ).toContain('windowed aggregation + final-results suppression');
    expect(await outputs(reordered(), true)).toEqual(expected);
    // Unfused, the suppression initialised first still reads the aggregation's clock (a task slot, created on first use).
    expect(await outputs(reordered(), false)).toEqual(expected);
  });

  it("a suppression initialised before its aggregation closes windows by the aggregation's watermark, fused or not", async () => {
    // Watermark clock over the task's two input partitions (topics in and in2): windows close by
    // the slower one. A suppression
    // that did not find the aggregation's clock (the old registry, looked up at init in this
    // order) would close them by its own stream time and emit early.
    const topology = (): Topology => {
      const b = new StreamsBuilder({ logger: () => {} });
      b.stream('in', Consumed.with(str, i64))
        .merge(b.stream('in2', Consumed.with(str, i64)))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(1000, 200), { eventTime: EventTime.watermark() })
        .count(Materialized.as<string, number>('counts'))
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
        .toStream()
        .to('out', Produced.with(windowSerde, i64));
      const t = b.build();
      const entries = [...t.nodes];
      const moved = entries.filter(([name]) => name === 'final');
      t.nodes.clear();
      for (const [name, def] of [entries[0]!, ...moved, ...entries.slice(1).filter((e) => !moved.includes(e))]) t.nodes.set(name, def);
      return t;
    };
    for (const optimize of [true, false]) {
      driver = new TopologyTestDriver(topology(), { applicationId: 'wm', optimize });
      const input = driver.createInputTopic('in', str, i64);
      const input2 = driver.createInputTopic('in2', str, i64);
      const out = driver.createOutputTopic('out', windowSerde, i64);
      await input2.pipeInput('b', 1, 100);
      await input.pipeRecordList([
        { key: 'a', value: 1, timestamp: 100 },
        { key: 'a', value: 1, timestamp: 1500 },
        { key: 'a', value: 1, timestamp: 2600 },
      ]);
      expect((await out.readRecordsToList()).map((r) => `${r.key.key}@${r.key.window.start}`)).toEqual([]);
      await input2.pipeInput('b', 1, 2500);
      const closed = (await out.readRecordsToList()).map((r) => `${r.key.key}@${r.key.window.start}=${r.value}`);
      expect(closed.sort()).toEqual(['a@0=1', 'a@1000=1', 'b@0=1']);
      await driver.close();
      driver = undefined;
    }
  });
});
