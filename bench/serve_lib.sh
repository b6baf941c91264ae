# Sourced by the benchmarks that need `clearml server serve`: starts it on free loopback
# ports with a known key pair in "$tmp/data" (sets serve_pid, KEY, SECRET, API, FILES,
# WEB) and writes "$tmp/home/clearml.conf" for our binary and the SDK (no forked
# reporter: it deadlocks now and then). The caller kills "$serve_pid" in its cleanup.
KEY=BENCHACCESSKEY0123456789ABCDEF
SECRET=bench-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP
CLEARML_API_ACCESS_KEY=$KEY CLEARML_API_SECRET_KEY=$SECRET \
  "$BIN" server serve --api-port 0 --files-port 0 --web-port 0 --data-dir "$tmp/data" \
  >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do [ -s "$tmp/data/serve.json" ] && break; sleep 0.1; done
read -r API FILES WEB < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["api_url"], d["files_url"], d["web_url"])' "$tmp/data/serve.json")
mkdir -p "$tmp/home"
cat > "$tmp/home/clearml.conf" <<CONF
api {
  api_server: $API
  web_server: $WEB
  files_server: $FILES
  credentials {"access_key": "$KEY", "secret_key": "$SECRET"}
}
sdk.development.report_use_subprocess: false
CONF
