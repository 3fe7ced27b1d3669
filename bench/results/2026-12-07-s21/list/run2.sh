#!/usr/bin/env bash
# Twelfth session, after the list's place in one statement and the expiry probe kept (d34354c, /tmp/server-new2):
# list-compare on the tenth session's database, cf526db (/tmp/server-main), 13e5d3e (/tmp/server-new), d34354c,
# A B C A B C; then `bench history` on a fresh database with d34354c (as history/run.sh did for the other two).
set -u
cd /work/main
. /tmp/testenv.sh
out=bench/results/2026-12-07-s21
bash bench/list-compare.sh 1000 /tmp/server-main/Parley.Server.dll /tmp/server-new/Parley.Server.dll /tmp/server-new2/Parley.Server.dll \
  /tmp/server-main/Parley.Server.dll /tmp/server-new/Parley.Server.dll /tmp/server-new2/Parley.Server.dll > "$out/list/list-compare2.txt" 2>&1
uptime >> "$out/history/load.txt"
dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll history --postgres --conversations 5000 --messages 1000000 --settle 120 --json \
  --server-dll /tmp/server-new2/Parley.Server.dll > "$out/history/new2-history-postgres.txt" 2> "$out/history/new2-history-postgres.log"
echo done2 >> "$out/history/load.txt"
