#!/usr/bin/env bash
# `make bench`: every benchmark, each against the anchor its issue names, in one run, then
# docs/benchmarks.md (bench/report.py). Figures: bench/out/<bench>.jsonl; the human summary
# of each benchmark: bench/out/<bench>.txt. BENCH_RUNS=1 for a quick look.
set -uo pipefail
cd "$(dirname "$0")/.."
export BENCH_OUT=$PWD/bench/out
rm -rf "$BENCH_OUT"; mkdir -p "$BENCH_OUT"
# Peak RSS is read with GNU time.
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; } || {
  echo "bench: /usr/bin/time missing and could not be installed (apt-get install time)" >&2; exit 1; }
status=0
for b in startup serve task_model cleanup dataset pipeline sync web stack; do
  [ -f "bench/$b.sh" ] || continue
  if [ "$b" = stack ] && ! docker info >/dev/null 2>&1; then
    echo "stack: skipped: no Docker engine reachable here (docker info failed)" | tee -a "$BENCH_OUT/skipped.txt"
    continue
  fi
  if [ "$b" = stack ] && [ ! -x "${CLEARML_TEST_BUSYBOX:-target/busybox/bin/busybox}" ]; then
    echo "stack: skipped: the stand-in images need a static busybox ('make busybox' puts one under target/busybox)" | tee -a "$BENCH_OUT/skipped.txt"
    continue
  fi
  echo "== bench/$b.sh" >&2
  start=$(date +%s)
  if ! bash "bench/$b.sh" | tee "$BENCH_OUT/$b.txt"; then
    echo "bench/$b.sh failed" >&2; status=1
    echo "$b: failed, see bench/out/$b.txt" >> "$BENCH_OUT/skipped.txt"
  fi
  echo "== bench/$b.sh took $(( $(date +%s) - start )) s" >&2
done
python3 bench/report.py "$BENCH_OUT" docs/benchmarks.md || status=1
exit $status
