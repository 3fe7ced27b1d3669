#!/bin/bash
# usage: commitstats.sh RATE OUT [extra bench args] — scrape the commit histograms twice in the measured window
RATE=$1; OUT=$2; shift 2
B="dotnet /work/main/bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll"
$B pairs --rate $RATE --server-arg=--Metrics:Enabled=true "$@" > $OUT.txt 2>&1 &
BP=$!
while ! grep -q "msgs/s over" $OUT.txt 2>/dev/null; do sleep 0.5; done
PORT=$(grep -o '127.0.0.1:[0-9]*' $OUT.txt | head -1)
sleep 40; curl -s http://$PORT/metrics | grep -E '^parley_commit_batch_(duration_seconds|size)_(sum|count)' > $OUT.m1
sleep 10; curl -s http://$PORT/metrics | grep -E '^parley_commit_batch_(duration_seconds|size)_(sum|count)' > $OUT.m2
wait $BP
python3 - $OUT.m1 $OUT.m2 <<'PY'
import sys
def rd(f): return {l.split()[0].split('{')[0]: float(l.split()[-1]) for l in open(f)}
a,b=rd(sys.argv[1]),rd(sys.argv[2]); d={k:b[k]-a[k] for k in a}
n=d['parley_commit_batch_size_count']; print(f"batches {n:.0f} in 10 s, mean size {d['parley_commit_batch_size_sum']/n:.0f}, mean batch {d['parley_commit_batch_duration_seconds_sum']/n*1000:.2f} ms, committer busy {d['parley_commit_batch_duration_seconds_sum']/10:.2f} of the wall time, per message {d['parley_commit_batch_duration_seconds_sum']/d['parley_commit_batch_size_sum']*1e6:.1f} us")
PY
grep -- "->" $OUT.txt
