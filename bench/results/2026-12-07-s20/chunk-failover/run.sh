#!/usr/bin/env bash
# Eleventh session: main at 64eda27 (/tmp/server-merge, "main") against the same build with the search indexer's
# transactions of at most 200 messages ("chunk200", --Messaging:SearchIndexChunk=200) and the issue-4 build ("other"),
# 1:1 at 5,000 msgs/s three times each, alternating; then the failover run twice (two nodes on PostgreSQL + Redis,
# receivers on node 2, node 2 SIGKILLed 10 s into the window, 2,000 msgs/s), after a change: every receiver moves at once
# (the failover files here are from a second invocation after that change, with the first loop skipped).
set -u
cd /work/main
out=bench/results/2026-12-07-s20/chunk-failover
new=/tmp/server-merge/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3; do
  run "chunk200-pairs-5000-$i" pairs --rate 5000 --server-dll "$new" --server-arg=--Messaging:SearchIndexChunk=200
  run "main-pairs-5000-$i" pairs --rate 5000 --server-dll "$new"
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
done
for i in 1 2; do
  run "main-failover-2000-$i" pairs --cluster --cross-node --rate 2000 --kill-node2 10 --drain 30 --server-dll "$new"
done
echo done >> "$out/load.txt"
