#!/usr/bin/env bash
# Issue 22's benchmarks against `clearml server serve`, each with its anchor in the same run:
#  * cleanup of BENCH_CLEANUP_TASKS (5,000) archived tasks with 2 artifact files each:
#    `clearml cleanup --yes` vs the SDK's cleanup example logic (Task.get_tasks +
#    task.delete(delete_artifacts_and_models=True)) on an identical second project.
#    Goal: <= 0.1x the SDK's wall time. One timed run per side (the data is gone after it).
#  * bulk `task enqueue` of BENCH_ENQUEUE_TASKS (1,000) drafts: HTTP requests and wall time
#    vs one `tasks.enqueue` call per task (one keep-alive connection, Python http.client).
# Needs the release binary (make build; CLEARML_BENCH_BIN overrides) and .venv (make venv).
# Figures: bench/out/cleanup.jsonl (read by bench/report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLEARML_BENCH_BIN:-$PWD/target/release/clearml}
PY=${CLEARML_TEST_PYTHON:-$PWD/.venv/bin/python}
N=${BENCH_CLEANUP_TASKS:-5000}
E=${BENCH_ENQUEUE_TASKS:-1000}
. bench/lib.sh
now_ms() { python3 -c 'import time; print(int(time.time()*1000))'; }
files_in() { find "$tmp/data/files/$1" -type f 2>/dev/null | wc -l; }

# ---------------------------------------------------------------- cleanup
echo "seeding 2 x $N archived tasks with 2 files each..." >&2
"$PY" bench/cleanup_seed.py "$API" "$TOKEN" "$FILES" "$tmp/data" bench-cleanup-ours "$N" >/dev/null
"$PY" bench/cleanup_seed.py "$API" "$TOKEN" "$FILES" "$tmp/data" bench-cleanup-sdk "$N" >/dev/null
echo "files before: ours $(files_in bench-cleanup-ours), sdk $(files_in bench-cleanup-sdk)" >&2
t0=$(now_ms)
"$BIN" cleanup --project bench-cleanup-ours --yes --json > "$tmp/ours.json"
ours_ms=$(( $(now_ms) - t0 ))
t0=$(now_ms)
CLEARML_LOG_LEVEL=ERROR "$PY" bench/cleanup_sdk.py bench-cleanup-sdk > "$tmp/sdk.txt" 2>"$tmp/sdk.err"
sdk_ms=$(( $(now_ms) - t0 ))
ours_left=$(files_in bench-cleanup-ours); sdk_left=$(files_in bench-cleanup-sdk)
echo "cleanup of $N tasks: ours ${ours_ms} ms ($ours_left files left), SDK ${sdk_ms} ms ($(cat "$tmp/sdk.txt") deleted, $sdk_left files left)"
python3 - "$OUT/cleanup.jsonl" "$N" "$ours_ms" "$sdk_ms" "$ours_left" "$sdk_left" "$tmp/ours.json" <<'PY'
import json, sys
out, n, ours, sdk, ours_left, sdk_left, report = sys.argv[1:8]
r = json.load(open(report))
fig = {"bench": "cleanup", "figure": f"cleanup of {n} archived tasks, 2 artifact files each",
       "ours": {"label": "clearml cleanup", "median_ms": float(ours), "min_ms": float(ours), "runs": 1,
                "command": "$BIN cleanup --project bench-cleanup-ours --yes --json"},
       "anchor": {"label": "SDK cleanup example (get_tasks + task.delete)", "median_ms": float(sdk),
                  "min_ms": float(sdk), "runs": 1,
                  "command": "$PY bench/cleanup_sdk.py bench-cleanup-sdk"},
       "goal": "<= 0.1",
       "note": f"one run per side (the data is gone after it); ours deleted {r['tasks_deleted']} tasks and "
               f"{r['files_deleted']} files ({r['bytes_freed']} bytes), files left: ours {ours_left}, SDK {sdk_left}"}
open(out, "a").write(json.dumps(fig) + "\n")
PY

# ---------------------------------------------------------------- bulk enqueue
echo "seeding 2 x $E draft tasks..." >&2
"$PY" bench/cleanup_seed.py "$API" "$TOKEN" "$FILES" "$tmp/data" bench-enqueue-ours "$E" draft >/dev/null
PID2=$("$PY" bench/cleanup_seed.py "$API" "$TOKEN" "$FILES" "$tmp/data" bench-enqueue-loop "$E" draft)
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name": "bench-queue"}' "$API/queues.create" >/dev/null
t0=$(now_ms)
"$BIN" -v task enqueue --project bench-enqueue-ours --status created --queue bench-queue --yes --json \
  > "$tmp/enq.json" 2> "$tmp/enq.err"
ours_ms=$(( $(now_ms) - t0 ))
ours_req=$(grep -cE ' -> [0-9]{3} in ' "$tmp/enq.err" || true)
t0=$(now_ms)
"$PY" - "$API" "$TOKEN" "$PID2" > "$tmp/loop.txt" <<'PY'
import sys
sys.path.insert(0, "bench")
from api import Api
api, token, pid = sys.argv[1:4]
call = Api(api, token).call
requests = 0
q = call("queues.get_all", {"name": "^bench-queue$"})["queues"][0]["id"]; requests += 1
ids, page = [], 0
while True:
    got = call("tasks.get_all", {"project": [pid], "status": ["created"], "only_fields": ["id"],
                                 "page": page, "page_size": 500})["tasks"]
    requests += 1
    if not got:
        break
    ids += [t["id"] for t in got]
    page += 1
for t in ids:
    call("tasks.enqueue", {"task": t, "queue": q})
    requests += 1
print(len(ids), requests)
PY
loop_ms=$(( $(now_ms) - t0 ))
read -r loop_n loop_req < "$tmp/loop.txt"
echo "enqueue of $E tasks: ours ${ours_ms} ms in $ours_req requests, one call per task ${loop_ms} ms in $loop_req requests ($loop_n tasks)"
python3 - "$OUT/cleanup.jsonl" "$E" "$ours_ms" "$loop_ms" "$ours_req" "$loop_req" <<'PY'
import json, sys
out, n, ours, loop, oreq, lreq = sys.argv[1:7]
fig = {"bench": "cleanup", "figure": f"task enqueue of {n} tasks (HTTP requests: ours {oreq}, per-task calls {lreq})",
       "ours": {"label": "clearml task enqueue (tasks.enqueue_many in chunks)", "median_ms": float(ours),
                "min_ms": float(ours), "runs": 1,
                "command": "$BIN -v task enqueue --project bench-enqueue-ours --status created --queue bench-queue --yes --json"},
       "anchor": {"label": "one tasks.enqueue per task (http.client, keep-alive)", "median_ms": float(loop),
                  "min_ms": float(loop), "runs": 1, "command": "python3 (inline in bench/cleanup.sh)"},
       "goal": "fewer requests, less time",
       "note": f"requests counted from our -v log (one line per API call, login included) and by the loop itself"}
open(out, "a").write(json.dumps(fig) + "\n")
PY
