"""A worker for bench/pipeline.sh: dequeues every task of one queue and marks it
completed at once (a no-op step), so the wall time of a pipeline is controller overhead.
Plain HTTP with the standard library; stops when the parent shell kills it."""
import base64, json, sys, time, urllib.request

api, key, secret, queue = sys.argv[1:5]


def call(endpoint, body, token=None):
    req = urllib.request.Request(f"{api}/{endpoint}", data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("X-ClearML-Worker", "bench-noop-worker")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    else:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode())
    with urllib.request.urlopen(req) as r:
        return json.load(r)["data"]


token = call("auth.login", {})["token"]
qid = call("queues.get_all", {"name": f"^{queue}$"}, token)["queues"][0]["id"]
call("workers.register", {"worker": "bench-noop-worker", "queues": [qid]}, token)
while True:
    entry = call("queues.get_next_task", {"queue": qid}, token).get("entry")
    if not entry:
        time.sleep(0.05)
        continue
    call("tasks.started", {"task": entry["task"], "force": True}, token)
    call("tasks.completed", {"task": entry["task"], "force": True}, token)
