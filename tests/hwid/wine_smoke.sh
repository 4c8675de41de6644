#!/bin/sh
# Cross-compiles the Windows collector with mingw-w64 and runs
# windows_smoke_main.cpp under wine64. Not run by ctest (wine is slow to
# start and not in scripts/deps.sh); run by hand:  tests/hwid/wine_smoke.sh
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
inc=$out/inc
mkdir -p "$inc"
# Header-only dependencies from the Debian packages, without the rest of
# /usr/include (glibc headers must not shadow mingw's).
for d in tl spdlog fmt; do ln -sfn "/usr/include/$d" "$inc/$d"; done
x86_64-w64-mingw32-g++-posix -std=c++20 -O1 -Wall -Wextra -Wpedantic \
  -Wshadow -Wold-style-cast -Werror -I"$src" -I"$inc" -DFMT_HEADER_ONLY \
  -D_WIN32_WINNT=0x0A00 -static \
  "$src/tests/hwid/windows_smoke_main.cpp" \
  "$src/hwid/collector_windows.cpp" "$src/hwid/collector.cpp" \
  "$src/hwid/normalize.cpp" "$src/hwid/part.cpp" "$src/hwid/smbios.cpp" \
  "$src/hwid/storage_descriptor.cpp" \
  -liphlpapi -ladvapi32 -o "$out/hwid_smoke.exe"
echo "built $out/hwid_smoke.exe"
# Debian's wine64 package installs the loader outside PATH.
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
WINEPREFIX=$out/wineprefix WINEDEBUG=-all "$wine" "$out/hwid_smoke.exe"
