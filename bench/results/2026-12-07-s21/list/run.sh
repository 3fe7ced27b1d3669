#!/usr/bin/env bash
# Twelfth session: the conversation list on PostgreSQL (the database `bench history` seeded in the tenth session,
# 1,000,000 messages, 5,000 conversations), main as the session found it (cf526db, /tmp/server-main) against the
# list's sort key on the member rows (/tmp/server-new), A B A B. The new build's first start migrates the database
# (the keys are copied from the conversations' activity); the old build reads the migrated database in its second run.
set -u
cd /work/main
out=bench/results/2026-12-07-s21/list
bash bench/list-compare.sh 1000 /tmp/server-main/Parley.Server.dll /tmp/server-new/Parley.Server.dll \
  /tmp/server-main/Parley.Server.dll /tmp/server-new/Parley.Server.dll > "$out/list-compare.txt" 2>&1
echo done >> "$out/list-compare.txt"
