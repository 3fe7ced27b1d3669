#!/usr/bin/env bash
# Eleventh session: 1:1 at 5,000 msgs/s on SQLite, alternating: the WAL checkpointer (build in /tmp/server-ckpt2),
# the same build with SQLite's own checkpoints (--Database:SqliteCheckpointInterval=00:00:00, as main), the issue-4 build.
set -u
cd /work/main
out=bench/results/2026-12-07-s20/checkpointer
new=/tmp/server-ckpt2/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3 4; do
  run "ckpt-pairs-5000-$i" pairs --rate 5000 --server-dll "$new"
  run "sqliteckpt-pairs-5000-$i" pairs --rate 5000 --server-dll "$new" --server-arg=--Database:SqliteCheckpointInterval=00:00:00
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
done
echo done >> "$out/load.txt"
