#!/usr/bin/env python3
"""Reads a Delta table with delta-rs (the `deltalake` package) and prints it as one JSON object.

Usage: delta_rs_read.py TABLE_DIR [--app-id ID ...] [--filter COL OP JSON_VALUE] [--stats]

Output: {"reader": "delta-rs", "deltalake": version, "version": N, "numFiles": N,
         "partitionColumns": [...], "rows": [...], "history": [...], "txn": {appId: version|null}}
Values use tributary's JSON form: timestamps ISO-8601 UTC (milliseconds, or microseconds when
present), dates YYYY-MM-DD, decimals as plain strings, binary as base64, longs beyond 2^53 as
strings, non-finite floats as "NaN"/"Infinity"/"-Infinity", maps as objects.
"""
import base64
import datetime as dt
import decimal
import json
import math
import os
import sys

import deltalake
import pyarrow as pa
from deltalake import DeltaTable

MAX_SAFE = 2**53 - 1


def form(v, t=None):
    if v is None:
        return None
    if t is not None:
        if pa.types.is_map(t):
            return {str(k): form(x, t.item_type) for k, x in v}
        if pa.types.is_struct(t):
            return {t.field(i).name: form(v.get(t.field(i).name), t.field(i).type) for i in range(t.num_fields)}
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            return [form(x, t.value_type) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if -MAX_SAFE <= v <= MAX_SAFE else str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            raise SystemExit("timestamp without time zone read back: expected UTC-adjusted timestamps")
        u = v.astimezone(dt.timezone.utc)
        base = f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        frac = f"{u.microsecond // 1000:03d}" if u.microsecond % 1000 == 0 else f"{u.microsecond:06d}"
        return f"{base}.{frac}Z"
    if isinstance(v, dt.date):
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, dict):
        return {k: form(x) for k, x in v.items()}
    if isinstance(v, list):
        return [form(x) for x in v]
    return v


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    path = argv[1]
    app_ids = []
    filters = None
    want_stats = False
    i = 2
    while i < len(argv):
        if argv[i] == "--app-id":
            app_ids.append(argv[i + 1])
            i += 2
        elif argv[i] == "--filter":
            try:
                value = json.loads(argv[i + 3])
            except ValueError:
                value = argv[i + 3]
            filters = [(argv[i + 1], argv[i + 2], value)]
            i += 4
        elif argv[i] == "--stats":
            want_stats = True
            i += 1
        else:
            raise SystemExit(f"unknown argument {argv[i]}")
    # Object stores (s3://…): storage options as JSON in DELTA_RS_STORAGE_OPTIONS (endpoint, allow-http…).
    opts = os.environ.get("DELTA_RS_STORAGE_OPTIONS")
    table = DeltaTable(path, storage_options=json.loads(opts) if opts else None)
    data = table.to_pyarrow_table(filters=filters) if filters else table.to_pyarrow_table()
    types = {f.name: f.type for f in data.schema}
    rows = [{k: form(v, types[k]) for k, v in r.items()} for r in data.to_pylist()]
    hist = []
    for h in table.history():
        hist.append({"version": h.get("version"), "operation": h.get("operation"), "timestamp": h.get("timestamp")})
    meta = table.metadata()
    out = {
        "reader": "delta-rs",
        "deltalake": deltalake.__version__,
        "version": table.version(),
        "numFiles": len(table.file_uris()),
        "partitionColumns": list(meta.partition_columns),
        "protocol": {"minReaderVersion": table.protocol().min_reader_version, "minWriterVersion": table.protocol().min_writer_version},
        "rows": rows,
        "history": hist,
        "txn": {a: table.transaction_version(a) for a in app_ids},
    }
    if want_stats:
        adds = table.get_add_actions(flatten=True)
        adds = pa.table(adds) if not isinstance(adds, pa.Table) else adds
        out["addStats"] = [{k: form(v, adds.schema.field(k).type) for k, v in r.items()} for r in adds.to_pylist()]
    json.dump(out, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
    # Leave without interpreter teardown: delta-rs/Arrow native threads can abort the process at
    # exit ("terminate called without an active exception") after the result is complete.
    sys.stdout.flush()
    os._exit(0)
