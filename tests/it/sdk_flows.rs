//! The real Python SDK (clearml from PyPI) against `clearml server serve`: the four flows of
//! issue 3, with values asserted after the round trip. Scripts are batched into few Python
//! processes (the SDK import alone costs ~1.5 s).

use crate::common::{Serve, run_sdk};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A home dir with a clearml.conf for the shared server.
fn sdk_home(s: &Serve, name: &str) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let conf = s.write_conf(home.path());
    (home, conf)
}

/// The last stdout line of a script is its JSON result.
fn result_of(stdout: &str) -> Value {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON result in:\n{stdout}"));
    serde_json::from_str(line).unwrap()
}

/// Flow 1: train-like task that reports parameters, scalars, text, an artifact and a model.
const FLOW_TRAIN: &str = r#"
import os, json, tempfile
from clearml import Task, OutputModel
project = os.environ["FLOW_PROJECT"]
iterations = int(os.environ.get("FLOW_ITERATIONS", "100"))
task = Task.init(project_name=project, task_name="flow one", output_uri=True,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
task.connect({"lr": 0.01, "epochs": 3, "name": "abc"})
logger = task.get_logger()
for i in range(iterations):
    logger.report_scalar("loss", "train", value=1.0 / (i + 1), iteration=i)
    logger.report_scalar("loss", "val", value=2.0 / (i + 1), iteration=i)
logger.report_text("hello from flow one")
task.upload_artifact("stats", artifact_object={"a": 1, "b": [1, 2, 3]})
d = tempfile.mkdtemp()
wpath = os.path.join(d, "model.bin")
with open(wpath, "wb") as f:
    f.write(bytes(range(256)) * 40)
om = OutputModel(task=task, name="flow-model", framework="custom")
om.update_weights(weights_filename=wpath)
om.publish()
tid = task.id
task.close()
print(json.dumps({"task": tid, "model": om.id}))
"#;

/// Flows 2 and 3 from a second process: read everything back, then clone, enqueue and
/// dequeue the clone as an agent does.
const FLOW_READ_AND_RUN: &str = r#"
import os, json
from clearml import Task, Model
from clearml.backend_api.session.client import APIClient
project = os.environ["FLOW_PROJECT"]
ids = json.loads(os.environ["FLOW_IDS"])
out = {}
out["tasks"] = sorted(t.id for t in Task.get_tasks(project_name=project))
t = Task.get_task(task_id=ids["task"])
out["status"] = t.get_status()
out["params"] = t.get_parameters()
out["last"] = t.get_last_scalar_metrics()
rs = t.get_reported_scalars()
out["reported"] = {m: {v: {"x": d["x"], "y": d["y"]} for v, d in vs.items()} for m, vs in rs.items()}
out["console"] = t.get_reported_console_output(number_of_reports=10)
out["models"] = [(m.id, m.name, m.published) for m in Model.query_models(project_name=project)]
m = Model(model_id=ids["model"])
with open(m.get_local_copy(), "rb") as f:
    out["model_bytes_equal"] = f.read() == bytes(range(256)) * 40
out["model_uri"] = m.url
out["artifact"] = t.artifacts["stats"].get()
with open(t.artifacts["stats"].get_local_copy()) as f:
    out["artifact_file"] = json.load(f)

c = Task.clone(source_task=t, name="flow one clone")
out["clone_params"] = c.get_parameters()
out["clone_parent"] = c.parent
Task.enqueue(c, queue_name="default")
c.reload()
out["clone_status_enqueued"] = c.get_status()
api = APIClient()
q = api.queues.get_default()
nxt = api.queues.get_next_task(queue=q.id)
out["dequeued"] = nxt.entry.task
api.tasks.started(task=nxt.entry.task)
c.reload()
out["clone_status_started"] = c.get_status()
api.tasks.completed(task=nxt.entry.task)
c.reload()
out["clone_status_completed"] = c.get_status()
out["clone"] = c.id
print(json.dumps(out))
"#;

#[test]
fn sdk_train_read_clone_enqueue_dequeue() {
    let s = Serve::shared();
    let (home, conf) = sdk_home(s, "sdk-flows");
    let project = format!("SDK Flows {}", std::process::id());
    let env = [("FLOW_PROJECT", project.as_str())];
    let ids = result_of(&run_sdk(FLOW_TRAIN, &conf, &env));
    let task_id = ids["task"].as_str().unwrap().to_string();
    let ids_text = ids.to_string();
    let env = [
        ("FLOW_PROJECT", project.as_str()),
        ("FLOW_IDS", ids_text.as_str()),
    ];
    let out = result_of(&run_sdk(FLOW_READ_AND_RUN, &conf, &env));

    assert_eq!(out["tasks"], json!([task_id]));
    assert_eq!(out["status"], "completed");
    assert_eq!(
        out["params"],
        json!({"General/lr": "0.01", "General/epochs": "3", "General/name": "abc"})
    );
    assert_eq!(
        out["last"],
        json!({"loss": {"train": {"last": 0.01, "min": 0.01, "max": 1.0}, "val": {"last": 0.02, "min": 0.02, "max": 2.0}}})
    );
    let train = &out["reported"]["loss"]["train"];
    assert_eq!(train["x"], json!((0..100).collect::<Vec<_>>()));
    let ys: Vec<f64> = train["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (i, y) in ys.iter().enumerate() {
        assert!(
            (y - 1.0 / (i as f64 + 1.0)).abs() < 1e-9,
            "train[{i}] = {y}"
        );
    }
    assert_eq!(out["reported"]["loss"]["val"]["y"][1], json!(1.0));
    assert!(
        out["console"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("hello from flow one")),
        "console: {}",
        out["console"]
    );
    assert_eq!(out["models"], json!([[ids["model"], "flow-model", true]]));
    assert_eq!(out["model_bytes_equal"], true);
    assert!(
        out["model_uri"].as_str().unwrap().starts_with(&s.files_url),
        "{}",
        out["model_uri"]
    );
    assert_eq!(out["artifact"], json!({"a": 1, "b": [1, 2, 3]}));
    assert_eq!(out["artifact_file"], json!({"a": 1, "b": [1, 2, 3]}));
    // The uploaded model is a real file in the server's data dir.
    let stored =
        find_file(&s.data_dir.join("files"), "model.bin", &task_id).expect("model.bin stored");
    assert_eq!(
        std::fs::read(stored).unwrap(),
        (0..40).flat_map(|_| 0u8..=255).collect::<Vec<u8>>()
    );

    assert_eq!(out["clone_params"], out["params"]);
    assert_eq!(out["clone_parent"], json!(task_id));
    assert_eq!(out["clone_status_enqueued"], "queued");
    assert_eq!(out["dequeued"], out["clone"]);
    assert_eq!(out["clone_status_started"], "in_progress");
    assert_eq!(out["clone_status_completed"], "completed");
    drop(home);
}

fn find_file(dir: &Path, name: &str, under: &str) -> Option<PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(f) = find_file(&p, name, under) {
                return Some(f);
            }
        } else if p.file_name().is_some_and(|n| n == name) && p.to_string_lossy().contains(under) {
            return Some(p);
        }
    }
    None
}

/// Flow 4: one of 20 concurrent reporters.
const FLOW_REPORTER: &str = r#"
import os, json
from clearml import Task
task = Task.init(project_name=os.environ["FLOW_PROJECT"], task_name="reporter " + os.environ["FLOW_N"],
                 auto_connect_frameworks=False, auto_resource_monitoring=False, reuse_last_task_id=False)
logger = task.get_logger()
for i in range(1000):
    logger.report_scalar("m", "v", value=float(i), iteration=i)
logger.flush(wait=True)
tid = task.id
task.close()
print(json.dumps({"task": tid}))
"#;

#[test]
fn sdk_twenty_concurrent_reporters_lose_nothing() {
    let s = Serve::shared();
    let project = format!("SDK Reporters {}", std::process::id());
    let handles: Vec<_> = (0..20)
        .map(|n| {
            let project = project.clone();
            std::thread::spawn(move || {
                let s = Serve::shared();
                let (home, conf) = sdk_home(s, "sdk-reporter");
                let n = n.to_string();
                let out = run_sdk(
                    FLOW_REPORTER,
                    &conf,
                    &[("FLOW_PROJECT", project.as_str()), ("FLOW_N", n.as_str())],
                );
                drop(home);
                result_of(&out)["task"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let tasks: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(tasks.len(), 20);

    // Count through the API: every task has 1,000 scalar events and last_metrics agree.
    let client = reqwest::blocking::Client::new();
    let tok: Value = client
        .get(format!("{}/auth.login", s.api_url))
        .basic_auth(crate::common::ACCESS_KEY, Some(crate::common::SECRET_KEY))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let tok = tok["data"]["token"].as_str().unwrap().to_string();
    let post = |ep: &str, body: Value| -> Value {
        let v: Value = client
            .post(format!("{}/{ep}", s.api_url))
            .bearer_auth(&tok)
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(v["meta"]["result_code"], 200, "{ep}: {v}");
        v["data"].clone()
    };
    let mut total = 0;
    for t in &tasks {
        let ev = post(
            "events.get_task_events",
            json!({"task": t, "event_type": "training_stats_scalar", "batch_size": 1}),
        );
        assert_eq!(ev["total"], 1000, "task {t}");
        total += ev["total"].as_u64().unwrap();
        let h = post("events.scalar_metrics_iter_histogram", json!({"task": t}));
        let ys = h["m"]["v"]["y"].as_array().unwrap();
        assert_eq!(ys.len(), 1000);
        assert_eq!(
            ys.iter().map(|y| y.as_f64().unwrap()).sum::<f64>(),
            (0..1000).sum::<i32>() as f64
        );
        let task = post("tasks.get_by_id", json!({"task": t}))["task"].clone();
        let entry = crate::common::first_last_metric(&task);
        assert_eq!(entry["count"], 1000);
        assert_eq!(entry["value"], 999.0);
        assert_eq!(task["last_iteration"], 999);
    }
    assert_eq!(total, 20_000);
}

/// Beyond the four flows: configuration objects, tags, single values, plots, a debug image,
/// datasets (hidden projects, properties, compressed upload) and StorageManager.
const FLOW_EXTRAS: &str = r#"
import os, json, tempfile
from clearml import Task, Dataset, StorageManager
project = os.environ["FLOW_PROJECT"]
out = {}
task = Task.init(project_name=project, task_name="extras", output_uri=True,
                 auto_connect_frameworks=False, auto_resource_monitoring=False)
task.connect_configuration({"a": 1, "b": {"c": 2}}, name="my config")
task.add_tags(["t1", "t2"])
log = task.get_logger()
log.report_single_value("acc", 0.93)
log.report_table("tbl", "v", table_plot=[["a", "b"], [1, 2]], iteration=0)
log.report_scatter2d("sc", "v", iteration=0, scatter=[[0, 1], [1, 2]])
from PIL import Image
img_path = os.path.join(tempfile.mkdtemp(), "sample.png")
Image.new("RGB", (4, 4), (255, 0, 0)).save(img_path)
for it in range(3):
    log.report_image("img", "red", iteration=it, local_path=img_path)
log.flush(wait=True)
task.close()
t = Task.get_task(project_name=project, task_name="extras")
out["config"] = t.get_configuration_object_as_dict("my config")
out["tags"] = sorted(t.get_tags())
out["single"] = t.get_reported_single_values()
out["plots"] = len(t.get_reported_plots())
samples = t.get_debug_samples("img", "red")
out["debug_iters"] = sorted(x["iter"] for x in samples)
with open(StorageManager.get_local_copy(samples[0]["url"]), "rb") as f, open(img_path, "rb") as g:
    out["debug_image_bytes_equal"] = f.read() == g.read()
d = tempfile.mkdtemp()
for i in range(3):
    with open(os.path.join(d, "f%d.txt" % i), "w") as f:
        f.write("data %d" % i)
ds = Dataset.create(dataset_name="ds one", dataset_project=project + " DS")
ds.add_files(d)
ds.upload()
ds.finalize()
got = Dataset.get(dataset_name="ds one", dataset_project=project + " DS")
root = got.get_local_copy()
out["dataset_files"] = {n: open(os.path.join(root, n)).read() for n in sorted(os.listdir(root))}
out["datasets"] = [x["name"] for x in Dataset.list_datasets(dataset_project=project + " DS")]
url = StorageManager.upload_file(os.path.join(d, "f0.txt"), os.environ["FILES_URL"] + "/sm/" + project + "/f0.txt")
with open(StorageManager.get_local_copy(url)) as f:
    out["storage_manager"] = f.read()
print(json.dumps(out))
"#;

#[test]
fn sdk_configuration_datasets_and_storage_manager() {
    let s = Serve::shared();
    let (home, conf) = sdk_home(s, "sdk-extras");
    let project = format!("SDK Extras {}", std::process::id());
    let env = [
        ("FLOW_PROJECT", project.as_str()),
        ("FILES_URL", s.files_url.as_str()),
    ];
    let out = result_of(&run_sdk(FLOW_EXTRAS, &conf, &env));
    assert_eq!(out["config"], json!({"a": 1, "b": {"c": 2}}));
    assert_eq!(out["tags"], json!(["t1", "t2"]));
    assert_eq!(out["single"], json!({"acc": 0.93}));
    assert_eq!(out["plots"], 2);
    assert_eq!(out["debug_iters"], json!([0, 1, 2]));
    assert_eq!(out["debug_image_bytes_equal"], true);
    assert_eq!(
        out["dataset_files"],
        json!({"f0.txt": "data 0", "f1.txt": "data 1", "f2.txt": "data 2"})
    );
    assert_eq!(out["datasets"], json!(["ds one"]));
    assert_eq!(out["storage_manager"], "data 0");
    drop(home);
}
