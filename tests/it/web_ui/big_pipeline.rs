//! A pipeline run page over a 20,000-step DAG (issue 20, medium 5): rendered in linear
//! time, cut to a bounded number of steps with a note saying what was left out, and
//! several such pages at once leave the API answering at once.

use super::{login, page};
use crate::common::Serve;
use crate::serve::{client, ok, token};
use serde_json::{Map, json};
use std::time::{Duration, Instant};

const STEPS: usize = 20_000;
/// What the page draws at most (crates/serve/src/web/pipelines.rs `MAX_STEPS`).
const SHOWN: usize = 1_000;

/// A controller whose DAG is one chain of `STEPS` steps listed in reverse order (each
/// step's parent comes after it: the worst order for a layout that sweeps until nothing
/// changes); the first steps run real tasks.
fn big_run(s: &Serve, tok: &str) -> (String, String) {
    let project = ok(
        s,
        tok,
        "projects.create",
        json!({"name": "Große Pipeline 管道"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let step_task = ok(
        s,
        tok,
        "tasks.create",
        json!({"name": "Schritt 步骤", "type": "training", "project": project}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut dag = Map::new();
    for i in 0..STEPS {
        let mut node = json!({"status": "pending", "parents": []});
        if i + 1 < STEPS {
            node["parents"] = json!([format!("s{:05}", i + 1)]);
        }
        if i + 1 == STEPS {
            node["job_id"] = json!(step_task);
            node["status"] = json!("completed");
        }
        dag.insert(format!("s{i:05}"), node);
    }
    let run = super::pipeline_dag::controller(s, tok, &project, "Lauf mit 20000 Schritten", dag);
    (project, run)
}

#[test]
fn a_20000_step_pipeline_page_is_fast_bounded_and_leaves_the_api_free() {
    let s = Serve::start();
    let tok = token(&s);
    let (project, run) = big_run(&s, &tok);
    let cookie = login(&s.web_url);
    let url = format!("{}/pipelines/{project}/experiments/{run}", s.web_url);
    let started = Instant::now();
    let html = page(&cookie, &url);
    let took = started.elapsed();
    eprintln!("the {STEPS}-step run page rendered in {took:?}");
    // Debug build, shared CI cores: the quadratic layout took minutes here.
    assert!(took < Duration::from_secs(15), "the page took {took:?}");
    assert!(
        html.contains(&format!(
            "This run has {STEPS} steps: the first {SHOWN} by depth are drawn and listed, {} are left out.",
            STEPS - SHOWN
        )),
        "no note on what was cut"
    );
    assert_eq!(html.matches(r#"<g class="node "#).count(), SHOWN);
    // The root (the last step listed) is drawn, its status from its task (created: queued).
    assert!(html.contains("<title>s19999</title>"));
    assert_eq!(html.matches(r#"<g class="node queued">"#).count(), 1);
    // Four such pages at once: API calls still answer at once (pages have their own slots).
    let pages: Vec<_> = (0..4)
        .map(|_| {
            let (cookie, url) = (cookie.clone(), url.clone());
            std::thread::spawn(move || page(&cookie, &url).len())
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..5 {
        let t = Instant::now();
        let r = client()
            .post(format!("{}/projects.get_all", s.api_url))
            .bearer_auth(&tok)
            .json(&json!({"only_fields": ["name"]}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let waited = t.elapsed();
        assert!(
            waited < Duration::from_secs(3),
            "an API call waited {waited:?} behind web pages"
        );
    }
    for p in pages {
        assert!(p.join().unwrap() > 0);
    }
}
