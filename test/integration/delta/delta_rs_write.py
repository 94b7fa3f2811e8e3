#!/usr/bin/env python3
"""Writes a Delta table with delta-rs (python deltalake) for the Delta source tests: APPENDS
appends of ROWS rows each (columns id long, name string, amount double, day date partition),
a checkpoint after CHECKPOINT_AT appends (DeltaTable.create_checkpoint), then one append that
adds a nullable column `note` (schema_mode="merge"); with OPTIMIZE given, then
DeltaTable.optimize.compact() (remove + add with dataChange=false) and one more append. Prints the
rows written as JSON lines of {"id", "name", "amount", "day", "note"} in append order.
Usage: delta_rs_write.py TABLE APPENDS ROWS CHECKPOINT_AT [OPTIMIZE]"""
import datetime as dt
import json
import os
import sys

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

table, appends, rows, checkpoint_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
out = []
next_id = 0
for a in range(appends):
    ids = list(range(next_id, next_id + rows))
    next_id += rows
    data = pa.table({
        "id": pa.array(ids, pa.int64()),
        "name": pa.array([None if i % 5 == 0 else f"n{i}" for i in ids], pa.string()),
        "amount": pa.array([i * 1.5 for i in ids], pa.float64()),
        "day": pa.array([dt.date(2024, 1, 1 + i % 3) for i in ids], pa.date32()),
    })
    write_deltalake(table, data, mode="append", partition_by=["day"])
    out += [{"id": i, "name": None if i % 5 == 0 else f"n{i}", "amount": i * 1.5, "day": str(dt.date(2024, 1, 1 + i % 3)), "note": None} for i in ids]
    if a + 1 == checkpoint_at:
        DeltaTable(table).create_checkpoint()
ids = list(range(next_id, next_id + rows))
data = pa.table({
    "id": pa.array(ids, pa.int64()),
    "name": pa.array([f"n{i}" for i in ids], pa.string()),
    "amount": pa.array([i * 1.5 for i in ids], pa.float64()),
    "day": pa.array([dt.date(2024, 1, 1 + i % 3) for i in ids], pa.date32()),
    "note": pa.array([f"note{i}" for i in ids], pa.string()),
})
write_deltalake(table, data, mode="append", partition_by=["day"], schema_mode="merge")
out += [{"id": i, "name": f"n{i}", "amount": i * 1.5, "day": str(dt.date(2024, 1, 1 + i % 3)), "note": f"note{i}"} for i in ids]
if len(sys.argv) > 5 and sys.argv[5] == "OPTIMIZE":
    DeltaTable(table).optimize.compact()
    ids = list(range(next_id + rows, next_id + 2 * rows))
    data = pa.table({
        "id": pa.array(ids, pa.int64()),
        "name": pa.array([f"n{i}" for i in ids], pa.string()),
        "amount": pa.array([i * 1.5 for i in ids], pa.float64()),
        "day": pa.array([dt.date(2024, 1, 1 + i % 3) for i in ids], pa.date32()),
        "note": pa.array([None for i in ids], pa.string()),
    })
    write_deltalake(table, data, mode="append", partition_by=["day"])
    out += [{"id": i, "name": f"n{i}", "amount": i * 1.5, "day": str(dt.date(2024, 1, 1 + i % 3)), "note": None} for i in ids]
for r in out:
    print(json.dumps(r))
sys.stdout.flush()
os._exit(0)
