import { describe, expect, it } from 'vitest';
import { Topology } from '../../../lib/topology/topology.js';
import type { StateStore, StoreBuilder } from '../../../lib/state/types.js';
import type { Processor } from '../../../lib/topology/processor.js';
import { type TributaryError, ConfigError } from '../../../lib/errors.js';

function storeBuilder(name: string, loggingEnabled = true): StoreBuilder {
  return {
    name,
    loggingEnabled,
    changelogConfigs: { 'cleanup.policy': 'compact' },
    build: () => ({ name }) as unknown as StateStore,
  };
}
const noop = (): Processor<unknown, unknown> => ({ process() {} });

/** The word-count shape every Kafka Streams user has seen in `describe()` output. */
function wordCount(): Topology {
  const repartition = 'KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition';
  return new Topology()
    .addSource('KSTREAM-SOURCE-0000000000', ['input'])
    .addProcessor('KSTREAM-MAP-0000000001', noop, 'KSTREAM-SOURCE-0000000000')
    .addRepartitionTopic(repartition)
    .addProcessor('KSTREAM-FILTER-0000000005', noop, 'KSTREAM-MAP-0000000001')
    .addSink('KSTREAM-SINK-0000000004', repartition, {}, 'KSTREAM-FILTER-0000000005')
    .addSource('KSTREAM-SOURCE-0000000006', [repartition])
    .addProcessor('KSTREAM-AGGREGATE-0000000003', noop, 'KSTREAM-SOURCE-0000000006')
    .addStateStore(storeBuilder('KSTREAM-AGGREGATE-STATE-STORE-0000000002'), 'KSTREAM-AGGREGATE-0000000003');
}

describe('Topology.describe()', () => {
  it('renders Kafka Streams format for a repartitioned aggregation', () => {
    expect(wordCount().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-MAP-0000000001\n' +
        '    Processor: KSTREAM-MAP-0000000001 (stores: [])\n' +
        '      --> KSTREAM-FILTER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-MAP-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000005\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000006\n' +
        '\n',
    );
  });

  it('orders nodes by reachable sub-graph size, then name; neighbours as Kafka Streams inserts them', () => {
    const t = new Topology()
      .addSource('src', 'in')
      .addProcessor('b', noop, 'src')
      .addProcessor('a', noop, 'src')
      .addProcessor('c', noop, 'b')
      .addSink('sink', 'out', {}, 'c');
    const text = t.describe().toString();
    // Kafka Streams 3.9.1 prints neighbours in the order its TreeSet placed them when inserted (a's
    // and b's sizes were both 1 then), nodes by final size: checked by the differential suite
    // (test/differential/describe-topologies.ts, papi-branches).
    expect(text).toContain('Source: src (topics: [in])\n      --> a, b\n');
    const d = t.describe().subtopologies[0]!;
    expect(d.nodes.map((n) => n.name)).toEqual(['src', 'b', 'c', 'a', 'sink']);
  });

  it('shows global stores as their own sub-topology', () => {
    const t = new Topology()
      .addGlobalStore(storeBuilder('gstore', false), 'gsource', 'global-topic', {}, 'gprocessor', noop)
      .addSource('src', 'in')
      .addSink('sink', (k: unknown) => String(k), {}, 'src');
    expect(t.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0 for global store (will not generate tasks)\n' +
        '    Source: gsource (topics: [global-topic])\n' +
        '      --> gprocessor\n' +
        '    Processor: gprocessor (stores: [gstore])\n' +
        '      --> none\n' +
        '      <-- gsource\n' +
        '  Sub-topology: 1\n' +
        '    Source: src (topics: [in])\n' +
        '      --> sink\n' +
        '    Sink: sink (extractor class: TopicNameExtractor)\n' +
        '      <-- src\n' +
        '\n',
    );
  });
});

describe('Topology.build()', () => {
  it('splits at repartition topics and resolves internal names', () => {
    const b = wordCount().build('app');
    expect(b.subtopologies.map((s) => s.sourceTopics)).toEqual([['input'], ['app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition']]);
    const [s0, s1] = b.subtopologies;
    expect(s0!.nodes.map((n) => n.name)).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-MAP-0000000001',
      'KSTREAM-FILTER-0000000005',
      'KSTREAM-SINK-0000000004',
    ]);
    expect(s0!.sinks[0]!.topic).toBe('app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition');
    expect(s1!.repartitionSourceTopics).toEqual(['app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition']);
    expect(s1!.stores).toMatchObject([
      {
        name: 'KSTREAM-AGGREGATE-STATE-STORE-0000000002',
        processors: ['KSTREAM-AGGREGATE-0000000003'],
        changelogTopic: 'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog',
      },
    ]);
    expect(b.changelogTopics).toEqual([
      {
        name: 'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog',
        store: 'KSTREAM-AGGREGATE-STATE-STORE-0000000002',
        subtopology: 1,
        configs: { 'cleanup.policy': 'compact' },
      },
    ]);
    expect(b.repartitionTopics[0]).toMatchObject({ writerSubtopologies: [0], readerSubtopology: 1, configs: { 'cleanup.policy': 'delete' } });
    expect(b.subtopologyForTopic('input')?.id).toBe(0);
  });

  it('derives internal topic partition counts from upstream source topics', () => {
    const counts = wordCount()
      .build('app')
      .internalTopicPartitions((t) => (t === 'input' ? 6 : undefined));
    expect(Object.fromEntries(counts)).toEqual({
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition': 6,
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog': 6,
    });
    expect(() =>
      wordCount()
        .build('app')
        .internalTopicPartitions(() => undefined),
    ).toThrow(/does not exist/);
  });

  it('honours a fixed repartition partition count', () => {
    const t = new Topology()
      .addSource('s', 'in')
      .addRepartitionTopic('r', { numPartitions: 3 })
      .addSink('k', 'r', {}, 's')
      .addSource('s2', 'r')
      .addProcessor('p', noop, 's2');
    expect(
      t
        .build('x')
        .internalTopicPartitions(() => 8)
        .get('x-r'),
    ).toBe(3);
  });

  it('groups processors sharing a store into one sub-topology and checks co-partitioning', () => {
    const t = new Topology()
      .addSource('a', 'left')
      .addSource('b', 'right')
      .addProcessor('pa', noop, 'a')
      .addProcessor('pb', noop, 'b')
      .addStateStore(storeBuilder('shared', false), 'pa', 'pb')
      .copartitionSources('a', 'b');
    const b = t.build('app');
    expect(b.subtopologies).toHaveLength(1);
    expect(b.subtopologies[0]!.copartitionGroups).toEqual([['left', 'right']]);
    expect(b.changelogTopics).toEqual([]);
    expect(() => b.internalTopicPartitions((x) => (x === 'left' ? 2 : 3))).toThrow(ConfigError);
    expect(b.taskCount(0, () => 4)).toBe(4);
  });

  it('rejects malformed graphs with TOPOLOGY errors', () => {
    const t = new Topology().addSource('s', 'in');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as TributaryError).code;
      }
      return 'none';
    };
    expect(code(() => t.addSource('s', 'other'))).toBe('TOPOLOGY');
    expect(code(() => t.addSource('s2', 'in'))).toBe('TOPOLOGY');
    expect(code(() => t.addProcessor('p', noop, 'missing'))).toBe('TOPOLOGY');
    expect(code(() => t.addProcessor('p', noop))).toBe('TOPOLOGY');
    t.addSink('out', 'o', {}, 's');
    expect(code(() => t.addProcessor('p', noop, 'out'))).toBe('TOPOLOGY');
    expect(code(() => t.connectProcessorAndStateStores('s', 'x'))).toBe('TOPOLOGY');
    t.addStateStore(storeBuilder('lonely'));
    expect(code(() => t.build('app'))).toBe('TOPOLOGY');
  });
});
