#!/usr/bin/env bash
# listdump.sh DLL OUT: the heavy user's whole list (limit 200 pages) and one conversation row, as JSON lines
set -u
dll=$1; out=$2
db='Host=127.0.0.1;Port=55432;Username=postgres;Database=parley_bench_history'
phone=$(psql "host=127.0.0.1 port=55432 user=postgres dbname=parley_bench_history" -Atc 'SELECT u."Phone" FROM "Users" u JOIN "ConversationMembers" m ON m."UserId" = u."Id" GROUP BY u."Phone" ORDER BY count(*) DESC LIMIT 1')
key=$(head -c 48 /dev/urandom | base64 -w0)
port=$((20000 + RANDOM % 10000))
dir=$(mktemp -d /tmp/parley-fp-XXXX)
(cd "$dir" && exec dotnet "$dll" --urls=http://127.0.0.1:$port --DataPath="$dir" --Database:Provider=postgres \
    "--ConnectionStrings:Database=$db" --Jwt:SigningKey=$key --Logging:LogLevel:Default=Warning > "$dir/server.log" 2>&1) &
pid=$!
until curl -sf http://127.0.0.1:$port/healthz > /dev/null; do sleep 0.5; done
python3 - "$port" "$phone" "$out" <<'PY'
import http.client, json, sys, urllib.parse
port, phone, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
def req(method, path, body=None, token=None):
    h = {"content-type": "application/json"}
    if token: h["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body else None, headers=h)
    r = c.getresponse(); return r.status, r.read()
s, d = req("POST", "/api/v1/auth/login", {"login": phone, "password": "bench-password"})
token = json.loads(d)["accessToken"]
f = open(out, "w")
cursor = None; n = 0
while True:
    page = json.loads(req("GET", "/api/v1/conversations?limit=137" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else ""), token=token)[1])
    for item in page["conversations"]:
        item.pop("isOnline", None); f.write(json.dumps(item, sort_keys=True) + "\n"); n += 1
    cursor = page.get("nextCursor")
    if not cursor: break
first = json.loads(req("GET", "/api/v1/conversations?limit=3", token=token)[1])["conversations"]
for item in first:
    one = json.loads(req("GET", "/api/v1/conversations/" + item["id"], token=token)[1]); one.pop("isOnline", None)
    f.write("one " + json.dumps(one, sort_keys=True) + "\n")
print(n, "rows")
PY
kill $pid; wait $pid 2>/dev/null
