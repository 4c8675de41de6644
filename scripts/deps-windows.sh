#!/usr/bin/env bash
# Static mingw-w64 builds of OpenSSL, libcurl and SQLite for the Windows
# build, from Debian's own source packages (apt-get source; nothing is
# downloaded from anywhere else and nothing is vendored).
#
# The libraries go into prefixes outside the tree, keyed by the source
# package versions and recipe revisions (bump a package's revision in
# `recipe` below when its build flags change):
#   ${GG_MINGW_CACHE:-/var/cache/gg-agent}/mingw-<package>_<version>-rN
# and one combined prefix with all three that the build uses,
#   .../mingw-openssl_<v>-rN-curl_<v>-rN-sqlite3_<v>-rN
# Existing complete prefixes are reused as they are. The combined prefix is
# printed as the last line on stdout; everything else goes to stderr.
#
# TLS backend of curl: Schannel. It verifies against the Windows certificate
# store (what Windows admins manage, with their enterprise roots and group
# policy), supports CURLOPT_CAINFO for a private CA and CURLOPT_PINNEDPUBLICKEY
# with sha256// pins (curl 7.58.1+), so every TLS setting of the agent's
# config means the same on Windows as on Linux. OpenSSL is still built: the
# agent's own signatures and HMACs use libcrypto.
set -euo pipefail

triple=x86_64-w64-mingw32
cache_root=${GG_MINGW_CACHE:-/var/cache/gg-agent}
jobs=${GG_JOBS:-$(nproc)}

# Versions known to build here (Debian 12). When the archive no longer
# carries one, the newest available version whose source unpacks is used
# and the prefix key follows it.
declare -A pinned=(
  [openssl]=3.0.17-1~deb12u2
  [curl]=7.88.1-10+deb12u15
  [sqlite3]=3.40.1-2+deb12u2
)

log() { echo "deps-windows: $*" >&2; }

packages=(
  gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix
  binutils-mingw-w64-x86-64 mingw-w64-x86-64-dev
  wine wine64 nsis dpkg-dev make perl tcl autoconf automake libtool
  xz-utils ca-certificates
)

install_missing() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
      grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing packages: ${missing[*]}; run as root or install them"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# apt-get source needs deb-src entries: add one beside each Debian deb entry
# (same mirror, suites and key) when there is none yet.
srcs_list=/etc/apt/sources.list.d/gg-agent-deb-src.sources
have_deb_src() {
  grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list \
    /etc/apt/sources.list.d/
}
enable_deb_src() {
  have_deb_src && return 0
  [[ $(id -u) -eq 0 ]] || { log "no deb-src entries; run as root"; exit 1; }
  local tmp f
  tmp=$(mktemp)
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -e $f ]] || continue
    # Only the Debian archive's stanzas: third-party repositories seldom
    # publish sources, and a missing index fails apt-get update.
    awk -v RS= -v ORS='\n\n' \
      '/URIs:[^\n]*debian/ && /Types:[^\n]*deb/ {
         sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
  done
  if [[ -f /etc/apt/sources.list ]]; then
    sed -n 's/^deb \(.*debian.*\)$/deb-src \1/p' /etc/apt/sources.list |
      while read -r _ uri suite comps; do
        printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n' \
          "$uri" "$suite" "$comps"
      done >>"$tmp"
  fi
  if [[ ! -s $tmp ]]; then
    rm -f "$tmp"
    log "found no Debian deb entry to add deb-src for"
    exit 1
  fi
  install -m 0644 "$tmp" "$srcs_list"
  rm -f "$tmp"
  log "added $srcs_list"
  apt-get update -q >&2
}

# Source versions to try for a package: the pinned one first when the
# archive lists it, then the others, newest first (the newest is not always
# fetchable: a security update's index can name files the mirror lacks).
candidate_versions() {
  local pkg=$1 want=${pinned[$1]} versions
  versions=$(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' |
    sort -u)
  if [[ -z $versions && $(id -u) -eq 0 ]]; then
    # deb-src entries but no source index: the update that followed adding
    # them failed (network, a broken /dev/null), or they came from elsewhere.
    log "no source index for $pkg; running apt-get update"
    apt-get update -q >&2
    versions=$(apt-cache showsrc "$pkg" 2>/dev/null |
      sed -n 's/^Version: //p' | sort -u)
  fi
  if [[ -z $versions ]]; then
    log "apt-cache showsrc $pkg found nothing (deb-src missing?)"
    exit 1
  fi
  if grep -qxF "$want" <<<"$versions"; then echo "$want"; fi
  { grep -vxF "$want" <<<"$versions" || true; } | sort -V -r
}

# apt-get source of the first candidate that fetches, unpacked in $1/$2.
# Sets fetched_version and fetched_tree.
fetch_source() {
  local dir=$1/$2 pkg=$2 ver upstream
  mkdir -p "$dir"
  for ver in $(candidate_versions "$pkg"); do
    if (cd "$dir" && apt-get source -q "$pkg=$ver") >"$dir/source.log" 2>&1; then
      [[ $ver == "${pinned[$pkg]}" ]] || log "$pkg: using $ver, not ${pinned[$pkg]}"
      upstream=${ver#*:}
      upstream=${upstream%-*}
      fetched_version=$ver
      fetched_tree=$dir/$pkg-$upstream
      return
    fi
    log "$pkg $ver: apt-get source failed, trying the next version"
    tail -n 3 "$dir/source.log" >&2
    find "$dir" -mindepth 1 -maxdepth 1 ! -name source.log -exec rm -rf {} +
  done
  log "no source version of $pkg could be fetched"
  exit 1
}

# Runs a build step with its output in a log, shown only when it fails.
run_logged() {
  local logfile=$1
  shift
  if ! "$@" >>"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    log "failed: $* (log: $logfile)"
    exit 1
  fi
}

cc=$triple-gcc-posix
export AR=$triple-ar RANLIB=$triple-ranlib RC=$triple-windres

build_openssl() {
  local src=$1 prefix=$2 dest=$3 logfile=$1.build.log
  log "building OpenSSL (libcrypto, libssl)"
  cd "$src"
  run_logged "$logfile" perl Configure mingw64 no-shared no-module \
    no-tests no-engine no-dso "--prefix=$prefix" --libdir=lib \
    "CC=$cc" "AR=$AR" "RANLIB=$RANLIB" "RC=$RC"
  # OPENSSLDIR is compiled in and libcrypto reads openssl.cnf from it (and
  # may load modules named there). Left at the prefix it would be
  # C:\var\cache\... on Windows, a folder any user may create to plant a
  # config that the LocalSystem agent loads; Configure cannot be given a
  # Windows path (the host's perl thinks C:/ is relative), so the Makefile
  # variables are overridden. Program Files is writable by administrators
  # only; nothing is installed there, so nothing is read.
  local win="C:/Program Files/GeckoGuard Agent"
  local openssl_dirs=("OPENSSLDIR=$win/ssl" "ENGINESDIR=$win/engines-3"
    "MODULESDIR=$win/ossl-modules")
  run_logged "$logfile" make -j"$jobs" build_libs "${openssl_dirs[@]}"
  if grep -aq "$cache_root" "$src/libcrypto.a"; then
    log "libcrypto.a still names $cache_root"
    exit 1
  fi
  run_logged "$logfile" make install_dev "DESTDIR=$dest" "${openssl_dirs[@]}"
}

build_curl() {
  local src=$1 prefix=$2 dest=$3 logfile=$1.build.log
  log "building libcurl (Schannel)"
  cd "$src"
  # The last two of Debian's patches turn the tree into the libcurl-gnutls
  # and libcurl-nss flavours (debian/patches/series: "used to generate
  # packages for the other crypto libraries"): take them back out, keeping
  # every security fix before them.
  local flavour
  for flavour in 99_nss.patch 90_gnutls.patch; do
    run_logged "$logfile" patch -R -p1 -i "debian/patches/$flavour"
  done
  # Debian's patches touch configure.ac; regenerate as Debian's rules do.
  run_logged "$logfile" autoreconf -fi
  run_logged "$logfile" ./configure "--host=$triple" "CC=$cc" \
    "--prefix=$prefix" --disable-shared --enable-static \
    --with-schannel --without-openssl --without-ca-bundle --without-ca-path \
    --disable-dict --disable-file --disable-ftp --disable-gopher \
    --disable-imap --disable-ldap --disable-ldaps --disable-mqtt \
    --disable-pop3 --disable-rtsp --disable-smb --disable-smtp \
    --disable-telnet --disable-tftp --disable-manual --disable-docs \
    --without-libidn2 --without-libpsl --without-zlib --without-brotli \
    --without-zstd --without-nghttp2 --without-libssh2 --without-librtmp \
    --enable-ipv6
  run_logged "$logfile" make -j"$jobs" -C lib libcurl.la
  install -D -m 0644 lib/.libs/libcurl.a "$dest$prefix/lib/libcurl.a"
  run_logged "$logfile" make -C include install "DESTDIR=$dest"
  run_logged "$logfile" make install-pkgconfigDATA "DESTDIR=$dest"
}

build_sqlite() {
  local src=$1 prefix=$2 dest=$3 logfile=$1.build.log
  log "building SQLite"
  # The source package is the full tree: make the amalgamation with host
  # tools (tclsh, cc), then compile that one file with mingw.
  mkdir -p "$src/host"
  cd "$src/host"
  run_logged "$logfile" ../configure --disable-tcl --disable-readline
  run_logged "$logfile" make sqlite3.c
  # The agent's SQLite use: threads, no extension loading, no deprecated API.
  run_logged "$logfile" "$cc" -O2 -c sqlite3.c -o sqlite3.o \
    -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION \
    -DSQLITE_OMIT_DEPRECATED -DSQLITE_DEFAULT_FOREIGN_KEYS=1 \
    -DSQLITE_DQS=0 -DSQLITE_ENABLE_API_ARMOR
  local out=$dest$prefix
  mkdir -p "$out/lib/pkgconfig" "$out/include"
  run_logged "$logfile" "$AR" rcs "$out/lib/libsqlite3.a" sqlite3.o
  install -m 0644 sqlite3.h sqlite3ext.h "$out/include/"
  local version
  version=$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' sqlite3.h)
  cat >"$out/lib/pkgconfig/sqlite3.pc" <<EOF
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: SQLite
Description: SQL database engine (static, mingw-w64)
Version: $version
Libs: -L\${libdir} -lsqlite3
Cflags: -I\${includedir}
EOF
}

# Each library has its own prefix, keyed by its source version and recipe
# revision (a change to one recipe rebuilds that library alone); the
# combined prefix the build uses holds copies of the three.
declare -A recipe=([openssl]=r1 [curl]=r2 [sqlite3]=r1)

safe_key() { echo "${1//[^A-Za-z0-9._+~-]/_}"; }
package_prefix() { echo "$cache_root/mingw-$(safe_key "$1_$2-${recipe[$1]}")"; }
combined_prefix() {
  echo "$cache_root/mingw-$(safe_key "openssl_$1-${recipe[openssl]}-curl_$2-${recipe[curl]}-sqlite3_$3-${recipe[sqlite3]}")"
}

work=
cleanup() { [[ -z $work ]] || rm -rf "$work"; }

# The version a package's prefix is (or will be) built from: the first
# candidate with a complete prefix, else the first whose source fetches
# (sources are fetched into $work only when a build is needed).
declare -A built_version
ensure_package() {
  local pkg=$1 v t
  for v in $(candidate_versions "$pkg"); do
    if [[ -f $(package_prefix "$pkg" "$v")/.complete ]]; then
      built_version[$pkg]=$v
      log "reusing $(package_prefix "$pkg" "$v")"
      return
    fi
  done
  [[ -n $work ]] || { work=$(mktemp -d "$cache_root/build.XXXXXX"); trap cleanup EXIT; }
  t=$SECONDS
  fetch_source "$work" "$pkg"
  v=$fetched_version
  local prefix dest=$work/dest-$pkg
  prefix=$(package_prefix "$pkg" "$v")
  log "building $pkg $v into $prefix"
  case $pkg in
    openssl) build_openssl "$fetched_tree" "$prefix" "$dest" ;;
    curl) build_curl "$fetched_tree" "$prefix" "$dest" ;;
    sqlite3) build_sqlite "$fetched_tree" "$prefix" "$dest" ;;
  esac
  # Installed with DESTDIR and moved into place only once built, so a
  # failed or interrupted build never leaves a prefix that looks usable.
  echo "$pkg $v ${recipe[$pkg]}" >"$dest$prefix/VERSION"
  touch "$dest$prefix/.complete"
  rm -rf "$prefix"
  mv "$dest$prefix" "$prefix"
  log "$pkg took $((SECONDS - t)) s"
  built_version[$pkg]=$v
}

main() {
  install_missing
  enable_deb_src
  mkdir -p "$cache_root"
  # One build at a time per cache (CI and a developer on one machine).
  exec 9>"$cache_root/.lock"
  flock 9
  local start=$SECONDS p
  for p in openssl curl sqlite3; do
    ensure_package "$p"
  done
  local v_ssl=${built_version[openssl]} v_curl=${built_version[curl]}
  local v_sql=${built_version[sqlite3]} prefix
  prefix=$(combined_prefix "$v_ssl" "$v_curl" "$v_sql")
  if [[ ! -f $prefix/.complete ]]; then
    local staged=$prefix.partial
    rm -rf "$staged"
    mkdir -p "$staged"
    for p in openssl curl sqlite3; do
      cp -a "$(package_prefix "$p" "${built_version[$p]}")/." "$staged/"
    done
    rm -f "$staged/VERSION" "$staged/.complete"
    printf 'openssl %s %s\ncurl %s %s\nsqlite3 %s %s\n' \
      "$v_ssl" "${recipe[openssl]}" "$v_curl" "${recipe[curl]}" \
      "$v_sql" "${recipe[sqlite3]}" >"$staged/VERSIONS"
    touch "$staged/.complete"
    rm -rf "$prefix"
    mv "$staged" "$prefix"
  fi
  log "$prefix ready in $((SECONDS - start)) s"
  echo "$prefix"
}

main "$@"
