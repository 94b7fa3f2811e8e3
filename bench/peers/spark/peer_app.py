"""The Spark Structured Streaming side of bench:peers (pyspark 4.2.0 from PyPI, the Kafka
connector from Maven), written against the public pyspark API.

Usage: python peer_app.py <stateless|windowed> <bootstrap> <input> <output> <queryName> <stateDir>
(env SPARK_KAFKA_JARS: comma-separated connector jars).

Spark's Kafka sink is at-least-once (no transactions), so this peer is NOT exactly-once; the
100 ms processing-time trigger stands in for the commit interval. Windowed: a 10-minute
watermark on the record timestamp, 1-minute tumbling windows, count, append mode (final results
only, like suppress(untilWindowCloses)). Prints "FIRST <epoch ms>" when the query starts (Spark
has no cheap per-record hook), then runs until SIGTERM.
"""

import os
import signal
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQueryListener
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

mode, bootstrap, input_name, output_name, query_name, state_dir = sys.argv[1:7]

spark = (
    SparkSession.builder.master("local[2]")
    .appName(query_name)
    .config("spark.jars", os.environ["SPARK_KAFKA_JARS"])
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.enabled", "false")
    .config("spark.local.dir", state_dir)
    .getOrCreate()
)
spark.sparkContext.setLogLevel("WARN")


class FirstListener(StreamingQueryListener):
    def onQueryStarted(self, event):
        print(f"FIRST {int(time.time() * 1000)}", flush=True)

    def onQueryProgress(self, event):
        pass

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        pass


spark.streams.addListener(FirstListener())

schema = StructType(
    [
        StructField("transaction_id", StringType()),
        StructField("account_id", StringType()),
        StructField("merchant_id", StringType()),
        StructField("amount", DoubleType()),
        StructField("currency", StringType()),
        StructField("transaction_type", StringType()),
        StructField("status", StringType()),
        StructField("transaction_timestamp", StringType()),
    ]
)

source = (
    spark.readStream.format("kafka")
    .option("kafka.bootstrap.servers", bootstrap)
    .option("subscribe", input_name)
    .option("startingOffsets", "earliest")
    .load()
)
events = source.select(
    F.col("key").cast("string").alias("key"),
    F.from_json(F.col("value").cast("string"), schema).alias("e"),
    F.col("timestamp"),
)

if mode == "stateless":
    out = (
        events.where(F.col("e.amount") > 0)
        .select(
            "key",
            F.to_json(F.struct(F.col("e.*"), F.round(F.col("e.amount") * 100).cast("long").alias("amount_cents"))).alias("value"),
        )
    )
    output_mode = "append"
elif mode == "windowed":
    out = (
        events.select(F.col("e.merchant_id").alias("merchant_id"), "timestamp")
        .withWatermark("timestamp", "10 minutes")
        .groupBy(F.window("timestamp", "1 minute"), "merchant_id")
        .count()
        .select(
            F.concat_ws("@", "merchant_id", F.unix_millis(F.col("window.start")).cast("string")).alias("key"),
            F.col("count").cast("string").alias("value"),
        )
    )
    output_mode = "append"
else:
    raise SystemExit(f"unknown mode {mode}")

query = (
    out.writeStream.format("kafka")
    .option("kafka.bootstrap.servers", bootstrap)
    .option("topic", output_name)
    .option("checkpointLocation", os.path.join(state_dir, "checkpoint"))
    .outputMode(output_mode)
    .trigger(processingTime="100 milliseconds")
    .queryName(query_name.replace("-", "_"))
    .start()
)


def stop(*_):
    query.stop()
    spark.stop()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
query.awaitTermination()
