#!/usr/bin/env bash
# `clearml sync` throughput: a project of BENCH_SYNC_TASKS tasks (1,000) with
# BENCH_SYNC_POINTS scalar points each (1,000) and BENCH_SYNC_MIB MiB of artifact files
# (1024) on one `clearml server serve`, copied to a second one; the anchor is a plain API
# read of the same data (bench/sync_read.py: every task, event and file, 4 requests in
# flight), the limit a copy cannot beat. Also: a second sync with nothing changed.
# Needs the release binary (make build) and .venv (requests comes with the SDK).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLEARML_BIN:-$PWD/target/release/clearml}
PY=$PWD/.venv/bin/python
TASKS=${BENCH_SYNC_TASKS:-1000}
POINTS=${BENCH_SYNC_POINTS:-1000}
MIB=${BENCH_SYNC_MIB:-1024}
top=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$top"; }
trap cleanup EXIT

tmp=$top/a; mkdir -p "$tmp"; . bench/serve_lib.sh; pids+=("$serve_pid")
A_API=$API; A_FILES=$FILES; A_CONF=$tmp/home/clearml.conf
tmp=$top/b; mkdir -p "$tmp"; . bench/serve_lib.sh; pids+=("$serve_pid")
B_CONF=$tmp/home/clearml.conf

"$PY" bench/sync_seed.py "$A_API" "$A_FILES" "$KEY" "$SECRET" "$TASKS" "$POINTS" "$MIB" >&2

now() { date +%s.%N; }
t0=$(now); read_out=$("$PY" bench/sync_read.py "$A_API" "$KEY" "$SECRET"); t1=$(now)
read_s=$(echo "$t1 - $t0" | bc)
t0=$(now); "$BIN" -q sync --from "$A_CONF" --to "$B_CONF" --json > "$top/first.json"; t1=$(now)
sync_s=$(echo "$t1 - $t0" | bc)
t0=$(now); "$BIN" -q sync --from "$A_CONF" --to "$B_CONF" --json > "$top/second.json"; t1=$(now)
again_s=$(echo "$t1 - $t0" | bc)

OUT=${BENCH_OUT:-$PWD/bench/out}; mkdir -p "$OUT"
python3 - "$OUT/sync.jsonl" "$TASKS" "$POINTS" "$MIB" "$sync_s" "$read_s" "$again_s" "$top/first.json" "$top/second.json" "$read_out" "$BIN" <<'PY'
import json, sys
path, tasks, points, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sync_s, read_s, again_s = map(float, sys.argv[5:8])
first, second = json.load(open(sys.argv[8])), json.load(open(sys.argv[9]))
read, binary = json.loads(sys.argv[10]), sys.argv[11]
assert first["tasks"]["copied"] == tasks and not first["skipped"], first
assert second["tasks"]["copied"] == second["tasks"]["updated"] == second["events"] == 0, second
objects = first["tasks"]["copied"] + first["events"] + first["files"]
read_objects = read["tasks"] + read["events"] + (mib and (mib + 63) // 64)
side = lambda label, secs, cmd: {"label": label, "runs": 1, "median_ms": secs * 1000, "min_ms": secs * 1000, "command": cmd}
rate = lambda objs, byts, secs: f"{objs / secs:,.0f} objects/s, {byts / secs / 2**20:,.1f} MiB/s"
size = f"{tasks} tasks x {points} points, {mib} MiB of files"
with open(path, "w") as f:
    f.write(json.dumps({
        "bench": "sync", "figure": f"sync A -> B, {size}",
        "ours": side("clearml sync", sync_s, f"{binary} -q sync --from $TMP/a.conf --to $TMP/b.conf --json"),
        "anchor": side("plain API read", read_s, "python bench/sync_read.py $API $KEY $SECRET"),
        "goal": "<= 3",
        "note": f"sync {rate(objects, first['bytes'], sync_s)} (reads A and writes B on one machine); "
                f"read {rate(read_objects, read['bytes'], read_s)}"}) + "\n")
    f.write(json.dumps({
        "bench": "sync", "figure": f"second sync, nothing changed, {tasks} tasks",
        "ours": side("clearml sync (again)", again_s, f"{binary} -q sync --from $TMP/a.conf --to $TMP/b.conf --json"),
        "anchor": side("plain API read", read_s, "python bench/sync_read.py $API $KEY $SECRET"),
        "goal": "<= 0.1", "note": "compares last_update and status from one task listing; reads no events"}) + "\n")
print(f"sync {size}: {sync_s:.1f} s ({rate(objects, first['bytes'], sync_s)}); "
      f"plain read {read_s:.1f} s ({rate(read_objects, read['bytes'], read_s)}); ratio {sync_s / read_s:.2f}; "
      f"second sync {again_s:.2f} s")
PY
