#!/usr/bin/env python3
"""Run two commands alternately (A, B, A, B, ...) N times each; print one JSON line per
command: median, min and max wall time, median CPU time (user+sys of the command and its
children), every run's wall and CPU time, and the peak RSS of one more run under GNU time.

usage: pair.py [--runs N] [--before SHELL] --label-a NAME --label-b NAME -a CMD -b CMD
CMD is one shell command line (run with bash -c). --before: a shell command run (untimed)
before every run, e.g. to remove the last run's output.
Interleaving puts both commands under the same load over the same span of time: on a
machine others share, a slow minute slows both, and the ratio of medians holds better than
that of two series run one after the other.
"""
import argparse, json, os, resource, statistics, subprocess, sys, tempfile, time

GNU_TIME = "/usr/bin/time"
if not os.access(GNU_TIME, os.X_OK):
    sys.exit("pair: /usr/bin/time missing: apt-get install time")

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=5)
p.add_argument("--before", default="")
p.add_argument("--label-a", required=True)
p.add_argument("--label-b", required=True)
p.add_argument("-a", required=True)
p.add_argument("-b", required=True)
a = p.parse_args()


def before():
    if a.before:
        subprocess.check_call(["bash", "-c", a.before])


def timed(cmd):
    """Wall and CPU seconds of one run."""
    before()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    code = subprocess.call(["bash", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        sys.exit(f"pair: {cmd} exited {code}")
    return dt, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def peak_rss_kib(cmd):
    with tempfile.NamedTemporaryFile("r") as rss_file:
        before()
        subprocess.call([GNU_TIME, "-f", "%M", "-o", rss_file.name, "bash", "-c", cmd],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(rss_file.read().strip().splitlines()[-1])


def shown(text):
    for var in ("BENCH_TOKEN", "BENCH_TMP", "BENCH_BIN", "BENCH_API", "BENCH_FILES"):
        if os.environ.get(var):
            text = text.replace(os.environ[var], "$" + var[6:])
    return text


runs = {"a": [], "b": []}
for i in range(a.runs):
    # Alternate which goes first, so neither always follows the other's cleanup.
    order = ("a", "b") if i % 2 == 0 else ("b", "a")
    for k in order:
        runs[k].append(timed(getattr(a, k)))
        print(f"pair: run {i + 1} {getattr(a, 'label_' + k)}: {runs[k][-1][0]:.2f} s wall, "
              f"{runs[k][-1][1]:.2f} s cpu", file=sys.stderr)
for k in ("a", "b"):
    walls = [w for w, _ in runs[k]]
    cpus = [c for _, c in runs[k]]
    print(json.dumps({
        "label": getattr(a, "label_" + k),
        "runs": a.runs,
        "median_ms": round(statistics.median(walls) * 1000, 2),
        "min_ms": round(min(walls) * 1000, 2),
        "max_ms": round(max(walls) * 1000, 2),
        "cpu_ms": round(statistics.median(cpus) * 1000, 2),
        "walls_ms": [round(w * 1000) for w in walls],
        "cpus_ms": [round(c * 1000) for c in cpus],
        "peak_rss_kib": peak_rss_kib(getattr(a, k)),
        "command": shown(getattr(a, k)),
    }))
