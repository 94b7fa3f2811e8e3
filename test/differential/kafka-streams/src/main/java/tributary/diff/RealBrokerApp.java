package tributary.diff;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;

/**
 * One family of the differential suite as a Kafka Streams application on a real broker
 * (`npm run diff:kafka-streams -- --real-broker`): the topology Families builds, its topics
 * renamed `<prefix><name>` for inputs and `<prefix>ks-<name>` for outputs; exactly-once v2, 100 ms
 * commits, record caches off, Kafka Streams' default (RocksDB) stores, the wall-clock emit
 * throttles off as in the test-driver runs.
 *
 * Usage: RealBrokerApp <family> <params k=v,...|-> <bootstrap> <applicationId> <topicPrefix> <stateDir>
 *
 * Prints "RUNNING" once the application is running, then runs until stdin closes or SIGTERM.
 */
public final class RealBrokerApp {
  private RealBrokerApp() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: RealBrokerApp <family> <params|-> <bootstrap> <applicationId> <topicPrefix> <stateDir>");
      System.exit(2);
    }
    String family = args[0];
    String prefix = args[4];
    List<String> inputs = List.of("in", "left", "right");
    Families.topics = t -> inputs.contains(t) ? prefix + t : prefix + "ks-" + t;

    Properties props = DiffRunner.props(false);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[3]);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[2]);
    props.put(StreamsConfig.STATE_DIR_CONFIG, args[5]);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
    Families.build(family, DiffRunner.parseParams(args[1].equals("-") ? "" : args[1]), b);
    Topology topology = b.build(props);
    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((next, prev) -> {
      if (next == KafkaStreams.State.RUNNING) {
        System.out.println("RUNNING");
        System.out.flush();
      }
      if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) done.countDown();
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("FAILED " + e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(java.time.Duration.ofSeconds(20))));
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // wait for EOF
        }
      } catch (java.io.IOException ignored) {
        // closed
      }
      done.countDown();
    });
    stdin.setDaemon(true);
    stdin.start();
    streams.start();
    done.await();
    streams.close(java.time.Duration.ofSeconds(20));
    System.exit(0);
  }
}
