//! `clearml pipeline run|status|list`, `queue list`, `worker list` against `clearml server
//! serve`: steps executed by the real clearml-agent (a diamond of Python scripts), by a
//! fast test-side worker that dequeues over the API (failures, retries, time limits,
//! Ctrl-C, caching), validation that creates nothing, and the SDK's own
//! PipelineController side by side.

use crate::common::{Serve, clearml, run_sdk, stop_pid};
use crate::serve::token;
use clearml_cmd_pipeline::json::{RunRow, RunSummary, RunView, StepState};
use clearml_cmd_task::queue::json::{QueueRow, WorkerRow};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "pipeline_schedule.rs"]
mod schedule;
#[path = "pipeline_stats.rs"]
mod stats;

// ---------------------------------------------------------------- helpers

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// One API call that must succeed; returns `data`.
fn api(s: &Serve, tok: &str, endpoint: &str, body: Value) -> Value {
    let v: Value = http()
        .post(format!("{}/{endpoint}", s.api_url))
        .bearer_auth(tok)
        .header("X-ClearML-Worker", "pipeline-test-worker")
        .json(&body)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["meta"]["result_code"], 200, "{endpoint} {body}: {v}");
    v["data"].clone()
}

/// A test's own corner of the shared server: a home with clearml.conf, a token, names.
struct Env {
    s: &'static Serve,
    home: tempfile::TempDir,
    conf: PathBuf,
    tok: String,
    project: String,
    queue: String,
}

impl Env {
    fn new(tag: &str) -> Env {
        let s = Serve::shared();
        let home = tempfile::Builder::new().prefix(tag).tempdir().unwrap();
        let conf = s.write_conf(home.path());
        std::fs::write(
            &conf,
            std::fs::read_to_string(&conf).unwrap()
                + "sdk.development.report_use_subprocess: false\n",
        )
        .unwrap();
        let tok = token(s);
        let uniq = uuid_ish();
        let env = Env {
            s,
            conf,
            tok,
            project: format!("Пайплайн {tag} {uniq}"),
            queue: format!("q-{tag}-{uniq}"),
            home,
        };
        env.api("queues.create", json!({"name": env.queue}));
        env
    }

    fn api(&self, endpoint: &str, body: Value) -> Value {
        api(self.s, &self.tok, endpoint, body)
    }

    /// Base tasks made over the API (the fast worker never runs their code).
    fn base_tasks(&self, names: &[&str]) {
        let pid = self.api("projects.create", json!({"name": self.project}))["id"].clone();
        for n in names {
            let id = self.api(
                "tasks.create",
                json!({"name": n, "type": "training", "project": pid,
                       "script": {"entry_point": "noop.py", "diff": "print('noop')"}}),
            )["id"]
                .clone();
            self.api(
                "tasks.edit",
                json!({"task": id, "hyperparams": {"Args": {"tag": {"section": "Args", "name": "tag", "value": n}}}}),
            );
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.home.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn cli(&self) -> Command {
        let mut c = clearml(self.home.path());
        c.stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cli().args(args).output().unwrap()
    }

    fn tasks_in(&self, project_regex: &str) -> Vec<Value> {
        let projects = self.api(
            "projects.get_all",
            json!({"name": project_regex, "search_hidden": true, "only_fields": ["id"]}),
        );
        let ids: Vec<Value> = projects["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect();
        if ids.is_empty() {
            return vec![];
        }
        self.api(
            "tasks.get_all",
            json!({"project": ids, "search_hidden": true}),
        )["tasks"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn pipeline_tasks(&self) -> Vec<Value> {
        self.tasks_in(&format!("^{}/\\.pipelines/", regex_escape(&self.project)))
    }

    fn header(&self, name: &str, extra: &str) -> String {
        format!(
            "[pipeline]\nname = \"{name}\"\nproject = \"{}\"\ndefault_queue = \"{}\"\n{extra}\n",
            self.project, self.queue
        )
    }

    fn step(&self, name: &str, parents: &[&str], extra: &str) -> String {
        format!(
            "[[step]]\nname = \"{name}\"\nparents = {parents:?}\nbase_task_project = \"{}\"\nbase_task_name = \"{name}\"\n{extra}\n",
            self.project
        )
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if "\\.+*?()|[]{}^$#&-~".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn uuid_ish() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 0xffff_ffff
    )
}

/// A command's `--json` output as its documented type.
fn json_out<T: serde::de::DeserializeOwned>(o: &Output) -> T {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not the documented shape ({e}): stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn step_of<'a>(summary: &'a RunSummary, name: &str) -> &'a StepState {
    summary
        .steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name} in {summary:?}"))
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------- fast worker

#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    Complete,
    Fail,
    /// Mark started and leave it running.
    Hang,
}

/// A test-side agent: dequeues over the API and finishes tasks by rule (task name and
/// how many times that name was seen), much faster than the real agent.
struct FastWorker {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl FastWorker {
    fn start(env: &Env, rule: impl Fn(&str, usize) -> Act + Send + 'static) -> FastWorker {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, tok) = (env.s, env.tok.clone());
        let qid = env.api(
            "queues.get_all",
            json!({"name": format!("^{}$", env.queue)}),
        )["queues"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let wid = format!("fast-worker-{}", env.queue);
        api(
            s,
            &tok,
            "workers.register",
            json!({"worker": wid, "queues": [qid]}),
        );
        let (stop2, seen2) = (stop.clone(), seen.clone());
        let handle = std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                let next = api(s, &tok, "queues.get_next_task", json!({"queue": qid}));
                let Some(id) = next["entry"]["task"].as_str().map(str::to_string) else {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                };
                let name = api(s, &tok, "tasks.get_by_id", json!({"task": id}))["task"]["name"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let n = {
                    let mut seen = seen2.lock().unwrap();
                    seen.push(name.clone());
                    seen.iter().filter(|x| **x == name).count()
                };
                api(s, &tok, "tasks.started", json!({"task": id, "force": true}));
                match rule(&name, n) {
                    Act::Complete => {
                        api(
                            s,
                            &tok,
                            "tasks.completed",
                            json!({"task": id, "force": true}),
                        );
                    }
                    Act::Fail => {
                        // As an agent's failed run leaves it: console lines and a reason.
                        crate::serve::add_batch(
                            s,
                            &tok,
                            &[json!({"task": id, "type": "log", "level": "error",
                                     "msg": format!("Traceback: {name} сломался\n")})],
                        );
                        api(
                            s,
                            &tok,
                            "tasks.failed",
                            json!({"task": id, "force": true, "status_reason": "Script error"}),
                        );
                    }
                    Act::Hang => {}
                }
            }
        });
        FastWorker {
            stop,
            handle: Some(handle),
            seen,
        }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for FastWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

// ---------------------------------------------------------------- real agent

const STEP_SCRIPT: &str = r#"
import json, os, time
from clearml import Task
task = Task.init(auto_resource_monitoring=False, auto_connect_frameworks=False)
args = {"tag": "", "from_b": "", "upstream": "", "parent_id": ""}
task.connect(args, name="Args")
seen = {"name": task.name, "args": args, "t": time.time()}
task.upload_artifact("data", artifact_object=seen, wait_on_upload=True)
print("STEP", json.dumps(seen))
"#;

/// The real clearml-agent serving this test's queue (its log: agent.log in the home).
fn start_agent(env: &Env) -> u32 {
    crate::common::start_agent(env.home.path(), &env.conf, &env.queue)
}

#[test]
fn real_agent_runs_a_diamond_in_dependency_order() {
    let env = Env::new("diamond");
    let script = env.write("step.py", STEP_SCRIPT);
    // Base tasks made with the real SDK, as a user would.
    let mk = format!(
        r#"
from clearml import Task
for n in ["alpha", "bravo", "charlie", "delta"]:
    t = Task.create(project_name={project:?}, task_name=n, script={script:?}, add_task_init_call=False)
    t.set_parameters({{"Args/tag": "base-" + n}})
"#,
        project = env.project,
        script = script.display().to_string()
    );
    run_sdk(&mk, &env.conf, &[]);
    let text = env.header("Ромб", "[pipeline.parameters]\ntag = \"from-the-file\"")
        + &env.step("alpha", &[], "parameters = { \"Args/tag\" = \"${pipeline.tag}\" }")
        + &env.step("bravo", &["alpha"], "parameters = { \"Args/tag\" = \"b-tag\" }")
        + &env.step("charlie", &["alpha"], "")
        + &env.step(
            "delta",
            &["bravo", "charlie"],
            "parameters = { \"Args/from_b\" = \"${bravo.parameters.Args/tag}\", \"Args/upstream\" = \"${alpha.artifacts.data.url}\", \"Args/parent_id\" = \"${charlie.id}\" }",
        );
    let file = env.write("diamond.toml", &text);
    let agent = start_agent(&env);
    let out = env.run(&[
        "pipeline",
        "run",
        file.to_str().unwrap(),
        "--param",
        "tag=über",
        "--json",
    ]);
    let agent_log = std::fs::read_to_string(env.home.path().join("agent.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "{}\nagent log:\n{agent_log}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: RunSummary = json_out(&out);
    assert_eq!(summary.status, "completed");
    let tasks = env.pipeline_tasks();
    let task = |n: &str| {
        tasks
            .iter()
            .find(|t| t["name"] == n && t["type"] != "controller")
            .unwrap_or_else(|| panic!("no step task {n}"))
            .clone()
    };
    let time =
        |t: &Value, f: &str| chrono::DateTime::parse_from_rfc3339(t[f].as_str().unwrap()).unwrap();
    // Dependency order: a child starts only after its parents completed.
    for (parent, child) in [
        ("alpha", "bravo"),
        ("alpha", "charlie"),
        ("bravo", "delta"),
        ("charlie", "delta"),
    ] {
        assert!(
            time(&task(parent), "completed") <= time(&task(child), "started"),
            "{parent} must complete before {child} starts"
        );
    }
    // What the step scripts saw, read back from the artifact each one uploaded.
    let seen = |n: &str| -> Value {
        let t = task(n);
        let url = t["execution"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == "data")
            .unwrap()["uri"]
            .as_str()
            .unwrap()
            .to_string();
        // The file server wants the API token, as the SDK sends it.
        http()
            .get(url)
            .bearer_auth(&env.tok)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(seen("alpha")["args"]["tag"], "über");
    let d = seen("delta");
    assert_eq!(d["args"]["from_b"], "b-tag", "{d}");
    assert_eq!(d["args"]["parent_id"], task("charlie")["id"], "{d}");
    let a_url = task("alpha")["execution"]["artifacts"][0]["uri"].clone();
    assert_eq!(d["args"]["upstream"], a_url, "{d}");
    // The worker that ran each step is the agent (serve records X-ClearML-Worker).
    let worker = format!("agent-{}", env.queue);
    assert_eq!(
        step_of(&summary, "delta").worker.as_deref(),
        Some(worker.as_str())
    );

    // status, list, queue list and worker list read it back.
    let st: RunView = json_out(&env.run(&["pipeline", "status", "Ромб", "--json"]));
    assert_eq!(st.status, "completed");
    assert_eq!(st.project, env.project);
    let steps: Vec<(String, String)> = st
        .steps
        .iter()
        .map(|s| (s.name.clone(), s.status.clone()))
        .collect();
    assert_eq!(steps.len(), 4);
    assert!(steps.iter().all(|(_, s)| s == "completed"), "{steps:?}");
    let list: Vec<RunRow> =
        json_out(&env.run(&["pipeline", "list", "--project", &env.project, "--json"]));
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].steps_done, 4);
    assert_eq!(list[0].steps_total, 4);
    let workers: Vec<WorkerRow> = json_out(&env.run(&["worker", "list", "--json"]));
    assert!(
        workers
            .iter()
            .any(|w| w.id == worker.as_str() && w.queues[0] == env.queue),
        "{workers:?}"
    );
    let queues: Vec<QueueRow> = json_out(&env.run(&["queue", "list", "--json"]));
    let q = queues
        .iter()
        .find(|q| q.name == env.queue.as_str())
        .unwrap();
    assert_eq!(q.pending, 0);
    assert_eq!(q.workers, std::slice::from_ref(&worker));
    stop_pid(agent);
}

/// A script step's first lines: Task.init, its Args, an artifact of what it saw.
const SCRIPT_STEP: &str = r#"
from clearml import Task
task = Task.init(auto_resource_monitoring=False, auto_connect_frameworks=False)
args = {"lr": "0", "data": ""}
task.connect(args, name="Args")
VALUE = 1
task.get_logger().report_scalar("step", "value", value=VALUE * float(args["lr"] or 1), iteration=0)
task.upload_artifact("data", artifact_object={"args": args, "value": VALUE}, wait_on_upload=True)
task.flush(wait_for_uploads=True)
"#;

#[test]
fn script_steps_make_base_tasks_reused_until_changed_and_run_on_the_real_agent() {
    let env = Env::new("script");
    std::fs::create_dir_all(env.home.path().join("шаги")).unwrap();
    env.write("шаги/prepare.py", SCRIPT_STEP);
    env.write(
        "шаги/train.py",
        &SCRIPT_STEP.replace("VALUE = 1", "VALUE = 4"),
    );
    env.write("шаги/requirements.txt", "numpy\n");
    let text = env.header("Скрипты", "")
        + "[[step]]\nname = \"prepare\"\nscript = \"шаги/prepare.py\"\nrequirements = \"шаги/requirements.txt\"\n\n"
        + "[[step]]\nname = \"train\"\nparents = [\"prepare\"]\nscript = \"шаги/train.py\"\nargs = { lr = \"0.5\" }\nparameters = { \"Args/data\" = \"${prepare.artifacts.data.url}\" }\n";
    let file = env.write("scripts.toml", &text);
    let f = file.to_str().unwrap();
    // A dry run creates nothing: no project, no base task.
    let out = env.run(&["pipeline", "run", f, "--dry-run", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = json_out(&out);
    assert!(
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["base_task_id"].is_null()),
        "{plan}"
    );
    assert_eq!(plan["steps"][1]["base_task_name"], "train: шаги/train.py");
    assert!(
        env.tasks_in(&format!("^{}$", regex_escape(&env.project)))
            .is_empty()
    );

    let agent = start_agent(&env);
    let run = |env: &Env| {
        let out = env.run(&["pipeline", "run", f, "--json"]);
        let log = std::fs::read_to_string(env.home.path().join("agent.log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "{}\nagent log:\n{log}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_out::<RunSummary>(&out)
    };
    let first = run(&env);
    assert_eq!(first.status, "completed");
    let bases = env.tasks_in(&format!("^{}$", regex_escape(&env.project)));
    assert_eq!(bases.len(), 2, "one base task per script: {bases:?}");
    let base_train = bases
        .iter()
        .find(|t| t["name"] == "train: шаги/train.py")
        .unwrap();
    assert_eq!(base_train["status"], "created");
    assert_eq!(base_train["hyperparams"]["Args"]["lr"]["value"], "0.5");
    assert!(
        base_train["system_tags"][0]
            .as_str()
            .unwrap()
            .starts_with("clearml-script:"),
        "{base_train}"
    );
    let base_prepare = bases
        .iter()
        .find(|t| t["name"] == "prepare: шаги/prepare.py")
        .unwrap();
    assert_eq!(
        base_prepare["script"]["requirements"]["pip"],
        "numpy\nclearml"
    );
    // The steps ran the scripts: train got lr from `args` and prepare's artifact URL.
    let tasks = env.pipeline_tasks();
    let step = |n: &str| {
        tasks
            .iter()
            .find(|t| t["name"] == n && t["type"] != "controller")
            .unwrap()
            .clone()
    };
    let train = step("train");
    assert_eq!(train["status"], "completed");
    assert_eq!(crate::common::first_last_metric(&train)["value"], 2.0);
    let prepare_url = step("prepare")["execution"]["artifacts"][0]["uri"].clone();
    assert_eq!(train["hyperparams"]["Args"]["data"]["value"], prepare_url);

    // Unchanged: the second run reuses both base tasks.
    let second = run(&env);
    assert_eq!(second.status, "completed");
    assert_eq!(
        env.tasks_in(&format!("^{}$", regex_escape(&env.project)))
            .len(),
        2
    );
    stop_pid(agent);
    // A changed script gets a new base task; the unchanged one is still reused.
    env.write(
        "шаги/train.py",
        &SCRIPT_STEP.replace("VALUE = 1", "VALUE = 5"),
    );
    let plan: Value = json_out(&env.run(&["pipeline", "run", f, "--dry-run", "--json"]));
    let by = |n: &str| {
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by("prepare")["base_task_id"], base_prepare["id"]);
    assert!(by("train")["base_task_id"].is_null(), "{plan}");

    // A missing script is reported at its line, and nothing is created.
    let bad = env.write(
        "bad.toml",
        &(env.header("Плохой", "") + "[[step]]\nname = \"lost\"\nscript = \"нет/такого.py\"\n"),
    );
    let out = env.run(&["pipeline", "run", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("bad.toml:") && err.contains("нет/такого.py"),
        "{err}"
    );
}

/// Copy a folder (the examples) file by file.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn the_example_pipeline_runs_on_a_fresh_serve_with_the_readme_worker() {
    // The README's worker: the two variables and the queue the example uses.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for needle in [
        "CLEARML_AGENT_SKIP_PYTHON_ENV_INSTALL=1 CLEARML_AGENT_SKIP_PIP_VENV_INSTALL=",
        "clearml-agent daemon --queue default --foreground",
        "clearml pipeline run examples/ml-training-pipeline.toml\n",
    ] {
        assert!(readme.contains(needle), "README lacks {needle:?}");
    }
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    // The examples as a checkout has them, outside any git repository (the steps go as
    // script text, whatever remote this checkout has).
    copy_dir(&root.join("examples"), &home.path().join("examples"));
    let agent = crate::common::start_agent(home.path(), &conf, "default");
    let out = clearml(home.path())
        .current_dir(home.path())
        .args([
            "pipeline",
            "run",
            "examples/ml-training-pipeline.toml",
            "--json",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let log = std::fs::read_to_string(home.path().join("agent.log")).unwrap_or_default();
    stop_pid(agent);
    assert!(
        out.status.success(),
        "{}\nagent log:\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: RunSummary = json_out(&out);
    assert_eq!(summary.status, "completed");
    let tok = token(&s);
    let train = step_of(&summary, "train").task_id.clone().unwrap();
    let t = &api(&s, &tok, "tasks.get_all", json!({"id": [train]}))["tasks"][0];
    let loss = crate::common::first_last_metric(t)["value"]
        .as_f64()
        .unwrap();
    assert!(loss < 5.0, "the fit converged: loss {loss}");
    s.stop();
}

// ---------------------------------------------------------------- fast worker cases

#[test]
fn failures_stop_descendants_retries_and_continue_on_fail() {
    let env = Env::new("fail");
    env.base_tasks(&[
        "root",
        "bad",
        "after_bad",
        "flaky",
        "tolerated",
        "after_tolerated",
    ]);
    let text = env.header("failing", "")
        + &env.step("root", &[], "")
        + &env.step("bad", &["root"], "")
        + &env.step("after_bad", &["bad"], "")
        + &env.step("flaky", &["root"], "retry_on_failure = 2")
        + &env.step("tolerated", &["root"], "continue_on_fail = true")
        + &env.step("after_tolerated", &["tolerated"], "");
    let file = env.write("p.toml", &text);
    let _w = FastWorker::start(&env, |name, n| match (name, n) {
        ("bad" | "tolerated", _) => Act::Fail,
        ("flaky", 1) => Act::Fail,
        _ => Act::Complete,
    });
    let out = env.run(&["pipeline", "run", file.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("failed: bad failed"), "{stderr}");
    // Each failed step's reason, last console lines and the command for the rest.
    let s: RunSummary = json_out(&out);
    let bad_id = step_of(&s, "bad").task_id.clone().unwrap();
    assert!(
        stderr.contains("failed: Script error\nlast 1 console line(s):\nTraceback: bad сломался"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("clearml task logs {bad_id}")),
        "{stderr}"
    );
    assert_eq!(s.status, "failed");
    let status = |n: &str| step_of(&s, n).status.clone();
    assert_eq!(status("root"), "completed");
    assert_eq!(status("bad"), "failed");
    assert_eq!(status("after_bad"), "skipped");
    assert_eq!(status("flaky"), "completed");
    assert_eq!(step_of(&s, "flaky").attempts, 2);
    assert_eq!(status("tolerated"), "failed");
    assert_eq!(status("after_tolerated"), "completed");
    let tasks = env.pipeline_tasks();
    assert!(
        !tasks.iter().any(|t| t["name"] == "after_bad"),
        "a skipped step is never created"
    );
    let controller = tasks.iter().find(|t| t["type"] == "controller").unwrap();
    assert_eq!(controller["status"], "failed");
    assert_eq!(controller["status_reason"], "Pipeline step failed");
}

#[test]
fn time_limit_stops_a_step_that_runs_too_long() {
    let env = Env::new("limit");
    env.base_tasks(&["slow"]);
    let text = env.header("limited", "") + &env.step("slow", &[], "time_limit = \"2s\"");
    let file = env.write("p.toml", &text);
    let _w = FastWorker::start(&env, |_, _| Act::Hang);
    let t0 = Instant::now();
    let out = env.run(&["pipeline", "run", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(6));
    assert!(t0.elapsed() < Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("slow stopped after its time_limit of 2s"),
        "{stderr}"
    );
    let slow = env
        .pipeline_tasks()
        .into_iter()
        .find(|t| t["name"] == "slow")
        .unwrap();
    assert_eq!(slow["status"], "stopped");
}

#[test]
fn ctrl_c_stops_the_running_steps_and_the_run() {
    let env = Env::new("sigint");
    env.base_tasks(&["long", "next"]);
    let text = env.header("interrupted", "")
        + &env.step("long", &[], "")
        + &env.step("next", &["long"], "");
    let file = env.write("p.toml", &text);
    let _w = FastWorker::start(&env, |_, _| Act::Hang);
    let child = env
        .cli()
        .args(["pipeline", "run", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the step to run", Duration::from_secs(20), || {
        env.pipeline_tasks()
            .iter()
            .any(|t| t["name"] == "long" && t["status"] == "in_progress")
    });
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tasks = env.pipeline_tasks();
    let get = |n: &str| tasks.iter().find(|t| t["name"] == n).cloned();
    assert_eq!(get("long").unwrap()["status"], "stopped");
    assert!(get("next").is_none());
    let controller = tasks.iter().find(|t| t["type"] == "controller").unwrap();
    assert_eq!(controller["status"], "stopped");
    let dag: Value = serde_json::from_str(
        controller["configuration"]["Pipeline"]["value"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(dag["long"]["status"], "aborted");
    assert_eq!(dag["next"]["status"], "skipped");
}

#[test]
fn cached_steps_are_reused_on_the_next_run() {
    let env = Env::new("cache");
    env.base_tasks(&["prep", "fresh"]);
    let text = env.header("cached", "")
        + &env.step(
            "prep",
            &[],
            "cache_executed_step = true\nparameters = { \"Args/n\" = 7 }",
        )
        + &env.step(
            "fresh",
            &["prep"],
            "parameters = { \"Args/in\" = \"${prep.id}\" }",
        );
    let file = env.write("p.toml", &text);
    let w = FastWorker::start(&env, |_, _| Act::Complete);
    let first: RunSummary =
        json_out(&env.run(&["pipeline", "run", file.to_str().unwrap(), "--json"]));
    let second: RunSummary =
        json_out(&env.run(&["pipeline", "run", file.to_str().unwrap(), "--json"]));
    assert_eq!(step_of(&first, "prep").status, "completed");
    assert_eq!(step_of(&second, "prep").status, "cached");
    assert_eq!(
        step_of(&second, "prep").task_id,
        step_of(&first, "prep").task_id
    );
    assert_eq!(step_of(&second, "fresh").status, "completed");
    assert_eq!(w.seen().iter().filter(|n| *n == "prep").count(), 1);
    // `status --json` names the queue each step went to, though the DAG (as the SDK's)
    // leaves it null for steps on the default queue (issue 19 §7).
    let st: RunView = json_out(&env.run(&["pipeline", "status", &second.id, "--json"]));
    assert_eq!(st.steps.len(), 2);
    for s in &st.steps {
        assert_eq!(s.queue, json!(env.queue), "{st:?}");
    }
    // The run after the first is numbered and its version bumped, as the SDK's.
    assert_eq!(second.name, "cached #2");
    assert_eq!(first.version, "1.0.0");
    assert_eq!(second.version, "1.0.1");
    // `fresh` got the cached task's id.
    let fresh = env
        .pipeline_tasks()
        .into_iter()
        .find(|t| t["id"].as_str() == step_of(&second, "fresh").task_id.as_deref())
        .unwrap();
    assert_eq!(
        fresh["hyperparams"]["Args"]["in"]["value"].as_str(),
        step_of(&first, "prep").task_id.as_deref()
    );
}

#[test]
fn bad_files_are_reported_whole_and_create_nothing() {
    let env = Env::new("invalid");
    env.base_tasks(&["one", "two"]);
    let check = |text: &str, code: i32, wants: &[&str]| {
        let file = env.write("bad.toml", text);
        let out = env.run(&["pipeline", "run", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(code), "{err}");
        for w in wants {
            assert!(err.contains(w), "missing {w:?} in:\n{err}");
        }
        assert!(err.contains("nothing was created on the server"), "{err}");
    };
    let head = env.header("bad", "[pipeline.parameters]\nx = \"1\"");
    check(
        "[pipeline]\nname = \"p\nproject = \"x\"\n",
        2,
        &["bad.toml:2:", "TOML"],
    );
    check(
        &(head.replace("default_queue", "defualt_queue")
            + &env.step("one", &[], "paramters = {}")
            + &env.step("one", &[], "")
            + &env.step(
                "b",
                &["zz"],
                "parameters = { \"Args/p\" = \"${nope.id}\", \"Args/q\" = \"${pipeline.y}\" }",
            )),
        2,
        &[
            "bad.toml:4:1: unknown key in [pipeline] 'defualt_queue' (did you mean 'default_queue'?)",
            "unknown key in [[step]] 'paramters' (did you mean 'parameters'?)",
            "duplicate step name 'one'",
            "unknown parent 'zz'",
            "unknown step 'nope'",
            "unknown pipeline parameter 'y'",
        ],
    );
    check(
        &(head.clone() + &env.step("one", &["two"], "") + &env.step("two", &["one"], "")),
        2,
        &["the steps form a cycle: one -> two -> one"],
    );
    check(
        &(head.clone()
            + &env.step("one", &[], "")
            + &env.step("missing", &["one"], "")
            + &env.step("two", &["one"], "execution_queue = \"nosuchq\"")),
        5,
        &[
            &format!("no base task named 'missing' in project '{}'", env.project),
            "no queue named 'nosuchq' on the server (queues: ",
            &env.queue,
        ],
    );
    let out = env.run(&["pipeline", "run", "/nonexistent.toml"]);
    assert_eq!(out.status.code(), Some(2));
    // Only the two base tasks are there: no controller, no step, no pipeline project.
    let tasks = env.tasks_in(&format!("^{}$", regex_escape(&env.project)));
    assert_eq!(tasks.len(), 2, "a bad file created tasks");
    let projects = env.api(
        "projects.get_all",
        json!({"name": format!("^{}/", regex_escape(&env.project)), "search_hidden": true}),
    );
    assert_eq!(
        projects["projects"],
        json!([]),
        "a bad file created projects"
    );
}

#[test]
fn dry_run_prints_the_dag_and_creates_nothing() {
    let env = Env::new("dry");
    env.base_tasks(&["first", "second"]);
    let text = env.header("dry", "[pipeline.parameters]\nsrc = \"s3://b/raw.csv\"")
        + &env.step(
            "second",
            &["first"],
            "parameters = { \"Args/in\" = \"${first.artifacts.data.url}\" }",
        )
        + &env.step(
            "first",
            &[],
            "parameters = { \"Args/src\" = \"${pipeline.src}\" }",
        );
    let file = env.write("p.toml", &text);
    let out = env.run(&["pipeline", "run", file.to_str().unwrap(), "--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("first "), "{table}");
    assert!(lines[1].contains("Args/src=s3://b/raw.csv"), "{table}");
    assert!(lines[2].starts_with("second  first"), "{table}");
    assert!(lines[2].contains("${first.artifacts.data.url}"), "{table}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("no worker listens on queue '{}'", env.queue)),
        "{stderr}"
    );
    assert!(env.pipeline_tasks().is_empty());
}

// ---------------------------------------------------------------- side by side with the SDK

#[test]
fn the_sdk_controller_and_ours_write_the_same_shape() {
    let env = Env::new("sdkside");
    env.base_tasks(&["prepare", "train", "report"]);
    let _w = FastWorker::start(&env, |_, _| Act::Complete);
    let sdk = format!(
        r#"
from clearml import PipelineController
pipe = PipelineController(name="sdk-pipe", project={project:?}, version="1.0.0",
                          add_pipeline_tags=False, pool_frequency=0.01)
pipe.set_default_execution_queue({queue:?})
pipe.add_step(name="prepare", base_task_project={project:?}, base_task_name="prepare")
pipe.add_step(name="train", parents=["prepare"], base_task_project={project:?}, base_task_name="train",
              parameter_override={{"Args/data": "${{prepare.id}}"}})
pipe.add_step(name="report", parents=["train"], base_task_project={project:?}, base_task_name="report")
pipe.start_locally(run_pipeline_steps_locally=False)
"#,
        project = env.project,
        queue = env.queue
    );
    run_sdk(&sdk, &env.conf, &[]);
    let text = env.header("our-pipe", "version = \"1.0.0\"")
        + &env.step("prepare", &[], "")
        + &env.step(
            "train",
            &["prepare"],
            "parameters = { \"Args/data\" = \"${prepare.id}\" }",
        )
        + &env.step("report", &["train"], "");
    let file = env.write("p.toml", &text);
    let out = env.run(&["pipeline", "run", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let projects = env.api(
        "projects.get_all",
        json!({"name": format!("^{}/", regex_escape(&env.project)), "search_hidden": true}),
    )["projects"]
        .clone();
    let project = |suffix: &str| {
        projects
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == format!("{}/{suffix}", env.project))
            .unwrap_or_else(|| panic!("no project {suffix} in {projects}"))
            .clone()
    };
    let tags = |p: &Value| {
        let mut t: Vec<String> = serde_json::from_value(p["system_tags"].clone()).unwrap();
        t.sort();
        t
    };
    assert_eq!(tags(&project(".pipelines")), ["hidden"]);
    assert_eq!(
        tags(&project(".pipelines/sdk-pipe")),
        ["hidden", "pipeline"]
    );
    assert_eq!(
        tags(&project(".pipelines/our-pipe")),
        ["hidden", "pipeline"]
    );

    let tasks = env.pipeline_tasks();
    let controller = |name: &str| {
        tasks
            .iter()
            .find(|t| t["name"] == name && t["type"] == "controller")
            .unwrap_or_else(|| panic!("no controller {name}"))
            .clone()
    };
    let (theirs, ours) = (controller("sdk-pipe"), controller("our-pipe"));
    let sorted_keys = |v: &Value| {
        let mut k: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    let st = |t: &Value| tags(t);
    assert_eq!(st(&theirs), st(&ours));
    assert_eq!(theirs["status"], ours["status"]);
    assert_eq!(
        sorted_keys(&theirs["hyperparams"]),
        sorted_keys(&ours["hyperparams"])
    );
    for section in ["pipeline", "properties"] {
        assert_eq!(
            sorted_keys(&theirs["hyperparams"][section]),
            sorted_keys(&ours["hyperparams"][section]),
            "{section}"
        );
    }
    for key in ["_pipeline_hash", "version", "progress"] {
        assert!(
            theirs["runtime"].get(key).is_some(),
            "SDK runtime lacks {key}"
        );
        assert!(
            ours["runtime"].get(key).is_some(),
            "our runtime lacks {key}"
        );
    }
    assert_eq!(theirs["runtime"]["progress"], ours["runtime"]["progress"]);
    assert_eq!(
        sorted_keys(&theirs["configuration"]),
        sorted_keys(&ours["configuration"])
    );
    assert_eq!(
        theirs["configuration"]["Pipeline"]["type"],
        ours["configuration"]["Pipeline"]["type"]
    );
    let dag = |t: &Value| -> Value {
        serde_json::from_str(t["configuration"]["Pipeline"]["value"].as_str().unwrap()).unwrap()
    };
    let (their_dag, our_dag) = (dag(&theirs), dag(&ours));
    assert_eq!(sorted_keys(&their_dag), sorted_keys(&our_dag));
    for step in ["prepare", "train", "report"] {
        // Exactly the SDK's node keys: `PipelineController.Node(**node)` refuses others.
        assert_eq!(
            sorted_keys(&their_dag[step]),
            sorted_keys(&our_dag[step]),
            "{step}"
        );
        for f in ["status", "parents", "parameters"] {
            assert_eq!(their_dag[step][f], our_dag[step][f], "{step}.{f}");
        }
        // Step tasks: children of their controller, in its project, named after the step.
        for (c, d) in [(&theirs, &their_dag), (&ours, &our_dag)] {
            let t = tasks.iter().find(|t| t["id"] == d[step]["job_id"]).unwrap();
            assert_eq!(t["parent"], c["id"]);
            assert_eq!(t["project"], c["project"]);
            assert_eq!(t["name"], step);
            assert_eq!(t["type"], "training");
        }
    }
    // Train got prepare's id in both.
    for (d, _) in [(&their_dag, 0), (&our_dag, 1)] {
        let train = tasks
            .iter()
            .find(|t| t["id"] == d["train"]["job_id"])
            .unwrap();
        assert_eq!(
            train["hyperparams"]["Args"]["data"]["value"],
            d["prepare"]["job_id"]
        );
    }
    // Both plots are there for the web UI.
    let plots = |t: &Value| {
        let mut m: Vec<String> = t["metric_stats"]
            .as_object()
            .map(|o| {
                o.values()
                    .filter_map(|v| v["metric"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        m.sort();
        m
    };
    assert_eq!(plots(&theirs), plots(&ours));
    // `pipeline status` reads both.
    for name in ["sdk-pipe", "our-pipe"] {
        let st: RunView = json_out(&env.run(&[
            "pipeline",
            "status",
            name,
            "--project",
            &env.project,
            "--json",
        ]));
        assert_eq!(st.status, "completed", "{name}: {st:?}");
        assert_eq!(st.steps.len(), 3);
        assert!(st.steps.iter().all(|s| s.status == "completed"), "{st:?}");
    }
}

/// Issue 19 §6: the SDK reads back the DAG we write (`PipelineController.Node(**node)`
/// takes every key), and a step cached by either side is reused by the other: our
/// `pipeline_job_hash` is the SDK's `ClearmlJob` hash, non-ASCII parameters included.
#[test]
fn the_sdk_reads_our_dag_and_shares_the_step_cache_both_ways() {
    let env = Env::new("sdkcache");
    env.base_tasks(&["prep", "plain", "train"]);
    let _w = FastWorker::start(&env, |_, _| Act::Complete);
    let text = env.header("Кэш общий", "")
        + &env.step(
            "prep",
            &[],
            "cache_executed_step = true\nretry_on_failure = 2\nparameters = { \"Args/n\" = \"Привет 数据 😀\" }",
        )
        + &env.step("plain", &["prep"], "cache_executed_step = true");
    let file = env.write("p.toml", &text);
    let ours: RunSummary =
        json_out(&env.run(&["pipeline", "run", file.to_str().unwrap(), "--json"]));
    assert_eq!(ours.status, "completed", "{ours:?}");
    let controller = env
        .pipeline_tasks()
        .into_iter()
        .find(|t| t["name"] == "Кэш общий" && t["type"] == "controller")
        .expect("our controller");
    let dag = controller["configuration"]["Pipeline"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let base = |name: &str| -> String {
        env.tasks_in(&format!("^{}$", regex_escape(&env.project)))
            .into_iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no base task {name}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let script = format!(
        r#"
import json
from clearml.automation import PipelineController
from clearml.automation.job import ClearmlJob
dag = json.loads({dag:?})
ctrl = PipelineController.__new__(PipelineController)
ctrl._always_create_from_code = False
ctrl._nodes = {{}}
ctrl._deserialize(dag)
print(json.dumps({{"nodes": sorted(ctrl._nodes)}}))
from clearml import Task
import clearml.storage.hashing as h
seen = []
orig = h.hash_text
def spy(text, seed=1337, hash_func="md5"):
    seen.append(text)
    return orig(text, seed=seed, hash_func=hash_func)
import clearml.automation.job as jobmod
jobmod.hash_dict.__globals__["hash_text"] = spy
prep = ClearmlJob(base_task_id={prep:?}, parameter_override={{"Args/n": "Привет 数据 😀"}}, allow_caching=True)
plain = ClearmlJob(base_task_id={plain:?}, allow_caching=True)
train = ClearmlJob(base_task_id={train:?}, parameter_override={{"Args/n": "Grüße"}}, allow_caching=True)
print(json.dumps({{"prep": [prep.is_cached_task(), prep.task.id],
                   "plain": [plain.is_cached_task(), plain.task.id],
                   "train": [train.is_cached_task(), train.task.id]}}))
print("hashed:", seen)
"#,
        prep = base("prep"),
        plain = base("plain"),
        train = base("train"),
    );
    let out = run_sdk(&script, &env.conf, &[]);
    let mut lines = out.lines().filter(|l| l.starts_with('{'));
    let nodes: Value = serde_json::from_str(lines.next().expect("nodes line")).unwrap();
    assert_eq!(nodes["nodes"], json!(["plain", "prep"]), "{out}");
    let jobs: Value = serde_json::from_str(lines.next().expect("jobs line")).unwrap();
    // Ours → SDK: the SDK finds the steps we ran as its cache hits.
    let our_id = |name: &str| step_of(&ours, name).task_id.clone().unwrap();
    assert_eq!(jobs["prep"], json!([true, our_id("prep")]), "{out}");
    assert_eq!(jobs["plain"], json!([true, our_id("plain")]), "{out}");
    // SDK → ours: the SDK's job (not cached: nothing ran with these parameters) finishes,
    // and our run of the same step takes it from the cache instead of launching one.
    assert_eq!(jobs["train"][0], false, "{out}");
    let sdk_train = jobs["train"][1].as_str().unwrap().to_string();
    env.api("tasks.started", json!({"task": sdk_train, "force": true}));
    env.api("tasks.completed", json!({"task": sdk_train, "force": true}));
    let text = env.header("Zug", "")
        + &env.step(
            "train",
            &[],
            "cache_executed_step = true\nparameters = { \"Args/n\" = \"Grüße\" }",
        );
    let file = env.write("q.toml", &text);
    let second: RunSummary =
        json_out(&env.run(&["pipeline", "run", file.to_str().unwrap(), "--json"]));
    assert_eq!(step_of(&second, "train").status, "cached", "{second:?}");
    assert_eq!(
        step_of(&second, "train").task_id.as_deref(),
        Some(sdk_train.as_str())
    );
}
