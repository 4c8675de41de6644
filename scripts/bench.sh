#!/usr/bin/env bash
# Builds gg-agent, gg-devserver and gg-bench in Release and runs the speed and
# size benchmark of spec/agent.md §7 (bench/bench_main.cpp). Prints a table
# with PASS/MISS per target; a MISS does not fail the script (it is a
# measurement, not a test), a failure to measure does.
#
#   scripts/bench.sh [seconds per throughput run, default 3] [--json FILE]
#
# GG_BUILD_DIR picks the build directory (default build/bench). -Werror is
# off here: GCC 12 at -O3 reports a false -Wrestrict in code inlined from
# libstdc++; CI's warning gate is scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${GG_BUILD_DIR:-$root/build/bench}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGG_WERROR=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target gg-agent gg-devserver gg-bench
exec "$build/bench/gg-bench" "$@"
