import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.*;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table with Delta Kernel (Java) and prints one JSON object:
 * {"reader":"delta-kernel","version":N,"numFiles":N,"partitionColumns":[...],"rows":[...],"txn":{...}}
 * Usage: java -cp <jars>:<classes> KernelRead TABLE_DIR [--app-id ID ...]
 * Values use tributary's JSON form (see scripts/delta-readers/delta_rs_read.py).
 */
public final class KernelRead {
  private static final long MAX_SAFE = (1L << 53) - 1;

  public static void main(String[] args) throws Exception {
    String path = new java.io.File(args[0]).getAbsolutePath();
    List<String> appIds = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--app-id")) appIds.add(args[++i]);
      else throw new IllegalArgumentException("unknown argument " + args[i]);
    }
    Engine engine = DefaultEngine.create(new Configuration());
    Table table = Table.forPath(engine, path);
    Snapshot snapshot = table.getLatestSnapshot(engine);
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    StructType logical = ScanStateRow.getLogicalSchema(scanState);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
    StringBuilder rows = new StringBuilder("[");
    int numFiles = 0;
    boolean firstRow = true;
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        FilteredColumnarBatch fileBatch = files.next();
        try (CloseableIterator<Row> fileRows = fileBatch.getRows()) {
          while (fileRows.hasNext()) {
            Row scanFile = fileRows.next();
            numFiles++;
            FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
            CloseableIterator<ColumnarBatch> physicalData = engine.getParquetHandler()
                .readParquetFiles(singleton(status), physical, Optional.empty());
            try (CloseableIterator<FilteredColumnarBatch> data = Scan.transformPhysicalData(engine, scanState, scanFile, physicalData)) {
              while (data.hasNext()) {
                try (CloseableIterator<Row> it = data.next().getRows()) {
                  while (it.hasNext()) {
                    Row r = it.next();
                    if (!firstRow) rows.append(',');
                    firstRow = false;
                    writeStruct(rows, r, r.getSchema());
                  }
                }
              }
            }
          }
        }
      }
    }
    rows.append(']');
    StringBuilder out = new StringBuilder("{\"reader\":\"delta-kernel\",\"version\":").append(snapshot.getVersion());
    out.append(",\"numFiles\":").append(numFiles).append(",\"partitionColumns\":[");
    List<String> pcs = snapshot.getPartitionColumnNames();
    for (int i = 0; i < pcs.size(); i++) {
      if (i > 0) out.append(',');
      str(out, pcs.get(i));
    }
    out.append("],\"schemaFields\":").append(logical.fields().size());
    out.append(",\"rows\":").append(rows).append(",\"txn\":{");
    for (int i = 0; i < appIds.size(); i++) {
      if (i > 0) out.append(',');
      str(out, appIds.get(i));
      Optional<Long> v = ((SnapshotImpl) snapshot).getLatestTransactionVersion(engine, appIds.get(i));
      out.append(':').append(v.isPresent() ? String.valueOf(v.get()) : "null");
    }
    out.append("}}");
    System.out.println(out);
  }

  private static <T> CloseableIterator<T> singleton(T value) {
    return new CloseableIterator<T>() {
      private boolean done;
      public boolean hasNext() { return !done; }
      public T next() { done = true; return value; }
      public void close() {}
    };
  }

  private static void writeStruct(StringBuilder sb, Row r, StructType t) {
    sb.append('{');
    for (int i = 0; i < t.fields().size(); i++) {
      if (i > 0) sb.append(',');
      StructField f = t.fields().get(i);
      str(sb, f.getName());
      sb.append(':');
      if (r.isNullAt(i)) { sb.append("null"); continue; }
      DataType dt = f.getDataType();
      if (dt instanceof StructType) writeStruct(sb, r.getStruct(i), (StructType) dt);
      else if (dt instanceof ArrayType) writeArray(sb, r.getArray(i), (ArrayType) dt);
      else if (dt instanceof MapType) writeMap(sb, r.getMap(i), (MapType) dt);
      else writeScalar(sb, dt, r.getSchema() == null ? null : r, null, i);
    }
    sb.append('}');
  }

  private static void writeArray(StringBuilder sb, ArrayValue a, ArrayType t) {
    sb.append('[');
    ColumnVector v = a.getElements();
    for (int i = 0; i < a.getSize(); i++) {
      if (i > 0) sb.append(',');
      writeVectorValue(sb, v, t.getElementType(), i);
    }
    sb.append(']');
  }

  private static void writeMap(StringBuilder sb, MapValue m, MapType t) {
    sb.append('{');
    for (int i = 0; i < m.getSize(); i++) {
      if (i > 0) sb.append(',');
      str(sb, m.getKeys().getString(i));
      sb.append(':');
      writeVectorValue(sb, m.getValues(), t.getValueType(), i);
    }
    sb.append('}');
  }

  private static void writeVectorValue(StringBuilder sb, ColumnVector v, DataType dt, int i) {
    if (v.isNullAt(i)) { sb.append("null"); return; }
    if (dt instanceof ArrayType) writeArray(sb, v.getArray(i), (ArrayType) dt);
    else if (dt instanceof MapType) writeMap(sb, v.getMap(i), (MapType) dt);
    else if (dt instanceof StructType) {
      StructType st = (StructType) dt;
      sb.append('{');
      for (int k = 0; k < st.fields().size(); k++) {
        if (k > 0) sb.append(',');
        str(sb, st.fields().get(k).getName());
        sb.append(':');
        writeVectorValue(sb, v.getChild(k), st.fields().get(k).getDataType(), i);
      }
      sb.append('}');
    } else writeScalar(sb, dt, null, v, i);
  }

  /** One scalar from a Row (r != null) or a ColumnVector. */
  private static void writeScalar(StringBuilder sb, DataType dt, Row r, ColumnVector v, int i) {
    if (dt instanceof StringType) str(sb, r != null ? r.getString(i) : v.getString(i));
    else if (dt instanceof LongType) lng(sb, r != null ? r.getLong(i) : v.getLong(i));
    else if (dt instanceof IntegerType) sb.append(r != null ? r.getInt(i) : v.getInt(i));
    else if (dt instanceof ShortType) sb.append(r != null ? r.getShort(i) : v.getShort(i));
    else if (dt instanceof ByteType) sb.append(r != null ? r.getByte(i) : v.getByte(i));
    else if (dt instanceof DoubleType) dbl(sb, r != null ? r.getDouble(i) : v.getDouble(i));
    else if (dt instanceof FloatType) dbl(sb, (double) (r != null ? r.getFloat(i) : v.getFloat(i)));
    else if (dt instanceof BooleanType) sb.append(r != null ? r.getBoolean(i) : v.getBoolean(i));
    else if (dt instanceof DateType) {
      LocalDate d = LocalDate.ofEpochDay(r != null ? r.getInt(i) : v.getInt(i));
      str(sb, String.format("%04d-%02d-%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth()));
    } else if (dt instanceof TimestampType) {
      long micros = r != null ? r.getLong(i) : v.getLong(i);
      Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
      java.time.LocalDateTime l = java.time.LocalDateTime.ofInstant(t, ZoneOffset.UTC);
      long sub = Math.floorMod(micros, 1_000_000L);
      String frac = sub % 1000 == 0 ? String.format("%03d", sub / 1000) : String.format("%06d", sub);
      str(sb, String.format("%04d-%02d-%02dT%02d:%02d:%02d.%sZ", l.getYear(), l.getMonthValue(), l.getDayOfMonth(),
          l.getHour(), l.getMinute(), l.getSecond(), frac));
    } else if (dt instanceof DecimalType) str(sb, (r != null ? r.getDecimal(i) : v.getDecimal(i)).toPlainString());
    else if (dt instanceof BinaryType) str(sb, Base64.getEncoder().encodeToString(r != null ? r.getBinary(i) : v.getBinary(i)));
    else throw new IllegalStateException("unsupported type " + dt);
  }

  private static void lng(StringBuilder sb, long x) {
    if (x > MAX_SAFE || x < -MAX_SAFE) str(sb, Long.toString(x));
    else sb.append(x);
  }

  private static void dbl(StringBuilder sb, double d) {
    if (Double.isNaN(d)) str(sb, "NaN");
    else if (Double.isInfinite(d)) str(sb, d > 0 ? "Infinity" : "-Infinity");
    else sb.append(d);
  }

  private static void str(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        default:
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
      }
    }
    sb.append('"');
  }
}
