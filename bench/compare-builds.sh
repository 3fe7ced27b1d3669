#!/usr/bin/env bash
# Same-run comparison of two server builds: runs each scenario on the other build (--server-dll) and on this
# checkout's Release build, one after the other, alternating, so that both see the same machine on the same day.
#
#   bench/compare-builds.sh [--postgres] OTHER_DLL [OUT_DIR]
#
# OTHER_DLL: e.g. a worktree of an older commit built with
#   git worktree add /tmp/before <commit> && dotnet build -c Release /tmp/before/src/Parley.Server -p:SkipWebBuild=true
#   -> /tmp/before/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
# Default: SQLite, pairs at 10,000/20,000/5,000/10,000 msgs/s and the group of 1,000 at 250 msgs/s.
# --postgres: the production path instead: one node on a fresh PostgreSQL database per run (created and dropped by
#   the generator; CPU counted over the server and PostgreSQL together), pairs at 2,000 and 5,000 msgs/s, each
#   twice, alternating builds. PostgreSQL: --postgres-conn in PARLEY_BENCH_ARGS, or PARLEY_BENCH_POSTGRES, or
#   PARLEY_TEST_POSTGRES (eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh)" exports the test cluster's).
# PARLEY_BENCH_ARGS: more generator arguments for every run (e.g. "--duration 30").
# Output: OUT_DIR (default bench/results/<date>-compare[-postgres]): other-*.txt/json and main-*.txt/json per run, load.txt.
set -u
cd "$(dirname "$0")/.."
postgres=0
if [ "${1:-}" = --postgres ]; then postgres=1; shift; fi
other=${1:?give the other build (its Parley.Server.dll)}
out=${2:-bench/results/$(date -u +%Y-%m-%d)-compare$([ $postgres = 1 ] && echo -postgres)}
mkdir -p "$out"
dotnet build -c Release src/Parley.Server/Parley.Server.csproj -nologo -v q -p:SkipWebBuild=true
dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q
read -r -a extra <<< "${PARLEY_BENCH_ARGS:-}"
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@" "${extra[@]}"; }
run() { # name, then the generator's arguments
  local name=$1; shift
  uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
if [ $postgres = 1 ]; then
  for rate in 2000 5000 2000 5000; do
    run "other-pg-pairs-$rate-$(date +%H%M%S)" pairs --postgres --rate "$rate" --server-dll "$other"
    run "main-pg-pairs-$rate-$(date +%H%M%S)" pairs --postgres --rate "$rate"
  done
  echo "results in $out"
  exit 0
fi
for rate in 10000 20000 5000 10000; do
  run "other-pairs-$rate-$(date +%H%M%S)" pairs --rate "$rate" --server-dll "$other"
  run "main-pairs-$rate-$(date +%H%M%S)" pairs --rate "$rate"
done
run other-group-1000-250 group --members 1000 --rate 250 --server-dll "$other"
run main-group-1000-250 group --members 1000 --rate 250
echo "results in $out"
