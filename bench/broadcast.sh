#!/usr/bin/env bash
# Parley: time a platform broadcast (POST /api/v1/admin/broadcasts) to N users, and optionally its effect on 1:1
# traffic's latency (the issue's figure: p99 of 1:1 messages at 2,000 msgs/s with and without a broadcast running).
#
#   bench/broadcast.sh [USERS]          USERS defaults to 100000
#
# Environment:
#   PARLEY_BENCH_DB=sqlite|postgres     the server's database (default sqlite; postgres uses scripts/test.sh's private
#                                       PostgreSQL on 127.0.0.1:55432 and a fresh database parley_bench_broadcast)
#   BROADCAST_RATE=N                    Broadcasts:RecipientsPerSecond (default: the server's, 2000)
#   BROADCAST_BATCH=N                   Broadcasts:BatchSize (default: the server's, 100)
#   PAIRS_RATE=N                        also run `Parley.Bench pairs --rate N` against the same server, once before the
#                                       broadcast (without) and once while it runs (with); unset: no 1:1 traffic
#   PAIRS_DURATION=S                    the measured window of each pairs run (default 20)
#   PARLEY_SERVER_DLL=path              the server to run (default: a Release build made here)
#
# It starts its own server (127.0.0.1 only, fresh data), makes an API key with the server's own CLI, imports USERS
# users through POST /admin/users (no password: no bcrypt), posts one broadcast to everyone and waits until the
# server logs the broadcast's end; it prints the time from the POST to the last message and the rate.
# Output: a summary on stdout; the server's log and the pairs runs' output under $PARLEY_BENCH_OUT
# (default bench/results/broadcast-<date>).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
users=${1:-100000}
out=${PARLEY_BENCH_OUT:-bench/results/broadcast-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
data=$(mktemp -d -t parley-bench-broadcast-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

bench_server_dll
if [ -n "${PAIRS_RATE:-}" ]; then
  dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q
fi

bench_database_args parley_bench_broadcast "$data"
server_args=("${db_args[@]}" "--urls=http://127.0.0.1:$port" "--Logging:LogLevel:Default=Warning" "--Logging:LogLevel:Parley=Information"
  "--Gateway:FramesPerSecond=1000000" "--RateLimits:MessagesPerSecondPerUser=1000000" "--RateLimits:MessageBurstPerUser=1000000"
  "--RateLimits:RegisterPerMinute=1000000" "--RateLimits:LoginPerMinute=1000000" "--Accounts:BcryptWorkFactor=4")
[ -n "${BROADCAST_RATE:-}" ] && server_args+=("--Broadcasts:RecipientsPerSecond=$BROADCAST_RATE")
[ -n "${BROADCAST_BATCH:-}" ] && server_args+=("--Broadcasts:BatchSize=$BROADCAST_BATCH")

# The key first (the CLI migrates the database), then the server.
key=$(cd "$data" && dotnet "$dll" api-key create bench "${db_args[@]}" | grep '^pk_')
(cd "$data" && exec dotnet "$dll" "${server_args[@]}") > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done

pairs() {
  dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll pairs --url "http://127.0.0.1:$port/" --server-pid "$server" \
    --rate "$PAIRS_RATE" --duration "${PAIRS_DURATION:-20}" --json > "$out/$1.txt" 2> "$out/$1.log"
  grep -E 'p99|p50|loss' "$out/$1.txt" | sed "s/^/  [$1] /" || true
}
[ -n "${PAIRS_RATE:-}" ] && { echo "1:1 traffic at $PAIRS_RATE msgs/s without a broadcast:"; pairs pairs-without; }

started="$data/broadcast-started"
PARLEY_URL="http://127.0.0.1:$port" PARLEY_KEY="$key" USERS="$users" BROADCAST_STARTED="$started" SERVER_LOG="$out/server.log" python3 - <<'PY' &
import http.client, json, os, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
url, key, users = os.environ["PARLEY_URL"], os.environ["PARLEY_KEY"], int(os.environ["USERS"])
host, port = url.split("//")[1].split(":")
local = threading.local()
def call(method, path, body=None, tries=5):
    if not hasattr(local, "c"): local.c = http.client.HTTPConnection(host, int(port), timeout=60)
    local.c.request(method, path, json.dumps(body) if body is not None else None,
                    {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = local.c.getresponse(); data = r.read()
    # Once seen (busy machine, SQLite): an import answered 500 "database is locked", i.e. it waited out the 30 s
    # lock timeout. Not reproduced since (tests/.../AdminUsersTests.ThirtyTwoImports...): try again, but say so.
    if r.status >= 500 and tries > 1:
        print(f"retrying {method} {path} after HTTP {r.status}: {data[:200]!r}", file=sys.stderr, flush=True)
        time.sleep(0.2)
        return call(method, path, body, tries - 1)
    if r.status >= 300: raise SystemExit(f"{method} {path}: {r.status} {data[:200]!r}")
    return json.loads(data) if data else None
start = time.time()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(lambda i: call("POST", "/api/v1/admin/users", {"nickname": f"user {i}"}), range(users)))
print(f"imported {users:,} users in {time.time() - start:.1f} s", flush=True)
posted = time.time()
accepted = call("POST", "/api/v1/admin/broadcasts", {"content": "A broadcast to everyone"})
print(f"POST answered in {(time.time() - posted) * 1000:.0f} ms: {accepted}", flush=True)
open(os.environ["BROADCAST_STARTED"], "w").close()
n = accepted["recipients"]
# Done when the server logs the broadcast's end (GET /admin/stats counts the 1:1 traffic's messages too).
done_line = f"Broadcast {accepted['broadcastId']} done"
while True:
    time.sleep(0.25)
    with open(os.environ["SERVER_LOG"], encoding="utf-8", errors="replace") as log:
        if any(done_line in line for line in log): break
seconds = time.time() - posted
print(f"broadcast to {n:,} users: {seconds:.1f} s from the POST to the last message, {n / seconds:,.0f} messages/s", flush=True)
PY
writer=$!
if [ -n "${PAIRS_RATE:-}" ]; then
  while [ ! -e "$started" ] && kill -0 "$writer" 2>/dev/null; do sleep 0.2; done
  echo "1:1 traffic at $PAIRS_RATE msgs/s while the broadcast runs:"
  pairs pairs-with
fi
wait "$writer"
echo "server log and runs in $out"
