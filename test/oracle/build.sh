#!/bin/sh
# Builds the native trace runner: test/oracle/build/splicekit-oracle.
# Works from any cwd; needs only gcc and libc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
exec gcc -O2 -Wall -Wextra -o "$here/build/splicekit-oracle" "$here/runner.c"
