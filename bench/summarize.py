#!/usr/bin/env python3
"""Markdown tables from the --json lines that bench/run-benchmarks.sh keeps: bench/summarize.py bench/results/<run>"""
import json
import pathlib
import sys


def load(directory):
    runs = {}
    for path in sorted(pathlib.Path(directory).glob("*.json")):
        text = path.read_text().strip()
        if text:
            run = json.loads(text)
            runs[path.stem] = run
            # idle --sizes: one run per size inside the trend's line.
            for r in run.get("runs", []) if run.get("scenario") == "idle --sizes" else []:
                runs[f"{path.stem}-{r['connections']}"] = r
    return runs


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return str(value)


def pairs_row(name, r):
    return "| " + " | ".join([
        name, fmt(r["rate_offered"]), fmt(r["delivered_per_s"]), fmt(r["lost"]),
        fmt(r["latency_p50_ms"], 2), fmt(r["latency_p99_ms"]), fmt(r["latency_p999_ms"]), fmt(r["latency_max_ms"]),
        fmt(r["ack_p99_ms"]), fmt(r["server_cpu_s"], 2), fmt(r["server_cores"], 2), fmt(r["delivered_per_cpu_s"]),
        fmt(r["server_rss_end_mib"]), fmt(r["generator_cpu_s"], 2), fmt(r["other_cores"], 2),
    ]) + " |"


PAIRS_HEAD = ("| run | offered msgs/s | delivered msgs/s | lost | p50 ms | p99 ms | p99.9 ms | max ms | ack p99 ms "
              "| server CPU s (20 s) | server cores | delivered per server CPU-s | server RSS MiB | generator CPU s | other cores |\n"
              "|" + " --- |" * 15)


def main():
    runs = load(sys.argv[1] if len(sys.argv) > 1 else ".")
    pairs = [(n, r) for n, r in runs.items() if r.get("scenario") == "pairs"]
    if pairs:
        print(PAIRS_HEAD)
        for name, r in sorted(pairs, key=lambda x: x[1]["rate_offered"]):
            print(pairs_row(name, r))
        print()
    for name, r in runs.items():
        if r.get("scenario") != "pairs --find-max":
            continue
        print(PAIRS_HEAD)
        for i, step in enumerate(r["steps"]):
            print(pairs_row(f"step {i + 1}" + (" (pass)" if step.get("passed") else " (fail)"), step))
        if "final" in r:
            print(pairs_row("final, 80%" + (" (pass)" if r["final"].get("passed") else " (fail)"), r["final"]))
        print(f"\nhighest passing rate: {fmt(r['max_passing_rate'])} msgs/s; final run at {fmt(r['final_rate'])} msgs/s\n")
    groups = [(n, r) for n, r in runs.items() if r.get("scenario") == "group"]
    if groups:
        print("| run | members | msgs/s | deliveries/s | lost | p50 ms (all) | p99 ms (all) | last member p50 ms | last member p99 ms "
              "| last member max ms | server cores | deliveries per server CPU-s | server RSS MiB | generator cores | other cores |")
        print("|" + " --- |" * 15)
        for name, r in sorted(groups, key=lambda x: x[1]["rate_offered"]):
            print("| " + " | ".join([
                name, fmt(r["members"]), fmt(r["rate_offered"]), fmt(r["delivered_per_s"]), fmt(r["lost"]),
                fmt(r["latency_p50_ms"]), fmt(r["latency_p99_ms"]), fmt(r["last_member_p50_ms"]), fmt(r["last_member_p99_ms"]),
                fmt(r["last_member_max_ms"]), fmt(r["server_cores"], 2), fmt(r["delivered_per_cpu_s"]), fmt(r["server_rss_end_mib"]),
                fmt(r["generator_cpu_s"] / r["duration_s"], 2), fmt(r["other_cores"], 2),
            ]) + " |")
        print()
    idle = [(n, r) for n, r in runs.items() if r.get("scenario") == "idle"]
    if idle:
        print("| run | connections | open in s | handshakes/s | server CPU s | handshakes per server CPU-s | second round: handshakes/s "
              "| second round: per server CPU-s | RSS before MiB | RSS after MiB | KiB per connection | idle server cores |")
        print("|" + " --- |" * 12)
        for name, r in sorted(idle, key=lambda x: x[1]["connections"]):
            print("| " + " | ".join([
                name, fmt(r["connections"]), fmt(r["open_seconds"], 2), fmt(r["handshakes_per_s"]), fmt(r["handshake_server_cpu_s"], 2),
                fmt(r["handshakes_per_cpu_s"]), fmt(r.get("warm_handshakes_per_s")), fmt(r.get("warm_handshakes_per_cpu_s")), fmt(r["server_rss_before_mib"]), fmt(r["server_rss_after_mib"]),
                fmt(r["rss_per_connection_kib"]), fmt(r["idle_server_cores"], 3),
            ]) + " |")


if __name__ == "__main__":
    main()
