#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, and
# only those that are missing (so a prepared machine makes no apt call).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang-format
  libasio-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev libexpected-dev
  libspdlog-dev libcli11-dev libcpp-httplib-dev
  sqlite3 curl openssl python3 systemd file libfaketime strace ccache
  scdoc man-db lintian shellcheck zsh bash-completion
  python3-pip nodejs tinyproxy
  # scripts/test-sanitizers.sh and scripts/fuzz.sh: clang's ASan, UBSan,
  # TSan and libFuzzer runtimes, and llvm-symbolizer for their stacks.
  clang libclang-rt-14-dev llvm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
