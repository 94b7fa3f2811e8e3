package tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The Kafka Streams side of bench:peers, written against the public Kafka Streams 3.9.1 DSL.
 *
 * Usage: PeerApp <stateless|windowed> <bootstrap> <input> <output> <applicationId> <stateDir>
 *
 * Prints "FIRST <epoch ms>" when the first input record reaches the topology (the harness times
 * from there, so JVM start-up and the first rebalance are not counted), then runs until SIGTERM.
 * Env PEERS_GRACE_MS: the windowed case's grace (default 600000; the harness always sets it).
 */
public final class PeerApp {
  private static volatile boolean first = true;

  private static void markFirst() {
    if (first) {
      first = false;
      System.out.println("FIRST " + System.currentTimeMillis());
      System.out.flush();
    }
  }

  /** Jackson JSON serde for record values. */
  static final class JsonSerde implements Serde<JsonNode> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public Serializer<JsonNode> serializer() {
      return (topic, node) -> {
        if (node == null) return null;
        try {
          return MAPPER.writeValueAsBytes(node);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      };
    }

    @Override
    public Deserializer<JsonNode> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) return null;
        try {
          return MAPPER.readTree(bytes);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      };
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: PeerApp <stateless|windowed> <bootstrap> <input> <output> <applicationId> <stateDir>");
      System.exit(2);
    }
    String mode = args[0];
    String input = args[2];
    String output = args[3];
    Serde<String> str = Serdes.String();
    Serde<JsonNode> json = new JsonSerde();

    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, JsonNode> events = builder.stream(input, Consumed.with(str, json));
    if (mode.equals("stateless")) {
      events
          .filter((k, v) -> {
            markFirst();
            return v.get("amount").asDouble() > 0;
          })
          .mapValues(v -> {
            ObjectNode o = ((ObjectNode) v).deepCopy();
            o.put("amount_cents", Math.round(v.get("amount").asDouble() * 100));
            return (JsonNode) o;
          })
          .to(output, Produced.with(str, json));
    } else if (mode.equals("windowed")) {
      events
          .selectKey((k, v) -> {
            markFirst();
            return v.get("merchant_id").asText();
          })
          .groupByKey(Grouped.with(str, json))
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("PEERS_GRACE_MS", "600000")))))
          .count()
          .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
          .toStream()
          .map((w, count) -> KeyValue.pair(w.key() + "@" + w.window().start(), Long.toString(count)))
          .to(output, Produced.with(str, str));
    } else {
      throw new IllegalArgumentException("unknown mode " + mode);
    }

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[4]);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.STATE_DIR_CONFIG, args[5]);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch done = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      done.countDown();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(10));
      done.countDown();
    }));
    streams.start();
    done.await();
    streams.close(Duration.ofSeconds(10));
  }
}
