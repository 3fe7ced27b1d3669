#!/usr/bin/env bash
# Twelfth session: the eleventh session's open question, 1:1 p99 at 5,000 msgs/s on SQLite, main (this checkout's
# Release build, 13e5d3e) against the issue-4 build (14bc2f7, /tmp/baseline), alternating, six runs each.
set -u
cd /work/main
out=bench/results/2026-12-07-s21/p99-5000
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() { local name=$1; shift; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log"; grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"; }
for i in 1 2 3 4 5 6; do
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll /tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
  run "main-pairs-5000-$i" pairs --rate 5000
done
echo done >> "$out/load.txt"
