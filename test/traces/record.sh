#!/bin/bash
# Rebuilds the native oracle and re-records test/traces/<topic>/<name>.expected
# as the exact stdout of running each .trace alone on this Linux kernel.
# Usage: bash test/traces/record.sh [TRACE...]   (default: every trace)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/test/oracle/build.sh" || { echo "record.sh: oracle build failed" >&2; exit 1; }
oracle="$root/test/oracle/build/splicekit-oracle"
cd "$root"
if [ $# -gt 0 ]; then traces=("$@"); else mapfile -t traces < <(find test/traces -name '*.trace' | sort); fi
fail=0
for t in "${traces[@]}"; do
  out="${t%.trace}.expected"
  if "$oracle" "$t" > "$out.tmp"; then
    mv "$out.tmp" "$out"
  else
    rc=$?
    echo "record.sh: $t: oracle exited with status $rc" >&2
    rm -f "$out.tmp"
    fail=1
  fi
done
echo "record.sh: ${#traces[@]} traces processed" >&2
exit $fail
