#!/usr/bin/env bash
# Eleventh session: the write gate with the search indexer behind the committer, overtaken at most 8 times
# (MaxOvertakes 8; /tmp/server-prio, "prio") against main
# at 64eda27 (/tmp/server-merge, "main") and the issue-4 build ("other"), 1:1 at 5,000 msgs/s four times each,
# alternating; then 20,000 twice each (prio, main).
set -u
cd /work/main
out=bench/results/2026-12-07-s20/priority
new=/tmp/server-prio/Parley.Server.dll
main=/tmp/server-merge/Parley.Server.dll
base=/tmp/baseline/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() {
  local name=$1; shift
  echo "== $name $(date -u +%H:%M:%S): $*" >> "$out/load.txt"; uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log" || echo "   $name failed, see $out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for i in 1 2 3 4; do
  run "prio-pairs-5000-$i" pairs --rate 5000 --server-dll "$new"
  run "other-pairs-5000-$i" pairs --rate 5000 --server-dll "$base"
  run "main-pairs-5000-$i" pairs --rate 5000 --server-dll "$main"
done
for i in 1 2; do
  run "prio-pairs-20000-$i" pairs --rate 20000 --server-dll "$new"
  run "main-pairs-20000-$i" pairs --rate 20000 --server-dll "$main"
done
echo done >> "$out/load.txt"
