#!/usr/bin/env bash
set -u
dll=$1; n=${2:-2000}; P=${PATHQ:-/api/v1/conversations?limit=1}
db='Host=127.0.0.1;Port=55432;Username=postgres;Database=parley_bench_history'
phone=$(psql "host=127.0.0.1 port=55432 user=postgres dbname=parley_bench_history" -Atc 'SELECT u."Phone" FROM "Users" u JOIN "ConversationMembers" m ON m."UserId" = u."Id" GROUP BY u."Phone" ORDER BY count(*) DESC LIMIT 1')
key=$(head -c 48 /dev/urandom | base64 -w0)
port=$((20000 + RANDOM % 10000))
dir=$(mktemp -d /tmp/parley-fp-XXXX)
(cd "$dir" && DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 exec dotnet "$dll" --urls=http://127.0.0.1:$port --DataPath="$dir" --Database:Provider=postgres \
    "--ConnectionStrings:Database=$db" --Jwt:SigningKey=$key --Logging:LogLevel:Default=Warning > "$dir/server.log" 2>&1) &
pid=$!
until curl -sf http://127.0.0.1:$port/healthz > /dev/null; do sleep 0.5; done
python3 - "$port" "$n" "$phone" "$P" <<'PY' &
import http.client, json, sys, time
port, n, phone, P = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
def req(method, path, body=None, token=None):
    h = {"content-type": "application/json"}
    if token: h["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body else None, headers=h)
    r = c.getresponse(); return r.status, r.read()
s, d = req("POST", "/api/v1/auth/login", {"login": phone, "password": "bench-password"})
token = json.loads(d)["accessToken"]
for _ in range(int(__import__("os").environ.get("WARM","300"))): req("GET", P, token=token)
open("/tmp/perf-go","w").write("1")
t = []
for _ in range(n):
    a = time.perf_counter(); s, body = req("GET", P, token=token); t.append((time.perf_counter() - a) * 1000)
t.sort(); print(f"p50 {t[len(t)//2]:.2f} p90 {t[int(len(t)*.9)]:.2f} p99 {t[int(len(t)*.99)]:.2f}")
PY
py=$!
rm -f /tmp/perf-go; while [ ! -f /tmp/perf-go ]; do sleep 0.05; done
c0=$(awk '{print $14+$15}' /proc/$pid/stat)
[ -n "${PERF:-}" ] && perf record -F 999 -g -p $pid -o /tmp/perf-list.data -- sleep 8 2>/dev/null
wait $py
c1=$(awk '{print $14+$15}' /proc/$pid/stat); echo "server CPU per request: $(( (c1-c0)*10*1000/n )) us"
kill $pid; wait $pid 2>/dev/null
