#!/usr/bin/env bash
# `make bench`: every benchmark, each against the anchor its issue names, in one run.
# Results: one summary line per figure on stdout, raw JSON in bench/out/.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
# Peak RSS is read with GNU time.
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; } || {
  echo "bench: /usr/bin/time missing and could not be installed (apt-get install time)" >&2; exit 1; }
status=0
for b in startup serve task_model pipeline stack; do
  [ -f "bench/$b.sh" ] || continue
  echo "== bench/$b.sh" >&2
  if ! bash "bench/$b.sh" | tee "bench/out/$b.txt"; then
    echo "bench/$b.sh failed" >&2; status=1
  fi
done
exit $status
