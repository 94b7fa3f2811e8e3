#!/usr/bin/env python3
"""Reads a table written by the delta-eos test with delta-rs and prints one JSON object:
version, files, rows, and the kafka_offset values per kafka_partition (sorted, duplicates kept),
plus the txn versions of the given app ids. Usage: verify_table.py TABLE [--app-id ID ...]"""
import json
import os
import sys

import pyarrow.compute as pc
from deltalake import DeltaTable

table = sys.argv[1]
app_ids = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--app-id"]
opts = os.environ.get("DELTA_RS_STORAGE_OPTIONS")
dt = DeltaTable(table, storage_options=json.loads(opts) if opts else None)
t = dt.to_pyarrow_table(columns=["kafka_topic", "kafka_partition", "kafka_offset", "event_date", "amount_usd"])
offsets = {}
for p in sorted(set(t.column("kafka_partition").to_pylist())):
    mask = pc.equal(t.column("kafka_partition"), p)
    offsets[str(p)] = sorted(t.filter(mask).column("kafka_offset").to_pylist())
txn = {}
for a in app_ids:
    try:
        txn[a] = dt.transaction_version(a)
    except AttributeError:
        txn[a] = None
print(json.dumps({
    "version": dt.version(),
    "files": len(dt.file_uris()),
    "rows": t.num_rows,
    "topics": sorted(set(t.column("kafka_topic").to_pylist())),
    "nullDates": t.column("event_date").null_count,
    "offsets": offsets,
    "txn": txn,
    "commits": len(dt.history()),
}))
# Leave without interpreter teardown: delta-rs/Arrow native threads can abort the process at exit
# ("terminate called without an active exception") after the result is complete.
sys.stdout.flush()
import os  # noqa: E402
os._exit(0)
