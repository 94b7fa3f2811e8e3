#!/usr/bin/env bash
# Installs the independent Delta readers used by the Delta integration tests. Idempotent.
#   delta-rs:     pip install deltalake + pyarrow (pinned below)
#   Delta Kernel: jars resolved by Maven into $TRIBUTARY_CACHE/delta-kernel/jars, KernelRead.java
#                 and KernelWrite.java compiled into $TRIBUTARY_CACHE/delta-kernel/classes
# Env: TRIBUTARY_CACHE (default ~/.cache/tributary), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/delta-kernel"
py="${PYTHON:-python3}"

if ! "$py" -c 'import deltalake, pyarrow' >/dev/null 2>&1; then
  "$py" -m pip install --quiet 'deltalake==1.6.6' 'pyarrow==26.0.1'
fi
"$py" -c 'import deltalake, pyarrow; print("delta-rs reader: deltalake", deltalake.__version__, "pyarrow", pyarrow.__version__)'

mkdir -p "$cache"
stamp="$cache/pom.sha256"
want="$(sha256sum "$here/kernel/pom.xml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$cache/jars" ]; then
  rm -rf "$cache/jars"
  (cd "$here/kernel" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$cache/jars")
  echo "$want" > "$stamp"
fi
# KernelRead (the verifier) and KernelWrite (writes tables with Kernel's write path, for the
# Delta source tests), each compiled when its source is newer than its class.
for prog in KernelRead KernelWrite; do
  src="$here/kernel/$prog.java"
  cls="$cache/classes/$prog.class"
  if [ ! -f "$cls" ] || [ "$src" -nt "$cls" ] || [ "$stamp" -nt "$cls" ]; then
    mkdir -p "$cache/classes"
    javac -nowarn -d "$cache/classes" -cp "$cache/jars/*" "$src"
  fi
done
echo "delta-kernel reader: $(ls "$cache/jars" | grep -E '^delta-kernel-api' ) in $cache"
