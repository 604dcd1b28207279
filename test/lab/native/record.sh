#!/usr/bin/env bash
# record.sh LESSON.pipeline [RUNS]: runs each pipeline of a lab lesson on
# this Linux machine, RUNS times (default 8), built natively with gcc from
# examples/c, with the lesson's pipe size, and writes what it printed to
# LESSON.expected: one line per distinct output, "LABEL<TAB>TIMES<TAB>OUTPUT".
# A pipeline with a race prints different outputs from run to run.
set -euo pipefail
lesson=$1
runs=${2:-8}
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for c in "$root"/examples/c/*.c; do gcc -O2 -I"$root/include" "$c" -o "$bin/$(basename "$c" .c)"; done
gcc -O2 "$root/test/lab/native/pipeline.c" -o "$bin/pipeline"
size=$(sed -n 's/^pipe-size \([0-9]*\)$/\1/p' "$lesson")
out=${lesson%.pipeline}.expected
{
  echo "# Linux $(uname -r): each pipeline run $runs times, natively (gcc -O2), with $size-byte pipes (test/lab/native/record.sh)"
  grep '^run ' "$lesson" | while IFS= read -r line; do
    label=${line#run }
    label=${label%%: *}
    command=${line#*: }
    # The command's words, "|" among them; it runs in a scratch directory (tee writes its copy there).
    read -ra words <<<"$command"
    for _ in $(seq "$runs"); do (cd "$bin" && PATH="$bin:$PATH" ./pipeline "$size" "${words[@]}" 2>/dev/null); done |
      sort | uniq -c | sort -rn | while read -r times output; do printf '%s\t%s\t%s\n' "$label" "$times" "$output"; done
  done
} >"$out"
echo "wrote $out"
