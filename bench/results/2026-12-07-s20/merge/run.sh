#!/usr/bin/env bash
# Eleventh session: main at 64eda27 (the search indexer's merging in small steps; /tmp/server-merge, "main") against
# 51b3811 (/tmp/head, "head") and the issue-4 build ("other"), 1:1 at 5,000 msgs/s four times each, alternating;
# then bench/compare-builds.sh against the issue-4 build (vs-baseline/).
set -u
cd /work/main
out=bench/results/2026-12-07-s20/merge
new=/tmp/server-merge/Parley.Server.dll
head=/tmp/head/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3 4; do
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
  run "main-pairs-5000-$i" pairs --rate 5000 --server-dll "$new"
  run "head-pairs-5000-$i" pairs --rate 5000 --server-dll "$head"
done
bench/compare-builds.sh "$base" "$out/vs-baseline"
echo done >> "$out/load.txt"
