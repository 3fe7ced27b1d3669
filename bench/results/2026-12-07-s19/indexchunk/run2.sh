#!/usr/bin/env bash
# Tenth session: what sets main's p99 at 5,000 msgs/s: main, main with the search indexer idle
# (`--Messaging:SearchIndexDelay=01:00:00`), the build before the outbox change (945e975), and the issue-4 build.
set -u
cd /work/main
out=bench/results/2026-12-07-s19/indexchunk
head=/tmp/server-new2/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 4 5; do
  run "main-pairs-5000-$i" pairs --rate 5000
  run "noindexer-pairs-5000-$i" pairs --rate 5000 --server-arg=--Messaging:SearchIndexDelay=01:00:00
  run "head-pairs-5000-$i" pairs --rate 5000 --server-dll "$head"
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
done
echo done2 >> "$out/load.txt"
