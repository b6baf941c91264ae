#!/usr/bin/env bash
# Run clearml-server's own automated API tests (apiserver/tests/automated) against a fresh
# `clearml server serve` and print the pass rate of the single-user cases.
#
#   scripts/upstream-api-suite.sh CHECKOUT [pytest args...]
#
# CHECKOUT is a clearml-server checkout (the directory holding apiserver/). Nothing is
# written to it: the serve data dir, a Python venv with the tests' requirements (from PyPI,
# reused from $UPSTREAM_SUITE_VENV when set) and a small pytest plugin that points the
# tests' client at serve all live in a temporary directory. CLEARML_BIN picks the binary
# (default target/debug/clearml). Not part of `make test`: it needs the upstream checkout.
set -euo pipefail

checkout=${1:?usage: scripts/upstream-api-suite.sh CLEARML_SERVER_CHECKOUT [pytest args...]}
shift
[ -d "$checkout/apiserver/tests/automated" ] || {
    echo "error: $checkout has no apiserver/tests/automated; give a clearml-server checkout" >&2
    exit 2
}
checkout=$(cd "$checkout" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CLEARML_BIN:-$root/target/debug/clearml}
[ -x "$bin" ] || { echo "error: $bin not found; run cargo build or set CLEARML_BIN" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/upstream-api-suite.XXXXXX")
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

venv=${UPSTREAM_SUITE_VENV:-$work/venv}
if [ ! -x "$venv/bin/python" ]; then
    echo "creating a venv with the tests' requirements in $venv" >&2
    python3 -m venv "$venv"
    # What the tests import (apiserver.tests, apierrors, config, database models, es_factory).
    "$venv/bin/pip" install -q pytest boltons requests six "packaging==20.3" pyhocon \
        "mongoengine==0.29.1" "pymongo==4.12.1" "elasticsearch==8.17.0" jsonmodels "dpath<2" \
        "attrs<23" furl humanfriendly luqum nested_dict python-rapidjson "semantic_version<3" \
        validators fastjsonschema jsonschema pyjwt "redis==5.2.1" jinja2 >&2
fi

mkdir -p "$work/data" "$work/shim"
"$bin" server serve --data-dir "$work/data" --api-port 0 --files-port 0 --web-port 0 \
    >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do
    grep -q "^clearml server serve: api" "$work/serve.err" 2>/dev/null && break
    sleep 0.1
done
api=$(sed -n 's/^clearml server serve: api \([^ ]*\).*/\1/p' "$work/serve.err")
[ -n "$api" ] || { echo "error: serve did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
key() { "$venv/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/data/credentials.json" "$1"; }

# The tests' TestService and some cases build their client for http://localhost:8008.
cat >"$work/shim/upstream_shim.py" <<'PY'
import os
from apiserver.tests import api_client

_init = api_client.APIClient.__init__

def _to_serve(self, api_key=None, secret_key=None, base_url=None, **kw):
    if base_url:
        base_url = base_url.replace("http://localhost:8008", os.environ["SM_API_URL"])
    _init(self, api_key=api_key, secret_key=secret_key, base_url=base_url, **kw)

api_client.APIClient.__init__ = _to_serve
PY

# Cases that need more than one user or company (auth.create_user, impersonation, a
# second key pair in the server's config): serve has one user.
deselect=(
    --ignore apiserver/tests/automated/test_users.py
    --deselect apiserver/tests/automated/test_subprojects.py::TestSubProjects::test_project_aggregations
)

cd "$checkout"
set +e
SM_API_URL=$api SM_API_KEY=$(key access_key) SM_API_SECRET=$(key secret_key) \
    CLEARML__LOGGING__HANDLERS__TEXT_FILE__FILENAME="$work/apiserver.log" \
    CLEARML__LOGGING__ROOT__LEVEL=WARNING \
    PYTHONPATH="$checkout:$work/shim" \
    "$venv/bin/python" -m pytest -p upstream_shim -p no:cacheprovider -q -rfE \
    --junitxml="$work/junit.xml" "${deselect[@]}" "$@" apiserver/tests/automated \
    2>&1 | grep -v '^Loading config'
set -e
"$venv/bin/python" - "$work/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for case in ET.parse(sys.argv[1]).iter("testcase"):
    tags = {c.tag for c in case}
    if "skipped" in tags:
        skipped += 1
    elif tags & {"failure", "error"}:
        failed += 1
    else:
        passed += 1
total = passed + failed
print(f"upstream API suite, single-user cases: {passed}/{total} passed "
      f"({100 * passed / max(total, 1):.1f}%), {skipped} skipped by the suite itself")
PY
