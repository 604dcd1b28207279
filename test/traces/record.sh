#!/bin/bash
# Rebuilds the native oracle and re-records test/traces/<topic>/<name>.expected
# as the exact stdout of running each .trace alone on this Linux kernel.
# On a kernel that never maps the shared zero page (`splicekit-oracle --probe
# zero-page` says no), the output goes to <name>.nozero.expected instead, and
# only where it differs from <name>.expected: the corpus keeps the common
# kernels' output as its reference.
# Usage: bash test/traces/record.sh [TRACE...]   (default: every trace)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/test/oracle/build.sh" || { echo "record.sh: oracle build failed" >&2; exit 1; }
oracle="$root/test/oracle/build/splicekit-oracle"
cd "$root"
zero=$("$oracle" --probe zero-page) || { echo "record.sh: zero-page probe failed" >&2; exit 1; }
if [ $# -gt 0 ]; then traces=("$@"); else mapfile -t traces < <(find test/traces -name '*.trace' | sort); fi
fail=0
for t in "${traces[@]}"; do
  out="${t%.trace}.expected"
  if [ "$zero" = "zero-page: no" ]; then
    if [ -e "$out" ]; then
      out="${t%.trace}.nozero.expected"
    else
      echo "record.sh: $t: new trace recorded on a kernel without the shared zero page" >&2
    fi
  fi
  if "$oracle" "$t" > "$out.tmp"; then
    if [ "$out" != "${t%.trace}.expected" ] && cmp -s "$out.tmp" "${t%.trace}.expected"; then
      rm -f "$out.tmp" "$out"
    else
      mv "$out.tmp" "$out"
    fi
  else
    rc=$?
    echo "record.sh: $t: oracle exited with status $rc" >&2
    rm -f "$out.tmp"
    fail=1
  fi
done
echo "record.sh: ${#traces[@]} traces processed" >&2
exit $fail
