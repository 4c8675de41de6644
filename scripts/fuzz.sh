#!/usr/bin/env bash
# Runs one libFuzzer target for as long as asked:
#   bash scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags...]
# e.g. bash scripts/fuzz.sh upstream_answer_fuzzer 600
# Targets: the gg_add_fuzzer() calls in tests/fuzz/CMakeLists.txt. Builds
# the target in the clang ASan+UBSan tree of scripts/test-sanitizers.sh
# (build/asan), starts from the committed seeds (tests/fuzz/corpus/TARGET)
# plus what earlier runs found (build/fuzz/corpus/TARGET, kept between runs)
# and writes crashing inputs to build/fuzz/artifacts/TARGET/. A finding
# becomes a regression test by committing its input to
# tests/fuzz/regressions/TARGET/ (ctest replays it in every build).
# Ends with libFuzzer's final stats (execs, execs/s, peak RSS, coverage).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if (($# < 2)); then
  echo "usage: fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || {
  echo "fuzz.sh: SECONDS must be a whole number" >&2
  exit 2
}
seeds=$root/tests/fuzz/corpus/$target
[[ -d $seeds ]] || {
  echo "fuzz.sh: no seed corpus $seeds (unknown target?)" >&2
  exit 2
}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
export CCACHE_NOHASHDIR=1
dir=${GG_ASAN_BUILD_DIR:-$root/build/asan}
flags="-O1 -gline-tables-only"
if [[ ! -f $dir/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    "-DCMAKE_C_FLAGS_DEBUG=$flags" "-DCMAKE_CXX_FLAGS_DEBUG=$flags" \
    -DGG_SANITIZE_ADDRESS=ON -DGG_BUILD_FUZZERS=ON >/dev/null
fi
cmake --build "$dir" -j"$(nproc)" --target "$target"

corpus=$root/build/fuzz/corpus/$target
artifacts=$root/build/fuzz/artifacts/$target/
mkdir -p "$corpus" "$artifacts"
args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10
  -rss_limit_mb=2048 -artifact_prefix="$artifacts")
dict=$root/tests/fuzz/$target.dict
[[ -f $dict ]] && args+=(-dict="$dict")
regressions=$root/tests/fuzz/regressions/$target
inputs=("$corpus" "$seeds")
[[ -d $regressions ]] && inputs+=("$regressions")
# ASan's quarantine (256 MB by default) holds every freed block for a
# while: the JSON parsers free thousands per input, so without a bound the
# RSS climbs to ~400-600 MB in minutes (measured: 410 MB after 10,000 runs
# of ipc_framing_fuzzer, 45 MB with the quarantine off, same execs per CPU
# second). 64 MB still catches a use after a recent free.
exec env ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:quarantine_size_mb=64}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
  "$dir/tests/fuzz/$target" "${args[@]}" "$@" "${inputs[@]}"
