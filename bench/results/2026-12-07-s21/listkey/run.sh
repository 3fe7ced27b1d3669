#!/usr/bin/env bash
# Twelfth session: the message path with the list's sort key on the member rows (this checkout, "main") against main as
# the session found it (cf526db, /tmp/server-main, "other"): SQLite (pairs at 10,000/20,000/5,000/10,000, the group of
# 1,000 at 250 msgs/s), then PostgreSQL (pairs at 2,000 and 5,000, twice each), alternating.
set -u
cd /work/main
out=bench/results/2026-12-07-s21/listkey
bash bench/compare-builds.sh /tmp/server-main/Parley.Server.dll "$out/sqlite" > "$out/sqlite.txt" 2>&1
bash bench/compare-builds.sh --postgres /tmp/server-main/Parley.Server.dll "$out/postgres" > "$out/postgres.txt" 2>&1
echo done > "$out/done"
