#!/usr/bin/env bash
# Regenerates test/fixtures/delta-spark with real Apache Spark + Delta Lake (on demand, not in CI:
# pyspark is ~320 MB and a run takes 2–7 minutes). Idempotent: the venv is made once in
# $TRIBUTARY_CACHE/spark-venv; delta-spark's jars come from Maven Central through Ivy (~/.ivy2).
# Needs Java 17 (JAVA_HOME or java on PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/spark-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyspark, delta' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'pyspark==3.5.*' 'delta-spark==3.2.*'
fi
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/python" "$here/spark_write.py" "$tmp/out"
rm -rf "$root/test/fixtures/delta-spark"
cp -r "$tmp/out" "$root/test/fixtures/delta-spark"
du -sh "$root/test/fixtures/delta-spark"
