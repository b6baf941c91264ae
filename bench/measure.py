#!/usr/bin/env python3
"""Run a command N times; print the median wall time and the peak RSS as one JSON line.

usage: measure.py [--runs N] [--warmup K] [--label NAME] [--env K=V ...] -- CMD ARGS...
Peak RSS comes from wait4()'s rusage of each run (ru_maxrss, KiB on Linux).
"""
import argparse, json, os, statistics, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=10)
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--label", default="")
p.add_argument("--env", action="append", default=[])
p.add_argument("cmd", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
env = dict(os.environ)
for kv in a.env:
    k, _, v = kv.partition("=")
    env[k] = v

def once():
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"measure: {' '.join(cmd)} exited {os.waitstatus_to_exitcode(status)}")
    return dt, ru.ru_maxrss

for _ in range(a.warmup):
    once()
walls, rss = [], []
for _ in range(a.runs):
    w, r = once()
    walls.append(w)
    rss.append(r)
print(json.dumps({
    "label": a.label or " ".join(cmd),
    "runs": a.runs,
    "median_ms": round(statistics.median(walls) * 1000, 2),
    "min_ms": round(min(walls) * 1000, 2),
    "peak_rss_kib": max(rss),
}))
