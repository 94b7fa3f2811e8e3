import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.defaults.internal.data.DefaultColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.types.*;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes a Delta table with Delta Kernel's write path (Java), for the Delta source tests: a table
 * we did not write. Version 0 creates the table (CREATE_TABLE, with data); versions 1..COMMITS-1
 * append (WRITE), each with a `txn` (app id "kernel-writer", version = commit number). Each commit
 * has ROWS rows spread over the partitions of `day`: one logical batch per partition goes through
 * Transaction.transformLogicalData, the default ParquetHandler.writeParquetFiles and
 * Transaction.generateAppendActions; the collected add actions are committed together. Version 2
 * also sets a table property (delta.appendOnly), a metaData action in the middle of the log. After
 * version CHECKPOINT_AT: Table.checkpoint. Kernel's post-commit hooks (e.g. the .crc checksum) run
 * after each commit.
 *
 * Columns: id long NOT NULL, name string (null every 5th), amount double, price decimal(10,2),
 * flag boolean, ts timestamp (microseconds, not whole milliseconds), day date (partition).
 * Prints the rows written as JSON lines, in commit order, in tributary's JSON form (as KernelRead
 * prints them), each with "_commit": the version it was committed in. On an existing table (one
 * this program wrote with the same ROWS), the COMMITS commits continue after its latest version
 * (ids and commit numbers as if written in one run).
 * Usage: java -cp <jars>:<classes> KernelWrite TABLE_DIR COMMITS ROWS CHECKPOINT_AT
 */
public final class KernelWrite {
  static final StructType SCHEMA = new StructType()
      .add("id", LongType.LONG, false)
      .add("name", StringType.STRING, true)
      .add("amount", DoubleType.DOUBLE, true)
      .add("price", new DecimalType(10, 2), true)
      .add("flag", BooleanType.BOOLEAN, true)
      .add("ts", TimestampType.TIMESTAMP, true)
      .add("day", DateType.DATE, true);
  static final long TS0 = 1_704_067_200_000_000L; // 2024-01-01T00:00:00Z in microseconds
  static final int DAY0 = (int) LocalDate.of(2024, 1, 1).toEpochDay();
  static final int DAYS = 3;

  public static void main(String[] args) throws Exception {
    if (args.length != 4) throw new IllegalArgumentException("usage: KernelWrite TABLE_DIR COMMITS ROWS CHECKPOINT_AT");
    String path = new java.io.File(args[0]).getAbsolutePath();
    int commits = Integer.parseInt(args[1]);
    int rows = Integer.parseInt(args[2]);
    int checkpointAt = Integer.parseInt(args[3]);
    Engine engine = DefaultEngine.create(new Configuration());
    Table table = Table.forPath(engine, path);
    StringBuilder out = new StringBuilder();
    int first = 0;
    try {
      first = (int) table.getLatestSnapshot(engine).getVersion() + 1;
    } catch (TableNotFoundException e) {
      // a new table: version 0 creates it
    }
    long nextId = (long) first * rows;
    for (int c = first; c < first + commits; c++) {
      TransactionBuilder b = table.createTransactionBuilder(engine, "tributary-test KernelWrite", c == 0 ? Operation.CREATE_TABLE : Operation.WRITE);
      if (c == 0) b = b.withSchema(engine, SCHEMA).withPartitionColumns(engine, List.of("day"));
      else b = b.withTransactionId(engine, "kernel-writer", c);
      if (c == 2) b = b.withTableProperties(engine, Map.of("delta.appendOnly", "true"));
      Transaction txn = b.build(engine);
      Row state = txn.getTransactionState(engine);
      List<Row> actions = new ArrayList<>();
      for (int d = 0; d < DAYS; d++) {
        List<Long> ids = new ArrayList<>();
        for (long id = nextId; id < nextId + rows; id++) if (id % DAYS == d) ids.add(id);
        if (ids.isEmpty()) continue;
        Map<String, Literal> partition = Map.of("day", Literal.ofDate(DAY0 + d));
        CloseableIterator<FilteredColumnarBatch> logical = iterator(List.of(new FilteredColumnarBatch(batch(ids), Optional.empty())));
        CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, state, logical, partition);
        DataWriteContext ctx = Transaction.getWriteContext(engine, state, partition);
        CloseableIterator<DataFileStatus> files = engine.getParquetHandler().writeParquetFiles(ctx.getTargetDirectory(), physical, ctx.getStatisticsColumns());
        try (CloseableIterator<Row> add = Transaction.generateAppendActions(engine, state, files, ctx)) {
          while (add.hasNext()) actions.add(add.next());
        }
      }
      TransactionCommitResult result = txn.commit(engine, CloseableIterable.inMemoryIterable(iterator(actions)));
      if (result.getVersion() != c) throw new IllegalStateException("committed version " + result.getVersion() + ", expected " + c);
      for (PostCommitHook hook : result.getPostCommitHooks()) hook.threadSafeInvoke(engine);
      if (c == checkpointAt) table.checkpoint(engine, c);
      for (long id = nextId; id < nextId + rows; id++) json(out, id, c);
      nextId += rows;
    }
    System.out.print(out);
    System.out.flush();
  }

  static String name(long id) { return id % 5 == 0 ? null : "n" + id; }
  static BigDecimal price(long id) { return BigDecimal.valueOf((id * 7919) % 10_000_000 - 5_000_000, 2); }
  static long ts(long id) { return TS0 + id * 1_000_003L; }
  static int day(long id) { return DAY0 + (int) (id % DAYS); }

  /** One logical batch (all columns, partition column included) with the rows `ids`. */
  static ColumnarBatch batch(List<Long> ids) {
    int n = ids.size();
    Object[][] cols = new Object[SCHEMA.length()][n];
    for (int i = 0; i < n; i++) {
      long id = ids.get(i);
      cols[0][i] = id;
      cols[1][i] = name(id);
      cols[2][i] = id * 1.5;
      cols[3][i] = price(id);
      cols[4][i] = id % 2 == 0;
      cols[5][i] = ts(id);
      cols[6][i] = day(id);
    }
    ColumnVector[] vectors = new ColumnVector[cols.length];
    for (int k = 0; k < cols.length; k++) vectors[k] = new Vector(SCHEMA.at(k).getDataType(), cols[k]);
    return new DefaultColumnarBatch(n, SCHEMA, vectors);
  }

  /** A column vector over boxed values (null = null). */
  static final class Vector implements ColumnVector {
    private final DataType type;
    private final Object[] values;
    Vector(DataType type, Object[] values) { this.type = type; this.values = values; }
    public DataType getDataType() { return type; }
    public int getSize() { return values.length; }
    public void close() {}
    public boolean isNullAt(int i) { return values[i] == null; }
    public boolean getBoolean(int i) { return (Boolean) values[i]; }
    public int getInt(int i) { return (Integer) values[i]; }
    public long getLong(int i) { return (Long) values[i]; }
    public double getDouble(int i) { return (Double) values[i]; }
    public String getString(int i) { return (String) values[i]; }
    public BigDecimal getDecimal(int i) { return (BigDecimal) values[i]; }
  }

  static <T> CloseableIterator<T> iterator(List<T> list) {
    Iterator<T> it = list.iterator();
    return new CloseableIterator<T>() {
      public boolean hasNext() { return it.hasNext(); }
      public T next() { return it.next(); }
      public void close() {}
    };
  }

  static void json(StringBuilder sb, long id, int commit) {
    sb.append("{\"id\":").append(id).append(",\"name\":");
    String name = name(id);
    if (name == null) sb.append("null");
    else sb.append('"').append(name).append('"');
    sb.append(",\"amount\":").append(id * 1.5);
    sb.append(",\"price\":\"").append(price(id).toPlainString()).append('"');
    sb.append(",\"flag\":").append(id % 2 == 0);
    long micros = ts(id);
    LocalDateTime l = LocalDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L), ZoneOffset.UTC);
    long sub = Math.floorMod(micros, 1_000_000L);
    String frac = sub % 1000 == 0 ? String.format("%03d", sub / 1000) : String.format("%06d", sub);
    sb.append(",\"ts\":\"").append(String.format("%04d-%02d-%02dT%02d:%02d:%02d.%sZ", l.getYear(), l.getMonthValue(), l.getDayOfMonth(), l.getHour(), l.getMinute(), l.getSecond(), frac)).append('"');
    LocalDate d = LocalDate.ofEpochDay(day(id));
    sb.append(",\"day\":\"").append(String.format("%04d-%02d-%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth())).append('"');
    sb.append(",\"_commit\":").append(commit).append("}\n");
  }
}
