import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a dead-letter topic (partition 0) with the Java client, read_committed, to its end and
 * prints one line per record: the source partition and offset from the tributary.error.* headers.
 * Usage: java -cp <kafka-clients jars>:. DlqRead BOOTSTRAP TOPIC
 */
public class DlqRead {
  public static void main(String[] a) {
    Properties p = new Properties();
    p.put("bootstrap.servers", a[0]);
    p.put("isolation.level", "read_committed");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(a[1], 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      StringBuilder out = new StringBuilder();
      while (c.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          out.append(new String(r.headers().lastHeader("tributary.error.partition").value())).append(' ')
             .append(new String(r.headers().lastHeader("tributary.error.offset").value())).append('\n');
        }
      }
      System.out.print(out);
    }
  }
}
