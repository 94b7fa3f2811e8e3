package tributary.diff;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/** Topologies whose describe() text the suite compares with tributary's (test/differential/describe-topologies.ts). */
final class DescribeTopologies {
  private DescribeTopologies() {}

  static Topology build(String name) {
    StreamsBuilder b = new StreamsBuilder();
    switch (name) {
      default:
        throw new IllegalArgumentException("unknown topology " + name);
    }
  }
}
