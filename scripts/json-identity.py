"""Run the same --json/--csv commands with two clearml binaries against one seeded built-in
server and report any byte difference: a refactor must leave every output as it was.

    python3 scripts/json-identity.py OLD_BINARY NEW_BINARY

(e.g. build the base commit, copy target/debug/clearml aside, build the change.) Values a
run makes up (latencies, the ids selftest creates) are masked before comparing.
"""
import base64, json, os, re, subprocess, sys, tempfile, time, urllib.request

def masked(out):
    out = re.sub(rb'"latency_ms": [0-9.]+', b'"latency_ms": N', out)
    return re.sub(rb'"detail": "[0-9a-f]{32}"', b'"detail": "ID"', out)

old, new = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="jid-")
data = os.path.join(work, "data")
env = dict(os.environ, HOME=work, CLEARML_API_ACCESS_KEY="K" * 20, CLEARML_API_SECRET_KEY="S" * 40)
srv = subprocess.Popen([new, "server", "serve", "--api-port", "0", "--files-port", "0",
                        "--web-port", "0", "--data-dir", data], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    sj = os.path.join(data, "serve.json")
    for _ in range(300):
        if os.path.exists(sj):
            break
        time.sleep(0.05)
    info = json.load(open(sj))
    api, files, web = info["api_url"], info["files_url"], info["web_url"]
    conf = os.path.join(work, "clearml.conf")
    open(conf, "w").write(f'api {{ api_server: {api}\n web_server: {web}\n files_server: {files}\n credentials {{ access_key: "{"K"*20}", secret_key: "{"S"*40}" }} }}\n')
    auth = "Basic " + base64.b64encode(("K" * 20 + ":" + "S" * 40).encode()).decode()

    def call(ep, body, lines=False):
        data = ("\n".join(json.dumps(b) for b in body) if lines else json.dumps(body)).encode()
        r = urllib.request.Request(f"{api}/{ep}", data=data, headers={"Authorization": auth, "Content-Type": "application/json-lines" if lines else "application/json"})
        return json.load(urllib.request.urlopen(r))["data"]

    pid = call("projects.create", {"name": "Проект 実験", "description": ""})["id"]
    tasks = []
    for i, (name, status) in enumerate([("train α", "completed"), ("train β", "failed"), ("без модели", "created")]):
        t = call("tasks.create", {"name": name, "type": "training", "project": pid,
                                   "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": str(0.1 * (i + 1))}},
                                                   "General": {"epochs": {"section": "General", "name": "epochs", "value": "3"}}},
                                   "configuration": {"General": {"name": "General", "value": "{}"}}, "tags": ["a", "τ"]})["id"]
        tasks.append(t)
        if i < 2:
            call("events.add_batch", [{"type": "training_stats_scalar", "task": t, "metric": "loss", "variant": "train",
                                       "value": 1.0 / (j + 1 + i), "iter": j} for j in range(4)], lines=True)
            call("events.add_batch", [{"type": "training_stats_scalar", "task": t, "metric": "train/acc", "variant": "top1",
                                       "value": 0.5 + 0.1 * j, "iter": j} for j in range(3)], lines=True)
            call("tasks.started", {"task": t})
            if status == "completed":
                call("tasks.completed", {"task": t})
            else:
                call("tasks.failed", {"task": t})
    w = os.path.join(work, "w.bin"); open(w, "wb").write(b"weights" * 100)
    subprocess.run([new, "model", "publish", w, "--name", "модель", "--project", "Проект 実験", "--task", tasks[0]],
                   env=env, check=True, capture_output=True)
    pipe = os.path.join(work, "p.toml")
    open(pipe, "w").write(f'''[pipeline]
name = "Конвейер"
project = "Проект 実験"
version = "1.0.0"
default_queue = "default"

[pipeline.parameters]
dataset = "s3://bucket/ü.csv"

[[step]]
name = "fetch"
base_task_id = "{tasks[0]}"
parameters = {{ "Args/source" = "${{pipeline.dataset}}" }}

[[step]]
name = "train"
parents = ["fetch"]
base_task_id = "{tasks[1]}"
parameters = {{ "Args/parent" = "${{fetch.id}}", "Args/lr" = "0.5" }}
time_limit = "2h"
retry_on_failure = 1
cache_executed_step = true
''')
    cmds = [
        ["pipeline", "run", pipe, "--dry-run", "--json"], ["pipeline", "run", pipe, "--dry-run", "--csv"],
        ["pipeline", "schedule", pipe, "--cron", "30 4 1 1 *", "--tz", "Europe/Moscow", "--dry-run", "--json"],
        ["pipeline", "stats", "--json"],
        ["task", "list", "--json"], ["task", "list", "--all", "--json"],
        ["task", "list", "--json", "--columns", "id,name,status,tags,metric:loss/train,param:Args/lr,parent,queue,iteration"],
        ["task", "list", "--json", "--columns", "name,metric:nope/x,param:Args/none"],
        ["task", "list", "--csv"],
        ["task", "show", tasks[0], "--json"], ["task", "show", tasks[1], "--json"], ["task", "show", tasks[2], "--json"],
        ["task", "show", tasks[0], "--csv"], ["task", "show", tasks[0]],
        ["task", "compare", tasks[0], tasks[1], "--json"], ["task", "compare", tasks[0], tasks[1], tasks[2], "--json", "--diff-only"],
        ["task", "compare", tasks[0], tasks[1], "--csv"],
        ["task", "wait", tasks[0], tasks[1], "--json"],
        ["model", "list", "--json"], ["model", "show", "модель", "--json"], ["model", "list", "--csv"],
        ["queue", "list", "--json"], ["worker", "list", "--json"],
        ["pipeline", "list", "--json"],
        ["server", "ping", "--json"], ["server", "selftest", "--json"],
        ["config", "show", "--json"], ["config", "dump", "--json"], ["config", "dump", "--csv"],
        ["config", "show", "--json", "--api-host", "http://u:pw@example.invalid:1", "--insecure"],
        ["config", "show", "--csv"],
    ]
    bad = 0
    for c in cmds:
        outs = []
        for b in (old, new):
            p = subprocess.run([b] + c, env=env, capture_output=True)
            outs.append((p.returncode, masked(p.stdout)))
        same = outs[0] == outs[1]
        if not same:
            bad += 1
            print("DIFF", " ".join(c)); print(" old:", outs[0][1][:600]); print(" new:", outs[1][1][:600])
        else:
            print("same", " ".join(c), outs[0][0], len(outs[0][1]))
    print("differences:", bad)
finally:
    srv.terminate(); srv.wait()
