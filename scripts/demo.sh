#!/usr/bin/env bash
# The whole story on one machine: builds, starts gg-devserver (a local
# GeckoGuard API) and gg-agent, then shows with ggctl and the example app an
# allow, a deny with its reason, a revocation pushed to a running app, and
# offline grace once the API is gone. Leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${GG_BUILD_DIR:-$root/build/demo}

bash scripts/deps.sh
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target gg-agent ggctl gg-devserver
# The example app is built the way a vendor would build it: its own project.
cmake -S examples -B "$build/examples" -DGG_CLIENT_SOURCE_TREE="$root" >/dev/null
cmake --build "$build/examples" -j"$(nproc)" >/dev/null

work=$(mktemp -d /tmp/gg-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" || printf '(exit code %d)\n' "$?"; }

admin_put() {  # license key, JSON merged into the license
  curl -fsS -X PUT -H "X-Admin-Token: $admin" -H 'Content-Type: application/json' \
    "$api/__admin/licenses/$1" -d "$2" >/dev/null
}

product=7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10
admin=demo-admin-token

step "Start gg-devserver, the local GeckoGuard API"
"$build/tests/devserver/gg-devserver" --fixtures tests/devserver/demo-fixtures.json \
  --listen 127.0.0.1:0 --admin-token "$admin" >"$work/devserver.out" 2>"$work/devserver.log" &
pids+=($!)
for _ in $(seq 100); do grep -qs "listening on" "$work/devserver.out" && break; sleep 0.1; done
api=$(sed -n 's/^listening on //p' "$work/devserver.out")
echo "API at $api"

# A 2-second refresh interval for the demo licenses, so revocation and the
# offline part need not wait the fixtures' five minutes.
admin_put DEMO-ALLOW-0001 '{"heartbeatSeconds":2}'
admin_put DEMO-ALLOW-SESSIONS-2 '{"heartbeatSeconds":2}'

step "Start gg-agent"
pubkey=$(python3 - <<'PY'
import base64, subprocess, json
seed = base64.b64decode(json.load(open("tests/devserver/demo-fixtures.json"))["responseSigningKeySeed"])
der = bytes.fromhex("302e020100300506032b657004220420") + seed
pub = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"],
                     input=der, capture_output=True, check=True).stdout[-32:]
print(base64.b64encode(pub).decode())
PY
)
cat >"$work/config.json" <<JSON
{
  "server": {"baseUrl": "$api", "apiKey": "gg_dev_key",
             "signingSecret": "dev-signing-secret",
             "responsePublicKeys": ["$pubkey"], "requestTimeoutMs": 2000},
  "ipc": {"path": "$work/run/agent.sock", "mode": "0600"},
  "state": {"dir": "$work/state"},
  "policy": {"requestDeadlineMs": 3000}
}
JSON
chmod 600 "$work/config.json"
"$build/service/gg-agent" run --config "$work/config.json" 2>"$work/agent.log" &
pids+=($!)
export GG_AGENT_SOCKET=$work/run/agent.sock
ggctl="$build/ipc/ggctl/ggctl"
for _ in $(seq 100); do "$ggctl" ping >/dev/null 2>&1 && break; sleep 0.1; done
show "$ggctl" status

step "A valid license is allowed (asked online, then answered from the signed cache)"
show "$ggctl" check "$product" DEMO-ALLOW-0001
show "$ggctl" check "$product" DEMO-ALLOW-0001

step "Denials carry the server's reason code"
show "$ggctl" check "$product" DEMO-REVOKED
show "$ggctl" check "$product" DEMO-HWID-LIMIT
show "$ggctl" check "$product" DEMO-EXPIRED

step "A running app holds a session; revoking its license reaches it at the next refresh"
"$build/examples/protected_app" "$product" DEMO-ALLOW-SESSIONS-2 8 >"$work/app.out" 2>&1 &
app=$!
pids+=($app)
sleep 1
show "$ggctl" sessions
admin_put DEMO-ALLOW-SESSIONS-2 '{"status":"REVOKED"}'
wait "$app" || true
cat "$work/app.out"
show "$ggctl" check "$product" DEMO-ALLOW-SESSIONS-2

step "The API goes away: the cached signed allow carries on in offline grace"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
sleep 3  # let the demo license's 2-second refresh interval pass
show "$ggctl" check "$product" DEMO-ALLOW-0001
show "$ggctl" status

step "Agent log"
tail -n 15 "$work/agent.log"
