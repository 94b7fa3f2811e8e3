/**
 * Topologies whose `describe()` text the differential suite compares with Kafka Streams 3.9.1's
 * `TopologyDescription` (kafka-streams/src/main/java/tributary/diff/DescribeTopologies.java builds
 * the same ones, under the same names, with the Kafka Streams DSL). Each entry calls the same
 * operators in the same order with the same names as its Java twin; functions do not matter.
 */
import { JoinWindows } from '../../lib/dsl/joins/join-windows.js';
import { Joined } from '../../lib/dsl/joins/joined.js';
import { StreamJoined } from '../../lib/dsl/joins/stream-joined.js';
import type { KStream } from '../../lib/dsl/kstream.js';
import type { KTable } from '../../lib/dsl/ktable.js';
import { Branched } from '../../lib/dsl/options/branched.js';
import { Consumed } from '../../lib/dsl/options/consumed.js';
import { Grouped } from '../../lib/dsl/options/grouped.js';
import { Materialized } from '../../lib/dsl/options/materialized.js';
import { Named } from '../../lib/dsl/options/named.js';
import { Produced } from '../../lib/dsl/options/produced.js';
import { Repartitioned } from '../../lib/dsl/options/repartitioned.js';
import { StreamsBuilder } from '../../lib/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../lib/dsl/windowed/suppressed.js';
import { EmitStrategy } from '../../lib/dsl/windows/emit-strategy.js';
import { SessionWindows } from '../../lib/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../lib/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../lib/dsl/windows/time-windows.js';
import { Serdes } from '../../lib/serde/serdes.js';
import { Stores } from '../../lib/state/stores.js';
import type { ProcessorContext, ProcessorSupplier } from '../../lib/topology/processor.js';
import { Topology } from '../../lib/topology/topology.js';

type S = KStream<string, number>;
type T = KTable<string, number>;

const str = Serdes.string();
const i64 = Serdes.int64();
const sum = (a: number, v: number): number => a + v;

/** Kafka Streams prints the extractor object (its Java twin's toString is `byKey`); tributary prints the function's name. */
function byKey(key: string): string {
  return `out-${key}`;
}

const passThrough: ProcessorSupplier<string, number, string, number> = () => {
  let ctx: ProcessorContext<string, number>;
  return {
    init: (c) => void (ctx = c),
    process: (r) => ctx.forward(r),
  };
};

/** Each entry defines its topology with the builder, or returns one built with the Processor API. */
const TOPOLOGIES: Readonly<Record<string, (b: StreamsBuilder) => void | Topology>> = {
  'stateless-chain': (b) => {
    b.stream<string, number>('in')
      .filter((_k, v) => v !== null)
      .mapValues((v) => v + 1)
      .map((k, v) => ({ key: `${k}x`, value: v }))
      .flatMap((k, v) => [{ key: k, value: v }])
      .peek(() => {})
      .selectKey((k) => k)
      .filterNot(() => false)
      .flatMapValues((v) => [v])
      .to('out');
  },
  'foreach-and-sinks': (b) => {
    const s: S = b.stream('in');
    s.foreach(() => {});
    s.to('out-a');
    s.mapValues((v) => v).to('out-b');
    s.to(byKey);
  },
  'named-everything': (b) => {
    b.stream<string, number>('in', Consumed.as('src'))
      .filter(() => true, Named.as('keep'))
      .mapValues((v) => v, Named.as('same'))
      .selectKey((k) => k, Named.as('rekey'))
      .peek(() => {}, Named.as('look'))
      .to('out', Produced.as('sink'));
  },
  'split-named': (b) => {
    const m = b
      .stream<string, number>('in')
      .split(Named.as('s-'))
      .branch((_k, v) => v > 10, Branched.as('big'))
      .branch(
        (_k, v) => v > 5,
        Branched.withConsumer((ks) => ks.to('out-mid'), 'mid'),
      )
      .defaultBranch(Branched.as('rest'));
    m.get('s-big')!.to('out-big');
    m.get('s-rest')!
      .mapValues((v) => v * 2)
      .to('out-rest');
  },
  'split-generated': (b) => {
    const m = b
      .stream<string, number>('in')
      .split()
      .branch((_k, v) => v > 10)
      .branch(
        (_k, v) => v > 5,
        Branched.withFunction((ks) => ks.mapValues((v) => v + 1)),
      )
      .defaultBranch();
    for (const key of [...m.keys()].sort()) m.get(key)!.to(`out-${key}`);
  },
  'split-merge-diamond': (b) => {
    const m = b
      .stream<string, number>('in')
      .split(Named.as('d-'))
      .branch((_k, v) => v % 2 === 0, Branched.as('even'))
      .defaultBranch(Branched.as('odd'));
    const even = m.get('d-even')!.mapValues((v) => v / 2);
    const odd = m.get('d-odd')!.mapValues((v) => v * 3 + 1);
    even.merge(odd).to('out');
  },
  'merge-sources': (b) => {
    const a: S = b.stream('a');
    const c: S = b.stream(['c1', 'c2']);
    a.merge(c, Named.as('both'))
      .filter(() => true)
      .to('out');
  },
  'self-merge-diamond': (b) => {
    const s: S = b.stream('in');
    const l = s.mapValues((v) => v + 1);
    const r = s.filter((_k, v) => v > 0);
    l.merge(r).merge(s).to('out');
  },
  'repartition-unnamed': (b) => {
    b.stream<string, number>('in')
      .selectKey((k) => k)
      .repartition()
      .to('out');
  },
  'repartition-named': (b) => {
    b.stream<string, number>('in')
      .repartition(Repartitioned.as<string, number>('rekeyed').withNumberOfPartitions(3))
      .mapValues((v) => v)
      .to('out');
  },
  'selectkey-count': (b) => {
    b.stream<string, number>('in')
      .selectKey((k, v) => `${k}${v}`)
      .groupByKey()
      .count()
      .toStream()
      .to('out');
  },
  'selectkey-count-named': (b) => {
    b.stream<string, number>('in')
      .selectKey((k, v) => `${k}${v}`)
      .groupByKey(Grouped.as('by-value'))
      .count(Materialized.as('counts'), Named.as('counter'))
      .toStream(Named.as('changes'))
      .to('out');
  },
  'groupby-reduce-aggregate': (b) => {
    const g = b.stream<string, number>('in').groupBy((_k, v) => `g${v}`);
    g.reduce(sum).toStream().to('out-sum');
    g.aggregate(
      () => 0,
      (_k, _v, a) => a + 1,
      Materialized.as('agg'),
    )
      .toStream()
      .to('out-agg');
  },
  'two-groupings': (b) => {
    const s = b.stream<string, number>('in').map((k, v) => ({ key: k, value: v }));
    s.groupByKey().count(Materialized.as('c1')).toStream().to('out-1');
    s.groupByKey(Grouped.as('second')).reduce(sum).toStream().to('out-2');
  },
  'tumbling-count': (b) => {
    b.stream<string, number>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count().toStream().to('out');
  },
  'hopping-reduce-suppress': (b) => {
    b.stream<string, number>('in')
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000).advanceBy(20_000))
      .reduce(sum, Materialized.as('hop'))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out');
  },
  'sliding-aggregate': (b) => {
    b.stream<string, number>('in')
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(30_000))
      .aggregate(
        () => 0,
        (_k, v, a) => a + v,
      )
      .toStream()
      .to('out');
  },
  'session-suppress-named': (b) => {
    b.stream<string, number>('in')
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(30_000, 5_000))
      .count(Materialized.as('session-store'), Named.as('sessions'))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
      .toStream(Named.as('out-stream'))
      .to('out');
  },
  'emit-on-window-close': (b) => {
    b.stream<string, number>('in')
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out');
  },
  'to-table': (b) => {
    const s: S = b.stream('in');
    s.toTable().toStream().to('out-1');
    s.selectKey((k) => `${k}x`)
      .toTable(Named.as('tt'), Materialized.as('tt-store'))
      .toStream()
      .to('out-2');
  },
  'table-sources': (b) => {
    const t: T = b.table('t');
    t.filter((_k, v) => v > 0)
      .mapValues((v) => v + 1)
      .toStream()
      .to('out-1');
    const u: T = b.table('u', undefined, Materialized.as('u-store'));
    // Kafka Streams: u.filter(pred, Materialized.as("u-filtered")); tributary's KTable.filter takes no Materialized.
    u.filter((_k, v) => v > 0)
      .toStream()
      .to('out-2');
  },
  'table-groupby': (b) => {
    const t: T = b.table('t', undefined, Materialized.as('t-store'));
    t.groupBy((_k, v) => ({ key: `g${v}`, value: v }))
      .count()
      .toStream()
      .to('out-count');
    t.groupBy((k, v) => ({ key: k, value: v }), Grouped.as<string, number>('regroup'))
      .reduce(sum, (a, v) => a - v, Materialized.as('sums'))
      .toStream()
      .to('out-sum');
  },
  'table-suppress': (b) => {
    b.table<string, number>('t')
      .groupBy((_k, v) => ({ key: `g${v}`, value: v }))
      .aggregate(
        () => 0,
        (_k, v, a) => a + v,
        (_k, v, a) => a - v,
      )
      .suppress(Suppressed.untilTimeLimit(5_000, BufferConfig.maxRecords(100)))
      .toStream()
      .to('out');
  },
  'global-table': (b) => {
    const g = b.globalTable<string, number>('g');
    const h = b.globalTable<string, number>('h', undefined, Materialized.as('h-store'));
    b.stream<string, number>('in')
      .join(
        g,
        (k) => k,
        (v, gv) => v + gv,
      )
      .leftJoin(
        h,
        (k) => k,
        (v) => v,
        Named.as('with-h'),
      )
      .to('out');
  },
  'ss-inner': (b) => {
    const l: S = b.stream('left');
    const r: S = b.stream('right');
    l.join(r, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(10_000)).to('out');
  },
  'ss-left-named': (b) => {
    const l: S = b.stream('left');
    const r: S = b.stream('right');
    l.leftJoin(r, (a) => a, JoinWindows.ofTimeDifferenceAndGrace(10_000, 5_000), StreamJoined.as<string, number, number>('lj-store').withName('lj')).to('out');
  },
  'ss-outer': (b) => {
    const l: S = b.stream('left');
    const r: S = b.stream('right');
    l.outerJoin(r, (a) => a ?? 0, JoinWindows.ofTimeDifferenceAndGrace(10_000, 5_000)).to('out');
  },
  'ss-join-after-selectkey': (b) => {
    const l = b.stream<string, number>('left').selectKey((k) => `${k}l`);
    const r = b.stream<string, number>('right').selectKey((k) => `${k}r`);
    l.join(r, (a) => a, JoinWindows.ofTimeDifferenceWithNoGrace(10_000), StreamJoined.as('sk')).to('out');
  },
  'stream-table': (b) => {
    const s: S = b.stream('in');
    const t: T = b.table('t');
    s.join(t, (v, tv) => v + tv).to('out-1');
    s.leftJoin(t, (v) => v, Joined.as('stl')).to('out-2');
  },
  'stream-table-repartition': (b) => {
    const t: T = b.table('t', undefined, Materialized.as('t-store'));
    b.stream<string, number>('in')
      .selectKey((_k, v) => `k${v}`)
      .join(t, (v) => v)
      .to('out');
  },
  'table-table': (b) => {
    const l: T = b.table('left');
    const r: T = b.table('right');
    l.join(r, (a, c) => a + c)
      .toStream()
      .to('out-inner');
    l.leftJoin(r, (a) => a, Named.as('tt-left'))
      .toStream()
      .to('out-left');
    l.outerJoin(r, (a) => a ?? 0, undefined, Materialized.as('outer-store'))
      .toStream()
      .to('out-outer');
  },
  'fk-join': (b) => {
    const l: T = b.table('left');
    const r: T = b.table('right');
    l.join(
      r,
      (v: number) => `f${v}`,
      (a: number, c: number) => a + c,
    )
      .toStream()
      .to('out-1');
  },
  'fk-left-named': (b) => {
    const l: T = b.table('left');
    const r: T = b.table('right');
    l.leftJoin(
      r,
      (v) => `f${v}`,
      (a) => a,
      Named.as('fk'),
      Materialized.as('fk-result'),
    )
      .toStream()
      .to('out');
  },
  'process-with-store': (b) => {
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), str, i64));
    const s: S = b.stream('in');
    s.process(passThrough, { stores: ['seen'] }).to('out-1');
    s.process(passThrough, { named: Named.as('second'), stores: ['seen'] }).to('out-2');
  },
  independent: (b) => {
    b.stream<string, number>('zeta').to('out-z');
    b.stream<string, number>('alpha')
      .mapValues((v) => v)
      .to('out-a');
    b.stream<string, number>('mid', Consumed.as('AAA-source')).groupByKey().count().toStream().to('out-m');
    b.table<string, number>('tab').toStream().to('out-t');
  },
  'word-count': (b) => {
    b.stream<string, string>('streams-plaintext-input')
      .flatMapValues((v) => v.toLowerCase().split(/\W+/))
      .groupBy((_k, word) => word)
      .count(Materialized.as('counts-store'))
      .toStream()
      .to('streams-wordcount-output');
  },
  'named-then-generated': (b) => {
    b.stream<string, string>('in', Consumed.as('source'))
      .filter(() => true, Named.as('keep'))
      .mapValues((v) => v)
      .to('out', Produced.as('sink'));
  },
  'split-branch-order': (b) => {
    const m = b
      .stream<string, string>('in')
      .split(Named.as('split-'))
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .branch((_k, v) => v.startsWith('b'))
      .defaultBranch();
    m.get('split-a')!.to('a-out');
  },
  'papi-branches': () =>
    new Topology()
      .addSource('src', 'in')
      .addProcessor('b', passThrough, 'src')
      .addProcessor('a', passThrough, 'src')
      .addProcessor('c', passThrough, 'b')
      .addSink('sink', 'out', {}, 'c'),
};

export const DESCRIBE_TOPOLOGY_NAMES: readonly string[] = Object.keys(TOPOLOGIES);

/** The named topology built with tributary's DSL (default serdes String/Long, as the Java side's StreamsConfig). */
export function buildDescribeTopology(name: string): Topology {
  const define = TOPOLOGIES[name];
  if (define === undefined) throw new Error(`unknown describe topology ${name}`);
  const b = new StreamsBuilder({ defaultKeySerde: str, defaultValueSerde: i64, logger: () => {} });
  return define(b) ?? b.build();
}

/**
 * Topologies whose describe() text differs from Kafka Streams' for a reason written down in
 * docs/divergences.md (section "describe() text", anchor = `entry`). `shows` recognizes that
 * difference in the two texts; the CI test fails when such a topology becomes identical (remove it
 * here) or differs in another way.
 */
export const DESCRIBE_DIVERGENCES: Readonly<Record<string, { readonly entry: string; readonly shows: (kafkaStreams: string, ours: string) => boolean }>> =
  (() => {
    const streamStream = {
      entry: 'describe-stream-stream-join-windowed-nodes',
      shows: (ks: string, ours: string) => /-windowed \(stores|KSTREAM-WINDOWED-\d+ \(stores/.test(ks) && !/windowed|WINDOWED/i.test(ours),
    };
    const foreignKey = {
      entry: 'describe-foreign-key-join-nodes',
      shows: (ks: string, ours: string) =>
        /Processor: (KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-\d+|\S+-subscription-response-resolver) /.test(ks) &&
        !/RESPONSE-RESOLVER|response-resolver/.test(ours),
    };
    return {
      'ss-inner': streamStream,
      'ss-left-named': streamStream,
      'ss-outer': streamStream,
      'ss-join-after-selectkey': streamStream,
      'table-table': {
        entry: 'describe-table-table-join-side-stores',
        shows: (ks: string, ours: string) => /-join-this-store|KTABLE-JOINTHIS-\d+-store/.test(ours) && !/join-this-store|JOINTHIS-\d+-store/.test(ks),
      },
      'fk-join': foreignKey,
      'fk-left-named': foreignKey,
      'emit-on-window-close': {
        entry: 'describe-emit-on-window-close-node',
        shows: (ks: string, ours: string) =>
          /Processor: \S+-on-window-close \(stores: \[\S+-on-window-close-store\]\)/.test(ours) && !ks.includes('on-window-close'),
      },
    };
  })();
