#!/bin/sh
# Cross-compiles libggclient with mingw-w64 and runs
# windows/client_pipe_smoke.cpp under wine: the named-pipe transport, its
# waitable handle and dispatch. Not run by ctest (wine is slow to start);
# run by hand:  tests/ipc/wine_client_smoke.sh
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
inc=$out/inc
mkdir -p "$inc/gg"
# Header-only nlohmann from Debian, without the rest of /usr/include.
ln -sfn /usr/include/nlohmann "$inc/nlohmann"
# What generate_export_header makes for a static build.
printf '#define GG_CLIENT_API\n' >"$inc/gg/client_export.h"
c=$src/ipc/client
x86_64-w64-mingw32-g++-posix -std=c++20 -O1 -Wall -Wextra -Werror \
  -I"$inc" -I"$c/include" -I"$src" -DGG_CLIENT_STATIC -DWIN32_LEAN_AND_MEAN \
  -DNOMINMAX -DUNICODE -D_UNICODE -D_WIN32_WINNT=0x0A00 -static \
  "$src/tests/ipc/windows/client_pipe_smoke.cpp" "$c/client.cpp" \
  "$c/client_core.cpp" "$c/answer.cpp" "$c/line_buffer.cpp" \
  "$c/event_queue.cpp" "$c/reasons.cpp" "$c/transport_windows.cpp" \
  -o "$out/client_pipe_smoke.exe"
echo "built $out/client_pipe_smoke.exe"
wine=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
WINEPREFIX=$out/wineprefix WINEDEBUG=-all "$wine" "$out/client_pipe_smoke.exe"
