//! `clearml sync`, `export` and `import` between two (three) `clearml server serve`
//! instances: what the real SDK wrote on A reads the same on B; a second run copies
//! nothing, then only what is new; a run killed mid-way and run again leaves no
//! duplicates and nothing missing; export -> import gives what sync gives.

use crate::common::{Serve, clearml, run_sdk, spawn_tied_to_process, stop_pid};
use crate::serve::{client, ok, token, unique};
use clearml_cmd_pipeline::json::RunView;
use clearml_cmd_sync::json::{Exported, Summary};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A server with a home holding its clearml.conf, and a token for raw API calls.
struct Side {
    s: Serve,
    home: tempfile::TempDir,
    conf: PathBuf,
    tok: String,
}

impl Side {
    fn start() -> Side {
        let s = Serve::start();
        let home = tempfile::tempdir().unwrap();
        let conf = s.write_conf(home.path());
        let tok = token(&s);
        Side { s, home, conf, tok }
    }

    fn api(&self, endpoint: &str, body: Value) -> Value {
        ok(&self.s, &self.tok, endpoint, body)
    }

    fn conf(&self) -> &str {
        self.conf.to_str().unwrap()
    }

    /// A clearml.conf in a new folder naming this side with `api` as its API server (a
    /// proxy in front of it) and `files` as its file server.
    fn conf_via(&self, api: &str, files: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(&self.conf)
            .unwrap()
            .replace(
                &format!("api_server: {}", self.s.api_url),
                &format!("api_server: {api}"),
            )
            .replace(
                &format!("web_server: {}", self.s.api_url),
                &format!("web_server: {api}"),
            )
            .replace(
                &format!("files_server: {}", self.s.files_url),
                &format!("files_server: {files}"),
            );
        assert!(text.contains(api) && text.contains(files), "{text}");
        let path = dir.path().join("clearml.conf");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// Store `bytes` as `object` on this side's file server; its download URL.
    fn upload(&self, object: &str, bytes: &[u8]) -> String {
        let part = reqwest::blocking::multipart::Part::bytes(bytes.to_vec()).file_name("f");
        let r = client()
            .post(format!("{}/", self.s.files_url.trim_end_matches('/')))
            .bearer_auth(&self.tok)
            .multipart(reqwest::blocking::multipart::Form::new().part(object.to_string(), part))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "upload {object}");
        format!(
            "{}/{}",
            self.s.files_url.trim_end_matches('/'),
            percent_encoding::utf8_percent_encode(object, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
                .replace("%2F", "/")
        )
    }

    /// A completed task in a new project with one artifact of `size` bytes on this side's
    /// file server; the task's id.
    fn finished_task_with_artifact(&self, project: &str, size: usize) -> String {
        let pid = self.api("projects.create", json!({"name": project}))["id"].clone();
        let id = self.api(
            "tasks.create",
            json!({"name": "fertig-完成-готово", "type": "training", "project": pid}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        let url = self.upload(&format!("{project}/артефакт-1.bin"), &vec![7u8; size]);
        self.api(
            "tasks.add_or_update_artifacts",
            json!({"task": id, "artifacts": [{"key": "данные", "type": "custom", "mode": "output", "uri": url}]}),
        );
        self.api("tasks.started", json!({"task": id}));
        self.api("tasks.completed", json!({"task": id}));
        id
    }

    /// Every task (with its events) and model under `project`, ids replaced by names, so
    /// two servers holding the same data give the same dump.
    fn dump(&self, project: &str) -> Value {
        let projects = self.api(
            "projects.get_all",
            json!({"name": format!("^{}(/|$)", regex::escape(project)), "search_hidden": true}),
        )["projects"]
            .as_array()
            .unwrap()
            .clone();
        let pids: Vec<Value> = projects.iter().map(|p| p["id"].clone()).collect();
        let pname = |id: &Value| {
            projects
                .iter()
                .find(|p| p["id"] == *id)
                .map(|p| p["name"].clone())
                .unwrap_or(Value::Null)
        };
        let tasks = self.api(
            "tasks.get_all",
            json!({"project": pids, "search_hidden": true}),
        )["tasks"]
            .as_array()
            .unwrap()
            .clone();
        let models = self.api("models.get_all", json!({"project": pids}))["models"]
            .as_array()
            .unwrap()
            .clone();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for o in tasks.iter().chain(models.iter()) {
            names.insert(
                o["id"].as_str().unwrap().into(),
                format!("<{}>", o["name"].as_str().unwrap()),
            );
        }
        let mut out_tasks = Map::new();
        for t in &tasks {
            let id = t["id"].as_str().unwrap();
            let mut events: Vec<String> = self
                .events(id)
                .into_iter()
                .map(|mut e| {
                    if let Some(url) = e["url"].as_str() {
                        e["url"] = json!([file_name(url), self.file_sha(url)]);
                    }
                    format!(
                        "{} {} {} {} {} {} {} {}",
                        e["type"],
                        e["metric"],
                        e["variant"],
                        e["iter"],
                        e["value"],
                        e["msg"],
                        e["url"],
                        e["plot_str"]
                    )
                })
                .collect();
            events.sort();
            let artifacts: BTreeMap<String, Value> = t["execution"]["artifacts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    let uri = a["uri"].as_str().unwrap_or_default();
                    (
                        a["key"].as_str().unwrap().to_string(),
                        json!([file_name(uri), self.file_sha(uri)]),
                    )
                })
                .collect();
            let system_tags: Vec<&Value> = t["system_tags"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| !t.as_str().unwrap().starts_with("clearml-sync:"))
                .collect();
            let model_names = |dir: &str| -> Vec<Value> {
                t["models"][dir]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| m["name"].clone())
                    .collect()
            };
            let mut entry = json!({
                "project": pname(&t["project"]), "type": t["type"], "status": t["status"],
                "comment": t["comment"], "tags": t["tags"], "system_tags": system_tags,
                "parent": t["parent"], "hyperparams": t["hyperparams"],
                "configuration": t["configuration"], "runtime": t["runtime"],
                "script": t["script"], "container": t["container"],
                "models": {"input": model_names("input"), "output": model_names("output")},
                "artifacts": artifacts, "events": events,
            });
            replace_ids(&mut entry, &names);
            let name = t["name"].as_str().unwrap().to_string();
            assert!(
                out_tasks.insert(name.clone(), entry).is_none(),
                "two tasks named {name} in {project}"
            );
        }
        let mut out_models = Map::new();
        for m in &models {
            let mut entry = json!({
                "project": pname(&m["project"]), "ready": m["ready"], "framework": m["framework"],
                "task": m["task"], "tags": m["tags"], "labels": m["labels"],
                "file": [file_name(s(&m["uri"])), self.file_sha(s(&m["uri"]))],
            });
            replace_ids(&mut entry, &names);
            out_models.insert(m["name"].as_str().unwrap().to_string(), entry);
        }
        json!({"tasks": out_tasks, "models": out_models})
    }

    fn events(&self, task: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut scroll = Value::Null;
        loop {
            let data = self.api(
                "events.get_task_events",
                json!({"task": task, "batch_size": 500, "scroll_id": scroll}),
            );
            let batch = data["events"].as_array().unwrap();
            if batch.is_empty() {
                return all;
            }
            all.extend(batch.iter().cloned());
            scroll = data["scroll_id"].clone();
        }
    }

    /// The sha256 of a file on this server's file server, or the URI when it is elsewhere.
    fn file_sha(&self, uri: &str) -> String {
        if !uri.starts_with(&self.s.files_url) {
            return uri.to_string();
        }
        let r = client().get(uri).bearer_auth(&self.tok).send().unwrap();
        assert_eq!(r.status(), 200, "GET {uri}");
        format!("sha256:{}", hex::encode(Sha256::digest(r.bytes().unwrap())))
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// A URL's last path segment, decoded: file names must arrive byte for byte.
fn file_name(url: &str) -> String {
    let last = url.rsplit('/').next().unwrap_or_default();
    percent_encoding::percent_decode_str(last)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// The places where two dumps differ (paths and both values, cut short), or none.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                differences(
                    &x.get(k).cloned().unwrap_or(Value::Null),
                    &y.get(k).cloned().unwrap_or(Value::Null),
                    &format!("{path}/{k}"),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => {
            let cut = |v: &Value| v.to_string().chars().take(300).collect::<String>();
            out.push(format!("{path}: {} != {}", cut(a), cut(b)));
        }
        _ => {}
    }
}

fn assert_same(a: &Value, b: &Value) {
    let mut out = Vec::new();
    differences(a, b, "", &mut out);
    assert!(
        out.is_empty(),
        "{} differences:\n{}",
        out.len(),
        out.join("\n")
    );
}

/// Ids (32 hex) in every string replaced by the named object's `<name>`.
fn replace_ids(v: &mut Value, names: &BTreeMap<String, String>) {
    let re = regex::Regex::new(r"\b[0-9a-f]{32}\b").unwrap();
    match v {
        Value::String(s) => {
            *s = re
                .replace_all(s, |c: &regex::Captures| {
                    names
                        .get(&c[0])
                        .cloned()
                        .unwrap_or_else(|| "<unknown id>".into())
                })
                .into_owned();
        }
        Value::Array(a) => a.iter_mut().for_each(|x| replace_ids(x, names)),
        Value::Object(m) => m.values_mut().for_each(|x| replace_ids(x, names)),
        _ => {}
    }
}

fn run(home: &Path, args: &[&str]) -> Output {
    clearml(home)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn sync_json(home: &Path, args: &[&str]) -> Summary {
    let mut all = vec!["sync", "--json"];
    all.extend_from_slice(args);
    let out = run(home, &all);
    assert!(
        out.status.success(),
        "sync {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a sync summary ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

const WRITE: &str = r#"
import os, json
from clearml import Task, OutputModel
proj = os.environ["P"]
work = os.environ["WORK"]
t = Task.init(project_name=proj, task_name="обучение-1", output_uri=True,
              auto_resource_monitoring=False, auto_connect_frameworks=False, reuse_last_task_id=False)
t.connect({"lr": 0.01, "batch": 32, "name": "Größe"}, name="Args")
t.connect_configuration({"layers": [1, 2, 3], "act": "relu"}, name="model-config")
t.add_tags(["标签"])
log = t.get_logger()
for i in range(50):
    log.report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
    log.report_scalar("Genauigkeit 准确率", "проверка", value=i / 50.0, iteration=i)
log.report_single_value("best", 0.98)
log.report_text("привет from the console")
log.report_plotly("plot", "series", figure={"data": [{"x": [1, 2], "y": [3, 4]}]}, iteration=0)
img = os.path.join(work, "Bild-图像-снимок.png")
open(img, "wb").write(os.urandom(3000))
log.report_image("Bilder 图像", "образец", iteration=1, local_path=img)
art = os.path.join(work, "данные-Größe-数据.bin")
open(art, "wb").write(os.urandom(200000))
t.upload_artifact("Daten-数据", artifact_object=art, wait_on_upload=True)
w = os.path.join(work, "веса-权重-Gewichte.pt")
open(w, "wb").write(os.urandom(60000))
m = OutputModel(task=t, name="модель-模型", framework="PyTorch")
m.update_weights(weights_filename=w, auto_delete_file=False)
t.flush(wait_for_uploads=True)
t.close()
child = Task.create(project_name=proj, task_name="дочерняя-задача")
child.set_parent(t.id)
child.set_comment("a draft child, Kommentar")
print(json.dumps({"task": t.id, "child": child.id}))
"#;

/// What the SDK reads of the project on one server: parameters, every scalar point,
/// console text, artifacts and model files (as sha256).
const READ: &str = r#"
import os, json, hashlib
from clearml import Task
proj = os.environ["P"]
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
out = {}
for t in Task.get_tasks(project_name=proj):
    # The console names the task and its project: by their ids on this server.
    console = [(r if isinstance(r, str) else r.get("msg", "")).replace(t.id, "<task>").replace(t.project, "<project>")
               for r in t.get_reported_console_output(number_of_reports=100)]
    out[t.name] = {
        "params": t.get_parameters(),
        "config": t.get_configuration_object_as_dict("model-config") if t.name == "обучение-1" else None,
        "scalars": t.get_reported_scalars(),
        "single": t.get_reported_single_values(),
        "console": sorted(console),
        "status": t.get_status(),
        "tags": t.get_tags(),
        "parent": Task.get_task(task_id=t.parent).name if t.parent else None,
        "artifacts": {k: sha(a.get_local_copy()) for k, a in t.artifacts.items()},
        "models": {m.name: sha(m.get_local_copy()) for m in t.models["output"]},
    }
print(json.dumps(out, sort_keys=True))
"#;

/// A test-side worker: completes whatever is enqueued on `queue` of `side`.
fn fast_worker(side: &Side, queue: &str) -> (Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let stop = Arc::new(AtomicBool::new(false));
    let qid = side.api("queues.get_all", json!({"name": format!("^{queue}$")}))["queues"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (api_url, tok, stop2) = (side.s.api_url.clone(), side.tok.clone(), stop.clone());
    let handle = std::thread::spawn(move || {
        let call = |endpoint: &str, body: Value| -> Value {
            let v: Value = client()
                .post(format!("{api_url}/{endpoint}"))
                .bearer_auth(&tok)
                .json(&body)
                .send()
                .unwrap()
                .json()
                .unwrap();
            v["data"].clone()
        };
        while !stop2.load(Ordering::SeqCst) {
            let next = call("queues.get_next_task", json!({"queue": qid}));
            match next["entry"]["task"].as_str() {
                Some(id) => {
                    call("tasks.started", json!({"task": id, "force": true}));
                    call("tasks.completed", json!({"task": id, "force": true}));
                }
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    });
    (stop, handle)
}

/// A pipeline run on A: base tasks, our runner, a step parameter `${prepare.id}`.
fn pipeline_run(a: &Side, project: &str) -> String {
    let queue = unique("sync-q");
    a.api("queues.create", json!({"name": queue}));
    let pid = a.api(
        "projects.get_all",
        json!({"name": format!("^{}$", regex::escape(project))}),
    )["projects"][0]["id"]
        .clone();
    for n in ["prepare", "train"] {
        a.api(
            "tasks.create",
            json!({"name": format!("base-{n}"), "type": "training", "project": pid,
                   "script": {"entry_point": "noop.py", "diff": "print('noop')"}}),
        );
    }
    let spec = format!(
        "[pipeline]\nname = \"конвейер\"\nproject = \"{project}\"\ndefault_queue = \"{queue}\"\n\n\
         [[step]]\nname = \"prepare\"\nbase_task_project = \"{project}\"\nbase_task_name = \"base-prepare\"\n\n\
         [[step]]\nname = \"train\"\nparents = [\"prepare\"]\nbase_task_project = \"{project}\"\n\
         base_task_name = \"base-train\"\nparameters = {{ \"Args/data\" = \"${{prepare.id}}\" }}\n"
    );
    let file = a.home.path().join("p.toml");
    std::fs::write(&file, spec).unwrap();
    let (stop, worker) = fast_worker(a, &queue);
    let out = run(
        a.home.path(),
        &[
            "--config",
            a.conf(),
            "pipeline",
            "run",
            file.to_str().unwrap(),
        ],
    );
    stop.store(true, Ordering::SeqCst);
    worker.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    queue
}

#[test]
fn sync_copies_what_the_sdk_wrote_and_then_only_what_is_new() {
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Синхрон Größe 同步");
    let work = tempfile::tempdir().unwrap();
    let env = [
        ("P", project.as_str()),
        ("WORK", work.path().to_str().unwrap()),
    ];
    let written: Value =
        serde_json::from_str(run_sdk(WRITE, &a.conf, &env).lines().last().unwrap()).unwrap();
    pipeline_run(&a, &project);

    let first = sync_json(
        b.home.path(),
        &["--from", a.conf(), "--to", b.conf(), "--project", &project],
    );
    assert!(first.skipped.is_empty(), "{first:?}");
    // обучение-1, its child, 2 base tasks, the controller and 2 steps
    assert_eq!(first.tasks.copied, 7, "{first:?}");
    assert_eq!(first.models.copied, 1, "{first:?}");
    assert!(first.events > 100, "{first:?}");
    // the artifact, the model and the debug image
    assert_eq!(first.files, 3, "{first:?}");
    assert!(first.bytes >= 263_000, "{first:?}");
    let state = PathBuf::from(first.state_file.clone().unwrap());
    assert_eq!(
        state.parent(),
        Some(b.home.path()),
        "state beside the target's conf"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&state).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Everything reads the same on both sides, ids and URLs aside.
    assert_same(&a.dump(&project), &b.dump(&project));
    let on_a = run_sdk(READ, &a.conf, &env);
    let on_b = run_sdk(READ, &b.conf, &env);
    let (on_a, on_b): (Value, Value) = (
        serde_json::from_str(on_a.lines().last().unwrap()).unwrap(),
        serde_json::from_str(on_b.lines().last().unwrap()).unwrap(),
    );
    assert_eq!(on_a, on_b);
    let trained = &on_b["обучение-1"];
    assert_eq!(trained["params"]["Args/name"], "Größe");
    assert_eq!(
        trained["scalars"]["loss"]["train"]["y"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    assert!(
        trained["console"].to_string().contains("привет"),
        "{trained}"
    );
    assert_eq!(trained["models"].as_object().unwrap().len(), 1, "{trained}");
    assert_eq!(
        trained["scalars"]["Genauigkeit 准确率"]["проверка"]["y"]
            .as_array()
            .map(Vec::len),
        Some(50),
        "{trained}"
    );
    // Non-ASCII file names arrive byte for byte (the dumps compared above hold them too).
    let on_b_dump = b.dump(&project);
    let artifact = &on_b_dump["tasks"]["обучение-1"]["artifacts"]["Daten-数据"][0];
    let weights = &on_b_dump["models"]["модель-模型"]["file"][0];
    assert_eq!(s(artifact), "данные-Größe-数据.bin");
    assert_eq!(s(weights), "веса-权重-Gewichte.pt");
    assert_eq!(on_b["дочерняя-задача"]["parent"], "обучение-1");
    assert_eq!(
        written["task"].as_str().map(str::len),
        Some(32),
        "the SDK wrote a task"
    );

    // The pipeline run reads on B with its steps, which are B's tasks.
    let out = run(
        b.home.path(),
        &[
            "--config",
            b.conf(),
            "pipeline",
            "status",
            "конвейер",
            "--project",
            &project,
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let view: RunView = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view.steps.len(), 2, "{view:?}");
    for step in &view.steps {
        assert_eq!(step.status, "completed", "{view:?}");
        let id = step.task_id.as_str().unwrap();
        let found = b.api("tasks.get_all", json!({"id": [id], "only_fields": ["id"]}));
        assert_eq!(
            found["tasks"].as_array().unwrap().len(),
            1,
            "step {id} is not on B"
        );
    }

    // A second run copies nothing.
    let again = sync_json(
        b.home.path(),
        &["--from", a.conf(), "--to", b.conf(), "--project", &project],
    );
    assert_eq!(
        (
            again.tasks.copied,
            again.tasks.updated,
            again.events,
            again.files
        ),
        (0, 0, 0, 0),
        "{again:?}"
    );
    assert_eq!(again.tasks.unchanged, 7);

    // New scalars on A: only those are copied.
    let task = written["task"].as_str().unwrap();
    let new: Vec<Value> = (50..55)
        .map(|i| {
            json!({"task": task, "type": "training_stats_scalar", "metric": "loss",
                        "variant": "train", "iter": i, "value": 0.001 * i as f64,
                        "timestamp": 1_800_000_000_000i64 + i})
        })
        .collect();
    let body: String = new.iter().map(|e| format!("{e}\n")).collect();
    let r = client()
        .post(format!("{}/events.add_batch", a.s.api_url))
        .bearer_auth(&a.tok)
        .header("Content-Type", "application/json-lines")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let dry = sync_json(
        b.home.path(),
        &[
            "--from",
            a.conf(),
            "--to",
            b.conf(),
            "--project",
            &project,
            "--dry-run",
        ],
    );
    assert_eq!((dry.tasks.updated, dry.events), (1, 5), "{dry:?}");
    let third = sync_json(
        b.home.path(),
        &["--from", a.conf(), "--to", b.conf(), "--project", &project],
    );
    assert_eq!(
        (third.tasks.updated, third.tasks.copied, third.events),
        (1, 0, 5),
        "{third:?}"
    );
    assert_same(&a.dump(&project), &b.dump(&project));

    // export -> import into a third server gives what sync gave.
    let c = Side::start();
    let archive = work.path().join("проект.tar.zst");
    let out = run(
        a.home.path(),
        &[
            "export",
            "--json",
            "--from",
            a.conf(),
            "--project",
            &project,
            "-o",
            archive.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: Exported = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((exported.tasks, exported.files), (7, 3), "{exported:?}");
    assert!(archive.is_file() && !work.path().join("проект.tar.zst.part").exists());
    let out = run(
        c.home.path(),
        &[
            "import",
            "--json",
            archive.to_str().unwrap(),
            "--to",
            c.conf(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (imported.tasks.copied, imported.files),
        (7, 3),
        "{imported:?}"
    );
    assert_same(&b.dump(&project), &c.dump(&project));

    // A damaged archive is refused before anything is copied.
    let mut bytes = std::fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let bad = work.path().join("bad.tar.zst");
    std::fs::write(&bad, bytes).unwrap();
    let d = Side::start();
    let out = run(
        d.home.path(),
        &["import", bad.to_str().unwrap(), "--to", d.conf()],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let none = d.api("projects.get_all", json!({"name": regex::escape(&project)}));
    assert!(none["projects"].as_array().unwrap().is_empty(), "{none}");
}

/// `n` tasks with 300 events each on A, over the API.
fn seed(a: &Side, project: &str, n: usize) {
    let pid = a.api("projects.create", json!({"name": project}))["id"].clone();
    for i in 0..n {
        let id = a.api(
            "tasks.create",
            json!({"name": format!("задача-{i:02}"), "type": "training", "project": pid,
                   "hyperparams": {"Args": {"i": {"section": "Args", "name": "i", "value": i.to_string()}}}}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut body = String::new();
        for n in 0..280 {
            body.push_str(&format!(
                "{}\n",
                json!({"task": id, "type": "training_stats_scalar", "metric": "m", "variant": "v",
                       "iter": n, "value": n as f64 * 0.5, "timestamp": 1_700_000_000_000i64 + n})
            ));
        }
        for n in 0..20 {
            body.push_str(&format!(
                "{}\n",
                json!({"task": id, "type": "log", "level": "info", "msg": format!("строка {n}"),
                       "timestamp": 1_700_000_000_000i64 + n})
            ));
        }
        let r = client()
            .post(format!("{}/events.add_batch", a.s.api_url))
            .bearer_auth(&a.tok)
            .header("Content-Type", "application/json-lines")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        a.api("tasks.started", json!({"task": id}));
        a.api("tasks.completed", json!({"task": id}));
    }
}

#[test]
fn a_sync_killed_mid_way_and_run_again_duplicates_nothing_and_misses_nothing() {
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Прерванный");
    seed(&a, &project, 40);
    let mut cmd = clearml(b.home.path());
    cmd.args([
        "sync",
        "--from",
        a.conf(),
        "--to",
        b.conf(),
        "--project",
        &project,
        "--parallel",
        "2",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    let pid = spawn_tied_to_process(cmd);
    // Kill it once the target holds a few of the tasks (created, maybe partly filled).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let on_b = b.api(
            "projects.get_all",
            json!({"name": format!("^{}$", regex::escape(&project)), "only_fields": ["id"]}),
        )["projects"]
            .as_array()
            .unwrap()
            .clone();
        if let Some(p) = on_b.first() {
            let n = b.api(
                "tasks.get_all",
                json!({"project": [p["id"]], "only_fields": ["id"]}),
            )["tasks"]
                .as_array()
                .unwrap()
                .len();
            if n >= 3 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "sync made no tasks on B in 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
    stop_pid(pid);
    let total_events = |side: &Side| -> usize {
        let dump = side.dump(&project);
        dump["tasks"]
            .as_object()
            .unwrap()
            .values()
            .map(|t| t["events"].as_array().unwrap().len())
            .sum()
    };
    let cut = total_events(&b);
    assert!(
        cut < 40 * 300,
        "the sync was not cut mid-way ({cut} events on B)"
    );

    let done = sync_json(
        b.home.path(),
        &["--from", a.conf(), "--to", b.conf(), "--project", &project],
    );
    assert!(done.skipped.is_empty(), "{done:?}");
    // dump() fails on two tasks of one name; equal dumps: every event once.
    assert_same(&a.dump(&project), &b.dump(&project));
    assert_eq!(total_events(&b), 40 * 300);
    let again = sync_json(
        b.home.path(),
        &["--from", a.conf(), "--to", b.conf(), "--project", &project],
    );
    assert_eq!(
        (again.tasks.copied, again.tasks.updated, again.events),
        (0, 0, 0),
        "{again:?}"
    );

    // With the state file lost, the copies are found again by the source id they carry.
    std::fs::remove_file(again.state_file.as_ref().unwrap()).unwrap();
    let lost = sync_json(
        b.home.path(),
        &["--from", a.conf(), "--to", b.conf(), "--project", &project],
    );
    assert_eq!((lost.tasks.copied, lost.events), (0, 0), "{lost:?}");
    assert_same(&a.dump(&project), &b.dump(&project));
}

#[test]
fn bad_sides_are_usage_errors_and_unknown_projects_not_found() {
    let a = Side::start();
    let out = run(
        a.home.path(),
        &[
            "sync",
            "--from",
            "/nonexistent/clearml.conf",
            "--to",
            a.conf(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--from") && err.contains("URL"), "{err}");
    let out = run(
        a.home.path(),
        &[
            "sync",
            "--from",
            a.conf(),
            "--to",
            a.conf(),
            "--project",
            "Нет такого",
            "--dry-run",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `sync --json` that is expected to exit 1: its summary and stderr.
fn sync_refused(home: &Path, args: &[&str]) -> (Summary, String) {
    let mut all = vec!["sync", "--json"];
    all.extend_from_slice(args);
    let out = run(home, &all);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    (serde_json::from_slice(&out.stdout).unwrap(), err)
}

/// The target refuses one object, for real: a model renamed on the source (`models.edit`
/// takes any name) to one under `models.create`'s 3-character minimum, which the target
/// refuses as the real server does (400/800, quirks/api-models-create-short-name.json).
/// It is listed with the server's reason, everything else is copied, the exit code is 1,
/// and once fixed on the source a re-run copies it and links it to its task.
#[test]
fn an_object_the_target_refuses_is_listed_and_the_rest_copied() {
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Отказ Größe 拒绝");
    let pid = a.api("projects.create", json!({"name": project}))["id"].clone();
    let task = a.api(
        "tasks.create",
        json!({"name": "задача-отказ", "type": "training", "project": pid}),
    )["id"]
        .clone();
    a.api(
        "tasks.create",
        json!({"name": "zweite Aufgabe 第二", "type": "testing", "project": pid}),
    );
    let model = |name: &str| {
        a.api(
            "models.create",
            json!({"name": name, "uri": format!("s3://bucket/{name}.bin"), "project": pid,
                   "task": task, "ready": false}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let good = model("модель-好");
    let bad = model("плохая");
    a.api("models.edit", json!({"model": bad, "name": "м1"}));
    a.api(
        "tasks.edit",
        json!({"task": task, "models": {"output": [
            {"name": "好", "model": good}, {"name": "м1", "model": bad}]}}),
    );
    let args = ["--from", a.conf(), "--to", b.conf(), "--project", &project];

    let mut human = vec!["sync"];
    human.extend_from_slice(&args);
    let out = run(b.home.path(), &human);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("skipped "))
        .unwrap_or_else(|| panic!("no skipped line:\n{stdout}"));
    assert!(
        line.starts_with(&format!("skipped model 'м1' ({bad}): "))
            && line.contains("name=String value is too short"),
        "{line}"
    );
    assert_eq!(stdout.matches("skipped ").count(), 1, "{stdout}");
    assert!(stderr.contains("1 object(s) skipped"), "{stderr}");
    // Everything else is on B: both tasks, the good model linked to its task.
    let on_b = b.dump(&project);
    assert_eq!(on_b["tasks"].as_object().unwrap().len(), 2, "{on_b}");
    assert_eq!(
        on_b["tasks"]["задача-отказ"]["models"]["output"],
        json!(["好"]),
        "{on_b}"
    );
    assert_eq!(
        on_b["models"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["модель-好"],
        "{on_b}"
    );
    assert_eq!(on_b["models"]["модель-好"]["task"], "<задача-отказ>");

    // Run again unfixed (--json): the same refusal, nothing else done twice.
    let (again, _) = sync_refused(b.home.path(), &args);
    assert_eq!(again.skipped.len(), 1, "{again:?}");
    let s = &again.skipped[0];
    assert_eq!(
        (s.kind.as_str(), s.id.as_str(), s.name.as_str()),
        ("model", bad.as_str(), "м1")
    );
    assert!(s.reason.contains("name=String value is too short"), "{s:?}");
    assert_eq!(
        (
            again.tasks.copied,
            again.tasks.unchanged,
            again.models.copied,
            again.events
        ),
        (0, 2, 0, 0),
        "{again:?}"
    );

    // Fixed on the source: the model is copied and the task gets it; then nothing is left.
    a.api(
        "models.edit",
        json!({"model": bad, "name": "модель-исправлена"}),
    );
    let fixed = sync_json(b.home.path(), &args);
    assert!(fixed.skipped.is_empty(), "{fixed:?}");
    assert_eq!(
        (
            fixed.models.copied,
            fixed.tasks.updated,
            fixed.tasks.unchanged
        ),
        (1, 1, 1),
        "{fixed:?}"
    );
    assert_same(&a.dump(&project), &b.dump(&project));
    let last = sync_json(b.home.path(), &args);
    assert_eq!(
        (last.tasks.updated, last.models.copied, last.models.updated),
        (0, 0, 0),
        "{last:?}"
    );
}

/// `--since`: a task last updated before the window is not copied, one inside it is.
#[test]
fn since_copies_only_tasks_updated_within_the_window() {
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Недавно Größe 最近");
    let pid = a.api("projects.create", json!({"name": project}))["id"].clone();
    let create = |name: &str| {
        a.api(
            "tasks.create",
            json!({"name": name, "type": "training", "project": pid}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let old = create("старая-задача");
    let updated = a.api(
        "tasks.get_all",
        json!({"id": [old], "only_fields": ["last_update"]}),
    )["tasks"][0]["last_update"]
        .as_str()
        .unwrap()
        .to_string();
    let updated = chrono::DateTime::parse_from_rfc3339(&updated).unwrap();
    // The old task is 5 s old (by the clock sync compares with) before the new one is made.
    while chrono::Utc::now() - updated.to_utc() < chrono::Duration::seconds(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    create("neue Aufgabe 新任务");
    let args = ["--from", a.conf(), "--to", b.conf(), "--project", &project];
    let mut recent = args.to_vec();
    recent.extend(["--since", "4s"]);
    let first = sync_json(b.home.path(), &recent);
    assert_eq!(
        (first.tasks.copied, first.tasks.unchanged),
        (1, 0),
        "{first:?}"
    );
    let on_b = b.dump(&project);
    assert_eq!(
        on_b["tasks"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["neue Aufgabe 新任务"],
        "{on_b}"
    );
    let mut week = args.to_vec();
    week.extend(["--since", "7d"]);
    let second = sync_json(b.home.path(), &week);
    assert_eq!(
        (second.tasks.copied, second.tasks.unchanged),
        (1, 1),
        "{second:?}"
    );
    assert_same(&a.dump(&project), &b.dump(&project));
}

/// `--parallel 1` and `--parallel 8` give the same copy.
#[test]
fn parallel_and_serial_copies_are_the_same() {
    let (a, b, c) = (Side::start(), Side::start(), Side::start());
    let project = unique("Параллельно Größe 并行");
    seed(&a, &project, 12);
    let copy = |to: &Side, parallel: &str| {
        sync_json(
            to.home.path(),
            &[
                "--from",
                a.conf(),
                "--to",
                to.conf(),
                "--project",
                &project,
                "--parallel",
                parallel,
            ],
        )
    };
    let (serial, side_by_side) = (copy(&b, "1"), copy(&c, "8"));
    let counts = |s: &Summary| {
        (
            s.tasks.clone(),
            s.models.clone(),
            s.events,
            s.files,
            s.skipped.clone(),
        )
    };
    assert_eq!(counts(&serial), counts(&side_by_side));
    assert_eq!(
        (serial.tasks.copied, serial.events),
        (12, 12 * 300),
        "{serial:?}"
    );
    let on_a = a.dump(&project);
    assert_same(&on_a, &b.dump(&project));
    assert_same(&on_a, &c.dump(&project));
}

/// Issue 19 item 2: a finished task changed on the source after a sync (and again with the
/// state file lost) is updated on the target whole: fields and artifacts in one forced
/// tasks.edit, since the target refuses tasks.add_or_update_artifacts on a completed task
/// as the real server does (quirks/api-tasks-add-or-update-artifacts-status.json).
#[test]
fn a_finished_task_changed_on_the_source_is_updated_whole_on_the_target() {
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Fertig Готово 完成");
    let task = a.finished_task_with_artifact(&project, 1000);
    let args = ["--from", a.conf(), "--to", b.conf(), "--project", &project];
    // Issue 19 item 5: a dry run sizes the files from their Content-Length (not 0 B).
    let mut dry_args = args.to_vec();
    dry_args.push("--dry-run");
    let dry = sync_json(b.home.path(), &dry_args);
    assert_eq!((dry.files, dry.bytes), (1, 1000), "{dry:?}");
    let mut human = vec!["sync"];
    human.extend_from_slice(&dry_args);
    let out = run(b.home.path(), &human);
    let printed =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(printed.contains("1000 B"), "{printed}");
    let first = sync_json(b.home.path(), &args);
    assert_eq!((first.tasks.copied, first.files), (1, 1), "{first:?}");

    // Changed on the source while completed: a new comment and a second artifact.
    let second_url = a.upload(&format!("{project}/артефакт-2.bin"), &[9u8; 10]);
    let mut artifacts =
        a.api("tasks.get_by_id", json!({"task": task}))["task"]["execution"]["artifacts"]
            .as_array()
            .unwrap()
            .clone();
    artifacts.push(json!({"key": "zweite", "type": "custom", "mode": "output", "uri": second_url}));
    a.api(
        "tasks.edit",
        json!({"task": task, "force": true, "comment": "geändert изменено",
               "execution": {"artifacts": artifacts}}),
    );
    let changed = sync_json(b.home.path(), &args);
    assert!(changed.skipped.is_empty(), "{changed:?}");
    assert_eq!(
        (changed.tasks.updated, changed.files),
        (1, 1),
        "{changed:?}"
    );
    assert_same(&a.dump(&project), &b.dump(&project));
    let on_b = b.dump(&project);
    let t = &on_b["tasks"]["fertig-完成-готово"];
    assert_eq!(t["comment"], "geändert изменено", "{t}");
    assert_eq!(t["status"], "completed", "{t}");
    assert_eq!(t["artifacts"].as_object().unwrap().len(), 2, "{t}");

    // The state file lost, changed again: found by its sync tag and updated, not refused.
    std::fs::remove_file(changed.state_file.as_ref().unwrap()).unwrap();
    a.api(
        "tasks.edit",
        json!({"task": task, "force": true, "comment": "noch einmal ещё раз"}),
    );
    let lost = sync_json(b.home.path(), &args);
    assert!(lost.skipped.is_empty(), "{lost:?}");
    assert_eq!((lost.tasks.copied, lost.tasks.updated), (0, 1), "{lost:?}");
    assert_same(&a.dump(&project), &b.dump(&project));
}

/// Issue 19 item 3: the real server cannot list console lines (they have no `iter`) through
/// `events.get_task_events`; sync and export read them through `events.get_task_log` and
/// every other kind by its own `event_type`, so SDK-style tasks copy completely from a
/// source, and compare on a target, that behave as the real server does (a proxy in front
/// of `serve` adds that server's 500 'iter').
#[test]
fn console_lines_without_iter_sync_and_export_from_a_real_server_completely() {
    use crate::hostile::{RealServerEvents, proxy};
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Konsole Консоль 控制台");
    seed(&a, &project, 3);
    // The console lines are stored without an iteration, as the SDK sends them.
    let t0 = a.api(
        "tasks.get_all",
        json!({"name": "задача-00", "only_fields": ["id"], "search_hidden": true}),
    )["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(!t0.is_empty());
    let real_a = proxy(&a.s.api_url, RealServerEvents);
    let (_ha, a_conf) = a.conf_via(&real_a.url, &a.s.files_url);
    let a_conf = a_conf.to_str().unwrap();
    // The stand-in fails as the real server does when all types are asked for at once.
    let r = client()
        .post(format!("{}/events.get_task_events", real_a.url))
        .bearer_auth(&a.tok)
        .json(&json!({"task": t0[0], "batch_size": 500}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 500, "the stand-in lets console lines through");

    let first = sync_json(
        b.home.path(),
        &["--from", a_conf, "--to", b.conf(), "--project", &project],
    );
    assert!(first.skipped.is_empty(), "{first:?}");
    assert_eq!(
        (first.tasks.copied, first.events),
        (3, 3 * 300),
        "{first:?}"
    );
    assert_same(&a.dump(&project), &b.dump(&project));

    // Compared on a target that is the real server's kind too (state file lost: every
    // task is compared with what the target holds); nothing is copied twice.
    let real_b = proxy(&b.s.api_url, RealServerEvents);
    let (_hb, b_conf) = b.conf_via(&real_b.url, &b.s.files_url);
    let b_conf = b_conf.to_str().unwrap();
    let again = sync_json(
        b.home.path(),
        &["--from", a_conf, "--to", b_conf, "--project", &project],
    );
    assert!(again.skipped.is_empty(), "{again:?}");
    assert_eq!((again.tasks.copied, again.events), (0, 0), "{again:?}");
    assert_same(&a.dump(&project), &b.dump(&project));

    // export reads the same way: the archive holds every event, import gives the same.
    let c = Side::start();
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("консоль.tar.zst");
    let out = run(
        a.home.path(),
        &[
            "export",
            "--json",
            "--from",
            a_conf,
            "--project",
            &project,
            "-o",
            archive.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: Exported = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((exported.tasks, exported.events), (3, 900), "{exported:?}");
    let out = run(
        c.home.path(),
        &["import", archive.to_str().unwrap(), "--to", c.conf()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same(&a.dump(&project), &c.dump(&project));
}

/// Issue 19 item 4: two targets' confs in one folder each get their own state file (keyed
/// by source and target), so a sync to one never reuses the other's id map; a state file
/// given for another pair is refused with a one-line usage error.
#[test]
fn two_targets_confs_in_one_folder_keep_their_own_state() {
    let (a, b, c) = (Side::start(), Side::start(), Side::start());
    let project = unique("Zwei Ziele Две цели 两个目标");
    a.finished_task_with_artifact(&project, 100);
    let folder = tempfile::tempdir().unwrap();
    let (to_b, to_c) = (folder.path().join("b.conf"), folder.path().join("c.conf"));
    std::fs::copy(&b.conf, &to_b).unwrap();
    std::fs::copy(&c.conf, &to_c).unwrap();
    let (to_b, to_c) = (to_b.to_str().unwrap(), to_c.to_str().unwrap());
    let sync_to = |conf: &str| {
        sync_json(
            a.home.path(),
            &["--from", a.conf(), "--to", conf, "--project", &project],
        )
    };
    let one = sync_to(to_b);
    let two = sync_to(to_c);
    assert_eq!((one.tasks.copied, one.files), (1, 1), "{one:?}");
    assert_eq!((two.tasks.copied, two.files), (1, 1), "{two:?}");
    assert_ne!(one.state_file, two.state_file);
    let three = sync_to(to_b);
    assert_eq!(
        (three.tasks.copied, three.tasks.unchanged, three.files),
        (0, 1, 0),
        "{three:?}"
    );
    assert_same(&a.dump(&project), &b.dump(&project));
    assert_same(&a.dump(&project), &c.dump(&project));

    let out = run(
        a.home.path(),
        &[
            "sync",
            "--from",
            a.conf(),
            "--to",
            to_c,
            "--project",
            &project,
            "--state",
            one.state_file.as_deref().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("this sync state is for") && err.contains(&b.s.api_url),
        "{err}"
    );
}

/// Counts the requests it passes on (a host nothing should reach).
struct Counter(Arc<std::sync::atomic::AtomicUsize>);

impl crate::hostile::Tamper for Counter {
    fn request(&self, _req: &mut crate::hostile::Request) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Redirects downloads of paths holding `umleitung` to `to`.
struct RedirectAway {
    to: String,
}

impl crate::hostile::Tamper for RedirectAway {
    fn answer(&self, req: &crate::hostile::Request, answer: &mut crate::hostile::Answer) {
        if req.path.contains("umleitung") {
            answer.status = 302;
            answer.body.clear();
            answer.headers = vec![
                ("Location".into(), format!("{}/stolen.bin", self.to)),
                ("Content-Length".into(), "0".into()),
            ];
        }
    }
}

/// Issue 20 Medium 3 and 4: a file the source's file server redirects to another host is
/// not fetched from there, and a file missing on the source does not stop the task:
/// everything else is copied (fields, the other artifact, events, status), each bad file
/// is listed as the source's, exit 1, and a later run tries those files again.
#[test]
fn files_the_source_cannot_give_are_listed_and_the_rest_copied() {
    use crate::hostile::proxy;
    let (a, b) = (Side::start(), Side::start());
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let elsewhere = proxy(&b.s.files_url, Counter(hits.clone()));
    let files = proxy(
        &a.s.files_url,
        RedirectAway {
            to: elsewhere.url.clone(),
        },
    );
    let (_h, a_conf) = a.conf_via(&a.s.api_url, &files.url);
    let a_conf = a_conf.to_str().unwrap();
    let project = unique("Fehlend Нет файла 缺失");
    let task = a.finished_task_with_artifact(&project, 500);
    // The copied artifact's URL as the source conf names its file server (the proxy).
    let mut artifacts =
        a.api("tasks.get_by_id", json!({"task": task}))["task"]["execution"]["artifacts"]
            .as_array()
            .unwrap()
            .clone();
    artifacts[0]["uri"] = json!(s(&artifacts[0]["uri"]).replace(&a.s.files_url, &files.url));
    let missing = format!("{}/{project}/нет-такого.bin", files.url);
    let redirected = format!("{}/{project}/umleitung.bin", files.url);
    a.upload(&format!("{project}/umleitung.bin"), b"secret-ish");
    artifacts.push(json!({"key": "fehlt", "type": "custom", "mode": "output", "uri": missing}));
    artifacts.push(json!({"key": "weg", "type": "custom", "mode": "output", "uri": redirected}));
    a.api(
        "tasks.edit",
        json!({"task": task, "force": true, "execution": {"artifacts": artifacts}}),
    );
    add_batch_lines(&a, &task, 5);

    let args = ["--from", a_conf, "--to", b.conf(), "--project", &project];
    let (first, err) = sync_refused(b.home.path(), &args);
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the other host was reached");
    let mut files_listed: Vec<(&str, &str)> = first
        .skipped
        .iter()
        .map(|s| (s.kind.as_str(), s.id.as_str()))
        .collect();
    files_listed.sort();
    let mut want = vec![("file", missing.as_str()), ("file", redirected.as_str())];
    want.sort();
    assert_eq!(files_listed, want, "{first:?}");
    for sk in &first.skipped {
        assert!(
            sk.reason.contains("the source cannot give it") && sk.name.contains(&task),
            "{sk:?}"
        );
    }
    let redirect_reason = &first
        .skipped
        .iter()
        .find(|s| s.id == redirected)
        .unwrap()
        .reason;
    assert!(
        redirect_reason.contains("another host"),
        "{redirect_reason}"
    );
    assert!(err.contains("files the source could not give"), "{err}");
    assert_eq!(
        (first.tasks.copied, first.files, first.events),
        (1, 1, 5),
        "{first:?}"
    );
    // The task on B is whole apart from the two files: completed, not an empty draft.
    let on_b = b.dump(&project);
    let t = &on_b["tasks"]["fertig-完成-готово"];
    assert_eq!(t["status"], "completed", "{t}");
    assert_eq!(t["artifacts"].as_object().unwrap().len(), 3, "{t}");
    assert_eq!(t["events"].as_array().unwrap().len(), 5, "{t}");
    // Not marked done: the next run tries the two files again (and lists them again).
    let (again, _) = sync_refused(b.home.path(), &args);
    assert_eq!(again.skipped.len(), 2, "{again:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

/// `n` console lines (no iteration) on task `id`.
fn add_batch_lines(a: &Side, id: &str, n: usize) {
    let body: String = (0..n)
        .map(|i| {
            format!(
                "{}\n",
                json!({"task": id, "type": "log", "level": "info", "msg": format!("Zeile {i} строка"),
                       "timestamp": 1_700_000_000_000i64 + i as i64})
            )
        })
        .collect();
    let r = client()
        .post(format!("{}/events.add_batch", a.s.api_url))
        .bearer_auth(&a.tok)
        .header("Content-Type", "application/json-lines")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// A source that never lets its events scroll end: the scroll id is dropped on the way
/// (the first page comes back each time), the console's timestamp too, with a huge total.
struct EndlessEvents;

impl crate::hostile::Tamper for EndlessEvents {
    fn request(&self, req: &mut crate::hostile::Request) {
        let events = req.path.ends_with("events.get_task_events")
            || req.path.ends_with("events.get_task_log");
        if events && let Ok(mut v) = serde_json::from_slice::<Value>(&req.body) {
            if let Some(o) = v.as_object_mut() {
                o.remove("scroll_id");
                o.remove("from_timestamp");
            }
            req.body = serde_json::to_vec(&v).unwrap();
        }
    }

    fn answer(&self, req: &crate::hostile::Request, answer: &mut crate::hostile::Answer) {
        if req.path.contains("events.get_task_") && answer.status == 200 {
            let mut v = answer.json();
            v["data"]["total"] = json!(1_000_000_000_000u64);
            answer.set_json(&v);
        }
    }
}

/// Issue 20 Medium 2: a source whose events never end (the same page again and again
/// under a huge total) is read no further once it stops advancing: the task is listed
/// with the source's fault, in seconds, instead of memory growing without end.
#[test]
fn a_source_whose_events_never_end_is_not_read_forever() {
    use crate::hostile::proxy;
    let (a, b) = (Side::start(), Side::start());
    let project = unique("Endlos Бесконечно 无尽");
    seed(&a, &project, 1);
    let endless = proxy(&a.s.api_url, EndlessEvents);
    let (_h, a_conf) = a.conf_via(&endless.url, &a.s.files_url);
    let started = Instant::now();
    let (summary, _) = sync_refused(
        b.home.path(),
        &[
            "--from",
            a_conf.to_str().unwrap(),
            "--to",
            b.conf(),
            "--project",
            &project,
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");
    let reason = &summary.skipped[0].reason;
    assert!(
        reason.contains("same page") && reason.contains(&endless.url),
        "{reason}"
    );
    // What was read before the source stopped advancing went on to the target once.
    assert_eq!(summary.events, 280, "{summary:?}");
}
