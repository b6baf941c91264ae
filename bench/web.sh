#!/usr/bin/env bash
# Benchmark of the web UI of `clearml server serve` (release build):
#   1. the experiments table of a project with BENCH_WEB_TASKS (10,000) tasks, each with
#      two last metrics (columns): time to first byte and full page (curl), and the full
#      render in headless Chromium (navigation start to the load event);
#   2. the scalars page of a task with BENCH_WEB_POINTS (100,000) scalar points in two
#      series (downsampled by the histogram call as the real server does), the same three
#      figures.
# Anchor of each: the API call the page makes for its data (tasks.get_all_ex for the
# table's page, events.scalar_metrics_iter_histogram for the charts), by curl: what
# rendering HTML and SVG adds on top of fetching the data.
#   3. issue 25's scale, each page against the same page for 30 experiments of 3 series x
#      500 iterations, in the same run (goal: within 2x): a project of 1,000 tasks, a
#      compare of BENCH_WEB_COMPARE (100) of them, a task with 40 metrics x 2,000 points.
# Knobs: CLEARML_BIN, BENCH_RUNS (10), BENCH_WEB_TASKS, BENCH_WEB_POINTS, BENCH_WEB_COMPARE,
# CLEARML_TEST_CHROMIUM.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLEARML_BIN:-target/release/clearml}
RUNS=${BENCH_RUNS:-10}
TASKS=${BENCH_WEB_TASKS:-10000}
POINTS=${BENCH_WEB_POINTS:-100000}
CHROMIUM=${CLEARML_TEST_CHROMIUM:-$(command -v chromium || true)}
[ -x "$BIN" ] || { echo "bench/web.sh: $BIN missing: run 'make build' first" >&2; exit 1; }
[ -n "$CHROMIUM" ] || { echo "bench/web.sh: chromium missing: 'make chromium' installs it" >&2; exit 1; }
OUT=${BENCH_OUT:-$PWD/bench/out}; mkdir -p "$OUT"
tmp=$(mktemp -d)
cleanup() { [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
source bench/serve_lib.sh

echo "== web UI benchmark ($("$BIN" --version), $(nproc) cores): $TASKS tasks, $POINTS scalar points"
python3 bench/web_bench.py "$API" "$WEB" "$KEY" "$SECRET" "$TASKS" "$POINTS" "$RUNS" "$CHROMIUM" "$OUT/web.jsonl"
