#!/usr/bin/env bash
# Builds the .deb with CPack from the build tree, unpacks it into a scratch
# root with dpkg -x / dpkg-deb -e, and checks what a user would get:
#   package_test.sh BUILD_DIR EXPECTED_PATH...
# Each EXPECTED_PATH (relative to /, e.g. usr/bin/gg-agent) must be in the
# package; CMake passes what cmake/GgPackaging.cmake installs.
set -euo pipefail

build_dir=$1; shift
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gg-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$scratch/out" \
  >"$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log" >&2; fail "cpack"; }
debs=("$scratch"/out/gg-agent_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one gg-agent_*.deb"
deb=${debs[0]}

dpkg-deb -c "$deb" >"$scratch/contents"
dpkg -x "$deb" "$scratch/root"
dpkg-deb -e "$deb" "$scratch/control"

for path in "$@" \
  usr/lib/systemd/system/gg-agent.service \
  usr/lib/systemd/system/gg-agent.socket \
  usr/lib/sysusers.d/gg-agent.conf \
  usr/lib/tmpfiles.d/gg-agent.conf \
  usr/share/doc/gg-agent/config.example.json; do
  [[ -e $scratch/root/$path ]] || fail "$path missing from the package"
done
# Nothing test-only or from the build tree leaks into the package.
if grep -E 'gg-devserver|_test$|/tmp/|build-' "$scratch/contents"; then
  fail "test or build files in the package"
fi
for exe in usr/bin/gg-agent usr/bin/ggctl; do
  if [[ -e $scratch/root/$exe ]]; then
    [[ -x $scratch/root/$exe ]] || fail "$exe not executable"
  fi
done

control=$scratch/control/control
grep -qx 'Package: gg-agent' "$control" || fail "package name"
grep -q '^Depends:.*libc6' "$control" || fail "no shlibdeps Depends: $(cat "$control")"
if [[ -e $scratch/root/usr/bin/gg-agent ]]; then
  for dep in libssl3 libcurl4 libsqlite3-0; do
    grep -q "^Depends:.*$dep" "$control" || fail "Depends lacks $dep"
  done
fi
for script in postinst prerm postrm; do
  [[ -x $scratch/control/$script ]] || fail "$script missing or not executable"
  sh -n "$scratch/control/$script" || fail "$script: syntax"
  # Debian's rules for maintainer scripts (POSIX sh, quoting, set -e).
  shellcheck -s sh "$scratch/control/$script" || fail "$script: shellcheck"
done
grep -qx 'activate-noawait ldconfig' "$scratch/control/triggers" ||
  fail "no ldconfig trigger for libggclient"
grep -q 'systemd-sysusers' "$scratch/control/postinst" || fail "postinst: no user"
grep -q 'deb-systemd-helper enable gg-agent.socket' "$scratch/control/postinst" ||
  fail "postinst: socket"
grep -q '^Depends:.*init-system-helpers' "$control" ||
  fail "Depends lacks init-system-helpers (deb-systemd-helper)"
for path in usr/share/man/man8/gg-agent.8.gz usr/share/man/man1/ggctl.1.gz \
  usr/share/man/man5/gg-agent.json.5.gz \
  usr/share/bash-completion/completions/ggctl \
  usr/share/bash-completion/completions/gg-agent \
  usr/share/zsh/vendor-completions/_ggctl \
  usr/share/zsh/vendor-completions/_gg-agent \
  usr/share/doc/gg-agent/copyright usr/share/doc/gg-agent/changelog.gz; do
  [[ -f $scratch/root/$path ]] || fail "$path missing from the package"
done

# Debian's own checker: no error and no warning that is not overridden
# (with its reason) in usr/share/lintian/overrides/gg-agent.
lintian --fail-on error,warning --no-tag-display-limit "$deb" \
  >"$scratch/lintian.log" 2>&1 || { cat "$scratch/lintian.log" >&2; fail "lintian"; }
if grep -E '^[EW]: ' "$scratch/lintian.log"; then
  fail "lintian reported errors or warnings"
fi

# The maintainer scripts, run against stub systemd tools that only record
# their arguments (nothing on this machine changes): first install enables
# the socket, an upgrade after the admin disabled it keeps it disabled,
# removal stops nothing when no systemd runs.
stubs=$scratch/stubs
mkdir -p "$stubs"
for tool in systemctl systemd-sysusers systemd-tmpfiles useradd deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$scratch" >"$stubs/$tool"
  chmod +x "$stubs/$tool"
done
# was-enabled answers what $WAS_ENABLED says (0: enabled or first install).
cat >"$stubs/deb-systemd-helper" <<STUB
#!/bin/sh
echo "deb-systemd-helper \$*" >>"$scratch/calls"
[ "\$1" = --quiet ] && shift
[ "\$1" = was-enabled ] && exit "\${WAS_ENABLED:-0}"
exit 0
STUB
chmod +x "$stubs/deb-systemd-helper"
run_script() { PATH=$stubs:/usr/bin:/bin sh "$scratch/control/$1" "${@:2}"; }
calls() { cat "$scratch/calls" 2>/dev/null; : >"$scratch/calls"; }
run_script postinst configure "" || fail "postinst configure (first install)"
log=$(calls)
[[ $log == *"systemd-sysusers /usr/lib/sysusers.d/gg-agent.conf"* ]] ||
  fail "postinst did not create the user: $log"
[[ $log == *"deb-systemd-helper enable gg-agent.socket"* ]] ||
  fail "postinst did not enable the socket: $log"
WAS_ENABLED=1 run_script postinst configure 0.0.9 || fail "postinst configure (upgrade)"
log=$(calls)
[[ $log != *"helper enable"* && $log == *"update-state gg-agent.socket"* ]] ||
  fail "an upgrade re-enabled a disabled socket: $log"
run_script prerm upgrade 0.1.1 || fail "prerm upgrade"
log=$(calls)
[[ $log != *"stop"* ]] || fail "an upgrade stopped the agent in prerm: $log"
if [[ ! -d /run/systemd/system ]]; then
  # No running systemd (chroot, container): nothing may try to talk to it.
  run_script postinst configure "" >/dev/null
  run_script prerm remove >/dev/null
  run_script postrm remove >/dev/null
  log=$(calls)
  [[ $log != *"systemctl"* && $log != *"deb-systemd-invoke"* ]] ||
    fail "a script talked to a systemd that is not running: $log"
  [[ $log == *"deb-systemd-helper mask gg-agent.socket gg-agent.service"* ]] ||
    fail "postrm remove did not mask the units: $log"
fi

# The pkg-config file resolves inside the unpacked tree (prefix from pcfiledir).
pc=$(find "$scratch/root" -name ggclient.pc)
if [[ -n $pc ]]; then
  PKG_CONFIG_PATH=$(dirname "$pc")
  export PKG_CONFIG_PATH
  incdir=$(pkg-config --cflags-only-I ggclient | sed 's/^ *-I//; s/ *$//')
  libdir=$(pkg-config --libs-only-L ggclient | sed 's/^ *-L//; s/ *$//')
  [[ $(realpath "$incdir") == $(realpath "$scratch/root/usr/include") ]] ||
    fail "pkg-config include dir: $incdir"
  [[ -e $libdir/libggclient.so ]] || fail "pkg-config lib dir has no libggclient.so: $libdir"
  [[ $(pkg-config --libs-only-l ggclient) == *"-lggclient"* ]] || fail "pkg-config libs"
  [[ -e $scratch/root/usr/include/gg/client.h ]] || fail "gg/client.h missing"
  [[ -e $scratch/root/usr/include/gg/client.hpp ]] || fail "gg/client.hpp missing"
  # The pkg-config route of docs/integration.md: an app builds and links
  # against the packaged headers and library alone.
  printf '#include "gg/client.h"\nint main(void) { gg_client_free(gg_client_new(0)); return 0; }\n' \
    >"$scratch/app.c"
  # shellcheck disable=SC2046  # pkg-config's flags are separate words
  cc -std=c99 -Wall -Werror "$scratch/app.c" $(pkg-config --cflags --libs ggclient) \
    -o "$scratch/app" || fail "an app does not build with pkg-config ggclient"
fi
echo "package OK: $(basename "$deb")"
