//! `task`, `model`, `server ping` and `server selftest` against `clearml server serve`,
//! with data written by the real Python SDK or through the API.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::common::{self, ACCESS_KEY, SECRET_KEY, Serve};
use clearml_cmd_model::json::{ModelRow, ModelShow};
use clearml_cmd_server::json::{HostRow, SelftestStep};
use clearml_cmd_task::json::{
    Comparison, MetricValues, ModelEntry, TaskRow, TaskShow, WaitSummary,
};

use common::shared_home as home;

fn run(home: &Path, args: &[&str]) -> Output {
    common::clearml(home)
        .args(args)
        .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"))
        .output()
        .expect("run clearml")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "clearml {args:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ok_json(home: &Path, args: &[&str]) -> Value {
    ok_as(home, args)
}

/// The `--json` output of a successful command, as its documented type.
fn ok_as<T: serde::de::DeserializeOwned>(home: &Path, args: &[&str]) -> T {
    let text = ok(home, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not the documented shape ({e}): {text}"))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid_like()[..12])
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:04x}{:x}", t, n, std::process::id())
}

/// A small API client for setting up data (a second, independent client).
struct Api {
    http: reqwest::blocking::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(serve: &Serve) -> Api {
        let http = reqwest::blocking::Client::new();
        let resp: Value = http
            .post(format!("{}/auth.login", serve.api_url))
            .basic_auth(ACCESS_KEY, Some(SECRET_KEY))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let token = resp["data"]["token"].as_str().expect("token").to_string();
        Api {
            http,
            base: serve.api_url.clone(),
            token,
        }
    }

    fn call(&self, endpoint: &str, body: Value) -> Value {
        let resp: Value = self
            .http
            .post(format!("{}/{endpoint}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(
            resp["meta"]["result_code"], 200,
            "{endpoint} {body}: {resp}"
        );
        resp["data"].clone()
    }

    fn batch(&self, endpoint: &str, lines: &[Value]) {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let resp: Value = self
            .http
            .post(format!("{}/{endpoint}", self.base))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/json-lines")
            .body(body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(resp["meta"]["result_code"], 200, "{resp}");
    }

    fn project(&self, name: &str) -> String {
        self.call("projects.create", json!({"name": name, "description": ""}))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn task(&self, project: &str, name: &str, kind: &str) -> String {
        self.call(
            "tasks.create",
            json!({"name": name, "type": kind, "project": project}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn scalars(&self, task: &str, metric: &str, variant: &str, values: &[f64]) {
        let events: Vec<Value> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json!({"type": "training_stats_scalar", "task": task, "metric": metric,
                       "variant": variant, "value": v, "iter": i, "timestamp": 1_700_000_000_000i64 + i as i64})
            })
            .collect();
        self.batch("events.add_batch", &events);
    }
}

// ---------------------------------------------------------------- SDK-written data

const SDK_SCRIPT: &str = r#"
import json, os, sys, tempfile
from clearml import Task, OutputModel
project = sys.argv[1] if len(sys.argv) > 1 else os.environ["IT_PROJECT"]
out = {"tasks": [], "models": []}
for i, lr in enumerate([0.1, 0.01]):
    t = Task.init(project_name=project, task_name=f"sdk-train-{i}", reuse_last_task_id=False,
                  auto_connect_frameworks=False, auto_resource_monitoring=False,
                  auto_connect_streams=False, output_uri=True)
    t.connect({"lr": lr, "batch": 32 * (i + 1)}, name="Args")
    logger = t.get_logger()
    for it in range(100):
        logger.report_scalar("loss", "train", value=(1 + i) / (it + 1), iteration=it)
        logger.report_scalar("eval", "accuracy", value=0.5 + it * (i + 1) / 400.0, iteration=it)
    path = os.path.join(tempfile.mkdtemp(), "weights.bin")
    with open(path, "wb") as f:
        f.write(bytes((j * 7 + i) % 251 for j in range(50000)))
    m = OutputModel(task=t, name=f"sdk-model-{i}", framework="PyTorch")
    m.update_weights(weights_filename=path)
    m.publish()
    t.flush(wait_for_uploads=True)
    t.close()
    metrics = t.get_last_scalar_metrics()
    out["tasks"].append({"id": t.id, "name": t.name, "params": t.get_parameters(), "metrics": metrics})
    out["models"].append({"id": m.id, "name": m.name, "uri": m.url})
print(json.dumps(out))
"#;

struct SdkData {
    project: String,
    written: Value,
}

/// The SDK writes its data once per test process (the SDK is slow to start).
fn sdk_data() -> &'static SdkData {
    static DATA: OnceLock<SdkData> = OnceLock::new();
    DATA.get_or_init(|| {
        let serve = Serve::shared();
        let dir = tempfile::tempdir().unwrap();
        let conf = serve.write_conf(dir.path());
        let project = unique("it-sdk");
        let out = common::run_sdk(SDK_SCRIPT, &conf, &[("IT_PROJECT", project.as_str())]);
        let written: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        std::mem::forget(dir);
        SdkData { project, written }
    })
}

#[test]
fn task_list_show_compare_show_what_the_sdk_wrote() {
    let data = sdk_data();
    let (home, _) = home();
    let home = home.path();
    let sdk_tasks = data.written["tasks"].as_array().unwrap();

    let listed: Vec<TaskRow> = ok_as(
        home,
        &[
            "task",
            "list",
            "--project",
            &data.project,
            "--sort",
            "name",
            "--json",
            "--columns",
            "name,status,metric:loss/train,metric:eval/accuracy,param:Args/lr,param:Args/batch",
        ],
    );
    assert_eq!(listed.len(), 2, "{listed:?}");
    for (row, sdk) in listed.iter().zip(sdk_tasks) {
        assert_eq!(row.id, sdk["id"]);
        assert_eq!(row.columns["name"], sdk["name"]);
        assert_eq!(row.columns["status"], "completed");
        let params = row.params.as_ref().unwrap();
        for (col, key) in [("Args/lr", "Args/lr"), ("Args/batch", "Args/batch")] {
            assert_eq!(params[col], sdk["params"][key], "{col}");
        }
        let metrics = row.metrics.as_ref().unwrap();
        for (title, series) in [("loss", "train"), ("eval", "accuracy")] {
            let m = &sdk["metrics"][title][series];
            let shown: MetricValues =
                serde_json::from_value(metrics[&format!("{title}/{series}")].clone()).unwrap();
            assert_eq!(shown.last.as_f64(), m["last"].as_f64(), "{title}/{series}");
            assert_eq!(shown.min.as_f64(), m["min"].as_f64(), "{title}/{series}");
            assert_eq!(shown.max.as_f64(), m["max"].as_f64(), "{title}/{series}");
        }
    }

    // show by name and by id agree, and carry everything the SDK wrote
    let by_name: TaskShow = ok_as(
        home,
        &[
            "task",
            "show",
            "sdk-train-1",
            "--project",
            &data.project,
            "--json",
        ],
    );
    let id = sdk_tasks[1]["id"].as_str().unwrap();
    let by_id: TaskShow = ok_as(home, &["task", "show", id, "--json"]);
    assert_eq!(by_name, by_id);
    assert_eq!(by_id.project.name.as_deref(), Some(data.project.as_str()));
    assert_eq!(by_id.status, "completed");
    assert_eq!(by_id.params["Args/lr"], sdk_tasks[1]["params"]["Args/lr"]);
    assert_eq!(by_id.last_iteration, 99);
    assert_eq!(by_id.metrics.len(), 2);
    let loss = by_id.metrics.iter().find(|m| m.title == "loss").unwrap();
    assert_eq!(
        loss.last.as_f64(),
        sdk_tasks[1]["metrics"]["loss"]["train"]["last"].as_f64()
    );
    let model_id = data.written["models"][1]["id"].as_str().unwrap();
    assert!(
        by_id
            .models
            .output
            .iter()
            .any(|m| m.id.as_deref() == Some(model_id)
                && m.model_name.as_ref().is_some_and(|n| n == "sdk-model-1")),
        "{by_id:?}"
    );
    let text = ok(home, &["task", "show", id]);
    assert!(text.contains("\nParameters\n"), "{text}");
    assert!(text.contains("sdk-model-1"), "{text}");
    assert!(text.contains("Args/lr"), "{text}");
    assert!(text.contains("loss/train"), "{text}");

    // compare: params differ, lower loss marked best on train-0 (loss (1+i)/(it+1))
    let cmp: Comparison = ok_as(
        home,
        &["task", "compare", "--project", &data.project, "--json"],
    );
    let rows = &cmp.rows;
    let lr = rows.iter().find(|r| r.key == "Args/lr").unwrap();
    assert!(lr.differs);
    let last_loss = rows
        .iter()
        .find(|r| r.key == "loss/train" && r.stat.as_deref() == Some("last"))
        .unwrap();
    assert_eq!(last_loss.best.as_deref(), sdk_tasks[0]["id"].as_str());
    let last_acc = rows
        .iter()
        .find(|r| r.key == "eval/accuracy" && r.stat.as_deref() == Some("last"))
        .unwrap();
    assert_eq!(last_acc.best.as_deref(), sdk_tasks[1]["id"].as_str());

    let table = ok(
        home,
        &[
            "task",
            "compare",
            sdk_tasks[0]["id"].as_str().unwrap(),
            id,
            "--diff-only",
            "--plot",
            "loss/train",
        ],
    );
    assert!(table.contains("Args/lr"), "{table}");
    assert!(
        !table.contains("Args/batch ") || table.contains("32"),
        "{table}"
    );
    assert!(table.contains("  * sdk-train-0 ("), "{table}");
    let svg = home.join("loss.svg");
    ok(
        home,
        &[
            "task",
            "compare",
            "--project",
            &data.project,
            "--plot",
            "loss",
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    let svg = std::fs::read_to_string(svg).unwrap();
    assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
}

#[test]
fn model_list_and_pull_share_the_sdk_cache() {
    let data = sdk_data();
    let (home, serve) = home();
    let home = home.path();
    let listed: Vec<ModelRow> = ok_as(
        home,
        &["model", "list", "--project", &data.project, "--json"],
    );
    assert_eq!(listed.len(), 2);
    for sdk in data.written["models"].as_array().unwrap() {
        let row = listed
            .iter()
            .find(|m| m.id == sdk["id"])
            .expect("model listed");
        assert_eq!(row.name, sdk["name"]);
        assert_eq!(row.status, "published");
        assert_eq!(row.framework, "PyTorch");
        assert_eq!(row.uri, sdk["uri"]);
    }
    // pull by name = latest published; the file lands where the SDK's cache keeps it
    let path = ok(
        home,
        &[
            "model",
            "pull",
            "--name",
            "sdk-model-1",
            "--project",
            &data.project,
        ],
    );
    let path = PathBuf::from(path.trim());
    let bytes = std::fs::read(&path).unwrap();
    let expected: Vec<u8> = (0..50000).map(|j| ((j * 7 + 1) % 251) as u8).collect();
    assert_eq!(bytes, expected);
    let conf = home.join("clearml.conf");
    let sdk_path = common::run_sdk(
        &format!(
            "from clearml import Model\nprint(Model('{}').get_local_copy())",
            data.written["models"][1]["id"].as_str().unwrap()
        ),
        &conf,
        &[],
    );
    assert_eq!(
        PathBuf::from(sdk_path.trim()),
        path,
        "SDK and CLI cache paths differ"
    );
    let _ = serve;
}

// ---------------------------------------------------------------- 10,000 tasks

#[test]
fn task_list_all_pages_past_the_cap() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let project = unique("it-10k");
    let pid = api.project(&project);
    // Four keep-alive connections creating 2,500 tasks each.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let api = Api {
                http: api.http.clone(),
                base: api.base.clone(),
                token: api.token.clone(),
            };
            let pid = pid.clone();
            std::thread::spawn(move || {
                for i in 0..2500 {
                    api.task(&pid, &format!("bulk-{t}-{i:04}"), "training");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let all: Vec<TaskRow> = ok_as(
        home,
        &[
            "task",
            "list",
            "--project",
            &project,
            "--all",
            "--json",
            "--columns",
            "id,name",
        ],
    );
    assert_eq!(all.len(), 10_000);
    let ids: std::collections::HashSet<&str> = all.iter().map(|t| t.id.as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10_000, "duplicates across pages");
    let some: Vec<TaskRow> = ok_as(
        home,
        &[
            "task",
            "list",
            "--project",
            &project,
            "--limit",
            "700",
            "--json",
        ],
    );
    assert_eq!(some.len(), 700);
    let named: Vec<TaskRow> = ok_as(
        home,
        &[
            "task",
            "list",
            "--project",
            &project,
            "--name",
            "^bulk-2-00",
            "--all",
            "--json",
        ],
    );
    assert_eq!(named.len(), 100);
}

/// `--all` over three pages (the last one short) prints every task exactly once, in the
/// server's order: byte for byte what the same pages fetched one after another give, with
/// Russian, German and Chinese names. The pages are fetched several at a time and written
/// out as they arrive, so order and duplicates are what this guards.
#[test]
fn task_list_all_is_the_sequential_pages_in_order() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let project = unique("Проект-Größe-项目");
    let pid = api.project(&project);
    let n = 1_234;
    for i in 0..n {
        let kind = ["training", "testing", "data_processing"][i % 3];
        // Some names the server must escape: `--json` reads the answer's text in place and
        // writes it as it stands only where that prints the same.
        let name = if i % 97 == 0 {
            format!("Задача-{i:04} \"q\" \\ /\n\t\u{1}\u{7f}-über-任务")
        } else {
            format!("Задача-{i:04}-über-任务")
        };
        api.task(&pid, &name, kind);
    }
    // The body `task list` sends for its default columns, page after page until a short one.
    let mut expected = Vec::new();
    for page in 0.. {
        let tasks = api.call(
            "tasks.get_all_ex",
            json!({"only_fields": ["id", "name", "project.name", "status", "type", "user.name", "last_update"],
                   "project": [pid], "system_tags": ["-archived"], "order_by": ["-last_update"],
                   "page": page, "page_size": 500}),
        )["tasks"]
            .as_array()
            .unwrap()
            .clone();
        let short = tasks.len() < 500;
        for t in tasks {
            expected.push(json!({
                "id": t["id"], "name": t["name"], "project": t["project"]["name"],
                "status": t["status"], "type": t["type"], "user": t["user"]["name"],
                "last_update": t["last_update"],
            }));
        }
        if short {
            break;
        }
    }
    assert_eq!(expected.len(), n);
    assert_eq!(expected[0]["project"], json!(project));
    let printed = ok(
        home,
        &["task", "list", "--project", &project, "--all", "--json"],
    );
    assert_eq!(
        printed,
        format!("{}\n", serde_json::to_string_pretty(&expected).unwrap()),
        "--all is not the sequential pages"
    );
    let ids: std::collections::HashSet<&str> =
        expected.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), n, "a task twice across pages");
    // A limit past one page stops inside the second page.
    let some: Vec<Value> = serde_json::from_str(&ok(
        home,
        &[
            "task",
            "list",
            "--project",
            &project,
            "--limit",
            "501",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(some, expected[..501]);
    // The table lists the same tasks, one line each under the header.
    let table = ok(home, &["task", "list", "--project", &project, "--all"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), n + 1, "{}", &table[..300]);
    let first = expected[0]["id"].as_str().unwrap();
    assert!(
        lines[1].starts_with(first) && lines[1].contains("Задача-"),
        "{}",
        lines[1]
    );
    let last = expected[n - 1]["id"].as_str().unwrap();
    assert!(lines[n].starts_with(last), "{}", lines[n]);
}

// ---------------------------------------------------------------- publish / pull

#[test]
fn published_model_is_found_and_downloaded_by_the_sdk() {
    let (home, _) = home();
    let home = home.path();
    let project = unique("it-publish");
    let weights = home.join("weights.pt");
    let content: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&weights, &content).unwrap();
    let id = ok(
        home,
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--name",
            "cli model",
            "--project",
            &project,
            "--framework",
            "PyTorch",
            "--tags",
            "a,b",
            "--label",
            "cat=1",
            "--comment",
            "from the CLI",
        ],
    );
    let id = id.trim();
    assert_eq!(id.len(), 32, "{id}");
    let shown: ModelShow = ok_as(home, &["model", "show", id, "--json"]);
    assert_eq!(shown.row.status, "published");
    assert_eq!(shown.labels, json!({"cat": 1}));
    assert_eq!(shown.row.tags, ["a", "b"]);
    assert_eq!(shown.metadata["size"], "300000");
    assert_eq!(shown.metadata["sha256"].as_str().unwrap().len(), 64);

    let conf = home.join("clearml.conf");
    let script = format!(
        "from clearml import Model\nm = Model('{id}')\nprint(m.name)\nprint(m.published)\nprint(m.get_local_copy())"
    );
    let out = common::run_sdk(&script, &conf, &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[lines.len() - 3], "cli model");
    assert_eq!(lines[lines.len() - 2], "True");
    let sdk_copy = PathBuf::from(lines[lines.len() - 1]);
    assert_eq!(std::fs::read(&sdk_copy).unwrap(), content);
    // our pull reuses the SDK's download
    let out = run(home, &["model", "pull", id]);
    assert!(out.status.success());
    assert_eq!(
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        sdk_copy
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cached"),
        "{out:?}"
    );

    // publish ID of an existing draft; publishing twice is fine
    assert_eq!(ok(home, &["model", "publish", id]).trim(), id);
}

/// A file server that cuts the first response in the middle, then honours Range.
fn cutting_server(body: Vec<u8>) -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/Cut/run.abc/models/cut.bin",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let mut s = stream.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let r = s.read(&mut buf).unwrap();
                if r == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..r]);
            }
            let req = String::from_utf8_lossy(&req).to_string();
            let range = req.lines().find_map(|l| {
                l.to_lowercase()
                    .strip_prefix("range: bytes=")
                    .map(str::to_string)
            });
            let _ = tx.send(range.clone().unwrap_or_default());
            match range {
                None if n == 0 => {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                    s.write_all(head.as_bytes()).unwrap();
                    s.write_all(&body[..body.len() / 2]).unwrap();
                    // drop: the connection is cut mid-body
                }
                Some(r) => {
                    let from: usize = r.trim_end_matches('-').trim().parse().unwrap();
                    let rest = &body[from..];
                    let head = format!(
                        "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {}-{}/{}\r\nConnection: close\r\n\r\n",
                        rest.len(),
                        from,
                        body.len() - 1,
                        body.len()
                    );
                    s.write_all(head.as_bytes()).unwrap();
                    s.write_all(rest).unwrap();
                }
                None => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    s.write_all(head.as_bytes()).unwrap();
                    s.write_all(&body).unwrap();
                }
            }
        }
    });
    (url, rx)
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[test]
fn cut_download_resumes_and_verifies() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let pid = api.project(&unique("it-cut"));
    let body: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    let (url, seen) = cutting_server(body.clone());
    let model = api.call(
        "models.create",
        json!({"uri": url, "name": "cut", "project": pid, "ready": true}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.call(
        "models.add_or_update_metadata",
        json!({"model": model, "metadata": [
            {"key": "sha256", "type": "str", "value": sha256_hex(&body)},
            {"key": "size", "type": "int", "value": body.len().to_string()}]}),
    );
    let dest = home.join("cut.bin");
    ok(
        home,
        &["model", "pull", &model, "-o", dest.to_str().unwrap()],
    );
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    let ranges: Vec<String> = seen.try_iter().collect();
    assert_eq!(ranges, ["".to_string(), format!("{}-", body.len() / 2)]);
    assert!(!home.join("cut.bin.part").exists());

    // a wrong checksum: nothing under the final name, exit 1
    let (url, _) = cutting_server(body.clone());
    let bad = api.call(
        "models.create",
        json!({"uri": url, "name": "bad", "project": pid, "ready": true}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.call(
        "models.add_or_update_metadata",
        json!({"model": bad, "metadata": [{"key": "sha256", "type": "str", "value": "00".repeat(32)}]}),
    );
    let dest = home.join("bad.bin");
    let out = run(home, &["model", "pull", &bad, "-o", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sha256"),
        "{out:?}"
    );
    assert!(!dest.exists());
    assert!(!home.join("bad.bin.part").exists());

    // cloud URIs are named and refused
    let s3 = api.call(
        "models.create",
        json!({"uri": "s3://bucket/m.pt", "name": "s3-model", "project": pid, "ready": true}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = run(home, &["model", "pull", &s3]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not supported yet") && err.contains("s3://bucket/m.pt"),
        "{err}"
    );
}

// ---------------------------------------------------------------- snapshots

/// Replace 32-hex ids with <ID> and timestamps with <TIME>.
fn scrub(text: &str) -> String {
    scrub_with(text, false)
}

/// The same for tables: tokens are padded to the width they replace, so the columns stay
/// aligned as the user sees them.
fn scrub_table(text: &str) -> String {
    scrub_with(text, true)
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

fn scrub_with(text: &str, pad: bool) -> String {
    let ids = regex::Regex::new(r"[0-9a-f]{32}").unwrap();
    let times =
        regex::Regex::new(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?").unwrap();
    let token = |t: &str, len: usize| {
        if pad {
            format!("{t:<len$}")
        } else {
            t.to_string()
        }
    };
    let text = ids.replace_all(text, |c: &regex::Captures| token("<ID>", c[0].len()));
    times
        .replace_all(&text, |c: &regex::Captures| token("<TIME>", c[0].len()))
        .to_string()
}

fn snapshot_project(serve: &Serve) -> String {
    let api = Api::new(serve);
    // Fixed name: each test process starts its own server, and only this test uses it.
    let project = "it-task-snapshot".to_string();
    let pid = api.project(&project);
    for (name, kind, lr, losses) in [
        ("alpha", "training", "0.1", vec![2.0, 1.0, 0.5]),
        ("beta", "testing", "0.01", vec![3.0, 0.25]),
        ("gamma, with comma", "training", "0.001", vec![]),
    ] {
        let id = api.task(&pid, name, kind);
        api.call(
            "tasks.edit",
            json!({"task": id, "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": lr, "type": "float"}}}}),
        );
        if !losses.is_empty() {
            api.scalars(&id, "loss", "train", &losses);
        }
    }
    project
}

#[test]
fn task_list_snapshots_table_json_csv() {
    let (home, serve) = home();
    let home = home.path();
    let project = snapshot_project(serve);
    let cols = "id,name,type,status,metric:loss/train,param:Args/lr,created";
    let base = [
        "task",
        "list",
        "--project",
        project.as_str(),
        "--sort",
        "name",
        "--columns",
        cols,
    ];
    let table = scrub_table(&ok(home, &base));
    assert_eq!(
        table,
        "\
ID                                NAME               TYPE      STATUS   loss/train  Args/lr  CREATED
<ID>                              alpha              training  created  0.5         0.1      <TIME>
<ID>                              beta               testing   created  0.25        0.01     <TIME>
<ID>                              gamma, with comma  training  created              0.001    <TIME>
"
    );
    let csv = scrub(&ok(home, &[&base[..], &["--csv"]].concat()));
    assert_eq!(
        csv,
        "\
id,name,type,status,loss/train,Args/lr,created
<ID>,alpha,training,created,0.5,0.1,<TIME>
<ID>,beta,testing,created,0.25,0.01,<TIME>
<ID>,\"gamma, with comma\",training,created,,0.001,<TIME>
"
    );
    let json = scrub(&ok(home, &[&base[..], &["--json"]].concat()));
    assert_eq!(
        json,
        r#"[
  {
    "id": "<ID>",
    "name": "alpha",
    "type": "training",
    "status": "created",
    "created": "<TIME>",
    "metrics": {
      "loss/train": {
        "last": 0.5,
        "min": 0.5,
        "max": 2.0
      }
    },
    "params": {
      "Args/lr": "0.1"
    }
  },
  {
    "id": "<ID>",
    "name": "beta",
    "type": "testing",
    "status": "created",
    "created": "<TIME>",
    "metrics": {
      "loss/train": {
        "last": 0.25,
        "min": 0.25,
        "max": 3.0
      }
    },
    "params": {
      "Args/lr": "0.01"
    }
  },
  {
    "id": "<ID>",
    "name": "gamma, with comma",
    "type": "training",
    "status": "created",
    "created": "<TIME>",
    "metrics": {
      "loss/train": null
    },
    "params": {
      "Args/lr": "0.001"
    }
  }
]
"#
    );
}

#[test]
fn model_list_snapshots_table_json_csv() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let project = "it-model-snapshot";
    let pid = api.project(project);
    api.call(
        "models.create",
        json!({"uri": "http://f/x/a.pt", "name": "m-a", "project": pid, "framework": "PyTorch", "ready": true, "tags": ["prod"]}),
    );
    api.call(
        "models.create",
        json!({"uri": "http://f/x/b.pt", "name": "m-b", "project": pid, "framework": "Keras", "ready": false}),
    );
    let table = scrub_table(&ok(home, &["model", "list", "--project", project]));
    assert_eq!(
        table,
        "\
ID                                NAME  PROJECT            FRAMEWORK  STATUS     TASK  TAGS  CREATED
<ID>                              m-b   it-model-snapshot  Keras      draft                  <TIME>
<ID>                              m-a   it-model-snapshot  PyTorch    published        prod  <TIME>
"
    );
    let csv = scrub(&ok(home, &["model", "list", "--project", project, "--csv"]));
    assert_eq!(
        csv,
        format!(
            "id,name,project,framework,status,task,tags,created\n<ID>,m-b,{project},Keras,draft,,,<TIME>\n<ID>,m-a,{project},PyTorch,published,,prod,<TIME>\n"
        )
    );
    let json: Value = serde_json::from_str(&scrub(&ok(
        home,
        &["model", "list", "--project", project, "--json"],
    )))
    .unwrap();
    assert_eq!(
        json[1],
        json!({"id": "<ID>", "name": "m-a", "project": project, "framework": "PyTorch",
               "status": "published", "ready": true, "task": null, "tags": ["prod"],
               "created": "<TIME>", "uri": "http://f/x/a.pt"})
    );
    let drafts: Vec<ModelRow> = ok_as(
        home,
        &["model", "list", "--project", project, "--draft", "--json"],
    );
    assert_eq!(drafts.len(), 1);
}

// ---------------------------------------------------------------- wait / not found

#[test]
fn task_wait_exit_codes_and_notify() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let pid = api.project(&unique("it-wait"));
    let good = api.task(&pid, "good", "training");
    let bad = api.task(&pid, "bad", "training");
    for id in [&good, &bad] {
        api.call("tasks.started", json!({"task": id}));
    }
    api.call("tasks.completed", json!({"task": good}));
    api.call("tasks.failed", json!({"task": bad}));

    let out = run(home, &["task", "wait", &good, "--interval", "1s"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // a webhook that records what it receives
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut data = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = s.read(&mut buf).unwrap();
            data.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&data).to_string();
            if let Some(i) = text.find("\r\n\r\n") {
                let len: usize = text
                    .lines()
                    .find_map(|l| {
                        l.to_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if data.len() >= i + 4 + len {
                    s.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                        .unwrap();
                    return text[i + 4..].to_string();
                }
            }
        }
    });
    let out = run(
        home,
        &[
            "task",
            "wait",
            &good,
            &bad,
            "--interval",
            "1s",
            "--notify",
            &hook,
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let body: WaitSummary = serde_json::from_str(&received.join().unwrap()).unwrap();
    assert!(!body.all_completed);
    assert_eq!(body.tasks[0].status, "completed");
    assert_eq!(body.tasks[1].status, "failed");

    // still running: the timeout ends the wait with exit 1
    let running = api.task(&pid, "running", "training");
    api.call("tasks.started", json!({"task": running}));
    let out = run(
        home,
        &[
            "task",
            "wait",
            &running,
            "--interval",
            "1s",
            "--timeout",
            "500ms",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out"));

    // a failed task among still-running ones: the failure (6) wins over the timeout
    let out = run(
        home,
        &[
            "task",
            "wait",
            &running,
            &bad,
            "--interval",
            "1s",
            "--timeout",
            "500ms",
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{out:?}");

    // bad --notify / --interval are usage errors before any waiting
    for args in [
        &["--notify", "not-a-url"][..],
        &["--notify", "ftp://x/y"][..],
        &["--interval", "0s"][..],
        &["--interval", "200ms"][..],
    ] {
        let mut all = vec!["task", "wait", running.as_str(), "--timeout", "30s"];
        all.extend_from_slice(args);
        let started = std::time::Instant::now();
        let out = run(home, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let err = stderr_of(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(args[0]), "{err}");
    }
}

/// `clearml server serve` on fixed ports and an existing data dir; returns its pid.
fn serve_on(data_dir: &Path, api_port: &str, files_port: &str) -> u32 {
    let serve_json = data_dir.join("serve.json");
    let _ = std::fs::remove_file(&serve_json);
    let mut cmd = common::clearml(data_dir);
    cmd.args(["server", "serve", "--web-port", "0", "--api-port", api_port])
        .args(["--files-port", files_port, "--data-dir"])
        .arg(data_dir)
        .env("CLEARML_API_ACCESS_KEY", ACCESS_KEY)
        .env("CLEARML_API_SECRET_KEY", SECRET_KEY)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let pid = common::spawn_tied_to_process(cmd);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !serve_json.exists() {
        assert!(std::time::Instant::now() < deadline, "serve did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    pid
}

#[test]
fn task_wait_rides_out_a_server_restart() {
    let first = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    first.write_conf(home);
    let api = Api::new(&first);
    let pid = api.project(&unique("it-outage"));
    let task = api.task(&pid, "survivor", "training");
    let mut child = common::clearml(home)
        .args([
            "task",
            "wait",
            &task,
            "--interval",
            "1s",
            "--timeout",
            "60s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = common::Collected::new(child.stderr.take().unwrap());
    // Polling: the first status is told.
    stderr.wait_for("survivor (", 1, std::time::Duration::from_secs(30));
    first.stop();
    // The outage is noticed.
    stderr.wait_for("still waiting", 1, std::time::Duration::from_secs(30));
    let port = |url: &str| {
        url.rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_string()
    };
    let second = serve_on(
        &first.data_dir,
        &port(&first.api_url),
        &port(&first.files_url),
    );
    let api = Api::new(&first);
    api.call("tasks.started", json!({"task": task}));
    api.call("tasks.completed", json!({"task": task}));
    let out = child.wait_with_output().unwrap();
    unsafe {
        libc::kill(second as i32, libc::SIGTERM);
    }
    let err = stderr.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?} {err}");
    assert_eq!(err.matches("still waiting").count(), 1, "{err}");
    assert!(err.contains("completed"), "{err}");
}

#[test]
fn unknown_task_or_model_exits_5() {
    let (home, _) = home();
    let home = home.path();
    for args in [
        &["task", "show", "0123456789abcdef0123456789abcdef"][..],
        &["task", "show", "no such task name"][..],
        &["model", "pull", "0123456789abcdef0123456789abcdef"][..],
        &["task", "list", "--project", "no such project anywhere"][..],
    ] {
        let out = run(home, args);
        assert_eq!(out.status.code(), Some(5), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

// ---------------------------------------------------------------- ping / selftest

#[test]
fn ping_rows_and_exit_codes() {
    let (home, serve) = home();
    let home = home.path();
    let rows: Vec<HostRow> = ok_as(home, &["server", "ping", "--json"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].host, "api");
    assert!(rows[0].reachable);
    assert_eq!(rows[0].server_version.as_deref(), Some("2.0.0"));
    assert_eq!(rows[0].api_version.as_deref(), Some("2.31"));
    assert_eq!(rows[2].host, "files");
    assert_eq!(rows[2].url, serve.files_url);
    assert!(rows[2].reachable);
    let table = ok(home, &["server", "ping"]);
    assert!(table.starts_with("HOST"), "{table}");
    let csv = ok(home, &["server", "ping", "--csv"]);
    assert!(
        csv.starts_with("host,url,reachable,ok,status,latency_ms,"),
        "{csv}"
    );
    assert!(csv.lines().nth(1).unwrap().starts_with("api,http"), "{csv}");
    assert!(csv.contains(",true,true,200,"), "{csv}");

    // a port nobody listens on: exit 3, rows still printed
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = tempfile::tempdir().unwrap();
    std::fs::write(
        down.path().join("clearml.conf"),
        format!(
            "api {{\n api_server: http://127.0.0.1:{port}\n web_server: http://127.0.0.1:{port}\n files_server: http://127.0.0.1:{port}\n}}\n"
        ),
    )
    .unwrap();
    let out = run(down.path(), &["server", "ping"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("connection refused"), "{stdout}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is the server up?"), "{err}");

    // the files host given as the API: "answers like the web server, not the API"
    let wrong = tempfile::tempdir().unwrap();
    std::fs::write(
        wrong.path().join("clearml.conf"),
        format!("api {{\n api_server: {}\n}}\n", serve.files_url),
    )
    .unwrap();
    let out = run(wrong.path(), &["server", "ping"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not the API"),
        "{out:?}"
    );
}

#[test]
fn wrong_secret_exits_4_with_the_servers_message() {
    let serve = Serve::shared();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("clearml.conf"),
        format!(
            "api {{\n api_server: {}\n files_server: {}\n credentials {{ access_key: {ACCESS_KEY}, secret_key: wrong-secret-value }}\n}}\n",
            serve.api_url, serve.files_url
        ),
    )
    .unwrap();
    let out = run(dir.path(), &["task", "list"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401/"), "{err}");
    assert!(!err.contains("wrong-secret-value"), "{err}");
}

#[test]
fn selftest_passes_every_step() {
    let (home, _) = home();
    let out = ok(home.path(), &["server", "selftest"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8, "{out}");
    for l in &lines[1..] {
        assert!(l.contains(" pass "), "{out}");
    }
    let shown: Vec<TaskRow> = ok_as(
        home.path(),
        &[
            "task",
            "list",
            "--project",
            "ClearML Self-Test",
            "--json",
            "--limit",
            "1",
        ],
    );
    assert_eq!(shown[0].columns["status"], "completed");
}

#[test]
fn a_failed_selftest_marks_its_task_failed_and_names_the_web_app_mixup() {
    let serve = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(serve.data_dir.join("serve.json")).unwrap())
            .unwrap();
    let web = info["web_url"].as_str().unwrap();
    let conf = serve.write_conf(home);
    let text = std::fs::read_to_string(&conf).unwrap().replace(
        &format!("files_server: {}", serve.files_url),
        &format!("files_server: {web}"),
    );
    std::fs::write(&conf, text).unwrap();
    let out = run(home, &["server", "selftest", "--json"]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    let steps: Vec<SelftestStep> = serde_json::from_slice(&out.stdout).unwrap();
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s.step == name)
            .cloned()
            .unwrap_or_else(|| panic!("no step {name}: {steps:?}"))
    };
    assert!(!step("file round-trip").pass, "{steps:?}");
    assert!(step("read back").pass, "{steps:?}");
    let listed: Vec<TaskRow> = ok_as(
        home,
        &[
            "task",
            "list",
            "--project",
            "ClearML Self-Test",
            "--json",
            "--limit",
            "1",
        ],
    );
    assert_eq!(listed[0].columns["status"], "failed");
    serve.stop();
    let detail = step("file round-trip").detail;
    assert!(
        detail.contains("HTML page") && detail.contains("web app"),
        "{detail}"
    );
}

// ---------------------------------------------------------------- TLS

/// A CA and a server certificate for 127.0.0.1, made with the openssl CLI.
fn make_certs(dir: &Path) {
    let sh = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    sh(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=it-ca",
        "-days",
        "2",
    ]);
    sh(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "srv.key",
        "-out",
        "srv.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    sh(&[
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "2",
        "-extfile",
        "ext",
    ]);
}

/// A tiny HTTPS API (Python's ssl module) answering debug.ping and server.info.
const TLS_SERVER: &str = r#"
import http.server, json, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ep = self.path.strip("/").split("/")[-1]
        data = {"debug.ping": {"msg": "ClearML server"}, "server.info": {"version": "9.9.9", "api_version": "2.31"}}.get(ep, {})
        body = json.dumps({"meta": {"result_code": 200, "result_subcode": 0, "result_msg": "OK"}, "data": data}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

/// Starts TLS_SERVER with this certificate and key; returns it and a HOME whose
/// clearml.conf points at it.
fn tls_server(cert: &Path, key: &Path) -> (std::process::Child, tempfile::TempDir) {
    let mut cmd = std::process::Command::new(common::python());
    cmd.arg("-c")
        .arg(TLS_SERVER)
        .arg(cert)
        .arg(key)
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut port = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut port,
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("clearml.conf"),
        format!(
            "api {{\n api_server: https://127.0.0.1:{}\n}}\n",
            port.trim()
        ),
    )
    .unwrap();
    (child, home)
}

#[test]
fn tls_is_verified_by_default_and_ca_bundle_or_insecure_open_it() {
    let dir = tempfile::tempdir().unwrap();
    make_certs(dir.path());
    let (mut child, home) = tls_server(&dir.path().join("srv.pem"), &dir.path().join("srv.key"));
    let out = run(home.path(), &["server", "ping"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let ca = dir.path().join("ca.pem");
    let with_ca = run(
        home.path(),
        &[
            "server",
            "ping",
            "--json",
            "--ca-bundle",
            ca.to_str().unwrap(),
        ],
    );
    let insecure = run(home.path(), &["server", "ping", "--insecure"]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        err.contains("TLS error") && err.contains("UnknownIssuer"),
        "{err}"
    );
    assert!(err.contains("--ca-bundle"), "{err}");
    assert_eq!(with_ca.status.code(), Some(0), "{with_ca:?}");
    let rows: Value = serde_json::from_slice(&with_ca.stdout).unwrap();
    assert_eq!(rows[0]["server_version"], "9.9.9");
    assert_eq!(insecure.status.code(), Some(0), "{insecure:?}");
}

// ---------------------------------------------------------------- QA fixes: model pull/publish

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn pull_reuses_only_verified_files_and_never_splices_a_stale_part() {
    let data = sdk_data();
    let (home, _) = home();
    let home = home.path();
    let project = unique("it-reuse");
    // a model with sha256 + size (published by us): a same-size foreign file is not it
    let weights = home.join("w.bin");
    let content: Vec<u8> = (0..20_000u32).map(|i| (i * 31 % 253) as u8).collect();
    std::fs::write(&weights, &content).unwrap();
    let id = ok(
        home,
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--project",
            &project,
            "--name",
            "weights",
        ],
    );
    let id = id.trim();
    let odir = home.join("odir");
    std::fs::create_dir(&odir).unwrap();
    std::fs::write(odir.join("w.bin"), vec![9u8; 20_000]).unwrap();
    let out = run(
        home,
        &["model", "pull", id, "-o", &format!("{}/", odir.display())],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(!stderr_of(&out).contains("already there"), "{out:?}");
    assert_eq!(std::fs::read(odir.join("w.bin")).unwrap(), content);
    let out = run(home, &["model", "pull", id, "-o", odir.to_str().unwrap()]);
    assert!(stderr_of(&out).contains("sha256 verified"), "{out:?}");

    // an SDK model (no sha256, no size): a file we did not write under -o is replaced
    let sdk_id = data.written["models"][0]["id"].as_str().unwrap();
    let expected: Vec<u8> = (0..50000).map(|j| ((j * 7) % 251) as u8).collect();
    let odir2 = home.join("odir2");
    std::fs::create_dir(&odir2).unwrap();
    std::fs::write(odir2.join("weights.bin"), b"keep\n").unwrap();
    let got = ok(
        home,
        &["model", "pull", sdk_id, "-o", odir2.to_str().unwrap()],
    );
    assert_eq!(PathBuf::from(got.trim()), odir2.join("weights.bin"));
    assert_eq!(std::fs::read(odir2.join("weights.bin")).unwrap(), expected);

    // into the cache: a stale .part (another upload's prefix) is not resumed
    let cached = PathBuf::from(ok(home, &["model", "pull", sdk_id]).trim());
    std::fs::remove_file(&cached).unwrap();
    let mut part = cached.clone().into_os_string();
    part.push(".part");
    std::fs::write(&part, vec![0u8; 25_000]).unwrap();
    let out = run(home, &["model", "pull", sdk_id]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&cached).unwrap(), expected);
    assert!(!Path::new(&part).exists());
    // the cache copy is reused when its size matches the server's
    let out = run(home, &["model", "pull", sdk_id]);
    assert!(stderr_of(&out).contains("using the cached copy"), "{out:?}");
    // ... and replaced when it does not
    std::fs::write(&cached, b"keep\n").unwrap();
    let out = run(home, &["model", "pull", sdk_id]);
    assert!(
        !stderr_of(&out).contains("using the cached copy"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(&cached).unwrap(), expected);
}

#[test]
fn empty_models_pull_and_directories_are_refused_by_publish() {
    let (home, _) = home();
    let home = home.path();
    let project = unique("it-empty");
    let empty = home.join("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    let id = ok(
        home,
        &[
            "model",
            "publish",
            empty.to_str().unwrap(),
            "--project",
            &project,
        ],
    );
    let out_file = home.join("out").join("e.bin");
    std::fs::create_dir(home.join("out")).unwrap();
    ok(
        home,
        &["model", "pull", id.trim(), "-o", out_file.to_str().unwrap()],
    );
    assert_eq!(std::fs::read(&out_file).unwrap(), b"");
    let cached = ok(home, &["model", "pull", id.trim()]);
    assert_eq!(std::fs::read(cached.trim()).unwrap(), b"");

    let out = run(
        home,
        &[
            "model",
            "publish",
            home.join("out").to_str().unwrap(),
            "--project",
            &project,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr_of(&out).contains("is a directory"), "{out:?}");

    // with --task, the file goes where the SDK puts it: the task's project and name
    let api = Api::new(Serve::shared());
    let task_project = unique("it-taskproj");
    let pid = api.project(&task_project);
    let task = api.task(&pid, "producer", "training");
    let id = ok(
        home,
        &[
            "model",
            "publish",
            empty.to_str().unwrap(),
            "--project",
            &project,
            "--task",
            &task,
        ],
    );
    let shown: ModelShow = ok_as(home, &["model", "show", id.trim(), "--json"]);
    let uri = shown.row.uri.as_str().unwrap();
    assert!(
        uri.contains(&format!("/{task_project}/producer.{task}/models/empty.bin")),
        "{uri}"
    );
    assert_eq!(shown.row.project.as_deref(), Some(project.as_str()));
}

#[test]
fn interrupted_publish_leaves_no_draft() {
    let (home, serve) = home();
    let home = home.path();
    let project = unique("it-intr");
    // a files host that takes the upload and never answers: the publish hangs mid-upload
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let files = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        // Signal once part of the body arrived: the publish is mid-upload.
        let mut buf = [0u8; 65536];
        let mut got = 0;
        let mut told = false;
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            got += n;
            if !told && got > 256 * 1024 {
                told = true;
                tx.send(()).unwrap();
            }
        }
    });
    let conf = std::fs::read_to_string(home.join("clearml.conf"))
        .unwrap()
        .replace(&serve.files_url, &files);
    std::fs::write(home.join("clearml.conf"), conf).unwrap();
    let weights = home.join("big.bin");
    std::fs::write(&weights, vec![1u8; 4_000_000]).unwrap();
    let child = common::clearml(home)
        .args([
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--name",
            "intr",
            "--project",
            &project,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("the upload is under way");
    common::wait_until(
        "a SIGINT handler",
        std::time::Duration::from_secs(10),
        || common::catches_sigint(child.id()),
    );
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let api = Api::new(serve);
    let models = api.call(
        "models.get_all",
        json!({"name": "^intr$", "only_fields": ["id", "project"]}),
    );
    let pid = api.call("projects.get_all", json!({"name": format!("^{project}$")}))["projects"][0]
        ["id"]
        .clone();
    let left: Vec<&Value> = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["project"] == pid || m["project"]["id"] == pid)
        .collect();
    assert!(left.is_empty(), "draft left: {left:?}; {out:?}");
}

/// `openssl req -x509` with a SAN for 127.0.0.1: a self-signed certificate that is also a
/// CA (CA:TRUE), the usual on-prem setup.
fn self_signed(dir: &Path, name: &str) {
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args([
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ])
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn ca_bundle_pins_a_self_signed_server_certificate() {
    let dir = tempfile::tempdir().unwrap();
    self_signed(dir.path(), "leaf");
    self_signed(dir.path(), "other");
    let (mut child, home) = tls_server(&dir.path().join("leaf.pem"), &dir.path().join("leaf.key"));
    let bundle = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let pinned = run(
        home.path(),
        &[
            "server",
            "ping",
            "--json",
            "--ca-bundle",
            &bundle("leaf.pem"),
        ],
    );
    let wrong = run(
        home.path(),
        &["server", "ping", "--ca-bundle", &bundle("other.pem")],
    );
    std::fs::write(dir.path().join("bad.pem"), "not a certificate\n").unwrap();
    let bad = run(
        home.path(),
        &["server", "ping", "--ca-bundle", &bundle("bad.pem")],
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(pinned.status.code(), Some(0), "{pinned:?}");
    let rows: Value = serde_json::from_slice(&pinned.stdout).unwrap();
    assert_eq!(rows[0]["server_version"], "9.9.9");
    // a different self-signed certificate is still refused, in words
    assert_eq!(wrong.status.code(), Some(3), "{wrong:?}");
    let err = stderr_of(&wrong);
    assert!(err.contains("TLS error"), "{err}");
    assert!(
        !err.contains("OtherError") && !err.contains("Other("),
        "{err}"
    );
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    let err = stderr_of(&bad);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no PEM certificate"), "{err}");
}

#[test]
fn metric_titles_with_a_slash_are_addressable() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let project = unique("it-slash");
    let pid = api.project(&project);
    let a = api.task(&pid, "slash-a", "training");
    let b = api.task(&pid, "slash-b", "training");
    api.scalars(&a, "train/loss", "total", &[3.0, 2.0, 1.5]);
    api.scalars(&b, "train/loss", "total", &[4.0, 3.0, 2.5]);
    let listed = ok_json(
        home,
        &[
            "task",
            "list",
            "--project",
            &project,
            "--columns",
            "name,metric:train/loss/total",
            "--json",
        ],
    );
    let rows: Vec<TaskRow> = serde_json::from_value(listed).unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let want = if row.columns["name"] == "slash-a" {
            1.5
        } else {
            2.5
        };
        let metrics = row.metrics.as_ref().unwrap();
        let cell: MetricValues =
            serde_json::from_value(metrics["train/loss/total"].clone()).unwrap();
        assert_eq!(cell.last, want, "{row:?}");
    }
    let csv = ok(home, &["task", "compare", &a, &b, "--csv"]);
    assert!(csv.lines().next().unwrap().ends_with(",best"), "{csv}");
    assert!(!csv.contains(" *"), "{csv}");
    let last = csv
        .lines()
        .find(|l| l.starts_with("train/loss/total (last)"))
        .expect("row");
    assert!(
        last.starts_with("train/loss/total (last),1.5,2.5,"),
        "{csv}"
    );
    let out = ok(
        home,
        &["task", "compare", &a, &b, "--plot", "train/loss/total"],
    );
    assert!(out.contains("train/loss/total"), "{out}");
    assert!(out.contains("slash-a") && out.contains("slash-b"), "{out}");
}

#[test]
fn control_characters_in_names_are_escaped_in_tables() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let project = unique("it-evil");
    let pid = api.project(&project);
    api.task(&pid, "evil\u{1b}[31mRED\u{1b}[0m\nsecond line", "training");
    let table = ok(
        home,
        &[
            "task",
            "list",
            "--project",
            &project,
            "--columns",
            "name,status",
        ],
    );
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(
        table.contains("evil\\x1b[31mRED\\x1b[0m\\nsecond line"),
        "{table}"
    );
    // JSON keeps the real name
    let json: Vec<TaskRow> = ok_as(home, &["task", "list", "--project", &project, "--json"]);
    assert_eq!(
        json[0].columns["name"],
        "evil\u{1b}[31mRED\u{1b}[0m\nsecond line"
    );

    // two tasks of one name: the choice is said on stderr
    api.task(&pid, "dup-name", "training");
    let newer = api.task(&pid, "dup-name", "training");
    let out = run(home, &["task", "show", "dup-name", "--project", &project]);
    assert!(out.status.success(), "{out:?}");
    let err = stderr_of(&out);
    assert!(err.contains("several tasks are named 'dup-name'"), "{err}");
    assert!(err.contains(&newer), "{err}");
}

#[test]
fn bad_filter_values_are_usage_errors_naming_the_valid_ones() {
    let (home, _) = home();
    let home = home.path();
    let out = run(home, &["task", "list", "--status", "complete"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr_of(&out);
    assert!(
        err.contains("'complete'") && err.contains("completed, failed"),
        "{err}"
    );
    let out = run(home, &["task", "list", "--type", "bogus"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr_of(&out).contains("training, testing"), "{out:?}");
    let out = run(
        home,
        &["task", "compare", "--project", "x", "--status", "bogus"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    for cmd in ["task", "model"] {
        let out = run(home, &[cmd, "list", "--name", "["]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {out:?}");
        let err = stderr_of(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("--name '[': unclosed character class"),
            "{err}"
        );
    }
}

#[test]
fn the_cache_dir_comes_from_the_config_file() {
    let data = sdk_data();
    let (home, _) = home();
    let home = home.path();
    let conf = home.join("clearml.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str("sdk {\n  storage { cache { default_base_dir: \"~/my-cache\" } }\n}\n");
    std::fs::write(&conf, text).unwrap();
    let sdk_id = data.written["models"][0]["id"].as_str().unwrap();
    // no CLEARML_CACHE_DIR here: the config decides
    let out = common::clearml(home)
        .args(["model", "pull", sdk_id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        path.starts_with(home.join("my-cache").join("storage_manager").join("global")),
        "{path:?}"
    );
    assert!(path.is_file());
}

// ---------------------------------------------------------------- issue 8: real-server quirks

/// A new project (named from `prefix`) holding one task `name`: (project id, task id).
fn project_with_task(api: &Api, prefix: &str, name: &str) -> (String, Value, String) {
    let project = unique(prefix);
    let pid = api.call("projects.create", json!({"name": project}))["id"].clone();
    let task = api.call(
        "tasks.create",
        json!({"name": name, "type": "training", "project": pid}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    (project, pid, task)
}

/// A publish whose storage path holds a space, colon, parentheses and `ü` (as selftest's
/// task names do) is stored under that whole path and pulled back byte for byte.
#[test]
fn publish_and_pull_a_path_with_space_colon_parenthesis() {
    let (home, _) = home();
    let home = home.path();
    let project = unique("it-quirk special (a):b ü");
    let weights = home.join("w 16:03:10 (x) ü.bin");
    std::fs::write(&weights, b"weights of a special name").unwrap();
    let id = ok(
        home,
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--project",
            &project,
            "--name",
            "net 1:2 (ü)",
        ],
    );
    let id = id.trim();
    let shown: ModelShow = ok_as(home, &["model", "show", id, "--json"]);
    let uri = shown.row.uri.as_str().unwrap();
    assert!(
        uri.contains("w%2016%3A03%3A10%20%28x%29%20%C3%BC.bin"),
        "{uri}"
    );
    let out = home.join("back.bin");
    ok(home, &["model", "pull", id, "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), b"weights of a special name");
}

/// Names under 3 characters are refused before anything is created (the server would
/// refuse the model after the project was made).
#[test]
fn publish_refuses_short_names_before_creating_anything() {
    let (home, serve) = home();
    let home = home.path();
    let weights = home.join("weights.bin");
    std::fs::write(&weights, b"x").unwrap();
    let project = unique("it-short");
    let out = run(
        home,
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--project",
            &project,
            "--name",
            "m1",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("'m1'") && err.contains("3 characters"),
        "{err}"
    );
    let found = Api::new(serve).call("projects.get_all", json!({"name": format!("^{project}$")}));
    assert_eq!(
        found["projects"],
        json!([]),
        "the project must not be created"
    );
    let out = run(
        home,
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--project",
            "ok-project/ab",
            "--name",
            "model-1",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// `task show` reads the models of a task whether the server gives `model` as an id or as
/// a `{"id"}` reference (get_all_ex), and finds each model's name.
#[test]
fn task_show_lists_models_given_as_references() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let (_, pid, task) = project_with_task(&api, "it-task-models", "has-models");
    let model = api.call(
        "models.create",
        json!({"name": "the-model", "uri": "http://f/x.bin", "project": pid}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.call(
        "tasks.add_or_update_model",
        json!({"task": task, "name": "best", "model": model, "type": "output"}),
    );
    let j: TaskShow = ok_as(home, &["task", "show", &task, "--json"]);
    assert_eq!(
        j.models.output[0],
        ModelEntry {
            name: json!("best"),
            id: Some(model.clone()),
            model_name: Some(json!("the-model")),
        }
    );
    let table = ok(home, &["task", "show", &task]);
    assert!(!table.contains("{\""), "{table}");
    assert!(
        table.contains("the-model") && table.contains(&model),
        "{table}"
    );
}

/// `model publish --task` on a completed task: the server refuses to list the model among
/// the task's outputs; the model is linked from its side, the user told, the publish done.
/// Then `model list --task NAME` finds it by the task's name.
#[test]
fn publish_to_a_completed_task_links_from_the_model_and_list_finds_it_by_task_name() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let task_name = unique("finished ü");
    let (project, _, task) = project_with_task(&api, "it-done-task", &task_name);
    api.call("tasks.started", json!({"task": task}));
    api.call("tasks.completed", json!({"task": task}));
    let weights = home.join("weights.bin");
    std::fs::write(&weights, b"done").unwrap();
    let out = run(
        home,
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--project",
            &project,
            "--name",
            "late-model",
            "--task",
            &task,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let err = stderr_of(&out);
    assert!(err.contains("completed") && err.contains("linked"), "{err}");
    let shown: ModelShow = ok_as(home, &["model", "show", &id, "--json"]);
    assert_eq!(
        shown.row.task.and_then(|t| t.id).as_deref(),
        Some(task.as_str())
    );
    assert_eq!(shown.row.status, "published");
    let listed: Vec<ModelRow> = ok_as(home, &["model", "list", "--task", &task_name, "--json"]);
    let ids: Vec<&str> = listed.iter().filter_map(|m| m.id.as_str()).collect();
    assert_eq!(ids, [id.as_str()], "{listed:?}");
}

/// A health check fails when a configured host is down: exit 1 naming it, while the API
/// answers; the server version is shown (server.info needs the credentials).
#[test]
fn ping_exits_1_when_the_files_host_is_down() {
    let serve = Serve::shared();
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.path().join("clearml.conf"),
        format!(
            "api {{\n api_server: {}\n web_server: {}\n files_server: http://127.0.0.1:{port}\n credentials {{\"access_key\": \"{ACCESS_KEY}\", \"secret_key\": \"{SECRET_KEY}\"}}\n}}\n",
            serve.api_url, serve.api_url
        ),
    )
    .unwrap();
    let out = run(dir.path(), &["server", "ping", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr_of(&out);
    assert!(err.contains("files host does not"), "{err}");
    let rows: Vec<HostRow> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0].server_version.as_deref(), Some("2.0.0"));
    assert!(!rows[2].reachable);
}

/// The Docker-compose habit: a bare number of seconds where a duration is taken.
#[test]
fn durations_take_bare_seconds() {
    let (home, serve) = home();
    let home = home.path();
    let api = Api::new(serve);
    let (_, _, task) = project_with_task(&api, "it-dur", "waited");
    api.call("tasks.started", json!({"task": task}));
    api.call("tasks.completed", json!({"task": task}));
    ok(
        home,
        &["task", "wait", &task, "--timeout", "30", "--interval", "1"],
    );
}

/// Issue 19 §7: `model pull --name` finds drafts too (the SDK registers drafts): the
/// newest published model of the name, else the newest draft, and says which;
/// `--published-only` is the strict form.
#[test]
fn pull_by_name_prefers_the_newest_published_else_the_newest_draft() {
    let (home, serve) = home();
    let home = home.path();
    let tok = crate::serve::token(serve);
    let suffix = uuid_like();
    let make = |name: &str, ready: bool, tag: &str| -> (String, PathBuf) {
        let file = home.join(format!("{tag}.bin"));
        std::fs::write(&file, tag).unwrap();
        let (code, v) = crate::serve::call(
            serve,
            &tok,
            "models.create",
            json!({"name": name, "ready": ready, "uri": format!("file://{}", file.display())}),
        );
        assert_eq!(code, 200, "{v}");
        // Distinct creation times, so "newest" is well defined.
        std::thread::sleep(std::time::Duration::from_millis(30));
        (v["data"]["id"].as_str().unwrap().to_string(), file)
    };
    let mixed = format!("Весы 权重 {suffix}");
    let (old_draft, _) = make(&mixed, false, "old-draft");
    let (published, published_file) = make(&mixed, true, "published");
    let (_new_draft, _) = make(&mixed, false, "new-draft");
    let drafts = format!("Entwürfe {suffix}");
    let (_first, _) = make(&drafts, false, "first");
    let (newest, newest_file) = make(&drafts, false, "newest");
    assert_ne!(old_draft, published);

    let pulled = |args: &[&str]| {
        let out = run(home, args);
        assert!(out.status.success(), "{}", common::shown(&out));
        (
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // A published one exists: it wins over a newer draft, and we say which.
    let (path, said) = pulled(&["model", "pull", "--name", &mixed]);
    assert_eq!(path, published_file);
    assert!(
        said.contains(&published) && said.contains("published"),
        "{said}"
    );
    let (path, _) = pulled(&["model", "pull", "--name", &mixed, "--published-only"]);
    assert_eq!(path, published_file);
    // Only drafts: the newest draft, said to be a draft.
    let (path, said) = pulled(&["model", "pull", "--name", &drafts]);
    assert_eq!(path, newest_file);
    assert!(said.contains(&newest) && said.contains("draft"), "{said}");
    // The strict form finds nothing: exit 5 (not found) with the reason on one line.
    let out = run(
        home,
        &["model", "pull", "--name", &drafts, "--published-only"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", common::shown(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no published model"), "{err}");
    assert!(out.stdout.is_empty());
}
