#!/usr/bin/env bash
# The Windows half of scripts/test.sh (what CI runs): the mingw-w64 builds
# of OpenSSL, curl and SQLite (scripts/deps-windows.sh: built once from
# Debian's sources, then reused from /var/cache/gg-agent), the Windows build
# (`cmake --preset mingw`, warnings as errors) and its tests under wine:
# every unit-test binary that is not POSIX-only, the service end to end
# against the Linux build's gg-devserver, the pipe checks and the installer.
#
#   scripts/test-windows.sh [LINUX_BUILD_DIR]   (default build/test)
#
# GG_WINDOWS_BUILD_DIR picks the build tree (default build/mingw, beside
# build/test, so ccache finds the same relative paths in every checkout).
# Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
linux_build=${1:-${GG_BUILD_DIR:-$root/build/test}}
build=${GG_WINDOWS_BUILD_DIR:-$root/build/mingw}
jobs=$(nproc)
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
export CCACHE_NOHASHDIR=1

t=$SECONDS
GG_MINGW_PREFIX=$(bash scripts/deps-windows.sh | tail -n 1)
export GG_MINGW_PREFIX
deps_s=$((SECONDS - t))

devserver=$linux_build/tests/devserver/gg-devserver
if [[ ! -x $devserver ]]; then
  echo "test-windows: $devserver is missing: build the Linux tree first" >&2
  exit 1
fi

t=$SECONDS
cmake --preset mingw -B "$build" -DGG_MINGW_PREFIX="$GG_MINGW_PREFIX" \
  -DGG_DEVSERVER_PATH="$devserver"
cmake --build "$build" -j"$jobs"
build_s=$((SECONDS - t))

t=$SECONDS
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600
test_s=$((SECONDS - t))
echo "test-windows: dependencies ${deps_s} s, build ${build_s} s," \
  "tests under wine ${test_s} s"
