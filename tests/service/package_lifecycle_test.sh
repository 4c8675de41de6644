#!/usr/bin/env bash
# shellcheck disable=SC2016  # dpkg-query's ${Field} formats are not shell
# Installs, upgrades, removes and purges the .deb with dpkg for real, in a
# throwaway root: a copy-on-write overlay of this machine's root file system
# (upper layer on a tmpfs, in a private mount namespace), entered with
# chroot. dpkg, its database, systemd-sysusers and deb-systemd-helper are
# the machine's own; nothing of it changes. Root only (CI runs as root).
#   package_lifecycle_test.sh BUILD_DIR
# Exit 77 (skip) when not root or when the overlay cannot be made.
set -euo pipefail

build_dir=$1
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (dpkg into a throwaway root)"
  exit 77
fi

if [[ ${GG_IN_OVERLAY:-} != 1 ]]; then
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/gg-dpkg.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  # Two packages of different versions from the same build.
  for version in 0.1.0 0.1.1; do
    cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$scratch/$version" \
      -D CPACK_PACKAGE_VERSION=$version >"$scratch/cpack-$version.log" 2>&1 ||
      { cat "$scratch/cpack-$version.log" >&2; echo "FAIL: cpack $version" >&2; exit 1; }
  done
  export GG_IN_OVERLAY=1 GG_SCRATCH=$scratch
  # Not exec: this shell's trap removes the scratch directory afterwards.
  status=0
  unshare --mount --propagation private -- "$0" "$@" || status=$?
  exit "$status"
fi

# In the private mount namespace from here on.
fail() { echo "FAIL: $*" >&2; exit 1; }
scratch=$GG_SCRATCH
mkdir -p "$scratch/ov"
mount -t tmpfs tmpfs "$scratch/ov" -o size=512m,mode=0700 ||
  { echo "SKIP: cannot mount a tmpfs"; exit 77; }
mkdir -p "$scratch/ov/upper" "$scratch/ov/work" "$scratch/ov/root"
if ! mount -t overlay overlay \
  -o "lowerdir=/,upperdir=$scratch/ov/upper,workdir=$scratch/ov/work" \
  "$scratch/ov/root" 2>"$scratch/overlay.err"; then
  echo "SKIP: no overlay of / here: $(cat "$scratch/overlay.err")"
  exit 77
fi
root=$scratch/ov/root
for fs in proc sys dev; do
  mount --rbind "/$fs" "$root/$fs"
done
mkdir -p "$root/tmp/debs"
cp "$scratch"/0.1.0/gg-agent_*.deb "$root/tmp/debs/old.deb"
cp "$scratch"/0.1.1/gg-agent_*.deb "$root/tmp/debs/new.deb"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }

# The throwaway root must not have the package yet (a dev machine might).
if in_root dpkg-query -W gg-agent >/dev/null 2>&1; then
  in_root dpkg --purge gg-agent >/dev/null || fail "could not purge a preinstalled gg-agent"
fi

# --- Install -------------------------------------------------------------
in_root dpkg -i /tmp/debs/old.deb >"$scratch/install.log" 2>&1 ||
  { cat "$scratch/install.log" >&2; fail "dpkg -i"; }
if grep -Ei 'warning|error' "$scratch/install.log"; then
  fail "dpkg -i printed warnings"
fi
[[ $(in_root dpkg-query -W -f '${Status} ${Version}' gg-agent) == \
  "install ok installed 0.1.0" ]] || fail "not installed"
in_root getent passwd gg-agent >/dev/null || fail "no gg-agent user"
in_root getent group gg-agent >/dev/null || fail "no gg-agent group"
[[ $(in_root stat -c '%U %a' /var/lib/gg-agent) == "gg-agent 700" ]] ||
  fail "state dir: $(in_root stat -c '%U %a' /var/lib/gg-agent)"
[[ $(in_root stat -c '%U:%G %a' /etc/gg-agent) == "root:gg-agent 750" ]] ||
  fail "config dir: $(in_root stat -c '%U:%G %a' /etc/gg-agent)"
wants=/etc/systemd/system/sockets.target.wants/gg-agent.socket
[[ -L $root$wants ]] || fail "the socket is not enabled"
# (Output captured first: grep -q closing the pipe early would fail it
# under pipefail.)
cache=$(in_root ldconfig -p)
[[ $cache == *libggclient.so.0* ]] || fail "ldconfig does not know libggclient"
in_root gg-agent version >/dev/null || fail "the installed gg-agent does not run"
# The manual pages are found by name, as an admin would look them up.
for page in gg-agent ggctl gg-agent.json; do
  in_root man -w "$page" >/dev/null || fail "man $page not found"
done
in_root dpkg -L gg-agent >"$scratch/files"

# --- Upgrade, the admin having disabled the socket ------------------------
in_root systemctl disable gg-agent.socket >/dev/null 2>&1 || fail "systemctl disable"
[[ ! -e $root$wants ]] || fail "disable left the socket enabled"
in_root touch /var/lib/gg-agent/cache.db
in_root dpkg -i /tmp/debs/new.deb >"$scratch/upgrade.log" 2>&1 ||
  { cat "$scratch/upgrade.log" >&2; fail "dpkg -i (upgrade)"; }
[[ $(in_root dpkg-query -W -f '${Version}' gg-agent) == 0.1.1 ]] || fail "not upgraded"
[[ ! -e $root$wants ]] || fail "the upgrade re-enabled a disabled socket"
[[ -f $root/var/lib/gg-agent/cache.db ]] || fail "the upgrade lost the state"

# --- Remove: files go, state stays ------------------------------------------
in_root systemctl enable gg-agent.socket >/dev/null 2>&1 || fail "systemctl enable"
in_root dpkg -r gg-agent >"$scratch/remove.log" 2>&1 ||
  { cat "$scratch/remove.log" >&2; fail "dpkg -r"; }
[[ -f $root/var/lib/gg-agent/cache.db ]] || fail "remove deleted the state"
[[ ! -e $root/usr/bin/gg-agent ]] || fail "remove left /usr/bin/gg-agent"

# --- Purge: nothing of the package is left ----------------------------------
in_root dpkg -P gg-agent >"$scratch/purge.log" 2>&1 ||
  { cat "$scratch/purge.log" >&2; fail "dpkg -P"; }
status=$(in_root dpkg-query -W -f '${Status}' gg-agent 2>/dev/null || true)
[[ -z $status || $status == "unknown ok not-installed" ]] ||
  fail "still known to dpkg: $status"
[[ ! -e $root/var/lib/gg-agent ]] || fail "purge left /var/lib/gg-agent"
[[ ! -e $root$wants && ! -L $root$wants ]] || fail "purge left the socket enabled"
[[ ! -L $root/etc/systemd/system/gg-agent.socket ]] || fail "purge left a mask"
if compgen -G "$root/var/lib/systemd/deb-systemd-helper-enabled/*gg-agent*" >/dev/null ||
  [[ -e $root/var/lib/systemd/deb-systemd-helper-enabled/sockets.target.wants/gg-agent.socket ]]; then
  fail "purge left deb-systemd-helper state"
fi
while read -r path; do
  [[ -d $root$path && ! -L $root$path ]] && continue  # shared directories
  [[ ! -e $root$path && ! -L $root$path ]] || fail "purge left $path"
done <"$scratch/files"
cache=$(in_root ldconfig -p)
[[ $cache != *libggclient* ]] || fail "ldconfig still lists libggclient"
echo "package lifecycle OK: install, upgrade, remove, purge"
