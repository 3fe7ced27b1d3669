#!/usr/bin/env bash
# Twelfth session: run3.sh's new3 run again (its history and sync pages ran at twice the times of the run after it,
# so the machine was busier then), then cf526db again.
set -u
cd /work/main
. /tmp/testenv.sh
out=bench/results/2026-12-07-s21/history
for who in new3 other; do
  extra=(--server-dll /tmp/server-main/Parley.Server.dll); [ $who = new3 ] && extra=(--server-dll /tmp/server-new3/Parley.Server.dll)
  uptime >> "$out/load.txt"
  dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll history --postgres --conversations 5000 --messages 1000000 --settle 120 \
    --warmup-requests 3000 --json "${extra[@]}" > "$out/$who-warm2-history-postgres.txt" 2> "$out/$who-warm2-history-postgres.log"
done
echo done4 >> "$out/load.txt"
