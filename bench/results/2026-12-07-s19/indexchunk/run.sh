#!/usr/bin/env bash
# Tenth session: p99 at 5,000 msgs/s on SQLite, main with the search indexer's default chunk (2,000 messages a
# transaction) against a chunk of 200 (`--Messaging:SearchIndexChunk=200`: the indexer holds SQLite's write lock for
# shorter spells), and the issue-4 build, alternating; then 20,000 with both chunks.
set -u
cd /work/main
while [ ! -f bench/results/2026-12-07-s19/list/done ]; do sleep 10; done
out=bench/results/2026-12-07-s19/indexchunk
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3; do
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
  run "main-pairs-5000-$i" pairs --rate 5000
  run "chunk200-pairs-5000-$i" pairs --rate 5000 --server-arg=--Messaging:SearchIndexChunk=200
done
for i in 1 2; do
  run "main-pairs-20000-$i" pairs --rate 20000
  run "chunk200-pairs-20000-$i" pairs --rate 20000 --server-arg=--Messaging:SearchIndexChunk=200
done
echo done >> "$out/load.txt"
