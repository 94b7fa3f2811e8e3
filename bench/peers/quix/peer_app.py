"""The Quix Streams side of bench:peers, written against the public quixstreams 3.x API.

Usage: python peer_app.py <stateless|windowed> <bootstrap> <input> <output> <group> <stateDir>

Prints "FIRST <epoch ms>" when the first input record reaches the dataframe (the harness times
from there, so interpreter start-up and the first rebalance are not counted), then runs until
SIGTERM. Exactly-once, 100 ms commit interval, offsets from the beginning.
Env PEERS_GRACE_MS: the windowed case's grace (default 600000; the harness always sets it).
"""

import os
import sys
import time

from quixstreams import Application

mode, bootstrap, input_name, output_name, group, state_dir = sys.argv[1:7]

_first = [True]


def mark_first() -> None:
    if _first[0]:
        _first[0] = False
        print(f"FIRST {int(time.time() * 1000)}", flush=True)


app = Application(
    broker_address=bootstrap,
    consumer_group=group,
    auto_offset_reset="earliest",
    processing_guarantee="exactly-once",
    commit_interval=0.1,
    state_dir=state_dir,
    use_changelog_topics=True,
    loglevel="WARNING",
)

input_topic = app.topic(input_name, key_deserializer="str", value_deserializer="json")

if mode == "stateless":
    output_topic = app.topic(output_name, key_serializer="str", value_serializer="json")

    def positive(v: dict) -> bool:
        mark_first()
        return v["amount"] > 0

    def add_cents(v: dict) -> dict:
        out = dict(v)
        out["amount_cents"] = round(v["amount"] * 100)
        return out

    sdf = app.dataframe(input_topic)
    sdf = sdf.filter(positive).apply(add_cents)
    sdf.to_topic(output_topic)
elif mode == "windowed":
    output_topic = app.topic(output_name, key_serializer="str", value_serializer="json")

    def merchant(v: dict) -> str:
        mark_first()
        return v["merchant_id"]

    sdf = app.dataframe(input_topic)
    sdf = sdf.group_by(merchant, name="merchant")
    # Windows close on the partition's stream time, like Kafka Streams' suppress(untilWindowCloses)
    # (quix's default closes per key).
    sdf = sdf.tumbling_window(duration_ms=60_000, grace_ms=int(os.environ.get("PEERS_GRACE_MS", "600000"))).count().final(closing_strategy="partition")
    # Key: the merchant; value: {"window": "<merchant>@<start ms>", "count": n}.
    sdf = sdf.apply(lambda w, key, ts, headers: {"window": f"{key}@{w['start']}", "count": w["value"]}, metadata=True)
    sdf.to_topic(output_topic)
else:
    raise SystemExit(f"unknown mode {mode}")

app.run()
