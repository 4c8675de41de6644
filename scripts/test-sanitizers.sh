#!/usr/bin/env bash
# The sanitizer half of scripts/test.sh (CI runs both):
#   1. one clang tree with AddressSanitizer + UndefinedBehaviorSanitizer and
#      libFuzzer coverage: the whole ctest suite, the fuzzers' fixed-count
#      smoke runs among it (label "fuzz");
#   2. one clang tree with ThreadSanitizer: the unit and integration tests of
#      ipc/, agent/engine, agent/upstream and service/ (the end-to-end tests
#      run the TSan-built gg-agent, which is where service/ threads meet).
# Every sanitizer writes its reports to files under $reports; any file there
# fails the run, even a report from a child process (gg-agent,
# gg-devserver) whose exit status the test did not look at.
#
#   bash scripts/test-sanitizers.sh [asan|tsan]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
export CCACHE_NOHASHDIR=1
reports=${GG_SANITIZER_REPORTS:-$root/build/sanitizer-reports}
steps=("$@")
((${#steps[@]})) || steps=(asan tsan)

# -O1 keeps the suite's run time near the plain build's; line tables are
# enough for symbolized stacks and cost far less to compile and link than -g.
flags="-O1 -gline-tables-only"
configure() {  # DIR EXTRA_CMAKE_ARGS...
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    "-DCMAKE_C_FLAGS_DEBUG=$flags" "-DCMAKE_CXX_FLAGS_DEBUG=$flags" "$@" \
    >/dev/null
}

# Fails (after printing them) if any sanitizer report was written.
check_reports() {  # STEP
  shopt -s nullglob
  local found=("$reports/$1".*)
  shopt -u nullglob
  if ((${#found[@]})); then
    echo "test-sanitizers: $1: ${#found[@]} sanitizer report(s):" >&2
    for f in "${found[@]}"; do
      echo "==== $f" >&2
      head -c 20000 "$f" >&2
    done
    return 1
  fi
  echo "test-sanitizers: $1: no sanitizer reports"
}

run_asan() {
  local dir=${GG_ASAN_BUILD_DIR:-$root/build/asan}
  configure "$dir" -DGG_SANITIZE_ADDRESS=ON -DGG_BUILD_FUZZERS=ON
  cmake --build "$dir" -j"$jobs"
  # Leak detection is on (ASan's default on Linux, set here so it stays
  # so); no suppressions: none is needed today, and any added must name
  # its upstream bug in a comment here.
  ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1:log_path=$reports/asan" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/asan" \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 \
    -LE '^package$'
  # Not the package tests: the .deb that ships is the plain build's (they
  # run there); one of sanitized binaries would need the sanitizer's
  # runtime in every app that links libggclient from it.
  check_reports asan
}

run_tsan() {
  local dir=${GG_TSAN_BUILD_DIR:-$root/build/tsan}
  configure "$dir" -DGG_SANITIZE_THREAD=ON
  cmake --build "$dir" -j"$jobs" --target ipc_test ipc_integration_test \
    engine_test upstream_test upstream_integration_test service_test \
    agent_e2e_test agent_crash_loop_test gg-agent ggctl gg-devserver
  # Only what was built: the suites of the threaded modules (not
  # docs_snippets: libggclient is not built here; not the package and man
  # page checks: no thread in them, and their files are not built here).
  local sub
  for sub in tests/ipc tests/agent/engine tests/agent/upstream tests/service \
    tests/integration; do
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/tsan-suppressions.txt:log_path=$reports/tsan" \
      ctest --test-dir "$dir/$sub" --output-on-failure -j"$jobs" --timeout 600 \
      -LE '^package$' -E '_NOT_BUILT$|^service_man_pages$|^docs_snippets$'
  done
  check_reports tsan
}

rm -rf "$reports"
mkdir -p "$reports"
for step in "${steps[@]}"; do
  start=$SECONDS
  case $step in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *)
      echo "test-sanitizers: unknown step $step (asan, tsan)" >&2
      exit 2
      ;;
  esac
  echo "test-sanitizers: $step took $((SECONDS - start)) s"
done
