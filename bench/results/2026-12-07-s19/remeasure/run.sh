#!/usr/bin/env bash
# Tenth session: the targets not re-measured since earlier sessions, main (HEAD of the session) against the issue-4
# build (14bc2f7, a worktree in /tmp/baseline), alternating: idle with 10,000 distinct users, then the cluster
# (same node against cross-node, main only), then the PostgreSQL 1:1 path (bench/compare-builds.sh --postgres).
set -u
cd /work/main
out=bench/results/2026-12-07-s19/remeasure
eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh | grep '^export')"
export PARLEY_BENCH_POSTGRES=$PARLEY_TEST_POSTGRES PARLEY_BENCH_REDIS=$PARLEY_TEST_REDIS
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() { # name, then the generator's arguments
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
dotnet build -c Release src/Parley.Server/Parley.Server.csproj -nologo -v q -p:SkipWebBuild=true > /dev/null
dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q > /dev/null
for i in 1 2; do
  run "other-idle-distinct-10000-$i" idle --distinct-users --connections 10000 --server-dll "$base"
  run "main-idle-distinct-10000-$i" idle --distinct-users --connections 10000
done
for i in 1 2; do
  run "main-cluster-same-2000-$i" pairs --cluster --rate 2000 --postgres-conn "$PARLEY_TEST_POSTGRES" --redis "$PARLEY_TEST_REDIS"
  run "main-cluster-cross-2000-$i" pairs --cluster --cross-node --rate 2000 --postgres-conn "$PARLEY_TEST_POSTGRES" --redis "$PARLEY_TEST_REDIS"
done
bash bench/compare-builds.sh --postgres "$base" "$out/postgres"
echo done >> "$out/load.txt"
