#!/usr/bin/env bash
# Parley: webhook figures (issue 12): message.created delivery throughput to a fast local receiver while 1:1 traffic
# runs, whether chat latency changes when a subscription exists, and the added latency of message.before_send.
#
#   bench/webhooks.sh
#
# Environment:
#   PAIRS_RATE=N          the 1:1 rate of the three main runs (default 2000 msgs/s)
#   PAIRS_DURATION=S      the measured window of each pairs run (default 20; pairs also warms up 5 s first)
#   MAX_RATES="a b"       find-the-max for delivery: pairs at these rates with a message.created subscription
#                         (default "5000 10000"; empty: skip)
#   DRAIN_TIMEOUT=S       how long to wait for the receiver to get every message.created event after a main run
#                         (default 300); MAX_DRAIN_TIMEOUT=S the same after a find-the-max run (default 60). When the
#                         wait ends first, the summary projects the rest from the sustained delivery rate.
#   WEBHOOK_CONCURRENCY=N Webhooks:MaxConcurrencyPerEndpoint (default: the server's, 4)
#   PARLEY_BENCH_DB=sqlite|postgres   the server's database (default sqlite; postgres uses scripts/test.sh's private
#                         PostgreSQL on 127.0.0.1:55432 and a fresh database parley_bench_webhooks)
#   PARLEY_SERVER_DLL=path            the server to run (default: a Release build made here)
#
# It starts its own server (127.0.0.1 only, fresh data) and a tiny receiver (bench/webhook-receiver.mjs, Node.js,
# on 127.0.0.1: 200 at once, {"action":"allow"} for before_send; it counts events per type and when they arrive).
# Plain http:// is accepted for a loopback receiver (the server's own rule: https, or http to loopback and private
# hosts), so no setting is changed for it. Then, on that one server, `Parley.Bench pairs --rate PAIRS_RATE`:
#   1. none         no subscription
#   2. created      a message.created subscription: events/s at the receiver during the measured window, the backlog
#                   when the window ends (events stored but not yet delivered) and how long it takes to drain
#   3. before_send  a message.before_send subscription (receiver allows at once): p50/p99 against run 1
#   4. max-R        for each R in MAX_RATES, like 2: does delivery keep up (backlog growth)?
# Each subscription is deleted after its run (undelivered events go with it). Output: a side-by-side summary on
# stdout; each run's pairs output (.txt, .log, .json), its receiver counts and delivery figures, and the server's
# log under $PARLEY_BENCH_OUT (default bench/results/webhooks-<date>).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rate=${PAIRS_RATE:-2000}
duration=${PAIRS_DURATION:-20}
warmup=5
max_rates=${MAX_RATES-5000 10000}
out=${PARLEY_BENCH_OUT:-bench/results/webhooks-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(realpath "$out")
data=$(mktemp -d -t parley-bench-webhooks-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

bench_server_dll
dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q

bench_database_args parley_bench_webhooks "$data"
server_args=("${db_args[@]}" "--urls=http://127.0.0.1:$port" "--Logging:LogLevel:Default=Warning" "--Logging:LogLevel:Parley=Information"
  "--Logging:LogLevel:Parley.Platform.Audit=Warning"
  "--Gateway:FramesPerSecond=1000000" "--RateLimits:MessagesPerSecondPerUser=1000000" "--RateLimits:MessageBurstPerUser=1000000"
  "--RateLimits:RegisterPerMinute=1000000" "--RateLimits:LoginPerMinute=1000000" "--Accounts:BcryptWorkFactor=4")
[ -n "${WEBHOOK_CONCURRENCY:-}" ] && server_args+=("--Webhooks:MaxConcurrencyPerEndpoint=$WEBHOOK_CONCURRENCY")

# The receiver first, then the key (the CLI migrates the database), then the server.
node bench/webhook-receiver.mjs "$data/receiver-port" > "$out/receiver.log" 2>&1 &
receiver=$!
server=""
trap 'kill "$receiver" $server 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do [ -s "$data/receiver-port" ] && break; sleep 0.1; done
hook="http://127.0.0.1:$(cat "$data/receiver-port")"
key=$(cd "$data" && dotnet "$dll" api-key create bench "${db_args[@]}" | grep '^pk_')
(cd "$data" && exec dotnet "$dll" "${server_args[@]}") > "$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port/api/v1/admin"

api() { curl -sf -X "$1" "$base$2" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
subscribe() { api POST /webhooks "{\"url\":\"$hook/hook\",\"events\":[\"$1\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
messages() { api GET /stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["messagesLast24h"])'; }

# pairs NAME RATE: one Parley.Bench pairs run against this server; its JSON line in NAME.json.
pairs() {
  local launched
  launched=$(date +%s%3N)
  dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll pairs --url "http://127.0.0.1:$port/" --server-pid "$server" \
    --rate "$2" --warmup "$warmup" --duration "$duration" --json > "$out/$1.txt" 2> "$out/$1.log" \
    || echo "  [$1] the generator failed (exit $?): see $out/$1.log"
  tail -n 1 "$out/$1.txt" > "$out/$1.json"
  # When sending began (ms since the epoch): the generator logs its offset, after setting up its users and sockets.
  python3 -c 'import re,sys; m=re.search(r"^\[\s*([0-9.]+)s\] pairs:", open(sys.argv[1]).read(), re.M); print(int(sys.argv[2]) + int(float(m.group(1)) * 1000))' \
    "$out/$1.log" "$launched" > "$out/$1.start" 2> /dev/null || echo "$launched" > "$out/$1.start"
  grep -E 'latency p50|latency p99 |lost \(' "$out/$1.txt" | sed "s/^/  [$1] /" || true
}

# delivery NAME TIMEOUT MESSAGES_BEFORE: after a message.created run, waits until the receiver has every event (the
# messages stored since MESSAGES_BEFORE) or TIMEOUT s pass, then writes NAME-delivery.json.
delivery() {
  local expected=$(($(messages) - $3))
  RECEIVER="$hook" START="$(cat "$out/$1.start")" EXPECTED="$expected" TIMEOUT="$2" WARMUP="$warmup" DURATION="$duration" python3 - > "$out/$1-delivery.json" <<'PY'
import json, os, sys, time, urllib.request
hook, expected, timeout = os.environ["RECEIVER"], int(os.environ["EXPECTED"]), float(os.environ["TIMEOUT"])
window = float(os.environ["WARMUP"]) + float(os.environ["DURATION"])
def stats(): return json.load(urllib.request.urlopen(hook + "/stats"))
exited = time.time() * 1000
deadline, s = time.time() + timeout, stats()
while s["types"].get("message.created", {}).get("count", 0) < expected and time.time() < deadline:
    time.sleep(0.5); s = stats()
created = s["types"].get("message.created", {"count": 0, "first": exited, "last": exited})
received, first, last = created["count"], created["first"], created["last"]
# Sending began at START (the generator's log) and ends warm-up + window later; per-second counts, so +-1 s.
start = int(os.environ["START"])
end = start + window * 1000
per_second = {int(k): v for k, v in s["perSecond"].items()}
# The second in which sending ended counts pro rata.
by_end = sum(v for k, v in per_second.items() if k < end // 1000) + per_second.get(int(end // 1000), 0) * (end % 1000) / 1000
measured_from = start + float(os.environ["WARMUP"]) * 1000
in_window = sum(v for k, v in per_second.items() if measured_from // 1000 <= k < end // 1000)
sustained = received / max((last - start) / 1000, 0.001)
left = expected - received
json.dump({
    "expected": expected, "received": received, "complete": left <= 0,
    "window_delivered_per_s": in_window / float(os.environ["DURATION"]),
    "backlog_at_window_end": max(round(expected - by_end), 0),
    "drain_s": (last - end) / 1000 if left <= 0 else None,
    "left_at_timeout": max(left, 0),
    "projected_drain_s": None if left <= 0 else (last - end) / 1000 + left / max(sustained, 0.001),
    "sustained_per_s": sustained,
    "per_second": s["perSecond"],
}, sys.stdout)
PY
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("  [%s] %d events, %.0f/s in the window, backlog %d at its end, %s" % (sys.argv[2], d["expected"], d["window_delivered_per_s"], d["backlog_at_window_end"], "drained %.1f s after it" % d["drain_s"] if d["complete"] else "%d left when the wait ended" % d["left_at_timeout"]))' "$out/$1-delivery.json" "$1"
}

# created_run NAME RATE TIMEOUT: pairs with a message.created subscription, then the delivery figures.
created_run() {
  curl -sf -X POST "$hook/reset"
  local id before
  id=$(subscribe message.created)
  before=$(messages)
  pairs "$1" "$2"
  delivery "$1" "$3" "$before"
  curl -sf "$hook/stats" > "$out/$1-receiver.json"
  api DELETE "/webhooks/$id"
}

echo "1. $rate msgs/s, no subscription:"
pairs none "$rate"

echo "2. $rate msgs/s, a message.created subscription:"
created_run created "$rate" "${DRAIN_TIMEOUT:-300}"

echo "3. $rate msgs/s, a message.before_send subscription (the receiver allows at once):"
curl -sf -X POST "$hook/reset"
id=$(subscribe message.before_send)
pairs before_send "$rate"
curl -sf "$hook/stats" > "$out/before_send-receiver.json"
api DELETE "/webhooks/$id"

for max in $max_rates; do
  echo "4. $max msgs/s, a message.created subscription (does delivery keep up?):"
  created_run "max-$max" "$max" "${MAX_DRAIN_TIMEOUT:-60}"
done

echo
OUT="$out" RATE="$rate" MAX_RATES="$max_rates" python3 - <<'PY' | tee "$out/summary.txt"
import json, os
out, rate = os.environ["OUT"], os.environ["RATE"]
def load(name, suffix=".json"):
    try: return json.load(open(os.path.join(out, name + suffix)))
    except (OSError, ValueError): return {}
def ms(v): return "n/a" if v is None else f"{v:.1f}"
runs = [("none", "no subscription"), ("created", "message.created"), ("before_send", "message.before_send")]
runs += [(f"max-{r}", f"message.created at {r}") for r in os.environ["MAX_RATES"].split()]
none = load("none")
print(f"{'run':32} {'offered':>8} {'acked/s':>9} {'lost':>6} {'p50 ms':>8} {'p99 ms':>8} {'+p50':>7} {'+p99':>7} "
      f"{'hooks/s':>9} {'backlog':>9} {'drain s':>9}")
for name, label in runs:
    p = load(name)
    if not p: continue
    d = load(name + "-delivery") if name != "before_send" else {}
    add50 = p.get("latency_p50_ms", 0) - none.get("latency_p50_ms", 0) if none and name != "none" else None
    add99 = p.get("latency_p99_ms", 0) - none.get("latency_p99_ms", 0) if none and name != "none" else None
    hooks = d.get("window_delivered_per_s")
    if name == "before_send":
        r = load("before_send-receiver", ".json").get("types", {}).get("message.before_send", {})
        hooks = r.get("count", 0) / max((r.get("last", 0) - r.get("first", 0)) / 1000, 0.001) if r else None
    drain = d.get("drain_s") if d.get("complete") else d.get("projected_drain_s")
    print(f"{label:32} {p.get('rate_offered', 0):>8,.0f} {p.get('acked_per_s', 0):>9,.0f} {p.get('lost', 0):>6} "
          f"{ms(p.get('latency_p50_ms')):>8} {ms(p.get('latency_p99_ms')):>8} {ms(add50) if add50 is not None else '':>7} "
          f"{ms(add99) if add99 is not None else '':>7} {('%.0f' % hooks) if hooks is not None else '':>9} "
          f"{d.get('backlog_at_window_end', '') if d else '':>9} "
          f"{(('%.1f' % drain) + ('' if d.get('complete') else '*')) if drain is not None else '':>9}")
print("\nhooks/s: message.created events the receiver got per second during the measured window (before_send: calls/s)."
      "\nbacklog: events stored but not yet delivered when the window ended; drain s: from then to the last delivery"
      "\n(* projected from the sustained delivery rate: the wait ended first). +p50/+p99: against the run without a subscription."
      "\nKeeps up: every event delivered within 2 s of the last send. Times are per second of arrival: about +-1 s.")
for name, _ in runs:
    d = load(name + "-delivery")
    if not d: continue
    offered = load(name).get("rate_offered", 0)
    # Keeps up: every event delivered within 2 s of the last send.
    keeps = "keeps up" if d["complete"] and d["drain_s"] is not None and d["drain_s"] <= 2 else "falls behind"
    print(f"{name}: {d['received']:,} of {d['expected']:,} events delivered, sustained {d['sustained_per_s']:,.0f}/s "
          f"from the first send to the last delivery; {keeps} with {offered:,.0f} msgs/s")
PY
echo "raw output in $out"
