#!/usr/bin/env bash
# Tenth session: the background writers (search indexer, webhook outbox) with wal_autocheckpoint=0 on their
# connections (/tmp/server-indexer-nockpt) against main 24f1378 (/tmp/server-24f), alternating: 5,000 three times, 20,000 twice.
set -u
cd /work/main
out=bench/results/2026-12-07-s19/indexer-nockpt
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3; do
  run "main-pairs-5000-$i" pairs --rate 5000 --server-dll /tmp/server-24f/Parley.Server.dll
  run "nockpt-pairs-5000-$i" pairs --rate 5000 --server-dll /tmp/server-indexer-nockpt/Parley.Server.dll
done
for i in 1 2; do
  run "main-pairs-20000-$i" pairs --rate 20000 --server-dll /tmp/server-24f/Parley.Server.dll
  run "nockpt-pairs-20000-$i" pairs --rate 20000 --server-dll /tmp/server-indexer-nockpt/Parley.Server.dll
done
echo done >> "$out/load.txt"
