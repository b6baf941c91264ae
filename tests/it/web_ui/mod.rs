//! The web UI of `clearml server serve` (its web port): the login cookie, every page on
//! data the real SDK wrote (scalars, plots, images, console, artifacts, models, a
//! pipeline run), markup in names shown as text, and a real headless Chromium opening
//! each page without console errors (screenshots under target/web-screenshots/, copied
//! to docs/screenshots/ with CLEARML_UPDATE_SCREENSHOTS=1).

mod big_pipeline;
pub(crate) mod cdp;
mod columns;
mod compare;
mod compare_media;
mod console;
mod execution;
mod hparams;
mod issue25;
mod pipeline_dag;
mod plots;
mod samples;
mod scalars;
mod security;
mod utilization;

use crate::common::{ACCESS_KEY, SECRET_KEY, Serve, clearml, run_sdk};
use crate::serve::{ok, token};
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const POPULATE: &str = include_str!("populate.py");
/// The experiment name the SDK script gives its first task.
const EVIL: &str = "<script>alert('x')</script> Обучение 训练";
const EVIL_ESCAPED: &str = "&lt;script&gt;alert('x')&lt;/script&gt; Обучение 训练";

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A populated server: what the SDK script made, by id.
struct World {
    s: Serve,
    home: tempfile::TempDir,
    project: String,
    project_id: String,
    tasks: Vec<String>,
    models: Vec<String>,
    pipeline: String,
    worker: String,
}

impl World {
    fn new() -> World {
        let s = Serve::start();
        let home = tempfile::tempdir().unwrap();
        let conf = s.write_conf(home.path());
        let project = format!("Web UI/Тест {}", std::process::id());
        let script = format!("import sys\nsys.argv = ['populate', {project:?}]\n{POPULATE}");
        let out = run_sdk(&script, &conf, &[]);
        let ids: Value = serde_json::from_str(out.lines().last().unwrap())
            .unwrap_or_else(|e| panic!("{e}: {out}"));
        let strings = |k: &str| -> Vec<String> { serde_json::from_value(ids[k].clone()).unwrap() };
        let tok = token(&s);
        let project_id = ok(
            &s,
            &tok,
            "projects.get_all",
            json!({"name": format!("^{}$", regex_escape(&project))}),
        )["projects"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        // A worker running the experiment with markup in its name.
        let worker = "web-ui-worker:0".to_string();
        let tasks = strings("tasks");
        let queue = ok(&s, &tok, "queues.get_default", json!({}))["id"].clone();
        ok(
            &s,
            &tok,
            "workers.register",
            json!({"worker": worker, "queues": [queue]}),
        );
        ok(
            &s,
            &tok,
            "workers.status_report",
            json!({"worker": worker, "task": tasks[0], "timestamp": 0}),
        );
        World {
            s,
            home,
            project,
            project_id,
            tasks,
            models: strings("models"),
            pipeline: ids["pipeline"].as_str().unwrap().to_string(),
            worker,
        }
    }

    fn web(&self, path: &str) -> String {
        format!("{}{path}", self.s.web_url)
    }

    /// The pages every test opens, by a short name: (name, path).
    fn pages(&self) -> Vec<(&'static str, String)> {
        let (p, t) = (&self.project_id, &self.tasks[0]);
        vec![
            ("projects", "/projects".into()),
            ("experiments", format!("/projects/{p}/experiments")),
            ("experiment", format!("/projects/{p}/experiments/{t}")),
            (
                "console",
                format!("/projects/{p}/experiments/{t}/output/log"),
            ),
            (
                "scalars",
                format!("/projects/{p}/experiments/{t}/output/metrics/scalar"),
            ),
            (
                "plots",
                format!("/projects/{p}/experiments/{t}/output/metrics/plots"),
            ),
            (
                "debug-images",
                format!("/projects/{p}/experiments/{t}/output/debugImages"),
            ),
            (
                "compare",
                format!(
                    "/projects/{p}/compare-experiments;ids={},{}",
                    self.tasks[0], self.tasks[1]
                ),
            ),
            ("models", "/models".into()),
            ("model", format!("/models/{}", self.models[0])),
            ("pipelines", "/pipelines".into()),
            (
                "pipeline-run",
                format!("/pipelines/{p}/experiments/{}", self.pipeline),
            ),
            ("workers-and-queues", "/workers-and-queues".into()),
        ]
    }
}

/// A fresh server with the SDK `script` run against it, and the last line of the
/// script's output that parses as a `T` (what it printed for the test).
fn sdk_run<T: serde::de::DeserializeOwned>(script: &str) -> (Serve, T) {
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let out = run_sdk(script, &conf, &[]);
    let v = out
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON line in {out}"));
    (s, v)
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Log in through the form; the cookie header to send with page requests.
fn login(web_url: &str) -> String {
    let r = no_redirects()
        .post(format!("{web_url}/login"))
        .form(&[
            ("access_key", ACCESS_KEY),
            ("secret_key", SECRET_KEY),
            ("next", "/projects"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/projects");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_string();
    assert!(pair.starts_with("clearml_token_basic=ey"), "{pair}");
    pair
}

fn get(cookie: &str, url: &str) -> Response {
    no_redirects()
        .get(url)
        .header("cookie", cookie)
        .send()
        .unwrap()
}

fn page(cookie: &str, url: &str) -> String {
    let r = get(cookie, url);
    assert_eq!(r.status(), 200, "{url}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{url}"
    );
    r.text().unwrap()
}

/// Markup the SDK wrote never reaches a page as markup: the only `<script>` is ours.
fn assert_escaped(name: &str, html: &str) {
    assert_eq!(
        html.matches("<script").count(),
        1,
        "{name}: a <script> element besides the UI's own"
    );
    for raw in [
        "<b>tag</b>",
        "<b>markup</b>",
        "<i>not italic</i>",
        "<stats>",
        "<0>",
    ] {
        assert!(!html.contains(raw), "{name}: {raw} unescaped");
    }
}

#[test]
fn pages_need_the_login_cookie_the_form_sets() {
    let s = Serve::start();
    let c = no_redirects();
    for path in [
        "/",
        "/projects",
        "/projects/x/experiments/y/output/log",
        "/models",
        "/pipelines",
        "/workers-and-queues",
        "/no/such/page",
    ] {
        let r = c.get(format!("{}{path}", s.web_url)).send().unwrap();
        assert_eq!(r.status(), 303, "{path}");
        let to = r.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/login?next="), "{path} -> {to}");
        // A forged or stale cookie is no better than none.
        let r = get(
            "clearml_token_basic=eyJhbGciOiJIUzI1NiJ9.e30.x",
            &format!("{}{path}", s.web_url),
        );
        assert_eq!(r.status(), 303, "{path} with a bad cookie");
    }
    let form = c
        .get(format!("{}/login?next=/models", s.web_url))
        .send()
        .unwrap();
    assert_eq!(form.status(), 200);
    assert!(
        form.text()
            .unwrap()
            .contains(r#"name="next" value="/models""#)
    );
    // A wrong secret: the form again (401), no cookie.
    let r = c
        .post(format!("{}/login", s.web_url))
        .form(&[("access_key", ACCESS_KEY), ("secret_key", "wrong")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    // Only paths of this site are followed after login.
    let r = c
        .post(format!("{}/login", s.web_url))
        .form(&[
            ("access_key", ACCESS_KEY),
            ("secret_key", SECRET_KEY),
            ("next", "//elsewhere.example/x"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.headers()["location"], "/projects");
    let cookie = login(&s.web_url);
    let html = page(&cookie, &format!("{}/projects", s.web_url));
    assert!(html.contains("<h1>Projects</h1>"));
    // The API takes the same cookie, as the real server does for its web app.
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/projects.get_all", s.api_url))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // An unknown id is a 404 page, not an error of the server.
    let r = get(
        &cookie,
        &format!("{}/projects/nope/experiments/nope", s.web_url),
    );
    assert_eq!(r.status(), 404);
    let r = c
        .post(format!("{}/logout", s.web_url))
        .header("cookie", &cookie)
        .send()
        .unwrap();
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[test]
fn sdk_data_shows_on_every_page_and_markup_stays_text() {
    let w = World::new();
    let cookie = login(&w.s.web_url);
    let pages: Vec<(&str, String)> = w
        .pages()
        .into_iter()
        .map(|(name, path)| (name, page(&cookie, &w.web(&path))))
        .collect();
    let html = |name: &str| &pages.iter().find(|(n, _)| *n == name).unwrap().1;
    for (name, body) in &pages {
        assert_escaped(name, body);
    }
    let base = w.project.rsplit('/').next().unwrap();
    assert!(html("projects").contains(&format!(">{base}</a>")));
    // Both SDK experiments, named as text, with their last metrics as columns.
    let table = html("experiments");
    assert!(table.contains(EVIL_ESCAPED), "{table}");
    assert!(table.contains("baseline Größe"));
    assert!(table.contains(">loss / train") && table.contains(">accuracy / val"));
    assert!(table.contains("Default User"), "user names are shown");
    // Parameters, configuration, artifact link through the file server, models.
    let exp = html("experiment");
    assert!(exp.contains(EVIL_ESCAPED));
    assert!(exp.contains("<td>lr</td><td>0.1</td>"), "{exp}");
    assert!(exp.contains("&lt;i&gt;not italic&lt;/i&gt;"));
    assert!(exp.contains("model config") && exp.contains("dropout"));
    assert!(
        exp.contains(&format!(r#"<a href="{}/"#, w.s.files_url)),
        "artifact download link: {exp}"
    );
    assert!(exp.contains(&format!("/models/{}", w.models[0])));
    // Console text escaped, in order.
    let log = html("console");
    let a = log
        .find("console line with &lt;b&gt;markup&lt;/b&gt; &amp; ampersand")
        .expect("console line");
    assert!(log[a..].contains("epoch 3 done: Обучение 训练"));
    // The follow mode's text: plain, the same lines.
    let tail = get(
        &cookie,
        &w.web(&format!(
            "/projects/{}/experiments/{}/output/log?part=log",
            w.project_id, w.tasks[0]
        )),
    );
    assert!(
        tail.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        tail.text()
            .unwrap()
            .contains("console line with <b>markup</b> & ampersand")
    );
    // One chart per metric, one curve per series.
    let scalars = html("scalars");
    assert_eq!(scalars.matches("<svg").count(), 2, "loss, accuracy");
    assert_eq!(scalars.matches("<polyline").count(), 3);
    let smoothed = page(
        &cookie,
        &w.web(&format!(
            "/projects/{}/experiments/{}/output/metrics/scalar?smooth=0.9&x=time",
            w.project_id, w.tasks[0]
        )),
    );
    assert_eq!(smoothed.matches("<polyline").count(), 3);
    assert!(smoothed.contains("time (UTC)"));
    assert_ne!(polyline_points(scalars), polyline_points(&smoothed));
    assert!(html("plots").contains("pr / curve"));
    assert!(
        html("debug-images").contains(&format!(r#"<img src="{}/"#, w.s.files_url)),
        "{}",
        html("debug-images")
    );
    // The link the SDK prints as a task's results page opens it.
    let printed = page(
        &cookie,
        &w.web(&format!(
            "/projects/{}/tasks/{}/output/log",
            w.project_id, w.tasks[0]
        )),
    );
    assert!(printed.contains("console line with"));
    compare_matches_the_cli(&w, html("compare"));
    // Models: name as text, framework, size from the stored file, download link.
    assert!(html("models").contains("model &lt;0&gt;"));
    let model = html("model");
    assert!(model.contains("PyTorch"));
    assert!(model.contains("2.0 KB"), "{model}");
    // The download links work through the file server, with the same cookie.
    let download = model
        .split("<a href=\"")
        .filter_map(|a| a.split_once("\" download>Download</a>"))
        .map(|(href, _)| href.replace("&amp;", "&"))
        .next()
        .expect("a download link");
    let r = get(&cookie, &download);
    assert_eq!(r.status(), 200, "{download}");
    assert_eq!(r.bytes().unwrap().len(), 2048);
    let artifact = exp
        .split("<a href=\"")
        .filter_map(|a| a.split_once('"'))
        .map(|(href, _)| href.replace("&amp;", "&"))
        .find(|h| h.contains("/artifacts/stats/"))
        .expect("an artifact link");
    let r = get(&cookie, &artifact);
    assert_eq!(r.status(), 200, "{artifact}");
    assert!(r.text().unwrap().contains("<stats>"));
    // The SDK pipeline run: three completed steps, each linking to its task.
    let run = html("pipeline-run");
    assert_eq!(
        run.matches(r#"<g class="node completed">"#).count(),
        3,
        "{run}"
    );
    assert_eq!(run.matches(r#"class="edge""#).count(), 3);
    let dag = run
        .split("<svg")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(dag.matches(r#"<a href="/projects/"#).count(), 3, "{dag}");
    assert!(html("pipelines").contains("web-pipe"));
    // Workers and queues: the worker's current task, by name, as text.
    let wq = html("workers-and-queues");
    assert!(wq.contains(&w.worker));
    assert!(wq.contains(EVIL_ESCAPED));
    assert!(wq.contains(">default</td>"));
}

/// The `points` of every polyline, in order.
fn polyline_points(html: &str) -> Vec<String> {
    html.split("points=\"")
        .skip(1)
        .map(|p| p.split('"').next().unwrap().to_string())
        .collect()
}

/// The compare page shows the rows and values of `clearml task compare --json`, and its
/// loss chart the tick labels and legend of `task compare --plot loss --svg`.
fn compare_matches_the_cli(w: &World, html: &str) {
    let out = clearml(w.home.path())
        .args(["--json", "task", "compare", &w.tasks[0], &w.tasks[1]])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = cli["rows"].as_array().unwrap();
    assert!(rows.len() > 5, "{cli}");
    for r in rows {
        let label = match r["stat"].as_str() {
            Some(s) => format!("{} ({s})", r["key"].as_str().unwrap()),
            None => r["key"].as_str().unwrap().to_string(),
        };
        let row = html
            .split("<tr")
            .find(|tr| tr.contains(&format!("<td>{}</td>", escape(&label))))
            .unwrap_or_else(|| panic!("no row {label}"));
        for id in &w.tasks {
            let v = &r["values"][id];
            let text = match v {
                Value::Number(n) if n.is_f64() => clearml_chart::fmt_f64(n.as_f64().unwrap()),
                Value::String(s) => escape(s),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            assert!(
                row.contains(&format!(">{text}</td>")),
                "{label}: {text} in {row}"
            );
        }
    }
    let svg_file = w.home.path().join("loss.svg");
    let out = clearml(w.home.path())
        .args([
            "task",
            "compare",
            &w.tasks[0],
            &w.tasks[1],
            "--plot",
            "loss",
            "--svg",
        ])
        .arg(&svg_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_svg = std::fs::read_to_string(&svg_file).unwrap();
    let web_svg = html
        .split("<svg")
        .find(|s| s.contains(">loss</text>"))
        .expect("a loss chart");
    assert_eq!(texts(web_svg), texts(&cli_svg), "ticks and legend");
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The texts of an SVG (title, tick labels, legend).
fn texts(svg: &str) -> Vec<String> {
    let end = svg.find("</svg>").unwrap_or(svg.len());
    svg[..end]
        .split("<text")
        .skip(1)
        .map(|t| {
            t.split_once('>')
                .unwrap()
                .1
                .split("</text>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn chromium_opens_every_page_without_console_errors() {
    let w = World::new();
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut b = cdp::Browser::start(1280, 860);
    b.color_scheme(false);
    // Not logged in: the form; logging in through it lands on the page asked for.
    b.open(&w.web("/models"));
    assert_eq!(b.eval("location.pathname"), "/login");
    b.screenshot(&shots.join("login.png"));
    cdp::submit_login(&mut b);
    assert_eq!(b.eval("location.pathname"), "/models");
    let checks: &[(&str, &str)] = &[
        (
            "projects",
            "document.querySelectorAll('#projects tbody tr').length >= 2",
        ),
        (
            "experiments",
            "document.querySelectorAll('#experiments tbody tr').length >= 5",
        ),
        (
            "experiment",
            "document.querySelectorAll('table.params tbody tr').length >= 3",
        ),
        (
            "console",
            "document.getElementById('log').textContent.includes('<b>markup</b>')",
        ),
        (
            "scalars",
            "document.querySelectorAll('#scalars svg.chart polyline').length == 3 && \
             [...document.querySelectorAll('#scalars polyline')].every(p => p.getAttribute('points').split(' ').length == 60)",
        ),
        (
            "plots",
            "document.querySelectorAll('.chartbox').length >= 1",
        ),
        (
            "debug-images",
            "Promise.all([...document.querySelectorAll('.images img')].map(i => i.decode().then(() => i.naturalWidth))) \
             .then(w => w.length == 1 && w.every(x => x == 32))",
        ),
        (
            "compare",
            "document.querySelectorAll('#compare tbody tr').length > 5 && document.querySelectorAll('#scalars polyline').length == 6",
        ),
        (
            "models",
            "document.querySelectorAll('#models tbody tr').length >= 2",
        ),
        (
            "model",
            "[...document.querySelectorAll('a')].some(a => a.textContent == 'Download')",
        ),
        (
            "pipelines",
            "document.querySelectorAll('#runs tbody tr').length >= 1",
        ),
        (
            "pipeline-run",
            "document.querySelectorAll('#dag g.node').length == 3 && document.querySelectorAll('#dag path.edge').length == 3",
        ),
        (
            "workers-and-queues",
            "document.querySelectorAll('#workers tbody tr').length == 1",
        ),
    ];
    for (name, path) in w.pages() {
        b.open(&w.web(&path));
        let errors = b.console_errors();
        assert!(errors.is_empty(), "{name}: console errors {errors:?}");
        let check = checks.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(b.eval(check), true, "{name}: {check}");
        // A name with markup is text on the page, and no script of it ran.
        assert_eq!(
            b.eval("document.querySelectorAll('script').length"),
            1,
            "{name}"
        );
        if matches!(
            name,
            "experiments" | "experiment" | "compare" | "workers-and-queues"
        ) {
            assert_eq!(
                b.eval(&format!("document.body.innerText.includes({EVIL:?})")),
                true,
                "{name}"
            );
        }
        if name == "pipeline-run" {
            // The SDK's diamond: prepare→report is routed around train's box.
            let (edges, hidden) = pipeline_dag::edges_and_hidden(&mut b);
            assert_eq!(edges, ["prepare→report", "prepare→train", "train→report"]);
            assert_eq!(hidden, Vec::<String>::new());
        }
        b.screenshot(&shots.join(format!("{name}.png")));
    }
    // Hovering a chart shows the values under the pointer.
    b.open(&w.web(&w.pages()[4].1));
    let at = b.eval(
        "(() => { const r = document.querySelector('#scalars svg').getBoundingClientRect(); \
         return [r.left + r.width * 0.4, r.top + r.height * 0.5]; })()",
    );
    b.call(
        "Input.dispatchMouseEvent",
        json!({"type": "mouseMoved", "x": at[0], "y": at[1]}),
    );
    let tip = b.eval("document.querySelector('.tip').style.display + '|' + document.querySelector('.tip').textContent");
    let tip = tip.as_str().unwrap();
    assert!(
        tip.starts_with("block|") && tip.contains("\nval: 0."),
        "{tip}"
    );
    // The dark theme follows the browser's preference.
    b.color_scheme(true);
    b.open(&w.web(&w.pages()[4].1));
    assert_eq!(
        b.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(21, 24, 30)"
    );
    b.screenshot(&shots.join("scalars-dark.png"));
    assert!(b.console_errors().is_empty());
    if std::env::var("CLEARML_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        for e in std::fs::read_dir(&shots).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), docs.join(e.file_name())).unwrap();
        }
    }
}
