// Prints murmur2 test vectors computed by the Kafka Java client itself, as JSON on stdout.
// Run through scripts/murmur2-vectors/generate.ts (compiles against the cached kafka-clients jar).
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Utils;

public final class Murmur2Vectors {
    static final int[] PARTITIONS = {1, 3, 4, 12, 100};

    record Key(String kind, byte[] bytes, String text) {}

    public static void main(String[] args) {
        List<Key> keys = new ArrayList<>();
        keys.add(new Key("empty", new byte[0], ""));

        String[] ascii = {"a", "ab", "abc", "abcd", "abcde", "0", "21", "key", "hello", "kafka", "user-42",
            "order:123456", "customer_000017", "The quick brown fox jumps over the lazy dog", " ", "\t\n"};
        for (String s : ascii) keys.add(new Key("ascii", s.getBytes(StandardCharsets.UTF_8), s));

        String[] unicode = {"\u00e9", "Gr\u00fc\u00dfe", "\u65e5\u672c\u8a9e", "\u03ba\u03bb\u03b5\u03b9\u03b4\u03af",
            "\ud83c\udf89", "emoji\ud83c\udf89mix", "\u0000", "na\u00efve-caf\u00e9-\u2603-\ud834\udd1e", "\u0420\u0443\u0441"};
        for (String s : unicode) keys.add(new Key("utf8", s.getBytes(StandardCharsets.UTF_8), s));

        // Every length 1..40 (all tail cases, several blocks), with bytes above 0x7f to catch sign bugs.
        for (int len = 1; len <= 40; len++) {
            byte[] b = new byte[len];
            for (int i = 0; i < len; i++) b[i] = (byte) (i * 37 + len * 11 + 0x80);
            keys.add(new Key("length-" + len, b, null));
        }
        for (int len = 1; len <= 8; len++) {
            byte[] ff = new byte[len];
            java.util.Arrays.fill(ff, (byte) 0xff);
            keys.add(new Key("all-ff-" + len, ff, null));
            keys.add(new Key("all-00-" + len, new byte[len], null));
        }

        // Serialized numeric keys as Kafka's IntegerSerializer / LongSerializer write them (big-endian).
        int[] ints = {0, 1, -1, 42, Integer.MAX_VALUE, Integer.MIN_VALUE, 123456789};
        for (int v : ints) keys.add(new Key("int32:" + v, ByteBuffer.allocate(4).putInt(v).array(), null));
        long[] longs = {0L, 1L, -1L, 1700000000000L, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long v : longs) keys.add(new Key("int64:" + v, ByteBuffer.allocate(8).putLong(v).array(), null));

        Random random = new Random(0x7e1b_a7a1L);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[random.nextInt(65)];
            random.nextBytes(b);
            keys.add(new Key("random", b, null));
        }
        for (int len : new int[] {255, 256, 1000, 4097, 10000}) {
            byte[] b = new byte[len];
            random.nextBytes(b);
            keys.add(new Key("long-" + len, b, null));
        }

        StringBuilder out = new StringBuilder();
        out.append("{\n");
        out.append("  \"generator\": \"scripts/murmur2-vectors/Murmur2Vectors.java\",\n");
        out.append("  \"kafkaClientsVersion\": \"").append(AppInfoParser.getVersion()).append("\",\n");
        out.append("  \"formula\": \"partition = Utils.toPositive(Utils.murmur2(key)) % numPartitions\",\n");
        out.append("  \"numPartitions\": [1, 3, 4, 12, 100],\n");
        out.append("  \"vectors\": [\n");
        for (int k = 0; k < keys.size(); k++) {
            Key key = keys.get(k);
            int h = Utils.murmur2(key.bytes());
            out.append("    {\"kind\": ").append(json(key.kind()));
            if (key.text() != null) out.append(", \"text\": ").append(json(key.text()));
            out.append(", \"keyHex\": \"").append(hex(key.bytes())).append('"');
            out.append(", \"murmur2\": ").append(h);
            out.append(", \"toPositive\": ").append(Utils.toPositive(h));
            out.append(", \"partitions\": [");
            for (int p = 0; p < PARTITIONS.length; p++) {
                if (p > 0) out.append(", ");
                out.append(Utils.toPositive(h) % PARTITIONS[p]);
            }
            out.append("]}").append(k + 1 < keys.size() ? ",\n" : "\n");
        }
        out.append("  ]\n}\n");
        System.out.print(out);
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }

    static String json(String s) {
        StringBuilder r = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') r.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) r.append(String.format("\\u%04x", (int) c));
            else r.append(c);
        }
        return r.append('"').toString();
    }
}
