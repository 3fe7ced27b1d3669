#!/usr/bin/env bash
# Parley: build the server and the load generator in Release, then run the benchmark suite that
# docs/benchmarks.md reports. Each run starts its own server (fresh SQLite data directory, 127.0.0.1 only).
#
#   bench/run-benchmarks.sh              everything (about 20 minutes)
#   bench/run-benchmarks.sh pairs        only the named parts: pairs, find-max, group, idle, history
#   bench/run-benchmarks.sh idle-distinct postgres cluster group-10000
#                                        the issue-16 parts, only when named: idle with 10,000 distinct users at
#                                        1k/5k/10k; pairs on PostgreSQL (one node); pairs on two nodes (PostgreSQL
#                                        + Redis), same node and cross-node; a group of 10,000, every member connected
#
# The history part runs on SQLite and on PostgreSQL: it starts the test suite's private PostgreSQL
# (scripts/test.sh, 127.0.0.1:55432) and gives the server a fresh database there.
#
# Output goes to $PARLEY_BENCH_OUT (default bench/results/<date>): one .txt (table) and one .json (the
# --json line) per run, plus the machine's load (uptime) before each run in load.txt.
#
# On a shared machine, PARLEY_BENCH_QUIET=1 makes each run first wait (up to 30 minutes) until no other
# Parley server, load generator or test run is running and the machine is under 0.2 cores busy; each run's "other_cores" figure still says
# how much else ran during its measured window.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${PARLEY_BENCH_OUT:-bench/results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(pairs find-max group idle history)

dotnet build -c Release src/Parley.Server/Parley.Server.csproj -nologo -v q
dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }

# Another Parley server, load generator or test run (idle build servers do not count: the CPU check catches busy ones).
others() { pgrep -f 'Parley\.(Server|Bench)\.dll|testhost|vstest' > /dev/null; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
wait_quiet() {
  local start=$SECONDS
  while [ $((SECONDS - start)) -lt 1800 ]; do
    if ! others; then
      local b1 b2; b1=$(busy_ticks); sleep 3; b2=$(busy_ticks)
      if [ $((b2 - b1)) -lt 60 ] && ! others; then return; fi
    else
      sleep 2
    fi
  done
  echo "   (not quiet after 30 minutes; running anyway)" | tee -a "$out/load.txt"
}

run() {
  local name=$1; shift
  [ "${PARLEY_BENCH_QUIET:-0}" = 1 ] && wait_quiet
  echo "== $name: $*" | tee -a "$out/load.txt"
  uptime | tee -a "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || { echo "   failed, see $out/$name.log"; return 0; }
  grep '^{' "$out/$name.txt" > "$out/$name.json" || true
  sed -i '/^{/d' "$out/$name.txt"
}

# PostgreSQL and Redis for --postgres and --cluster: PARLEY_BENCH_POSTGRES/PARLEY_BENCH_REDIS when set, else the test services.
services() {
  if [ -z "${PARLEY_BENCH_POSTGRES:-}" ] || [ -z "${PARLEY_BENCH_REDIS:-}" ]; then
    eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh | grep '^export')"
  fi
}

for part in "${parts[@]}"; do
  case $part in
    pairs)
      for rate in 1000 5000 10000 15000 20000 25000; do run "pairs-$rate" pairs --rate "$rate"; done ;;
    find-max)
      run pairs-find-max pairs --find-max ;;
    group)
      for rate in 50 150 250 350; do run "group-1000-$rate" group --members 1000 --senders 5 --rate "$rate"; done ;;
    idle)
      run idle-1000 idle --connections 1000
      run idle-10000 idle --connections 10000 ;;
    history)
      run history-sqlite history --conversations 5000 --messages 1000000 --timeout 3600
      eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh | grep '^export')"
      psql -h 127.0.0.1 -p 55432 -U postgres -qc "DROP DATABASE IF EXISTS parley_bench_history" -c "CREATE DATABASE parley_bench_history"
      run history-postgres history --conversations 5000 --messages 1000000 --timeout 3600 --settle 120 \
        --server-arg=--Database:Provider=postgres \
        "--server-arg=--ConnectionStrings:Database=Host=127.0.0.1;Port=55432;Username=postgres;Database=parley_bench_history" ;;
    idle-distinct)
      run idle-distinct-sizes idle --distinct-users --sizes 1000,5000,10000 --timeout 3600 ;;
    postgres)
      services
      for rate in 1000 2000 5000; do run "pg-pairs-$rate" pairs --postgres --rate "$rate"; done ;;
    cluster)
      services
      for rate in 2000 5000; do
        run "cluster-same-$rate" pairs --cluster --rate "$rate"
        run "cluster-cross-$rate" pairs --cluster --cross-node --rate "$rate"
      done ;;
    group-10000)
      for rate in 5 15 25; do run "group-10000-$rate" group --members 10000 --senders 5 --rate "$rate" --timeout 3600; done ;;
    *) echo "unknown part: $part" >&2; exit 2 ;;
  esac
done
echo "results in $out"
