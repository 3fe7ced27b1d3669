#!/usr/bin/env bash
# Twelfth session, last: `bench history` with 3,000 untimed requests of each kind first (--warmup-requests 3000, a
# server that has been serving for a while), main with the groups in the rows' statement (/tmp/server-new3) and main
# as the session found it (cf526db, /tmp/server-main), one after the other, each on a fresh database.
set -u
cd /work/main
. /tmp/testenv.sh
out=bench/results/2026-12-07-s21/history
for who in new3 other; do
  extra=(); [ $who = other ] && extra=(--server-dll /tmp/server-main/Parley.Server.dll)
  [ $who = new3 ] && extra=(--server-dll /tmp/server-new3/Parley.Server.dll)
  uptime >> "$out/load.txt"
  dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll history --postgres --conversations 5000 --messages 1000000 --settle 120 \
    --warmup-requests 3000 --json "${extra[@]}" > "$out/$who-warm-history-postgres.txt" 2> "$out/$who-warm-history-postgres.log"
done
echo done3 >> "$out/load.txt"
