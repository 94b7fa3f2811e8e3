"""Writes small Delta tables with real Apache Spark + Delta Lake (pyspark 3.5, delta-spark 3.2) as
test fixtures for tributary's Delta source, and the rows each version added as JSON next to them.

    python spark_write.py OUT_DIR

OUT_DIR/main      appends (partitioned by day), an added nullable column (mergeSchema), OPTIMIZE
                  (dataChange=false), checkpoints every 3 versions, a partition DELETE (removes
                  only), a row DELETE (rewrites files: remove + add), a last append
OUT_DIR/dv        deletion vectors enabled (a reader feature) and a row DELETE that writes one
OUT_DIR/expected.json   per table: the operations, and per version the rows it added (JSON form:
                  timestamps ISO-8601 UTC with microseconds, dates YYYY-MM-DD, decimals as strings)

Needs Java 17 and `pip install 'pyspark==3.5.*' 'delta-spark==3.2.*'`; delta-spark resolves its
jars from Maven Central through Ivy on first use. Regenerate with `npm run fixtures:delta-spark`.
"""
import datetime as dt
import decimal
import json
import os
import shutil
import sys

from delta import configure_spark_with_delta_pip
from pyspark.sql import SparkSession, functions as F, types as T

out = os.path.abspath(sys.argv[1])
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)

builder = (
    SparkSession.builder.master("local[1]")
    .appName("tributary-spark-fixtures")
    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.driver.memory", "512m")
)
spark = configure_spark_with_delta_pip(builder).getOrCreate()
spark.sparkContext.setLogLevel("ERROR")

BASE = T.StructType(
    [
        T.StructField("id", T.LongType(), False),
        T.StructField("name", T.StringType(), True),
        T.StructField("amount", T.DoubleType(), True),
        T.StructField("price", T.DecimalType(10, 2), True),
        T.StructField("flag", T.BooleanType(), True),
        T.StructField("qty", T.IntegerType(), True),
        T.StructField("ts", T.TimestampType(), True),
        T.StructField("day", T.DateType(), True),
    ]
)
WITH_NOTE = T.StructType(BASE.fields + [T.StructField("note", T.StringType(), True)])
DAYS = [dt.date(2024, 6, 1), dt.date(2024, 6, 2), dt.date(2024, 6, 3)]
T0 = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)


def make_rows(start, n, note=False):
    rows = []
    for i in range(start, start + n):
        r = {
            "id": i,
            "name": None if i % 7 == 3 else f"name-{i}-\u00e9",
            "amount": None if i % 11 == 5 else i * 1.25 + 0.5,
            "price": None if i % 13 == 6 else decimal.Decimal(f"{(i * 37) % 100000 - 20000}.{i % 100:02d}"),
            "flag": None if i % 5 == 4 else i % 2 == 0,
            "qty": None if i % 9 == 8 else (i * 7919) % 200000 - 100000,
            "ts": None if i % 17 == 9 else T0 + dt.timedelta(seconds=i * 3607, microseconds=(i * 123457) % 1000000),
            "day": DAYS[i % 3],
        }
        if note:
            r["note"] = None if i % 2 else f"note {i}"
        rows.append(r)
    return rows


def json_form(r):
    o = {}
    for k, v in r.items():
        if v is None:
            o[k] = None
        elif isinstance(v, dt.datetime):
            v = v.astimezone(dt.timezone.utc)
            o[k] = v.strftime("%Y-%m-%dT%H:%M:%S") + (f".{v.microsecond:06d}" if v.microsecond else "") + "Z"
        elif isinstance(v, dt.date):
            o[k] = v.isoformat()
        elif isinstance(v, decimal.Decimal):
            o[k] = str(v)
        else:
            o[k] = v
    return o


def commit_actions(table, version):
    with open(os.path.join(table, "_delta_log", f"{version:020d}.json")) as f:
        return [json.loads(line) for line in f if line.strip()]


def last_version(table):
    return max(int(f[:20]) for f in os.listdir(os.path.join(table, "_delta_log")) if f.endswith(".json"))


def df(rows, schema):
    return spark.createDataFrame([tuple(r.get(f.name) for f in schema.fields) for r in rows], schema).coalesce(1)


def rows_of_added_files(table, version, schema):
    """Rows of the files a commit added (dataChange=true), read back by Spark at that version."""
    adds = {a["add"]["path"] for a in commit_actions(table, version) if "add" in a and a["add"].get("dataChange", True)}
    d = spark.read.format("delta").option("versionAsOf", version).load(table)
    d = d.withColumn("_file", F.input_file_name())
    got = []
    for row in d.collect():
        rel = os.path.relpath(row["_file"].replace("file:", ""), table)
        if any(os.path.normpath(rel) == os.path.normpath(p.replace("%3D", "=").replace("%2D", "-")) for p in adds):
            got.append({f.name: row[f.name] for f in schema.fields})
    return got


log = {}


def record(table_key, table, op, rows=None, **extra):
    v = last_version(table)
    actions = commit_actions(table, v)
    entry = {
        "version": v,
        "operation": op,
        "adds": sum(1 for a in actions if "add" in a),
        "addsDataChange": sum(1 for a in actions if "add" in a and a["add"].get("dataChange", True)),
        "removes": sum(1 for a in actions if "remove" in a),
        "removesDataChange": sum(1 for a in actions if "remove" in a and a["remove"].get("dataChange", True)),
        "metaData": any("metaData" in a for a in actions),
        "deletionVectors": sum(1 for a in actions if "add" in a and a["add"].get("deletionVector")),
        "rows": [json_form(r) for r in rows] if rows is not None else [],
        **extra,
    }
    log.setdefault(table_key, []).append(entry)
    print(f"{table_key} v{v} {op}: +{entry['addsDataChange']} files ({len(entry['rows'])} rows), -{entry['removesDataChange']}", flush=True)


# ---- main: the stream-relevant history ----
main = os.path.join(out, "main")
r = make_rows(0, 12)
(
    df(r, BASE)
    .write.format("delta")
    .partitionBy("day")
    .option("delta.checkpointInterval", "3")
    .option("delta.enableDeletionVectors", "false")
    .save(main)
)
record("main", main, "CREATE TABLE AS / WRITE", r)
nid = 12
for _ in range(2):
    r = make_rows(nid, 9)
    nid += 9
    df(r, BASE).write.format("delta").mode("append").save(main)
    record("main", main, "WRITE (append)", r)
r = make_rows(nid, 9, note=True)
nid += 9
df(r, WITH_NOTE).write.format("delta").mode("append").option("mergeSchema", "true").save(main)
record("main", main, "WRITE (append, mergeSchema adds nullable column note)", r)
spark.sql(f"OPTIMIZE delta.`{main}`")
record("main", main, "OPTIMIZE")
r = make_rows(nid, 9, note=True)
nid += 9
df(r, WITH_NOTE).write.format("delta").mode("append").save(main)
record("main", main, "WRITE (append)", r)
spark.sql(f"DELETE FROM delta.`{main}` WHERE day = DATE'2024-06-03'")
record("main", main, "DELETE (whole partition: removes only)")
spark.sql(f"DELETE FROM delta.`{main}` WHERE id % 4 = 1")
v = last_version(main)
record("main", main, "DELETE (rows: files rewritten, remove + add)", rows_of_added_files(main, v, WITH_NOTE))
r = make_rows(nid, 9, note=True)
nid += 9
df(r, WITH_NOTE).write.format("delta").mode("append").save(main)
record("main", main, "WRITE (append)", r)
final = [json_form({f.name: row[f.name] for f in WITH_NOTE.fields}) for row in spark.read.format("delta").load(main).collect()]

# ---- dv: deletion vectors ----
dv = os.path.join(out, "dv")
r = make_rows(1000, 10)
df(r, BASE).write.format("delta").option("delta.enableDeletionVectors", "true").save(dv)
record("dv", dv, "WRITE (deletion vectors enabled)", r)
spark.sql(f"DELETE FROM delta.`{dv}` WHERE id = 1003")
record("dv", dv, "DELETE (one row: a deletion vector)")

expected = {
    "writer": f"pyspark {spark.version}, delta-spark {__import__('importlib.metadata').metadata.version('delta-spark')}",
    "tables": log,
    "mainFinalRows": sorted(final, key=lambda x: x["id"]),
}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
# Spark's own files that a reader never needs: Hadoop's .crc sidecars stay (readers must ignore them).
spark.stop()
