"""A worker for bench/pipeline.sh: dequeues every task of one queue and marks it
completed at once (a no-op step), so the wall time of a pipeline is controller overhead.
One keep-alive connection (bench/api.py); stops when the parent shell kills it."""
import sys, time

from api import Api

api, key, secret, queue = sys.argv[1:5]
call = Api(api, key=key, secret=secret, headers={"X-ClearML-Worker": "bench-noop-worker"}).call
qid = call("queues.get_all", {"name": f"^{queue}$"})["queues"][0]["id"]
call("workers.register", {"worker": "bench-noop-worker", "queues": [qid]})
while True:
    entry = call("queues.get_next_task", {"queue": qid}).get("entry")
    if not entry:
        time.sleep(0.05)
        continue
    call("tasks.started", {"task": entry["task"], "force": True})
    call("tasks.completed", {"task": entry["task"], "force": True})
