#!/usr/bin/env bash
# Tenth session: SQLite's WAL checkpointed in the background (`SqliteCheckpointer`, every 250 ms, build in /tmp/server-ckpt)
# against SQLite's own checkpoints in the committing writer (the same build with --Database:SqliteCheckpointInterval=0),
# and the issue-4 build, alternating: 1:1 at 5,000 three times, then at 20,000 twice.
set -u
cd /work/main
out=bench/results/2026-12-07-s19/checkpoint
main=/tmp/server-ckpt/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3; do
  run "main-pairs-5000-$i" pairs --rate 5000 --server-dll "$main"
  run "sqlitecheckpoints-pairs-5000-$i" pairs --rate 5000 --server-dll "$main" --server-arg=--Database:SqliteCheckpointInterval=00:00:00
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
done
for i in 1 2; do
  run "main-pairs-20000-$i" pairs --rate 20000 --server-dll "$main"
  run "sqlitecheckpoints-pairs-20000-$i" pairs --rate 20000 --server-dll "$main" --server-arg=--Database:SqliteCheckpointInterval=00:00:00
done
echo done >> "$out/load.txt"
