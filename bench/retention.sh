#!/usr/bin/env bash
# Parley: the retention sweeper at scale (issue 14). How fast it deletes MESSAGES expired messages, and what that does
# to 1:1 traffic (p50/p99/loss of `Parley.Bench pairs --rate PAIRS_RATE` while it sweeps, against the same run on the
# same data without it).
#
#   bench/retention.sh [MESSAGES]       MESSAGES defaults to 1000000
#
# Environment:
#   PARLEY_BENCH_DB=sqlite|postgres     the server's database (default sqlite; postgres, untested so far, uses scripts/test.sh's
#                                       private PostgreSQL on 127.0.0.1:55432 and a fresh database parley_bench_retention)
#   PAIRS_RATE=N                        the 1:1 rate of both pairs runs (default 2000)
#   PAIRS_DURATION=S                    the measured window of each pairs run (default 20; plus 5 s warm-up and 5 s drain)
#   SWEEP_BATCH=N  SWEEP_PAUSE=S        Retention:SweepBatch and Retention:SweepPause in seconds (default: the server's, 200
#                                       and 0.1); SWEEP_INTERVAL=S Retention:SweepInterval (default 1)
#   RETENTION_MAX_AGE=S                 Retention:MaxAge of the sweeping server (default 60): longer than a pairs run, so
#                                       that none of the pairs run's own messages expires while it runs (see below)
#   SEED_CONVERSATIONS=N                conversations the seeded messages are spread over (default 1000; 100 direct, the rest groups)
#   PARLEY_SERVER_DLL=path              the server to run (default: a Release build made here)
#   PARLEY_BENCH_OUT=dir                where the raw output goes (default bench/results/retention-<date>)
#
# What it does, each server on 127.0.0.1 with its own fresh data directory (the same one throughout):
#   1. seed: a server without retention; `Parley.Bench history --messages MESSAGES` (attached) sends them through the API.
#   2. without: the server restarted on the same data, still without retention; `pairs` runs (the baseline).
#   3. with: after RETENTION_MAX_AGE + 2 s, the server restarted with Retention:MaxAge=RETENTION_MAX_AGE, so that every
#      message stored so far has expired and the sweeper starts on them at once. As soon as the first batch is gone,
#      `pairs` runs again while the sweeper works. The number of messages left is read from the database (sqlite3
#      read-only on parley.db, or psql) every 0.2 s; the sweep's time runs from the moment the server answers
#      /healthz (the sweeper starts with the host, just before) to the moment the last seeded message is gone.
# Which messages count: "seeded" are those with an id up to the largest after step 1 (the history run's messages and its
# groups' system messages); "older than the restart" adds the baseline pairs run's. The sweeper goes oldest first, so
# the pairs run's own messages (expired RETENTION_MAX_AGE after they were sent) never count and come after the rest.
# Output: a summary on stdout (and in summary.txt); servers' logs, the runs' output and the sweep's progress under
# $PARLEY_BENCH_OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
messages=${1:-1000000}
out=${PARLEY_BENCH_OUT:-bench/results/retention-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(realpath "$out")
data=$(mktemp -d -t parley-bench-retention-XXXXXX)
max_age=${RETENTION_MAX_AGE:-60}
pairs_rate=${PAIRS_RATE:-2000}
db=${PARLEY_BENCH_DB:-sqlite}

bench_server_dll
dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q
bench=(dotnet "$(realpath bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll)")

bench_database_args parley_bench_retention "$data"
if [ "$db" = postgres ]; then
  sql() { psql -h 127.0.0.1 -p 55432 -U postgres -d parley_bench_retention -Atqc "$1"; }
else
  # Read-only, beside the running server (WAL): the count never takes SQLite's write lock.
  sql() { sqlite3 -readonly -cmd ".timeout 10000" "$data/parley.db" "$1"; }
fi
# The generator's raised limits (ServerHost.StartAsync): one client registers, befriends and sends for hundreds of users.
base_args=("${db_args[@]}" "--Logging:LogLevel:Default=Warning" "--Logging:LogLevel:Parley.Server.Messaging.RetentionSweeper=Information"
  "--Accounts:BcryptWorkFactor=4" "--RateLimits:RegisterPerMinute=1000000" "--RateLimits:LoginPerMinute=1000000"
  "--Gateway:FramesPerSecond=1000000" "--RateLimits:MessagesPerSecondPerUser=1000000" "--RateLimits:MessageBurstPerUser=1000000"
  "--RateLimits:FriendRequestsPerDay=1000000" "--RateLimits:ExactLookupsPerHour=1000000" "--Gateway:MaxSocketsPerUser=100000")

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
server=""
port=""
pairs_pid=""
cleanup() {
  [ -n "$pairs_pid" ] && kill "$pairs_pid" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$data"
  if [ "$db" = postgres ]; then psql -h 127.0.0.1 -p 55432 -U postgres -qc "DROP DATABASE IF EXISTS parley_bench_retention" || true; fi
}
trap cleanup EXIT

# start_server NAME [ARG...]: a server on the shared data directory, its log in $out/server-NAME.log; sets $server,
# $port and $ready (the time /healthz first answered).
start_server() {
  local name=$1
  shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$data" && ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ASPNETCORE_ENVIRONMENT=Production \
    exec dotnet "$dll" "${base_args[@]}" "--urls=http://127.0.0.1:$port" "$@") > "$out/server-$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 1200); do
    if curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; then ready=$(now); return 0; fi
    kill -0 "$server" 2>/dev/null || { echo "the server ($name) exited:"; tail -20 "$out/server-$name.log"; exit 1; }
    sleep 0.1
  done
  echo "the server ($name) did not answer /healthz in 120 s"; exit 1
}
stop_server() {
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=""
}
# pairs NAME: one pairs run against the running server, its output in $out/NAME.txt (table and --json line) and NAME.log.
pairs() {
  "${bench[@]}" pairs --url "http://127.0.0.1:$port/" --server-pid "$server" --rate "$pairs_rate" \
    --duration "${PAIRS_DURATION:-20}" --json > "$out/$1.txt" 2> "$out/$1.log"
}
figure() { python3 -c 'import json,sys; print(json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1]).get(sys.argv[2]))' "$@"; }

echo "retention sweep of $messages messages on $db; output in $out"
started=$(now)
start_server seed
"${bench[@]}" history --url "http://127.0.0.1:$port/" --server-pid "$server" --messages "$messages" \
  --conversations "${SEED_CONVERSATIONS:-1000}" --samples 10 --json --timeout 7200 > "$out/seed.txt" 2> "$out/seed.log" || { echo "seeding failed: see $out/seed.log"; exit 1; }
stop_server
seeded=$(figure "$out/seed.txt" messages)
seed_max_id=$(sql 'SELECT max("Id") FROM "Messages"')
seed_count=$(sql "SELECT count(*) FROM \"Messages\" WHERE \"Id\" <= $seed_max_id")
echo "seeded $seeded messages in $(since "$started" "$(now)") s ($seed_count rows with the system messages of its groups)"

start_server without
echo "1:1 at $pairs_rate msgs/s without the sweeper:"
pairs pairs-without || { echo "the pairs run failed: see $out/pairs-without.log"; exit 1; }
stop_server
stopped=$(now)
old_max_id=$(sql 'SELECT max("Id") FROM "Messages"')
old_count=$(sql "SELECT count(*) FROM \"Messages\" WHERE \"Id\" <= $old_max_id")
old_min_id=$(sql 'SELECT min("Id") FROM "Messages"')

# Every message stored so far must be older than MaxAge when the sweeper starts.
wait_s=$(awk -v s="$stopped" -v n="$(now)" -v m="$max_age" 'BEGIN { w = s + m + 2 - n; printf "%.1f", (w > 0 ? w : 0) }')
echo "waiting $wait_s s, so that every message is older than Retention:MaxAge ($max_age s) at the restart"
sleep "$wait_s"
retention_args=("--Retention:MaxAge=$(python3 -c "import datetime,sys; print(datetime.timedelta(seconds=int(sys.argv[1])))" "$max_age")")
retention_args+=("--Retention:SweepInterval=$(python3 -c "import datetime,sys; print(datetime.timedelta(seconds=float(sys.argv[1])))" "${SWEEP_INTERVAL:-1}")")
[ -n "${SWEEP_BATCH:-}" ] && retention_args+=("--Retention:SweepBatch=$SWEEP_BATCH")
[ -n "${SWEEP_PAUSE:-}" ] && retention_args+=("--Retention:SweepPause=$(python3 -c "import datetime,sys; print(datetime.timedelta(seconds=float(sys.argv[1])))" "$SWEEP_PAUSE")")
start_server with "${retention_args[@]}"
echo "server restarted with ${retention_args[*]}: $old_count messages to sweep ($seed_count seeded)"

progress="$out/sweep-progress.txt"
echo "# seconds since /healthz, seeded rows left, rows older than the restart left" > "$progress"
left() { sql "SELECT count(*) FROM \"Messages\" WHERE \"Id\" <= $1"; }
# The sweeper starts with the host, a little before /healthz answers: the rate is taken over what is left from here on.
sweep_start=$(now)
seed_left0=$(left "$seed_max_id")
old_left0=$(left "$old_max_id")
# Cheap (one index probe) where a count is a scan of what is left: polled every 0.2 s.
any_left() { [ "$(sql "SELECT CASE WHEN EXISTS (SELECT 1 FROM \"Messages\" WHERE \"Id\" <= $1) THEN 1 ELSE 0 END")" = 1 ]; }
seeded_gone=""
old_gone=""
last_report=-10
while [ -z "$old_gone" ]; do
  t=$(now)
  [ -z "$seeded_gone" ] && ! any_left "$seed_max_id" && seeded_gone=$t
  [ -n "$seeded_gone" ] && ! any_left "$old_max_id" && old_gone=$t
  elapsed=$(since "$sweep_start" "$t")
  # The pairs run starts once the sweeper is at work (the first batch gone).
  if [ -z "$pairs_pid" ] && { [ -n "$old_gone" ] || [ "$(sql 'SELECT coalesce(min("Id"), 0) FROM "Messages"')" != "$old_min_id" ]; }; then
    echo "the sweeper is deleting ($elapsed s after /healthz); 1:1 at $pairs_rate msgs/s while it runs"
    "${bench[@]}" pairs --url "http://127.0.0.1:$port/" --server-pid "$server" --rate "$pairs_rate" \
      --duration "${PAIRS_DURATION:-20}" --json > "$out/pairs-with.txt" 2> "$out/pairs-with.log" &
    pairs_pid=$!
  fi
  if [ -n "$old_gone" ] || awk -v e="$elapsed" -v l="$last_report" 'BEGIN { exit !(e - l >= 10) }'; then
    echo "$elapsed $(left "$seed_max_id") $(left "$old_max_id")" | tee -a "$progress" | sed 's/^/  sweep: s, seeded left, older left: /'
    last_report=$elapsed
  fi
  kill -0 "$server" 2>/dev/null || { echo "the server exited during the sweep:"; tail -20 "$out/server-with.log"; exit 1; }
  [ -z "$old_gone" ] && sleep 0.2
done
pairs_outlived_sweep=no
kill -0 "$pairs_pid" 2>/dev/null && pairs_outlived_sweep=yes
wait "$pairs_pid" || echo "the pairs run while sweeping failed: see $out/pairs-with.log"
pairs_pid=""
pairs_end=$(now)
stop_server

seeded_s=$(since "$sweep_start" "$seeded_gone")
old_s=$(since "$sweep_start" "$old_gone")
{
  echo
  echo "retention sweep on $db, Retention: MaxAge ${max_age} s, SweepBatch ${SWEEP_BATCH:-200 (default)}, SweepPause ${SWEEP_PAUSE:-0.1 (default)} s, SweepInterval ${SWEEP_INTERVAL:-1} s"
  awk -v n="$seed_count" -v l="$seed_left0" -v s="$seeded_s" -v m="$seeded" 'BEGIN {
    printf "  seeded rows                   %d (%d messages sent + %d system messages of its groups)\n", n, m, n - m
    printf "  swept once /healthz answered  %d (%d were gone already) in %.1f s: %.0f messages/s\n", l, n - l, s, (s > 0 ? l / s : 0) }'
  awk -v n="$old_count" -v l="$old_left0" -v s="$old_s" 'BEGIN {
    printf "  all older than the restart    %d (with the baseline pairs run'"'"'s): %d in %.1f s: %.0f messages/s\n", n, l, s, (s > 0 ? l / s : 0) }'
  grep -o '"Message":"Retention: deleted [0-9]* expired messages"' "$out/server-with.log" | sed 's/^/  server log: /' || true
  if [ "$pairs_outlived_sweep" = yes ]; then
    echo "  NOTE: the sweep ended $(since "$old_gone" "$pairs_end") s before the pairs run did: that run was partly without the sweeper"
  else
    echo "  the pairs run ran while the sweeper was at work, from start to end"
  fi
  echo
  python3 - "$out/pairs-without.txt" "$out/pairs-with.txt" <<'PY'
import json, sys
def load(path):
    return json.loads([l for l in open(path) if l.startswith("{")][-1])
runs = [load(p) for p in sys.argv[1:]]
rows = [("offered msgs/s", "rate_offered"), ("delivered/s", "delivered_per_s"), ("p50 ms", "latency_p50_ms"),
        ("p99 ms", "latency_p99_ms"), ("p99.9 ms", "latency_p999_ms"), ("max ms", "latency_max_ms"), ("lost", "lost"),
        ("server cores", "server_cores"), ("other cores", "other_cores")]
print(f"  {'1:1 (pairs)':<16} {'without sweeper':>16} {'while sweeping':>16}")
for label, key in rows:
    print(f"  {label:<16} " + " ".join(f"{str(r.get(key)):>16}" for r in runs))
PY
} | tee "$out/summary.txt"
echo "raw output in $out"
