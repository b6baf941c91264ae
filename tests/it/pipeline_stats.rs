//! `pipeline stats` over runs of our runner and of the SDK's PipelineController, checked
//! against figures this test computes itself from `tasks.get_all`.
//! A child module of `pipeline` so it shares its Env and FastWorker.

use super::*;

fn secs_between(a: &Value, b: &Value) -> f64 {
    let t = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    (t(b) - t(a)).num_milliseconds().max(0) as f64 / 1000.0
}

/// End of an ended task: `completed`, else when its status last changed.
fn end_of(t: &Value) -> &Value {
    if t["completed"].is_string() {
        &t["completed"]
    } else {
        &t["status_changed"]
    }
}

fn nearest_rank(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let k = (q * v.len() as f64).ceil() as usize;
    v[k.max(1) - 1]
}

fn close(a: &Value, b: f64, what: &str) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{what}: {a}"));
    assert!((a - b).abs() < 0.0015, "{what}: {a} vs {b}");
}

#[test]
fn stats_of_sdk_and_our_runs_match_figures_from_get_all() {
    let env = Env::new("stats");
    env.base_tasks(&["prep", "train"]);
    // train fails the second time it is seen: our first run.
    let _w = FastWorker::start(&env, |name, n| match (name, n) {
        ("train", 2) => Act::Fail,
        _ => Act::Complete,
    });
    let sdk = format!(
        r#"
from clearml import PipelineController
pipe = PipelineController(name="sdk-pipe", project={project:?}, version="1.0.0",
                          add_pipeline_tags=False, pool_frequency=0.01)
pipe.set_default_execution_queue({queue:?})
pipe.add_step(name="prep", base_task_project={project:?}, base_task_name="prep")
pipe.add_step(name="train", parents=["prep"], base_task_project={project:?}, base_task_name="train")
pipe.start_locally(run_pipeline_steps_locally=False)
"#,
        project = env.project,
        queue = env.queue
    );
    run_sdk(&sdk, &env.conf, &[]);
    let text = env.header("наш-пайплайн", "")
        + &env.step("prep", &[], "")
        + &env.step("train", &["prep"], "");
    let file = env.write("p.toml", &text);
    for expect in [6, 0, 0] {
        let out = env.run(&["pipeline", "run", file.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(expect),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = env.run(&["pipeline", "stats", "--project", &env.project, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = json_out(&out);
    assert_eq!(got.as_array().unwrap().len(), 2, "{got}");

    let tasks = env.pipeline_tasks();
    for (pipeline, runs_expected, failed_expected) in [("sdk-pipe", 1, 0), ("наш-пайплайн", 3, 1)]
    {
        let s = got
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["pipeline"] == pipeline)
            .unwrap_or_else(|| panic!("no {pipeline} in {got}"));
        let project = format!("{}/.pipelines/{pipeline}", env.project);
        let mine: Vec<&Value> = tasks
            .iter()
            .filter(|t| t["project"] == *env.api("projects.get_all", json!({"name": format!("^{}$", regex_escape(&project)), "search_hidden": true}))["projects"][0]["id"].as_str().unwrap())
            .collect();
        let controllers: Vec<&Value> = mine
            .iter()
            .copied()
            .filter(|t| t["type"] == "controller")
            .collect();
        assert_eq!(controllers.len(), runs_expected);
        assert_eq!(s["runs"], runs_expected);
        let count = |st: &str| controllers.iter().filter(|t| t["status"] == st).count();
        assert_eq!(s["completed"], count("completed"));
        assert_eq!(s["failed"], count("failed"));
        assert_eq!(s["failed"], failed_expected);
        assert_eq!(s["stopped"], count("stopped"));
        close(
            &s["success_rate"],
            count("completed") as f64 / runs_expected as f64,
            "success",
        );
        let d: Vec<f64> = controllers
            .iter()
            .map(|t| secs_between(&t["started"], end_of(t)))
            .collect();
        close(
            &s["duration_mean_s"],
            d.iter().sum::<f64>() / d.len() as f64,
            "mean",
        );
        close(&s["duration_p50_s"], nearest_rank(&d, 0.5), "p50");
        close(&s["duration_p95_s"], nearest_rank(&d, 0.95), "p95");
        let newest = controllers
            .iter()
            .max_by_key(|t| t["created"].as_str().unwrap().to_string())
            .unwrap();
        assert_eq!(s["last_run"]["id"], newest["id"]);
        for step in ["prep", "train"] {
            let st = s["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["step"] == step)
                .unwrap_or_else(|| panic!("no step {step} in {s}"));
            let ts: Vec<&Value> = mine.iter().copied().filter(|t| t["name"] == step).collect();
            assert_eq!(st["runs"], ts.len());
            let failed = ts.iter().filter(|t| t["status"] == "failed").count();
            close(
                &st["failure_rate"],
                failed as f64 / ts.len() as f64,
                "failure rate",
            );
            let run: Vec<f64> = ts
                .iter()
                .map(|t| secs_between(&t["started"], end_of(t)))
                .collect();
            let queued: Vec<f64> = ts
                .iter()
                .map(|t| secs_between(&t["created"], &t["started"]))
                .collect();
            close(
                &st["duration_mean_s"],
                run.iter().sum::<f64>() / run.len() as f64,
                "step mean",
            );
            close(&st["duration_p95_s"], nearest_rank(&run, 0.95), "step p95");
            close(
                &st["queued_mean_s"],
                queued.iter().sum::<f64>() / queued.len() as f64,
                "queued",
            );
        }
        let most = if failed_expected > 0 {
            json!("train")
        } else {
            Value::Null
        };
        assert_eq!(s["most_failing_step"], most);
    }
    // --last 1 keeps the newest run per pipeline; --csv one row per pipeline; --svg a chart.
    let out = env.run(&[
        "pipeline",
        "stats",
        "наш-пайплайн",
        "--project",
        &env.project,
        "--last",
        "1",
        "--json",
    ]);
    let one: serde_json::Value = json_out(&out);
    assert_eq!(one[0]["runs"], 1);
    assert_eq!(one[0]["failed"], 0);
    let svg = env.home.path().join("runs.svg");
    let out = env.run(&[
        "pipeline",
        "stats",
        "--project",
        &env.project,
        "--csv",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(
        chart.starts_with("<svg") && chart.contains(">failed<") && chart.contains(">completed<"),
        "{chart}"
    );
    let out = env.run(&[
        "pipeline",
        "stats",
        "nothing-here",
        "--project",
        &env.project,
    ]);
    assert_eq!(out.status.code(), Some(5));
}
