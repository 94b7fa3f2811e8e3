package tributary.diff;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * The topology families of the differential suite. Each must build exactly what
 * test/differential/families.ts builds with tributary; the value functions (sums, joiners,
 * selectors) are spelled identically on both sides. Returns the output topics to read.
 */
final class Families {
  private Families() {}

  /** Topic names (the real-broker apps prefix them; the test driver runs them as they are). */
  static java.util.function.UnaryOperator<String> topics = t -> t;

  static String T(String name) {
    return topics.apply(name);
  }

  static final Consumed<String, Long> C = Consumed.with(Serdes.String(), Serdes.Long());
  static final Produced<String, Long> P = Produced.with(Serdes.String(), Serdes.Long());

  /** A null value enters user functions as 500 so that "null reached the function" shows in the output. */
  static long n(Long v) {
    return v == null ? 500L : v;
  }

  static long order(long agg, long v) {
    return (agg * 31 + v) % 1000003L;
  }

  static final ValueJoiner<Long, Long, Long> JOINER = (l, r) -> (l == null ? 99L : l) * 100 + (r == null ? 99L : r);

  static String fmt(Windowed<String> w) {
    return (w.key() == null ? "~" : w.key()) + "@" + w.window().start() + "/" + w.window().end();
  }

  static List<String> build(String family, Map<String, String> p, StreamsBuilder b) {
    String[] parts = family.split("-");
    switch (parts[0]) {
      case "tumbling":
      case "hopping":
      case "sliding":
      case "session":
        windowed(parts[0], parts[1], p, b);
        return List.of(T("out"));
      case "ss": {
        KStream<String, Long> l = b.stream(T("left"), C);
        KStream<String, Long> r = b.stream(T("right"), C);
        JoinWindows w = JoinWindows.ofTimeDifferenceAndGrace(DiffRunner.ms(p, "diff"), DiffRunner.ms(p, "grace"));
        if (p.containsKey("after")) w = w.after(DiffRunner.ms(p, "after"));
        KStream<String, Long> j = switch (parts[1]) {
          case "inner" -> l.join(r, JOINER, w);
          case "left" -> l.leftJoin(r, JOINER, w);
          case "outer" -> l.outerJoin(r, JOINER, w);
          default -> throw new IllegalArgumentException(family);
        };
        j.to(T("out"), P);
        return List.of(T("out"));
      }
      case "st": {
        KStream<String, Long> l = b.stream(T("left"), C);
        KTable<String, Long> t = b.table(T("right"), C);
        KStream<String, Long> j = parts[1].equals("inner") ? l.join(t, JOINER) : l.leftJoin(t, JOINER);
        j.to(T("out"), P);
        return List.of(T("out"));
      }
      case "tt": {
        KTable<String, Long> l = b.table(T("left"), C);
        KTable<String, Long> r = b.table(T("right"), C);
        KTable<String, Long> j = switch (parts[1]) {
          case "inner" -> l.join(r, JOINER);
          case "left" -> l.leftJoin(r, JOINER);
          case "outer" -> l.outerJoin(r, JOINER);
          default -> throw new IllegalArgumentException(family);
        };
        j.toStream().to(T("out"), P);
        return List.of(T("out"));
      }
      case "fk": {
        KTable<String, Long> l = b.table(T("left"), C);
        KTable<String, Long> r = b.table(T("right"), C);
        java.util.function.Function<Long, String> fk = v -> "f" + (v % 3);
        KTable<String, Long> j = parts[1].equals("inner") ? l.join(r, fk, JOINER) : l.leftJoin(r, fk, JOINER);
        j.toStream().to(T("out"), P);
        return List.of(T("out"));
      }
      case "tgroup": {
        KTable<String, Long> t = b.table(T("in"), C);
        var g = t.groupBy((k, v) -> KeyValue.pair("g" + (v % 3), v));
        KTable<String, Long> agg = switch (parts[1]) {
          case "count" -> g.count();
          case "reduce" -> g.reduce((a, v) -> a + v, (a, v) -> a - v);
          case "aggregate" -> g.aggregate(() -> 0L, (k, v, a) -> a + v * 10, (k, v, a) -> a - v);
          default -> throw new IllegalArgumentException(family);
        };
        agg.toStream().to(T("out"), P);
        return List.of(T("out"));
      }
      case "selectkey": {
        KStream<String, Long> s = b.stream(T("in"), C).selectKey((k, v) -> "k" + (n(v) % 3));
        if (parts[1].equals("count")) s.groupByKey().count().toStream().to(T("out"), P);
        else s.repartition().mapValues(v -> v == null ? null : v + 1).to(T("out"), P);
        return List.of(T("out"));
      }
      case "split": {
        KStream<String, Long> s = b.stream(T("in"), C);
        Map<String, KStream<String, Long>> m = s.split(Named.as("s-"))
            .branch((k, v) -> n(v) % 3 == 0, Branched.as("a"))
            .branch((k, v) -> n(v) % 3 == 1, Branched.as("b"))
            .defaultBranch(Branched.as("c"));
        m.get("s-a").merge(m.get("s-c").mapValues(v -> v == null ? null : v * 10)).to(T("out"), P);
        m.get("s-b").to(T("out-b"), P);
        return List.of(T("out"), T("out-b"));
      }
      default:
        throw new IllegalArgumentException("unknown family " + family);
    }
  }

  static void windowed(String kind, String agg, Map<String, String> p, StreamsBuilder b) {
    KGroupedStream<String, Long> g = b.stream(T("in"), C).groupByKey();
    String mode = p.getOrDefault("mode", "plain");
    KTable<Windowed<String>, Long> t;
    if (kind.equals("session")) {
      SessionWindowedKStream<String, Long> s = g.windowedBy(SessionWindows.ofInactivityGapAndGrace(DiffRunner.ms(p, "gap"), DiffRunner.ms(p, "grace")));
      if (mode.equals("close")) s = s.emitStrategy(EmitStrategy.onWindowClose());
      t = switch (agg) {
        case "count" -> s.count();
        case "reduce" -> s.reduce((a, v) -> n(a) + n(v));
        case "aggregate" -> s.aggregate(() -> 0L, (k, v, a) -> order(a, n(v)), (k, x, y) -> (x + y) % 1000003L);
        default -> throw new IllegalArgumentException(agg);
      };
    } else {
      TimeWindowedKStream<String, Long> s;
      Duration grace = DiffRunner.ms(p, "grace");
      if (kind.equals("sliding")) {
        s = g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(DiffRunner.ms(p, "diff"), grace));
      } else {
        TimeWindows w = TimeWindows.ofSizeAndGrace(DiffRunner.ms(p, "size"), grace);
        if (kind.equals("hopping")) w = w.advanceBy(DiffRunner.ms(p, "advance"));
        s = g.windowedBy(w);
      }
      if (mode.equals("close")) s = s.emitStrategy(EmitStrategy.onWindowClose());
      t = switch (agg) {
        case "count" -> s.count();
        case "reduce" -> s.reduce((a, v) -> n(a) + n(v));
        case "aggregate" -> s.aggregate(() -> 0L, (k, v, a) -> order(a, n(v)));
        default -> throw new IllegalArgumentException(agg);
      };
    }
    if (mode.equals("suppress")) t = t.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()));
    t.toStream().map((w, v) -> KeyValue.pair(fmt(w), v)).to(T("out"), P);
  }
}
