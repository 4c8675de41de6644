#!/usr/bin/env bash
# make-test-ca.sh OUTDIR: throwaway TLS material for tests, never for use
# outside them. Writes to OUTDIR:
#   ca.pem, ca-key.pem                 a test CA (trust this one)
#   server.pem, server-key.pem         signed by ca.pem, SAN 127.0.0.1 + localhost
#   wrong-host.pem, wrong-host-key.pem signed by ca.pem, SAN wrong.invalid only
#   other-ca.pem, other-ca-key.pem     an unrelated CA ("wrong CA" tests)
# EC P-256 keys (fast to make). Idempotent: re-running replaces everything.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
mkdir -p "$out"
cd "$out"
umask 077

days=3650
curve=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

make_ca() { # name subject
  openssl req -x509 "${curve[@]}" -keyout "$1-key.pem" -out "$1.pem" \
    -days "$days" -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_leaf() { # name subject san
  openssl req -new "${curve[@]}" -keyout "$1-key.pem" -out "$1.csr" \
    -subj "$2" 2>/dev/null
  printf '%s\n' "subjectAltName=$3" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

make_ca ca "/CN=GeckoGuard Test CA"
make_ca other-ca "/CN=GeckoGuard Unrelated Test CA"
make_leaf server "/CN=localhost" "IP:127.0.0.1,DNS:localhost"
make_leaf wrong-host "/CN=wrong.invalid" "DNS:wrong.invalid"

# Certificates are public; keys stay 0600 (umask above).
chmod 0644 ca.pem other-ca.pem server.pem wrong-host.pem
openssl verify -CAfile ca.pem server.pem wrong-host.pem >/dev/null
