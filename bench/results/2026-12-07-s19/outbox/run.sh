#!/usr/bin/env bash
# Tenth session: the outbox without a channel (this checkout) against the session's previous HEAD (945e975, copied
# to /tmp/server-new2) and the issue-4 build (14bc2f7 in /tmp/baseline), alternating.
set -u
cd /work/main
out=bench/results/2026-12-07-s19/outbox
eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh | grep '^export')"
export PARLEY_BENCH_POSTGRES=$PARLEY_TEST_POSTGRES PARLEY_BENCH_REDIS=$PARLEY_TEST_REDIS
head=/tmp/server-new2/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2; do
  run "head-idle-distinct-10000-$i" idle --distinct-users --connections 10000 --server-dll "$head"
  run "main-idle-distinct-10000-$i" idle --distinct-users --connections 10000
  run "other-idle-distinct-10000-$i" idle --distinct-users --connections 10000 --server-dll "$base"
done
run "main-idle-distinct-sizes" idle --distinct-users --sizes 1000,5000,10000 --timeout 3600
run "main-pg-pairs-6000" pairs --postgres --rate 6000
bash bench/compare-builds.sh "$head" "$out/vs-head"
bash bench/compare-builds.sh "$base" "$out/vs-baseline"
echo done >> "$out/load.txt"
