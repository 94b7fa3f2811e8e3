package tributary.diff;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

/**
 * Topologies whose describe() text the suite compares with tributary's
 * (test/differential/describe-topologies.ts builds the same ones with tributary's DSL, same names).
 * Built without a StreamsConfig: topology optimization off (Kafka Streams' default).
 */
final class DescribeTopologies {
  private DescribeTopologies() {}

  /** A topic chooser whose description (toString) is stable; tributary prints the function's name. */
  static final class ByKey implements TopicNameExtractor<String, Long> {
    @Override
    public String extract(String key, Long value, RecordContext ctx) {
      return "out-" + key;
    }

    @Override
    public String toString() {
      return "byKey";
    }
  }

  /** Forwards what it gets; uses the store it is connected to only by name. */
  static final class PassThrough implements Processor<String, Long, String, Long> {
    private ProcessorContext<String, Long> ctx;

    @Override
    public void init(ProcessorContext<String, Long> context) {
      ctx = context;
    }

    @Override
    public void process(Record<String, Long> r) {
      ctx.forward(r);
    }
  }

  static Topology build(String name) {
    StreamsBuilder b = new StreamsBuilder();
    switch (name) {
      case "stateless-chain": {
        b.<String, Long>stream("in")
            .filter((k, v) -> v != null)
            .mapValues(v -> v + 1)
            .map((k, v) -> KeyValue.pair(k + "x", v))
            .flatMap((k, v) -> java.util.List.of(KeyValue.pair(k, v)))
            .peek((k, v) -> {})
            .selectKey((k, v) -> k)
            .filterNot((k, v) -> false)
            .flatMapValues(v -> java.util.List.of(v))
            .to("out");
        break;
      }
      case "foreach-and-sinks": {
        KStream<String, Long> s = b.stream("in");
        s.foreach((k, v) -> {});
        s.to("out-a");
        s.mapValues(v -> v).to("out-b");
        s.to(new ByKey());
        break;
      }
      case "named-everything": {
        b.<String, Long>stream("in", Consumed.as("src"))
            .filter((k, v) -> true, Named.as("keep"))
            .mapValues(v -> v, Named.as("same"))
            .selectKey((k, v) -> k, Named.as("rekey"))
            .peek((k, v) -> {}, Named.as("look"))
            .to("out", Produced.as("sink"));
        break;
      }
      case "split-named": {
        Map<String, KStream<String, Long>> m = b.<String, Long>stream("in")
            .split(Named.as("s-"))
            .branch((k, v) -> v > 10, Branched.as("big"))
            .branch((k, v) -> v > 5, Branched.withConsumer(ks -> ks.to("out-mid"), "mid"))
            .defaultBranch(Branched.as("rest"));
        m.get("s-big").to("out-big");
        m.get("s-rest").mapValues(v -> v * 2).to("out-rest");
        break;
      }
      case "split-generated": {
        Map<String, KStream<String, Long>> m = b.<String, Long>stream("in")
            .split()
            .branch((k, v) -> v > 10)
            .branch((k, v) -> v > 5, Branched.withFunction(ks -> ks.mapValues(v -> v + 1)))
            .defaultBranch();
        for (String key : new java.util.TreeSet<>(m.keySet())) m.get(key).to("out-" + key);
        break;
      }
      case "split-merge-diamond": {
        Map<String, KStream<String, Long>> m = b.<String, Long>stream("in")
            .split(Named.as("d-"))
            .branch((k, v) -> v % 2 == 0, Branched.as("even"))
            .defaultBranch(Branched.as("odd"));
        KStream<String, Long> even = m.get("d-even").mapValues(v -> v / 2);
        KStream<String, Long> odd = m.get("d-odd").mapValues(v -> v * 3 + 1);
        even.merge(odd).to("out");
        break;
      }
      case "merge-sources": {
        KStream<String, Long> a = b.stream("a");
        KStream<String, Long> c = b.stream(java.util.List.of("c1", "c2"));
        a.merge(c, Named.as("both")).filter((k, v) -> true).to("out");
        break;
      }
      case "self-merge-diamond": {
        KStream<String, Long> s = b.stream("in");
        KStream<String, Long> l = s.mapValues(v -> v + 1);
        KStream<String, Long> r = s.filter((k, v) -> v > 0);
        l.merge(r).merge(s).to("out");
        break;
      }
      case "repartition-unnamed": {
        b.<String, Long>stream("in").selectKey((k, v) -> k).repartition().to("out");
        break;
      }
      case "repartition-named": {
        b.<String, Long>stream("in").repartition(Repartitioned.<String, Long>as("rekeyed").withNumberOfPartitions(3)).mapValues(v -> v).to("out");
        break;
      }
      case "selectkey-count": {
        b.<String, Long>stream("in").selectKey((k, v) -> k + v).groupByKey().count().toStream().to("out");
        break;
      }
      case "selectkey-count-named": {
        b.<String, Long>stream("in")
            .selectKey((k, v) -> k + v)
            .groupByKey(Grouped.as("by-value"))
            .count(Named.as("counter"), Materialized.as("counts"))
            .toStream(Named.as("changes"))
            .to("out");
        break;
      }
      case "groupby-reduce-aggregate": {
        KGroupedStream<String, Long> g = b.<String, Long>stream("in").groupBy((k, v) -> "g" + v);
        g.reduce(Long::sum).toStream().to("out-sum");
        g.aggregate(() -> 0L, (k, v, a) -> a + 1, Materialized.as("agg")).toStream().to("out-agg");
        break;
      }
      case "two-groupings": {
        KStream<String, Long> s = b.<String, Long>stream("in").map((k, v) -> KeyValue.pair(k, v));
        s.groupByKey().count(Materialized.as("c1")).toStream().to("out-1");
        s.groupByKey(Grouped.as("second")).reduce(Long::sum).toStream().to("out-2");
        break;
      }
      case "tumbling-count": {
        b.<String, Long>stream("in")
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(60)))
            .count()
            .toStream()
            .to("out");
        break;
      }
      case "hopping-reduce-suppress": {
        b.<String, Long>stream("in")
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(60), Duration.ofSeconds(10)).advanceBy(Duration.ofSeconds(20)))
            .reduce(Long::sum, Materialized.as("hop"))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream()
            .to("out");
        break;
      }
      case "sliding-aggregate": {
        b.<String, Long>stream("in")
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofSeconds(30)))
            .aggregate(() -> 0L, (k, v, a) -> a + v)
            .toStream()
            .to("out");
        break;
      }
      case "session-suppress-named": {
        b.<String, Long>stream("in")
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofSeconds(30), Duration.ofSeconds(5)))
            .count(Named.as("sessions"), Materialized.as("session-store"))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("final"))
            .toStream(Named.as("out-stream"))
            .to("out");
        break;
      }
      case "emit-on-window-close": {
        b.<String, Long>stream("in")
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(60)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count()
            .toStream()
            .to("out");
        break;
      }
      case "to-table": {
        KStream<String, Long> s = b.stream("in");
        s.toTable().toStream().to("out-1");
        s.selectKey((k, v) -> k + "x").toTable(Named.as("tt"), Materialized.as("tt-store")).toStream().to("out-2");
        break;
      }
      case "table-sources": {
        KTable<String, Long> t = b.table("t");
        t.filter((k, v) -> v > 0).mapValues(v -> v + 1).toStream().to("out-1");
        KTable<String, Long> u = b.table("u", Materialized.as("u-store"));
        u.filter((k, v) -> v > 0).toStream().to("out-2");
        break;
      }
      case "table-groupby": {
        KTable<String, Long> t = b.table("t", Materialized.as("t-store"));
        t.groupBy((k, v) -> KeyValue.pair("g" + v, v)).count().toStream().to("out-count");
        t.groupBy((k, v) -> KeyValue.pair(k, v), Grouped.as("regroup"))
            .reduce(Long::sum, (a, v) -> a - v, Materialized.as("sums"))
            .toStream()
            .to("out-sum");
        break;
      }
      case "table-suppress": {
        b.<String, Long>table("t")
            .groupBy((k, v) -> KeyValue.pair("g" + v, v))
            .aggregate(() -> 0L, (k, v, a) -> a + v, (k, v, a) -> a - v)
            .suppress(Suppressed.untilTimeLimit(Duration.ofSeconds(5), Suppressed.BufferConfig.maxRecords(100)))
            .toStream()
            .to("out");
        break;
      }
      case "global-table": {
        GlobalKTable<String, Long> g = b.globalTable("g");
        GlobalKTable<String, Long> h = b.globalTable("h", Materialized.as("h-store"));
        b.<String, Long>stream("in")
            .join(g, (k, v) -> k, (v, gv) -> v + gv)
            .leftJoin(h, (k, v) -> k, (v, hv) -> v, Named.as("with-h"))
            .to("out");
        break;
      }
      case "ss-inner": {
        KStream<String, Long> l = b.stream("left");
        KStream<String, Long> r = b.stream("right");
        l.join(r, (a, c) -> a + c, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofSeconds(10))).to("out");
        break;
      }
      case "ss-left-named": {
        KStream<String, Long> l = b.stream("left");
        KStream<String, Long> r = b.stream("right");
        l.leftJoin(
                r,
                (a, c) -> a,
                JoinWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)),
                StreamJoined.<String, Long, Long>as("lj-store").withName("lj"))
            .to("out");
        break;
      }
      case "ss-outer": {
        KStream<String, Long> l = b.stream("left");
        KStream<String, Long> r = b.stream("right");
        l.outerJoin(r, (a, c) -> a, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5))).to("out");
        break;
      }
      case "ss-join-after-selectkey": {
        KStream<String, Long> l = b.<String, Long>stream("left").selectKey((k, v) -> k + "l");
        KStream<String, Long> r = b.<String, Long>stream("right").selectKey((k, v) -> k + "r");
        l.join(r, (a, c) -> a, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofSeconds(10)), StreamJoined.as("sk")).to("out");
        break;
      }
      case "stream-table": {
        KStream<String, Long> s = b.stream("in");
        KTable<String, Long> t = b.table("t");
        s.join(t, (v, tv) -> v + tv).to("out-1");
        s.leftJoin(t, (v, tv) -> v, Joined.as("stl")).to("out-2");
        break;
      }
      case "stream-table-repartition": {
        KTable<String, Long> t = b.table("t", Materialized.as("t-store"));
        b.<String, Long>stream("in").selectKey((k, v) -> "k" + v).join(t, (v, tv) -> v).to("out");
        break;
      }
      case "table-table": {
        KTable<String, Long> l = b.table("left");
        KTable<String, Long> r = b.table("right");
        l.join(r, (a, c) -> a + c).toStream().to("out-inner");
        l.leftJoin(r, (a, c) -> a, Named.as("tt-left")).toStream().to("out-left");
        l.outerJoin(r, (a, c) -> a, Materialized.as("outer-store")).toStream().to("out-outer");
        break;
      }
      case "fk-join": {
        KTable<String, Long> l = b.table("left");
        KTable<String, Long> r = b.table("right");
        l.join(r, v -> "f" + v, (a, c) -> a + c).toStream().to("out-1");
        break;
      }
      case "fk-left-named": {
        KTable<String, Long> l = b.table("left");
        KTable<String, Long> r = b.table("right");
        l.leftJoin(r, v -> "f" + v, (a, c) -> a, TableJoined.as("fk"), Materialized.as("fk-result")).toStream().to("out");
        break;
      }
      case "process-with-store": {
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("seen"), Serdes.String(), Serdes.Long()));
        KStream<String, Long> s = b.stream("in");
        s.process(PassThrough::new, "seen").to("out-1");
        s.process(PassThrough::new, Named.as("second"), "seen").to("out-2");
        break;
      }
      case "independent": {
        b.<String, Long>stream("zeta").to("out-z");
        b.<String, Long>stream("alpha").mapValues(v -> v).to("out-a");
        b.<String, Long>stream("mid", Consumed.as("AAA-source")).groupByKey().count().toStream().to("out-m");
        b.<String, Long>table("tab").toStream().to("out-t");
        break;
      }
      case "word-count": {
        b.<String, String>stream("streams-plaintext-input")
            .flatMapValues(v -> java.util.Arrays.asList(v.toLowerCase().split("\\W+")))
            .groupBy((k, word) -> word)
            .count(Materialized.as("counts-store"))
            .toStream()
            .to("streams-wordcount-output");
        break;
      }
      case "named-then-generated": {
        b.<String, String>stream("in", Consumed.as("source"))
            .filter((k, v) -> true, Named.as("keep"))
            .mapValues(v -> v)
            .to("out", Produced.as("sink"));
        break;
      }
      case "split-branch-order": {
        Map<String, KStream<String, String>> m = b.<String, String>stream("in")
            .split(Named.as("split-"))
            .branch((k, v) -> v.startsWith("a"), Branched.as("a"))
            .branch((k, v) -> v.startsWith("b"))
            .defaultBranch();
        m.get("split-a").to("a-out");
        break;
      }
      case "papi-branches": {
        Topology t = new Topology();
        t.addSource("src", "in");
        t.addProcessor("b", PassThrough::new, "src");
        t.addProcessor("a", PassThrough::new, "src");
        t.addProcessor("c", PassThrough::new, "b");
        t.addSink("sink", "out", "c");
        return t;
      }
      default:
        throw new IllegalArgumentException("unknown topology " + name);
    }
    return b.build();
  }
}
