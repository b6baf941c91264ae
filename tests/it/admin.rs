//! Server administration (issue 23): `clearml credentials create|list|revoke` against
//! `serve`, with the real SDK logging in with a new pair and failing after its revoke.

use crate::common::*;
use crate::serve::{call, ok, refused, token};
use serde_json::{Value, json};
use std::io::Write;
use std::process::Stdio;

/// `clearml` with `home`'s clearml.conf, stdin given.
fn run_in(home: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = clearml(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The SDK's own session logs in with `conf` and lists projects: prints "ok", or the
/// exception's class when the login is refused.
const SDK_LOGIN: &str = r#"
from clearml.backend_api.session import Session
try:
    s = Session()
    r = s.send_request("projects", "get_all", json={"page": 0, "page_size": 1})
    print("ok" if r.ok else "refused %s" % r.status_code)
except Exception as e:
    print("refused", type(e).__name__)
"#;

fn keys(home: &std::path::Path) -> Vec<clearml_cmd_setup::credentials::json::KeyRow> {
    let out = run(home, &["credentials", "list", "--json"]);
    assert!(out.status.success(), "{}", shown(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn credentials_create_init_sdk_login_list_and_revoke() {
    let s = Serve::start();
    let admin = tempfile::tempdir().unwrap();
    // With serve's own web host: `init` checks that the three hosts differ.
    std::fs::write(
        admin.path().join("clearml.conf"),
        format!(
            "api {{\n  api_server: {}\n  web_server: {}\n  files_server: {}\n  credentials {{\"access_key\": \"{ACCESS_KEY}\", \"secret_key\": \"{SECRET_KEY}\"}}\n}}\n",
            s.api_url, s.web_url, s.files_url
        ),
    )
    .unwrap();
    let label = "CI-Бот Schlüssel 密钥 \"quoted\" = x";

    // create: the web UI's block on stdout; the secret nowhere else.
    let out = run(admin.path(), &["credentials", "create", "--label", label]);
    assert!(out.status.success(), "{}", shown(&out));
    let block = stdout(&out);
    assert!(block.starts_with("api {\n"), "{block}");
    assert!(
        block.contains(&format!("api_server: {}", s.api_url)),
        "{block}"
    );
    assert!(
        block.contains(&format!("files_server: {}", s.files_url)),
        "{block}"
    );
    let field = |name: &str| {
        block
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("\"{name}\" = \"")))
            .map(|v| v.trim_end_matches('"').to_string())
            .unwrap_or_else(|| panic!("no {name} in {block}"))
    };
    let (key, secret) = (field("access_key"), field("secret_key"));
    assert_eq!(key.len(), 30);
    assert!(!stderr(&out).contains(&secret), "{}", stderr(&out));
    assert!(stderr(&out).contains(&key), "{}", stderr(&out));

    // The block as `clearml init --credentials -` takes it (it verifies the pair).
    let colleague = tempfile::tempdir().unwrap();
    let out = run_in(colleague.path(), &["init", "--credentials", "-"], &block);
    assert!(out.status.success(), "{}", shown(&out));
    let conf = colleague.path().join("clearml.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.contains(&key) && text.contains(&s.api_url), "{text}");

    // The real SDK logs in with it.
    assert_eq!(run_sdk(SDK_LOGIN, &conf, &[]).trim(), "ok");

    // list: both pairs, the label as given, the login recorded, no secret.
    let out = run(admin.path(), &["credentials", "list", "--json"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(!stdout(&out).contains(&secret));
    let rows = keys(admin.path());
    let new = rows.iter().find(|r| r.access_key == key).expect("listed");
    assert_eq!(new.label, json!(label));
    assert!(!new.current);
    assert!(new.last_used.is_string(), "login recorded: {new:?}");
    let me = rows.iter().find(|r| r.access_key == ACCESS_KEY).unwrap();
    assert!(me.current);
    let table = stdout(&run(admin.path(), &["credentials", "list"]));
    assert!(table.contains(label), "{table}");

    // Bad input: one line, exit code, nothing revoked.
    let bad: &[(&[&str], i32)] = &[
        (
            &["credentials", "revoke", "NOSUCHKEY0123456789ABCDEFGHIJ"],
            5,
        ),
        (
            &[
                "credentials",
                "revoke",
                &key,
                "NOSUCHKEY0123456789ABCDEFGHIJ",
            ],
            5,
        ),
        (&["credentials", "revoke", "../../etc; rm -rf"], 2),
        (&["credentials", "revoke", "ключ"], 2),
        (&["credentials", "revoke", ACCESS_KEY], 2),
        (&["credentials", "create", "--label", "a\nb"], 2),
        (&["credentials", "create", "--label", "\x1b[31mred"], 2),
        (&["credentials", "create", "--label", " "], 2),
    ];
    for (args, code) in bad {
        let out = run(admin.path(), args);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {}", shown(&out));
        assert_eq!(
            stderr(&out).trim_end().lines().count(),
            1,
            "{}",
            shown(&out)
        );
    }
    let n = keys(admin.path()).len();
    assert_eq!(n, 2, "a refused command changed nothing");

    // --dry-run revokes nothing.
    let out = run(
        admin.path(),
        &["credentials", "revoke", "--dry-run", "--json", &key],
    );
    assert!(out.status.success(), "{}", shown(&out));
    let rows: Vec<clearml_cmd_setup::credentials::json::Revoked> =
        serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows[0].revoked);
    let out = run(admin.path(), &["credentials", "create", "--dry-run"]);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        shown(&out)
    );
    assert_eq!(keys(admin.path()).len(), 2);
    assert_eq!(run_sdk(SDK_LOGIN, &conf, &[]).trim(), "ok");

    // revoke: gone from the list; the SDK and the CLI are refused with it.
    let out = run(admin.path(), &["credentials", "revoke", &key]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(keys(admin.path()).iter().all(|r| r.access_key != key));
    let sdk = run_sdk(SDK_LOGIN, &conf, &[]);
    assert!(sdk.trim().starts_with("refused"), "{sdk}");
    let out = run(colleague.path(), &["queue", "list"]);
    assert_eq!(out.status.code(), Some(4), "{}", shown(&out));
    // Again (a rerun after Ctrl-C): not found, and it says so.
    let out = run(admin.path(), &["credentials", "revoke", &key]);
    assert_eq!(out.status.code(), Some(5), "{}", shown(&out));
}

#[test]
fn credentials_endpoints_refuse_hostile_bodies() {
    let s = Serve::shared();
    let tok = token(s);
    for body in [
        json!({"label": 42}),
        json!({"label": {"$ne": null}}),
        json!({"label": ["a"]}),
        json!({"label": "x".repeat(5000)}),
    ] {
        let (status, sub, msg) = refused(s, &tok, "auth.create_credentials", body.clone());
        assert_eq!((status, sub.clone()), (400, json!(12)), "{body}: {msg}");
    }
    for body in [
        json!({}),
        json!({"access_key": {"$gt": ""}}),
        json!({"access_key": ["*"]}),
        json!({"access_key": "' OR 1=1 --"}),
        json!({"access_key": ACCESS_KEY}),
    ] {
        let (status, _, msg) = refused(s, &tok, "auth.revoke_credentials", body.clone());
        assert_eq!(status, 400, "{body}: {msg}");
    }
    // Nothing of that made or removed a pair; the primary still logs in.
    let listed = ok(s, &tok, "auth.get_credentials", json!({}));
    let list = listed["credentials"].as_array().unwrap();
    assert!(
        list.iter()
            .all(|c| c["label"].as_str().is_none_or(|l| l.len() < 5000))
    );
    assert!(list.iter().all(|c| c.get("secret_key").is_none()));
    let (status, v): (u16, Value) = call(s, &tok, "auth.get_credentials", json!({}));
    assert_eq!(status, 200, "{v}");
}

/// What the SDK publishes before the file server moves: a model, two artifacts, debug
/// images at two iterations (real PNGs, which the web UI decodes).
const PUBLISH: &str = r#"
import os, json
import numpy as np
from clearml import Task, OutputModel
t = Task.init(project_name=os.environ["P"], task_name="vorher-до-之前", output_uri=True,
              auto_resource_monitoring=False, auto_connect_frameworks=False, reuse_last_task_id=False)
work = os.environ["WORK"]
log = t.get_logger()
for i in range(2):
    img = np.full((32, 32, 3), 40 * (i + 1), dtype=np.uint8)
    log.report_image("Bilder 图像", "образец", iteration=i, image=img)
art = os.path.join(work, "данные-Größe.bin")
open(art, "wb").write(os.urandom(50000))
t.upload_artifact("Daten-数据", artifact_object=art, wait_on_upload=True)
t.upload_artifact("config", artifact_object={"lr": 0.1, "имя": "Straße"}, wait_on_upload=True)
w = os.path.join(work, "веса.pt")
open(w, "wb").write(os.urandom(30000))
m = OutputModel(task=t, name="модель-模型", framework="PyTorch")
m.update_weights(weights_filename=w, auto_delete_file=False)
t.flush(wait_for_uploads=True)
t.close()
print(json.dumps({"task": t.id, "model": m.id}))
"#;

/// The SDK downloads every file of the task: artifacts, the model, each debug image;
/// prints their sizes and the URLs it fetched them from.
const DOWNLOAD: &str = r#"
import os, json
from clearml import Task, Model, StorageManager
t = Task.get_task(task_id=os.environ["T"])
out = {"artifacts": {}, "images": [], "urls": []}
for k, a in t.artifacts.items():
    p = a.get_local_copy()
    out["artifacts"][k] = os.path.getsize(p) if p and os.path.isfile(p) else None
    out["urls"].append(a.url)
m = Model(model_id=os.environ["M"])
p = m.get_local_copy()
out["model"] = os.path.getsize(p) if p else None
out["urls"].append(m.url)
for s in t.get_debug_samples("Bilder 图像", "образец"):
    p = StorageManager.get_local_copy(remote_url=s["url"])
    out["images"].append(os.path.getsize(p) if p else None)
    out["urls"].append(s["url"])
print(json.dumps(out))
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn rehost(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["server", "rehost"];
    all.extend_from_slice(args);
    run(home, &all)
}

fn rows(out: &std::process::Output) -> Vec<clearml_cmd_server::json::RehostRow> {
    assert!(out.status.success(), "{}", shown(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", shown(out)))
}

#[test]
fn rehost_after_the_file_server_port_moves_sdk_and_web_ui_find_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let s = Serve::start_in(dir.path());
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let project = format!("Umzug Переезд 搬家 {}", std::process::id());
    let out = run_sdk(
        PUBLISH,
        &conf,
        &[("P", &project), ("WORK", home.path().to_str().unwrap())],
    );
    let ids: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let (task, model) = (
        ids["task"].as_str().unwrap(),
        ids["model"].as_str().unwrap(),
    );
    // A plot that links a file of the file server (as an image in its layout).
    let tok = token(&s);
    let old = s.files_url.clone();
    let linked = format!("{old}/linked/plot-bild.png");
    let plot = json!({"layout": {"images": [{"source": linked}]}, "data": []}).to_string();
    ok(
        &s,
        &tok,
        "events.add",
        json!({"type": "plot", "task": task, "metric": "Grafik", "variant": "v", "iter": 0,
               "timestamp": 1, "plot_str": plot}),
    );
    let stored =
        ok(&s, &tok, "tasks.get_by_id", json!({"task": task}))["task"]["execution"]["artifacts"]
            .clone();
    let artifacts = stored
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["uri"].as_str().is_some_and(|u| u.starts_with(&old)))
        .count();
    assert_eq!(artifacts, 2, "{stored}");
    s.stop();

    // The file server moves to another port: the stored links now lead nowhere.
    let port = free_port();
    let new = format!("http://127.0.0.1:{port}");
    let moved = Serve::start_in_on(dir.path(), &[], port);
    assert_eq!(moved.files_url, new);
    let model_uri = ok(
        &moved,
        &token(&moved),
        "models.get_by_id",
        json!({"model": model}),
    )["model"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(model_uri.starts_with(&old), "{model_uri}");
    assert!(
        crate::serve::client().get(&model_uri).send().is_err(),
        "{model_uri} must be unreachable once the port moved"
    );
    // A running server's data dir is not touched.
    let out = rehost(
        home.path(),
        &["--from", &old, "--to", &new, "--data-dir", &data],
    );
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(stderr(&out).contains("already served"), "{}", shown(&out));
    moved.stop();

    // Bad input: one line, exit 2, nothing changed.
    for args in [
        vec!["--from", "not a url", "--to", &new],
        vec!["--from", &old, "--to", &old],
        vec!["--from", &old, "--to", "http://x/y?z=1"],
        vec![
            "--from",
            "http://127.0.0.1:1",
            "--to",
            "http://127.0.0.1:1/sub",
        ],
        vec!["--from", &old, "--to", "http://evil\n.example"],
        vec![
            "--from",
            &old,
            "--to",
            &new,
            "--data-dir",
            "/nonexistent/каталог",
        ],
    ] {
        let out = rehost(home.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", shown(&out));
        assert_eq!(
            stderr(&out).trim_end().lines().count(),
            1,
            "{}",
            shown(&out)
        );
    }

    // --dry-run: per kind and project, nothing changed.
    let args = ["--from", &old, "--to", &new, "--data-dir", &data, "--json"];
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let counted = rows(&rehost(home.path(), &dry));
    let count = |r: &[clearml_cmd_server::json::RehostRow], kind: &str| {
        r.iter()
            .filter(|x| x.kind == kind)
            .map(|x| {
                assert_eq!(x.project, project);
                x.links
            })
            .sum::<usize>()
    };
    let want = [
        ("model", 1),
        ("artifact", 2),
        ("debug_image", 2),
        ("plot", 1),
    ];
    for (kind, n) in want {
        assert_eq!(count(&counted, kind), n, "{kind}: {counted:?}");
    }
    assert!(counted.iter().all(|r| !r.rewritten));
    assert_eq!(
        rows(&rehost(home.path(), &dry)),
        counted,
        "a dry run changed nothing"
    );

    // For real; then a rerun (as after Ctrl-C) finds nothing left.
    let done = rows(&rehost(home.path(), &args));
    for (kind, n) in want {
        assert_eq!(count(&done, kind), n, "{kind}: {done:?}");
    }
    assert!(done.iter().all(|r| r.rewritten));
    assert!(rows(&rehost(home.path(), &args)).is_empty());

    // The server on the new port: the real SDK downloads every file.
    let s = Serve::start_in_on(dir.path(), &[], port);
    let reader = tempfile::tempdir().unwrap();
    let conf = s.write_conf(reader.path());
    let got: Value = serde_json::from_str(
        run_sdk(DOWNLOAD, &conf, &[("T", task), ("M", model)])
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(got["artifacts"]["Daten-数据"], 50000, "{got}");
    assert!(
        got["artifacts"]["config"].as_u64().unwrap_or(0) > 0,
        "{got}"
    );
    assert_eq!(got["model"], 30000, "{got}");
    let images = got["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{got}");
    assert!(images.iter().all(|n| n.as_u64().unwrap_or(0) > 0), "{got}");
    for u in got["urls"].as_array().unwrap() {
        assert!(u.as_str().unwrap().starts_with(&new), "{got}");
    }
    let tok = token(&s);
    let plots = ok(
        &s,
        &tok,
        "events.get_task_plots",
        json!({"task": task, "iters": 1}),
    );
    let text = plots["plots"][0]["plot_str"].as_str().unwrap();
    assert!(text.contains(&format!("{new}/linked/plot-bild.png")) && !text.contains(&old));

    // The web UI shows the images from the new file server (a real Chromium decodes them).
    let project_id = ok(&s, &tok, "tasks.get_by_id", json!({"task": task}))["task"]["project"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = crate::web_ui::cdp::Browser::start(1024, 768);
    b.open(&format!("{}/login", s.web_url));
    b.eval(&format!(
        "document.getElementById('access_key').value = {ACCESS_KEY:?}; \
         document.getElementById('secret_key').value = {SECRET_KEY:?}; \
         document.querySelector('form.login').submit(); true"
    ));
    b.wait_event("Page.loadEventFired", std::time::Duration::from_secs(30));
    b.open(&format!(
        "{}/projects/{project_id}/experiments/{task}/output/debugImages",
        s.web_url
    ));
    let widths = b.eval(
        "Promise.all([...document.querySelectorAll('.images img')].map(i => i.decode().then(() => i.naturalWidth))) \
         .then(w => JSON.stringify([w, [...document.querySelectorAll('.images img')].map(i => i.src)]))",
    );
    let widths: Value = serde_json::from_str(widths.as_str().unwrap()).unwrap();
    assert_eq!(widths[0], json!([32, 32]), "{widths}");
    assert!(
        widths[1]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.as_str().unwrap().starts_with(&new)),
        "{widths}"
    );

    // Through the API of the running server: models and artifacts, the rest of the
    // task's execution section kept.
    let third = "https://files.example.com/umzug";
    let execution = |s: &Serve| {
        let mut e =
            ok(s, &token(s), "tasks.get_by_id", json!({"task": task}))["task"]["execution"].clone();
        let artifacts = e.as_object_mut().unwrap().remove("artifacts").unwrap();
        (e, artifacts)
    };
    let (before, _) = execution(&s);
    let api = ["--from", &new, "--to", third, "--json"];
    let mut api_dry = api.to_vec();
    api_dry.push("--dry-run");
    let counted = rows(&rehost(reader.path(), &api_dry));
    assert_eq!(
        (count(&counted, "model"), count(&counted, "artifact")),
        (1, 2),
        "{counted:?}"
    );
    let done = rows(&rehost(reader.path(), &api));
    assert_eq!(
        (count(&done, "model"), count(&done, "artifact")),
        (1, 2),
        "{done:?}"
    );
    let (after, artifacts) = execution(&s);
    assert_eq!(after, before, "only the artifact links changed");
    assert!(
        artifacts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["uri"].as_str().unwrap().starts_with(third)),
        "{artifacts}"
    );
    let uri = ok(&s, &tok, "models.get_by_id", json!({"model": model}))["model"]["uri"].clone();
    assert!(uri.as_str().unwrap().starts_with(third), "{uri}");
    assert!(rows(&rehost(reader.path(), &api)).is_empty());
    s.stop();
}

fn du_bytes(dir: &std::path::Path) -> u64 {
    let out = std::process::Command::new("du")
        .args(["-s", "-B1"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn usage_counts_files_and_events_per_task_and_matches_du() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let s = Serve::start_in(dir.path());
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let project = format!("Platz Место 空间 {}", std::process::id());
    let out = run_sdk(
        PUBLISH,
        &conf,
        &[("P", &project), ("WORK", home.path().to_str().unwrap())],
    );
    let ids: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let task = ids["task"].as_str().unwrap();
    // A second, smaller task in a sub-project: logs only.
    let tok = token(&s);
    let sub = ok(
        &s,
        &tok,
        "projects.create",
        json!({"name": format!("{project}/klein")}),
    )["id"]
        .clone();
    let small = ok(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "klein-小", "type": "training", "project": sub}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..3 {
        ok(
            &s,
            &tok,
            "events.add",
            json!({"type": "log", "task": small, "msg": format!("Zeile {i}"), "timestamp": i}),
        );
    }
    // Files no task owns.
    let stray = dir.path().join("files/stray");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("blob.bin"), vec![7u8; 123_456]).unwrap();
    s.stop();

    let usage = |args: &[&str]| -> clearml_cmd_server::json::UsageReport {
        let mut all = vec!["server", "usage", "--data-dir", &data, "--json"];
        all.extend_from_slice(args);
        let out = run(home.path(), &all);
        assert!(out.status.success(), "{}", shown(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let r = usage(&["--by", "task"]);
    let du = du_bytes(dir.path());
    let diff = (r.disk_bytes as f64 - du as f64).abs() / du as f64;
    assert!(diff < 0.05, "usage {} vs du {du}", r.disk_bytes);
    let row = |id: &str| {
        r.rows
            .iter()
            .find(|x| x.task_id.as_deref() == Some(id))
            .unwrap()
    };
    let big = row(task);
    assert_eq!(big.project, project);
    // Two artifacts, the model, two debug images.
    assert_eq!(big.files, 5, "{big:?}");
    assert!(big.file_bytes > 80_000, "{big:?}");
    assert!(big.events >= 2, "{big:?}");
    let little = row(&small);
    assert_eq!((little.events, little.files), (3, 0), "{little:?}");
    assert_eq!(little.project, format!("{project}/klein"));
    let unowned = row("");
    assert_eq!((unowned.files, unowned.file_bytes), (1, 123_456));
    // Largest first; files and events add up to the file server's folder.
    assert!(
        r.rows
            .windows(2)
            .all(|w| w[0].total_bytes >= w[1].total_bytes)
    );
    assert_eq!(
        r.rows.iter().map(|x| x.file_bytes).sum::<u64>(),
        r.files_bytes
    );
    assert!(r.database_bytes > 0);

    // Per project (with its sub-projects under --project), --top.
    let p = usage(&["--project", &project]);
    assert_eq!(p.rows.len(), 2, "{:?}", p.rows);
    assert_eq!(p.rows[0].project, project);
    assert_eq!(p.rows[0].file_bytes, big.file_bytes);
    assert_eq!(usage(&["--top", "1"]).rows.len(), 1);
    let csv = run(
        home.path(),
        &[
            "server",
            "usage",
            "--data-dir",
            &data,
            "--csv",
            "--by",
            "task",
        ],
    );
    assert!(csv.status.success(), "{}", shown(&csv));
    assert!(stdout(&csv).contains(&small), "{}", shown(&csv));

    // Bad input: one line and its exit code.
    for (args, code) in [
        (vec!["--top", "0"], 2),
        (vec!["--project", "Nichts Ничего"], 5),
    ] {
        let mut all = vec!["server", "usage", "--data-dir", &data];
        all.extend_from_slice(&args);
        let out = run(home.path(), &all);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", shown(&out));
        assert_eq!(
            stderr(&out).trim_end().lines().count(),
            1,
            "{}",
            shown(&out)
        );
    }
    let out = run(
        home.path(),
        &["server", "usage", "--data-dir", "/nonexistent/Ordner"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));

    // --api: the same server through its API only (as for a server whose data dir this
    // machine cannot read), on the same files port so the stored URLs answer: the SDK's
    // two artifacts and its model by their stored URLs; the debug images (links in events)
    // are not counted. Their bytes are those of the task's files outside metrics/ in the
    // data dir.
    let port: u16 = s
        .files_url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let s2 = Serve::start_in_on(dir.path(), &[], port);
    s2.write_conf(home.path());
    fn sizes(dir: &std::path::Path, out: &mut Vec<(String, u64)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sizes(&p, out);
            } else {
                out.push((p.display().to_string(), p.metadata().unwrap().len()));
            }
        }
    }
    let mut found = Vec::new();
    sizes(&dir.path().join("files"), &mut found);
    let want: u64 = found
        .iter()
        .filter(|(p, _)| p.contains(&format!(".{task}/")) && !p.contains("/metrics/"))
        .map(|(_, n)| n)
        .sum();
    let out = run(
        home.path(),
        &["server", "usage", "--api", "--by", "task", "--json"],
    );
    assert!(out.status.success(), "{}", shown(&out));
    let api: clearml_cmd_server::json::UsageReport = serde_json::from_slice(&out.stdout).unwrap();
    let row = api
        .rows
        .iter()
        .find(|x| x.task_id.as_deref() == Some(task))
        .unwrap_or_else(|| panic!("{:?}", api.rows));
    assert_eq!(row.project, project);
    assert_eq!(
        (row.files, row.file_bytes, row.events),
        (3, want, 0),
        "{row:?}"
    );
    assert!(want > 80_000, "{want}");
    assert!(!stderr(&out).contains("no known size"), "{}", shown(&out));
    let both = run(home.path(), &["server", "usage", "--api", "--stack"]);
    assert_eq!(both.status.code(), Some(2), "{}", shown(&both));
    s2.stop();
}

/// The key paths of a values file as `server render --as helm-values` writes it (maps
/// by two-space indentation; a list item is `*`).
fn key_paths(yaml: &str) -> Vec<String> {
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut out = Vec::new();
    for line in yaml.lines() {
        let mut t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut indent = line.len() - t.len();
        if let Some(rest) = t.strip_prefix("- ") {
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            stack.push((indent, "*".into()));
            indent += 2;
            t = rest;
        }
        let Some((k, _)) = t.split_once(':') else {
            panic!("not a key line: {line:?}")
        };
        let k = k.trim_matches('"').to_string();
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let mut path: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
        path.push(&k);
        out.push(path.join("."));
        stack.push((indent, k));
    }
    out
}

#[test]
fn helm_values_use_only_keys_the_official_chart_has() {
    let list = std::fs::read_to_string(test_data().join("helm/clearml-chart-7.14.1.keys")).unwrap();
    let known: std::collections::HashSet<&str> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let accepted = |path: &str| {
        known.contains(path)
            || path
                .match_indices('.')
                .any(|(i, _)| known.contains(format!("{}.*", &path[..i]).as_str()))
    };
    // What the renderer wrote before this check: keys the chart does not have.
    assert!(!accepted("agentservices.enabled") && !accepted("mongodb.image.repository"));
    assert!(accepted("apiserver.extraEnvs.*.name") && accepted("webserver.service.port"));

    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("stack-данные");
    let data = data.to_str().unwrap();
    for flags in [
        vec![],
        vec![
            "--registry",
            "mirror.example.com:5000/hub",
            "--env",
            "apiserver:CLEARML__apiserver__Größe=1",
            "--env",
            "GLOBAL=ja",
            "--with-agent-services",
            "--port",
            "webserver=9080",
            "--image",
            "mongo=mirror.example.com/mongo:6",
        ],
    ] {
        let mut args = vec![
            "server",
            "render",
            "--as",
            "helm-values",
            "--data-dir",
            data,
        ];
        args.extend_from_slice(&flags);
        let out = run(home.path(), &args);
        assert!(out.status.success(), "{}", shown(&out));
        let text = stdout(&out);
        assert!(text.contains("allegroai/clearml 7.14.1"), "{text}");
        let paths = key_paths(&text);
        assert!(
            paths.contains(&"apiserver.image.tag".to_string()),
            "{paths:?}"
        );
        let unknown: Vec<&String> = paths.iter().filter(|p| !accepted(p)).collect();
        assert!(
            unknown.is_empty(),
            "keys the chart does not have: {unknown:?}\n{text}"
        );
    }
}
