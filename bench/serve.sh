#!/usr/bin/env bash
# Benchmark of `clearml server serve` (release build) with the real Python SDK:
#   1. flow 1 (Task.init, connect, report_scalar N iterations x 2 series, report_text,
#      upload_artifact, OutputModel.update_weights + publish, close): wall time and the
#      server's peak RSS (VmHWM);
#   2. 10,000 tasks created through the API, then tasks.get_all paged 500 at a time:
#      server time per page (from the server's own per-request log line) and client
#      round trip, plus the server's RSS at that size.
#   3. a 1 GiB file through the file server (upload + download, curl): time and the
#      server's RSS (uploads and downloads stream; nothing is held in memory).
# Knobs: CLEARML_BIN, CLEARML_TEST_PYTHON, BENCH_ITERATIONS (1000), BENCH_TASKS (10000).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${CLEARML_BIN:-target/release/clearml}
PY=${CLEARML_TEST_PYTHON:-.venv/bin/python}
ITERATIONS=${BENCH_ITERATIONS:-1000}
TASKS=${BENCH_TASKS:-10000}
[ -x "$BIN" ] || { echo "bench/serve.sh: $BIN missing: run 'make build' first" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench/serve.sh: $PY missing: run 'make venv' first" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export CLEARML_API_ACCESS_KEY=BENCHACCESSKEY0123456789ABCDE
export CLEARML_API_SECRET_KEY=bench-secret-0123456789abcdefghijklmnopqrstuvwxyz
"$BIN" -v server serve --data-dir "$WORK/data" --api-port 0 --files-port 0 --web-port 0 \
    >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/data/serve.json" ] && break; sleep 0.05; done
[ -s "$WORK/data/serve.json" ] || { echo "server did not start:"; cat "$WORK/serve.log"; exit 1; }
field() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORK/data/serve.json" "$1"; }
API=$(field api_url); FILES=$(field files_url); WEB=$(field web_url)
mkdir -p "$WORK/home"
cat >"$WORK/home/clearml.conf" <<CONF
api {
  api_server: $API
  web_server: $WEB
  files_server: $FILES
  credentials {"access_key": "$CLEARML_API_ACCESS_KEY", "secret_key": "$CLEARML_API_SECRET_KEY"}
}
CONF
rss() { awk -v k="$1:" '$1 == k {print int($2/1024) " MiB"}' "/proc/$SERVER_PID/status"; }

echo "== clearml server serve benchmark ($("$BIN" --version 2>/dev/null || echo clearml), $(nproc) cores)"
echo "server at start: VmRSS $(rss VmRSS)"

cat >"$WORK/flow1.py" <<'PY'
import os, tempfile
from clearml import Task, OutputModel
n = int(os.environ["ITERATIONS"])
task = Task.init(project_name="Bench", task_name="flow one", output_uri=True,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
task.connect({"lr": 0.01, "epochs": 3})
logger = task.get_logger()
for i in range(n):
    logger.report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
    logger.report_scalar("loss", "val", value=2.0 / (i + 1), iteration=i)
logger.report_text("bench")
task.upload_artifact("stats", artifact_object={"a": 1})
path = os.path.join(tempfile.mkdtemp(), "model.bin")
with open(path, "wb") as f:
    f.write(os.urandom(1 << 20))
m = OutputModel(task=task, name="bench-model", framework="custom")
m.update_weights(weights_filename=path)
m.publish()
task.close()
PY
export HOME="$WORK/home" CLEARML_CONFIG_FILE="$WORK/home/clearml.conf" CLEARML_CACHE_DIR="$WORK/home/cache" CLEARML_LOG_LEVEL=ERROR
start=$(date +%s.%N)
ITERATIONS=$ITERATIONS "$PY" "$WORK/flow1.py" >/dev/null 2>&1
end=$(date +%s.%N)
OUT=${BENCH_OUT:-$PWD/bench/out}; mkdir -p "$OUT"
python3 - "$OUT/serve.jsonl" "$start" "$end" "$ITERATIONS" "$(rss VmHWM)" <<'PY'
import json, sys
path, start, end, n, hwm = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
ms = round((end - start) * 1000, 1)
with open(path, "w") as f:
    f.write(json.dumps({"bench": "serve", "figure": f"SDK flow 1 ({n} iterations x 2 series) against serve",
        "ours": {"label": "python flow1.py", "runs": 1, "median_ms": ms, "min_ms": ms,
                 "command": "bash bench/serve.sh  # flow1.py is written inline there"},
        "anchor": None, "goal": "absolute",
        "note": f"no anchor: the real clearml-server cannot run on this machine; server peak RSS {hwm}; per-page times in bench/out/serve.txt"}) + "\n")
PY
printf 'flow 1 (%d iterations x 2 series): wall %.2f s; server peak RSS (VmHWM) %s\n' \
    "$ITERATIONS" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" "$(rss VmHWM)"

cat >"$WORK/tasks.py" <<'PY'
import os, sys, time
sys.path.insert(0, "bench")
from api import Session
api, n = os.environ["API"], int(os.environ["TASKS"])
call = Session(api, os.environ["CLEARML_API_ACCESS_KEY"], os.environ["CLEARML_API_SECRET_KEY"]).call
pid = call("projects.create", {"name": "Bench/10k"})["id"]
t0 = time.time()
for i in range(n):
    call("tasks.create", {"name": "task %05d" % i, "type": "training", "project": pid,
                          "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": str(i), "type": "float"}}},
                          "tags": ["bench"], "comment": "x" * 100})
create = time.time() - t0
print("created %d tasks in %.1f s (%.2f ms per tasks.create round trip)" % (n, create, create * 1000 / n))
times, got, page = [], 0, 0
while True:
    t = time.time()
    d = call("tasks.get_all", {"project": [pid], "page": page, "page_size": 500})
    times.append(time.time() - t)
    got += len(d["tasks"]); page += 1
    if len(d["tasks"]) < 500: break
assert got == n, got
print("tasks.get_all, full documents, %d pages of 500: client round trip per page avg %.1f ms, max %.1f ms"
      % (len(times), 1000 * sum(times) / len(times), 1000 * max(times)))
t = time.time()
d = call("tasks.get_all", {"project": [pid], "page": page - 1, "page_size": 500, "only_fields": ["id", "name", "status"], "order_by": ["-name"]})
print("tasks.get_all, only_fields + order_by -name, last page: client round trip %.1f ms" % (1000 * (time.time() - t)))
PY
API=$API TASKS=$TASKS "$PY" "$WORK/tasks.py"
# The server's own timing of each get_all page (its -v request log).
grep -E '/tasks.get_all 200' "$WORK/serve.log" | tail -n "$(( TASKS / 500 + 2 ))" | head -n "$(( TASKS / 500 + 1 ))" \
    | sed -E 's/.* ([0-9.]+)ms$/\1/' \
    | awk '{s+=$1; if ($1>m) m=$1; n++} END {if (n) printf "server time per tasks.get_all page (500 full tasks): avg %.1f ms, max %.1f ms over %d pages\n", s/n, m, n}'
echo "server with $TASKS tasks: VmRSS $(rss VmRSS), peak VmHWM $(rss VmHWM); database $(du -sh "$WORK/data/clearml.sqlite" | cut -f1)"

if command -v curl >/dev/null; then
    TOKEN=$(API=$API "$PY" -c "import os, sys; sys.path.insert(0, 'bench'); from api import Session; print(Session(os.environ['API'], os.environ['CLEARML_API_ACCESS_KEY'], os.environ['CLEARML_API_SECRET_KEY']).token)")
    head -c $((1024 * 1024 * 1024)) /dev/urandom >"$WORK/big.bin"
    before=$(rss VmHWM)
    t0=$(date +%s.%N)
    curl -sf -H "Authorization: Bearer $TOKEN" -F "bench/big.bin=@$WORK/big.bin;filename=bench/big.bin" "$FILES/" >/dev/null
    t1=$(date +%s.%N)
    curl -sf -H "Authorization: Bearer $TOKEN" "$FILES/bench/big.bin" -o "$WORK/back.bin"
    t2=$(date +%s.%N)
    cmp -s "$WORK/big.bin" "$WORK/back.bin" || { echo "1 GiB round trip: bytes differ" >&2; exit 1; }
    printf '1 GiB via the file server: upload %.1f s, download %.1f s; server VmHWM %s before, %s after\n' \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$(awk -v a="$t1" -v b="$t2" 'BEGIN {print b - a}')" \
        "$before" "$(rss VmHWM)"
    rm -f "$WORK/big.bin" "$WORK/back.bin"
else
    echo "1 GiB file server check skipped: curl missing"
fi
