#!/usr/bin/env bash
# The conversation list on PostgreSQL, several server builds against one database that `bench history` seeded
# (so each build reads the same 5,000 conversations and 1,000,000 messages), one after the other in the same hour:
#
#   bench/list-compare.sh [REQUESTS] DLL...       e.g. main's and an older worktree's Parley.Server.dll, A B A B
#
# For each DLL in turn: starts it on the database (PARLEY_LIST_DB, default the test PostgreSQL's
# parley_bench_history), signs in as the seeded user (+8613<block>00000 of the run, found in the database), times
# REQUESTS (1,000) first pages and later pages one at a time after 100 warm-up requests (p50/p99), and, in a second
# start with EF Core's command log, the mean time of each statement the list sends. Needs python3 and psql.
# bench/run-benchmarks.sh history seeds the database (it drops and re-creates it).
set -u
requests=1000
if [[ ${1:-} =~ ^[0-9]+$ ]]; then requests=$1; shift; fi
[ $# -gt 0 ] || { echo "give one or more Parley.Server.dll" >&2; exit 2; }
db=${PARLEY_LIST_DB:-Host=127.0.0.1;Port=55432;Username=postgres;Database=parley_bench_history}
psql_db() { # the connection string's host, port, user and database as psql's
  local conninfo
  conninfo=$(tr ';' '\n' <<< "$db" | sed -n 's/^Host=/host=/p; s/^Port=/port=/p; s/^Username=/user=/p; s/^Database=/dbname=/p' | tr '\n' ' ')
  psql "$conninfo" -Atc "$1"
}
phone=$(psql_db 'SELECT u."Phone" FROM "Users" u JOIN "ConversationMembers" m ON m."UserId" = u."Id" GROUP BY u."Phone" ORDER BY count(*) DESC LIMIT 1')
key=$(head -c 48 /dev/urandom | base64 -w0)
port=$((20000 + RANDOM % 10000))

start() { # dll, extra args...
  local dll; dll=$(realpath "$1"); shift
  dir=$(mktemp -d /tmp/parley-list-XXXX)
  (cd "$dir" && exec dotnet "$dll" --urls=http://127.0.0.1:$port --DataPath="$dir" --Database:Provider=postgres \
    "--ConnectionStrings:Database=$db" --Jwt:SigningKey=$key --Logging:LogLevel:Default=Warning "$@" > "$dir/server.log" 2>&1) &
  pid=$!
  until curl -sf http://127.0.0.1:$port/healthz > /dev/null; do
    kill -0 $pid 2>/dev/null || { echo "the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
    sleep 0.5
  done
}
stop() { kill $pid; wait $pid 2>/dev/null; }

time_list() { # requests
  python3 - "$port" "$1" "$phone" <<'PY'
import http.client, json, sys, time, urllib.parse
port, n, phone = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
def req(method, path, body=None, token=None):
    h = {"content-type": "application/json"}
    if token: h["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body else None, headers=h)
    r = c.getresponse(); return r.status, r.read()
s, d = req("POST", "/api/v1/auth/login", {"login": phone, "password": "bench-password"})
assert s == 200, d
token = json.loads(d)["accessToken"]
cursor = json.loads(req("GET", "/api/v1/conversations", token=token)[1])["nextCursor"]
def run(path):
    for _ in range(100): req("GET", path, token=token)
    t = []
    for _ in range(n):
        a = time.perf_counter(); s, _ = req("GET", path, token=token); t.append((time.perf_counter() - a) * 1000)
        assert s == 200, s
    t.sort(); return t[len(t) // 2], t[int(len(t) * 0.99)]
f, l = run("/api/v1/conversations"), run("/api/v1/conversations?cursor=" + urllib.parse.quote(cursor))
print(f"  first page p50 {f[0]:.1f} p99 {f[1]:.1f} ms; later page p50 {l[0]:.1f} p99 {l[1]:.1f} ms")
PY
}

statements() { # the server's log: mean time per statement (EF Core logs whole milliseconds: take it as approximate)
  python3 - "$1" <<'PY'
import collections, json, re, sys
times = collections.defaultdict(list)
text = open(sys.argv[1]).read()
messages = [json.loads(l)["Message"] for l in text.splitlines() if l.startswith("{") and "Executed DbCommand" in l] \
    or ["Executed DbCommand (" + c for c in text.split("Executed DbCommand (")[1:]]
for m in messages:
    ms = int(re.match(r"Executed DbCommand \((\d+)ms\)", m).group(1))
    times[" ".join(m.split("\n", 1)[1].split())[:80]].append(ms)
for k, v in sorted(times.items(), key=lambda kv: -len(kv[1])):
    if len(v) > 50: print(f"  {len(v):5d} x {sum(v) / len(v):5.2f} ms  {k}")
PY
}

for dll in "$@"; do
  echo "== $dll ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  start "$dll"; time_list "$requests"; stop; rm -rf "$dir"
  start "$dll" --Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information
  time_list 200 > /dev/null; stop; statements "$dir/server.log"; rm -rf "$dir"
done
