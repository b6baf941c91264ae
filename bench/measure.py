#!/usr/bin/env python3
"""Run a command N times; print the median wall time and the peak RSS as one JSON line.

usage: measure.py [--runs N] [--warmup K] [--label NAME] [--env K=V ...] [--before SHELL] -- CMD ARGS...
--before: a shell command run (untimed) before every run, e.g. to remove the last run's output.
--anchor 'CMD2 ARGS' (with --anchor-label): a second command (split as a shell would, run
without one) run alternately with CMD, run for run,
so load that comes and goes on a shared machine falls on both alike; its JSON line follows.
Wall times are of the bare command; the peak RSS comes from one more run under GNU time
(/usr/bin/time -f %M, KiB): wait4()'s ru_maxrss would also count the forked Python before exec.
"""
import argparse, json, os, resource, shlex, statistics, subprocess, sys, tempfile, time

GNU_TIME = "/usr/bin/time"
if not os.access(GNU_TIME, os.X_OK):
    sys.exit("measure: /usr/bin/time missing: apt-get install time")

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=10)
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--label", default="")
p.add_argument("--env", action="append", default=[])
p.add_argument("--before", default="")
p.add_argument("--anchor", default="")
p.add_argument("--anchor-label", default="")
p.add_argument("cmd", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
env = dict(os.environ)
for kv in a.env:
    k, _, v = kv.partition("=")
    env[k] = v

cpu = []
anchor_cpu = []
anchor_cmd = shlex.split(a.anchor)  # as CMD is run: no shell in between


def timed(command=cmd, cpus=cpu):
    """Wall time of one run, with nothing between us and the command."""
    if a.before:
        subprocess.check_call(["bash", "-c", a.before], env=env)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    code = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    dt = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    if code != 0:
        sys.exit(f"measure: {' '.join(command)} exited {code}")
    return dt


def peak_rss_kib(cmd=cmd):
    """Peak RSS of one run under GNU time."""
    with tempfile.NamedTemporaryFile("r") as rss_file:
        if a.before:
            subprocess.check_call(["bash", "-c", a.before], env=env)
        subprocess.call([GNU_TIME, "-f", "%M", "-o", rss_file.name] + cmd,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        return int(rss_file.read().strip().splitlines()[-1])


def shown(cmd):
    """The command as a reader can retype it: scratch paths as $TMP, our binary as $BIN,
    the server's URLs as $API / $FILES and its token as $TOKEN (never written out)."""
    text = " ".join(shlex.quote(c) for c in cmd)
    for var in ("BENCH_TOKEN", "BENCH_TMP", "BENCH_BIN", "BENCH_API", "BENCH_FILES"):
        if os.environ.get(var):
            text = text.replace(os.environ[var], "$" + var[6:])
    return text


def line(label, command, walls, cpus, shown_as):
    return json.dumps({
        "label": label,
        "runs": a.runs,
        "median_ms": round(statistics.median(walls) * 1000, 2),
        "min_ms": round(min(walls) * 1000, 2),
        "max_ms": round(max(walls) * 1000, 2),
        "cpu_ms": round(statistics.median(cpus) * 1000, 2),
        # Every run, in order: with --anchor, run i of both saw the same load.
        "walls_ms": [round(w * 1000) for w in walls],
        "cpus_ms": [round(c * 1000) for c in cpus],
        "peak_rss_kib": peak_rss_kib(command),
        "command": shown_as,
    })


walls, anchor_walls = [], []
for i in range(a.warmup + a.runs):
    w = timed()
    if a.anchor:
        aw = timed(anchor_cmd, anchor_cpu)
    if i >= a.warmup:
        walls.append(w)
        if a.anchor:
            anchor_walls.append(aw)
del cpu[: a.warmup]
del anchor_cpu[: a.warmup]
print(line(a.label or " ".join(cmd), cmd, walls, cpu, shown(cmd)))
if a.anchor:
    print(line(a.anchor_label or a.anchor, anchor_cmd, anchor_walls, anchor_cpu, shown(anchor_cmd)))
