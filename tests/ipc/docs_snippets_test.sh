#!/usr/bin/env bash
# Compiles every ```c and ```cpp block of a guide against libggclient's
# headers (C99 and C++17, warnings as errors), and links the blocks that
# have a main() and examples/protected_app.c with the built library: the
# guide's snippets cannot rot.
#   docs_snippets_test.sh GUIDE INCLUDE_DIR GEN_INCLUDE_DIR LIB_DIR CC CXX EXAMPLE
set -euo pipefail
guide=$1 inc=$2 gen=$3 libdir=$4 cc=$5 cxx=$6 example=$7
work=$(mktemp -d /tmp/ggsnip.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Split the fenced blocks into files: snippet-N.c / snippet-N.cpp.
awk -v dir="$work" '
  /^```c$/   { n++; out = sprintf("%s/snippet-%02d.c", dir, n); next }
  /^```cpp$/ { n++; out = sprintf("%s/snippet-%02d.cpp", dir, n); next }
  /^```/     { out = ""; next }
  out != ""  { print > out }
' "$guide"
count=$(find "$work" -name "snippet-*" | wc -l)
[[ $count -ge 4 ]] || { echo "only $count snippets found in $guide"; exit 1; }

# GG_SNIPPET_FLAGS: what a sanitized tree's library needs its apps built
# with (-fsanitize=...), set by CMake there.
read -r -a extra <<<"${GG_SNIPPET_FLAGS:-}"
flags=(-Wall -Wextra -Werror -I"$inc" -I"$gen" "${extra[@]}")
for f in "$work"/snippet-*; do
  case $f in
    *.c) compile=("$cc" -std=c99 "${flags[@]}") ;;
    *.cpp) compile=("$cxx" -std=c++17 "${flags[@]}") ;;
  esac
  if grep -q 'int main' "$f"; then
    "${compile[@]}" "$f" -L"$libdir" -lggclient -Wl,-rpath,"$libdir" -o "$f.bin" ||
      { echo "FAILED: $f"; cat -n "$f"; exit 1; }
  else
    "${compile[@]}" -c "$f" -o "$f.o" ||
      { echo "FAILED: $f"; cat -n "$f"; exit 1; }
  fi
  echo "ok: $(basename "$f")"
done
"$cc" -std=c99 "${flags[@]}" "$example" -L"$libdir" -lggclient \
  -Wl,-rpath,"$libdir" -o "$work/protected_app" ||
  { echo "FAILED: $example"; exit 1; }
echo "ok: $(basename "$example")"
