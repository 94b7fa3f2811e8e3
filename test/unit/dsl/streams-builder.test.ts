import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../lib/dsl/streams-builder.js';
import { Consumed } from '../../../lib/dsl/options/consumed.js';
import { Grouped } from '../../../lib/dsl/options/grouped.js';
import { Materialized } from '../../../lib/dsl/options/materialized.js';
import { Named } from '../../../lib/dsl/options/named.js';
import { Produced } from '../../../lib/dsl/options/produced.js';
import { Repartitioned } from '../../../lib/dsl/options/repartitioned.js';
import { Branched } from '../../../lib/dsl/options/branched.js';
import { Serdes } from '../../../lib/serde/serdes.js';
import { ConfigError } from '../../../lib/errors.js';

const strings = Consumed.with(Serdes.string(), Serdes.string());
const quiet = () => new StreamsBuilder({ logger: () => {} });

describe('StreamsBuilder', () => {
  // The texts below are Kafka Streams 3.9.1's (test/differential/describe-topologies.ts:
  // word-count, named-then-generated, split-branch-order).
  it('builds the word count topology with Kafka Streams names and layout', () => {
    const b = quiet();
    b.stream('streams-plaintext-input', strings)
      .flatMapValues((v) => v.toLowerCase().split(/\W+/))
      .groupBy((_k, word) => word, Grouped.with(Serdes.string(), Serdes.string()))
      .count(Materialized.as('counts-store'))
      .toStream()
      .to('streams-wordcount-output', Produced.with(Serdes.string(), Serdes.int64()));
    // The Kafka Streams part of the text (a `Tributary plan:` section follows when something was fused).
    expect(b.build().describe().kafkaStreamsText()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])\n' +
        '      --> KSTREAM-FLATMAPVALUES-0000000001\n' +
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])\n' +
        '      --> counts-store-repartition-filter\n' +
        '      <-- KSTREAM-FLATMAPVALUES-0000000001\n' +
        '    Processor: counts-store-repartition-filter (stores: [])\n' +
        '      --> counts-store-repartition-sink\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000002\n' +
        '    Sink: counts-store-repartition-sink (topic: counts-store-repartition)\n' +
        '      <-- counts-store-repartition-filter\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: counts-store-repartition-source (topics: [counts-store-repartition])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])\n' +
        '      --> KTABLE-TOSTREAM-0000000007\n' +
        '      <-- counts-store-repartition-source\n' +
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000008\n' +
        '      <-- KSTREAM-AGGREGATE-0000000003\n' +
        '    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000007\n' +
        '\n',
    );
  });

  it('shares one counter between processors and stores and warns on unnamed stores', () => {
    const warnings: string[] = [];
    const b = new StreamsBuilder({ logger: (m) => warnings.push(m) });
    b.stream('in', strings)
      .filter(() => true)
      .groupByKey()
      .count();
    const t = b.build();
    const d = t.describe().subtopologies[0]!;
    expect(d.nodes.map((n) => n.name)).toEqual(['KSTREAM-SOURCE-0000000000', 'KSTREAM-FILTER-0000000001', 'KSTREAM-AGGREGATE-0000000003']);
    expect(d.nodes[2]).toMatchObject({ stores: ['KSTREAM-AGGREGATE-STATE-STORE-0000000002'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/KSTREAM-AGGREGATE-STATE-STORE-0000000002/);
    expect(t.build('app').changelogTopics.map((c) => c.name)).toEqual(['app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog']);
  });

  it('does not repartition groupByKey without a key change, and does after one', () => {
    const b = quiet();
    const s = b.stream('in', strings);
    s.groupByKey().count(Materialized.as('a'));
    s.mapValues((v) => v.length)
      .groupByKey(Grouped.with(Serdes.string(), Serdes.int32()))
      .count(Materialized.as('b'));
    s.selectKey((_k, v) => v)
      .groupByKey(Grouped.with(Serdes.string(), Serdes.string()).withName('by-value'))
      .count(Materialized.as('c'));
    const built = b.build().build('app', { optimize: false });
    expect(built.repartitionTopics.map((t) => t.name)).toEqual(['app-by-value-repartition']);
    const sub = built.subtopologyForTopic('app-by-value-repartition')!;
    expect(sub.nodes.map((n) => n.name)).toContain('by-value-repartition-source');
    const upstream = built.subtopologyForTopic('in')!;
    expect(upstream.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['by-value-repartition-filter', 'by-value-repartition-sink']));
  });

  it('honours Named and Produced names and keeps generated numbering otherwise', () => {
    const b = quiet();
    b.stream('in', Consumed.with(Serdes.string(), Serdes.string()).withName('source'))
      .filter(() => true, Named.as('keep'))
      .mapValues((v) => v)
      .to('out', Produced.as('sink'));
    const names = b
      .build()
      .describe()
      .subtopologies[0]!.nodes.map((n) => n.name);
    // Named operators still consume a counter value, as in Kafka Streams.
    expect(names).toEqual(['source', 'keep', 'KSTREAM-MAPVALUES-0000000002', 'sink']);
  });

  it('splits into named branches routed by the first matching predicate', () => {
    const b = quiet();
    const branches = b
      .stream('in', strings)
      .split(Named.as('split-'))
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .branch((_k, v) => v.startsWith('b'))
      .defaultBranch();
    expect([...branches.keys()]).toEqual(['split-a', 'split-2', 'split-0']);
    branches.get('split-a')!.to('a-out');
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: split- (stores: [])\n      --> split-0, split-2, split-a\n');
  });

  it('repartition() declares a topic with the requested partition count', () => {
    const b = quiet();
    b.stream('in', strings).repartition(Repartitioned.as<string, string>('r').withNumberOfPartitions(4)).to('out');
    const built = b.build().build('app');
    expect(built.repartitionTopics).toMatchObject([{ name: 'app-r-repartition', numPartitions: 4 }]);
    expect(built.subtopologies).toHaveLength(2);
  });

  it('materializes a source table only when named or needed downstream', () => {
    const b = quiet();
    b.table('plain', strings).toStream().to('o1');
    b.table('grouped', strings)
      .groupBy((k, v) => ({ key: v, value: k }), Grouped.with(Serdes.string(), Serdes.string()))
      .count(Materialized.as('n'));
    const d = b.build().describe();
    const text = d.toString();
    expect(text).toContain('Processor: KTABLE-SOURCE-0000000002 (stores: [])');
    expect(text).toContain('(stores: [grouped-STATE-STORE-0000000005])');
    expect(text).toContain('Processor: KTABLE-SELECT-0000000008 (stores: [])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000009 (topic: n-repartition)');
  });

  it('requires serdes for stores it cannot infer', () => {
    const b = quiet();
    b.stream<string, string>('in')
      .groupByKey()
      .reduce((a, v) => a + v);
    expect(() => b.build()).toThrow(ConfigError);
    const ok = new StreamsBuilder({ logger: () => {}, defaultKeySerde: Serdes.string() as never, defaultValueSerde: Serdes.string() as never });
    ok.stream<string, string>('in')
      .groupByKey()
      .reduce((a, v) => a + v);
    expect(() => ok.build()).not.toThrow();
  });

  it('adds a global table as a global store', () => {
    const b = quiet();
    const g = b.globalTable('ref', strings, Materialized.as('ref-store'));
    expect(g.queryableStoreName).toBe('ref-store');
    b.stream('in', strings).to('out');
    const built = b.build().build('app');
    expect(built.globalStores).toMatchObject([{ storeName: 'ref-store', topic: 'ref' }]);
    expect(built.subtopologies).toHaveLength(1);
  });
});
