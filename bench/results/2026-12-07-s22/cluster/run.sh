#!/usr/bin/env bash
# Thirteenth session: the cluster re-measured (issue 16's cross-node target: p99 within 2 ms of same node). Two nodes
# of this checkout's Release build on PostgreSQL and Redis (the test services), 2,000 msgs/s: same node (everyone on
# node 1) and cross-node (senders on node 1, receivers on node 2), alternating, three runs each.
set -u
cd /work/main
out=bench/results/2026-12-07-s22/cluster
. /tmp/testenv.sh
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
for n in 1 2 3; do
  for mode in same cross; do
    extra=(); [ $mode = cross ] && extra=(--cross-node)
    echo "$n $mode $(uptime)" >> "$out/load.txt"
    bench pairs --cluster "${extra[@]}" --rate 2000 --json > "$out/$n-$mode.txt" 2> "$out/$n-$mode.log"
    grep '^{' "$out/$n-$mode.txt" > "$out/$n-$mode.json"; sed -i '/^{/d' "$out/$n-$mode.txt"
  done
done
echo "done $(uptime)" >> "$out/load.txt"
