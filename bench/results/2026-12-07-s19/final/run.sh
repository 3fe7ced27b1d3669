#!/usr/bin/env bash
# Tenth session, the last build (bf8e8fb, the outbox after review) against 24f1378: idle with 10,000 distinct users, alternating.
set -u
cd /work/main
out=bench/results/2026-12-07-s19/final
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2; do
  run "main-idle-distinct-10000-$i" idle --distinct-users --connections 10000
  run "before-idle-distinct-10000-$i" idle --distinct-users --connections 10000 --server-dll /tmp/server-24f/Parley.Server.dll
done
