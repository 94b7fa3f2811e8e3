package tributary.diff;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Kafka Streams side of tributary's differential suite. Reads cases from stdin, one per line:
 *
 *   id TAB family TAB k=v,k=v TAB topic,key,value,ts;topic,key,value,ts;...
 *
 * ("~" is a null key or value), runs each through a fresh TopologyTestDriver (caching off,
 * in-memory stores) and prints, per case, its output records then an end line:
 *
 *   O TAB topic TAB key TAB value TAB timestamp      (windowed keys as key@start/end)
 *   X TAB id TAB message                              (the case failed)
 *   E TAB id
 *
 * A case whose family starts with "describe:" prints its topology description as "T TAB line".
 * One JVM serves a whole run (and the shrinker's follow-up batches): stdout is flushed per case.
 */
public final class DiffRunner {
  private DiffRunner() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
    if (STATE_DIR != null) Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(new java.io.File(STATE_DIR))));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t", -1);
      String id = parts[0];
      try {
        if (parts.length < 4) throw new IllegalArgumentException("expected 4 tab-separated fields");
        String family = parts[1];
        Map<String, String> params = parseParams(parts[2]);
        if (family.startsWith("describe:")) {
          Topology t = DescribeTopologies.build(family.substring("describe:".length()));
          for (String d : t.describe().toString().split("\n", -1)) out.print("T\t" + d + "\n");
        } else {
          runCase(family, params, parseRecords(parts[3]), out);
        }
      } catch (Throwable e) {
        String msg = String.valueOf(e).replace('\n', ' ').replace('\t', ' ');
        out.print("X\t" + id + "\t" + msg + "\n");
      }
      out.print("E\t" + id + "\n");
      out.flush();
    }
    out.flush();
  }

  static void deleteTree(java.io.File f) {
    java.io.File[] children = f.listFiles();
    if (children != null) for (java.io.File c : children) deleteTree(c);
    f.delete();
  }

  record Rec(String topic, String key, Long value, long ts) {}

  static Map<String, String> parseParams(String s) {
    Map<String, String> m = new HashMap<>();
    if (s.isEmpty()) return m;
    for (String kv : s.split(",")) {
      int i = kv.indexOf('=');
      m.put(kv.substring(0, i), kv.substring(i + 1));
    }
    return m;
  }

  static List<Rec> parseRecords(String s) {
    List<Rec> list = new ArrayList<>();
    if (s.isEmpty()) return list;
    for (String r : s.split(";")) {
      String[] f = r.split(",", -1);
      list.add(new Rec(f[0], nullable(f[1]), f[2].equals("~") ? null : Long.valueOf(f[2]), Long.parseLong(f[3])));
    }
    return list;
  }

  static String nullable(String s) {
    return s.equals("~") ? null : s;
  }

  /** /dev/shm when there is one: RocksDB flushes on every commit, which costs ~250 ms per case on disk. */
  static final String STATE_DIR = new java.io.File("/dev/shm").isDirectory() ? "/dev/shm/tributary-diff-" + ProcessHandle.current().pid() : null;

  /**
   * Families that keep Kafka Streams' default (RocksDB) stores instead of the in-memory ones:
   * onWindowClose emits nothing in Kafka Streams 3.9.1 when the window store is the in-memory one;
   * and a stream-stream join's in-memory window store lets a null-value record advance its clock
   * (InMemoryWindowStore.put observes the time before it skips the null) while the default
   * RocksDB store skips the put entirely (RocksDBWindowStore.put) — the two disagree, the suite
   * compares with the default.
   */
  static boolean needsDefaultStores(String family, Map<String, String> params) {
    return "close".equals(params.get("mode")) || family.startsWith("ss-") || "default".equals(params.get("stores"));
  }

  static Properties props(boolean inMemory) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "diff");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.LongSerde.class.getName());
    if (inMemory) p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class.getName());
    if (STATE_DIR != null) p.put(StreamsConfig.STATE_DIR_CONFIG, STATE_DIR);
    // Kafka Streams throttles onWindowClose emission and left/outer-join non-joined emission by
    // wall-clock time (internal configs, 1 s by default); the driver's wall clock stands still,
    // and tributary emits on stream time alone: no throttle.
    p.put("__emit.interval.ms.kstreams.windowed.aggregation__", 0L);
    p.put("__emit.interval.ms.kstreams.outer.join.spurious.results.fix__", 0L);
    return p;
  }

  static void runCase(String family, Map<String, String> params, List<Rec> records, PrintWriter out) {
    // The DSL reads its store suppliers from the TopologyConfig it is built with.
    Properties props = props(!needsDefaultStores(family, params));
    StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
    List<String> outputs = Families.build(family, params, b);
    Topology topology = b.build();
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      Map<String, TestInputTopic<String, Long>> inputs = new HashMap<>();
      for (Rec r : records) {
        TestInputTopic<String, Long> t = inputs.computeIfAbsent(r.topic(), n -> driver.createInputTopic(n, new StringSerializer(), new LongSerializer()));
        t.pipeInput(new TestRecord<>(r.key(), r.value(), null, r.ts()));
      }
      for (String topic : outputs) {
        TestOutputTopic<String, Long> o = driver.createOutputTopic(topic, new StringDeserializer(), new LongDeserializer());
        for (TestRecord<String, Long> r : o.readRecordsToList()) {
          out.print("O\t" + topic + "\t" + (r.key() == null ? "~" : r.key()) + "\t" + (r.value() == null ? "~" : r.value()) + "\t" + r.timestamp() + "\n");
        }
      }
    }
  }

  static long p(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null) throw new IllegalArgumentException("missing parameter " + name);
    return Long.parseLong(v);
  }

  static Duration ms(Map<String, String> params, String name) {
    return Duration.ofMillis(p(params, name));
  }

  static <V> KeyValue<String, V> kv(String k, V v) {
    return KeyValue.pair(k, v);
  }
}
