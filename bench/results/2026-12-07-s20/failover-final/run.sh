#!/usr/bin/env bash
# Eleventh session: the failover run with the final generator and server (ada2b5d; /tmp/server-final), twice: two nodes
# on PostgreSQL + Redis, receivers on node 2, node 2 SIGKILLed 10 s into the window, 2,000 msgs/s.
set -u
cd /work/main
out=bench/results/2026-12-07-s20/failover-final
new=/tmp/server-final/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2; do
  run "main-failover-2000-$i" pairs --cluster --cross-node --rate 2000 --kill-node2 10 --drain 30 --server-dll "$new"
done
echo done >> "$out/load.txt"
