#!/usr/bin/env bash
# Pipeline controller overhead: wall time of a 20-step chain of no-op steps on one worker
# (bench/noop_worker.py completes each step as soon as it is dequeued), run by
# `clearml pipeline run` and by the SDK's PipelineController (start_locally,
# run_pipeline_steps_locally=False, default pool_frequency: a poll every 12 s) against the
# same `clearml server serve`. Goal: ours notices a finished step within a second.
# Then validation at scale: `pipeline run --dry-run` of a BENCH_DAG_STEPS-step (20,000)
# chain written child first (the order that made the old check cubic), its steps cloning
# the base tasks above in turn.
# Needs the release binary (make build) and .venv with the clearml SDK (make venv).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLEARML_BIN:-$PWD/target/release/clearml}
PY=$PWD/.venv/bin/python
STEPS=${BENCH_PIPELINE_STEPS:-20}
DAG_STEPS=${BENCH_DAG_STEPS:-20000}
tmp=$(mktemp -d)
serve_pid=""; worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

. bench/serve_lib.sh
export HOME=$tmp/home CLEARML_CONFIG_FILE=$tmp/home/clearml.conf CLEARML_CACHE_DIR=$tmp/cache

# Base tasks step0..step19 and the queue, then one pipeline file and one SDK script.
"$PY" - "$STEPS" <<'PY'
import sys
from clearml import Task
from clearml.backend_api.session.client import APIClient
APIClient().queues.create(name="bench")
for i in range(int(sys.argv[1])):
    Task.create(project_name="Bench", task_name=f"step{i}")
PY
{
  printf '[pipeline]\nname = "ours"\nproject = "Bench"\nversion = "1.0.0"\ndefault_queue = "bench"\n'
  for i in $(seq 0 $((STEPS - 1))); do
    printf '[[step]]\nname = "step%d"\nbase_task_project = "Bench"\nbase_task_name = "step%d"\n' "$i" "$i"
    [ "$i" -gt 0 ] && printf 'parents = ["step%d"]\n' $((i - 1))
  done
} > "$tmp/chain.toml"
cat > "$tmp/sdk.py" <<PY
from clearml import PipelineController
pipe = PipelineController(name="sdk", project="Bench", version="1.0.0", add_pipeline_tags=False)
pipe.set_default_execution_queue("bench")
for i in range($STEPS):
    pipe.add_step(name=f"step{i}", parents=[f"step{i-1}"] if i else None,
                  base_task_project="Bench", base_task_name=f"step{i}")
pipe.start_locally(run_pipeline_steps_locally=False)
PY

"$PY" bench/noop_worker.py "$API" "$KEY" "$SECRET" bench >"$tmp/worker.log" 2>&1 &
worker_pid=$!

now() { date +%s.%N; }
t0=$(now); "$BIN" -q pipeline run "$tmp/chain.toml" >/dev/null; t1=$(now)
ours=$(echo "$t1 - $t0" | bc)
t0=$(now); CLEARML_LOG_LEVEL=ERROR "$PY" "$tmp/sdk.py" >"$tmp/sdk.log" 2>&1; t1=$(now)
sdk=$(echo "$t1 - $t0" | bc)
printf 'pipeline %d-step chain, no-op steps, one worker: clearml pipeline run %.1f s (%.2f s/step), SDK PipelineController %.1f s (%.2f s/step)\n' \
  "$STEPS" "$ours" "$(echo "$ours / $STEPS" | bc -l)" "$sdk" "$(echo "$sdk / $STEPS" | bc -l)"
python3 - "$DAG_STEPS" "$STEPS" > "$tmp/dag.toml" <<'PY'
import sys
n, bases = int(sys.argv[1]), int(sys.argv[2])
print('[pipeline]\nname = "dag"\nproject = "Bench"\ndefault_queue = "bench"')
for i in reversed(range(n)):
    print(f'[[step]]\nname = "step{i}"\nbase_task_project = "Bench"\nbase_task_name = "step{i % bases}"')
    if i:
        print(f'parents = ["step{i - 1}"]')
PY
t0=$(now); "$BIN" -q pipeline run "$tmp/dag.toml" --dry-run --json >/dev/null; t1=$(now)
dag=$(echo "$t1 - $t0" | bc)
printf 'pipeline run --dry-run of a %d-step chain written child first: %.2f s\n' "$DAG_STEPS" "$dag"
OUT=${BENCH_OUT:-$PWD/bench/out}; mkdir -p "$OUT"
python3 - "$OUT/pipeline.jsonl" "$STEPS" "$ours" "$sdk" "$BIN" <<'PY'
import json, sys
path, steps, ours, sdk, binary = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
side = lambda label, secs, cmd: {"label": label, "runs": 1, "median_ms": secs * 1000, "min_ms": secs * 1000, "command": cmd}
with open(path, "w") as f:
    f.write(json.dumps({
        "bench": "pipeline", "figure": f"{steps}-step chain of no-op steps, one worker",
        "ours": side("clearml pipeline run", ours, f"{binary} -q pipeline run $TMP/chain.toml"),
        "anchor": side("SDK PipelineController", sdk, "python $TMP/sdk.py  # start_locally(run_pipeline_steps_locally=False)"),
        "goal": "<= 0.25", "note": "controller overhead: the SDK polls every 12 s; ours notices a finished step within 0.5 s"}) + "\n")
PY
python3 - "$OUT/pipeline.jsonl" "$DAG_STEPS" "$dag" "$BIN" <<'PY'
import json, sys
path, steps, secs, binary = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with open(path, "a") as f:
    f.write(json.dumps({
        "bench": "pipeline", "figure": f"validation: --dry-run of a {steps}-step chain written child first",
        "ours": {"label": "clearml pipeline run --dry-run", "runs": 1, "median_ms": secs * 1000,
                 "min_ms": secs * 1000, "command": f"{binary} -q pipeline run $TMP/dag.toml --dry-run --json"},
        "anchor": None, "goal": "linear: seconds (was over 120 s)",
        "note": "parse, DAG checks, base tasks (20 names in one project: one listing), queues, the plan printed as JSON"}) + "\n")
PY
