//! `pipeline stats` figures, pure: per pipeline (runs by final status, success rate,
//! duration mean/p50/p95, last run) and per step (runs, failure rate, mean/p95 duration,
//! time queued versus running, the step that fails most). Inputs are the controllers and
//! step tasks as `tasks.get_all` returns them, SDK-made and ours alike.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub use clearml_wire::pipeline::{dag_of, owner_project, step_status};

/// How a task's status counts: None while it has not ended.
pub fn final_class(status: &str) -> Option<&'static str> {
    match status {
        "completed" | "published" | "closed" => Some("completed"),
        "failed" => Some("failed"),
        "stopped" => Some("stopped"),
        _ => None,
    }
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn secs(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_milliseconds().max(0) as f64 / 1000.0
}

/// When a task ended: `completed`, else (failed, stopped) when its status last changed.
fn ended(t: &Value) -> Option<DateTime<Utc>> {
    time(&t["completed"]).or_else(|| time(&t["status_changed"]))
}

/// Run time of an ended task: start to end.
pub fn running_secs(t: &Value) -> Option<f64> {
    final_class(t["status"].as_str()?)?;
    Some(secs(time(&t["started"])?, ended(t)?))
}

/// Time in the queue: created (the clone is enqueued at once) to started.
pub fn queued_secs(t: &Value) -> Option<f64> {
    Some(secs(time(&t["created"])?, time(&t["started"])?))
}

/// Nearest-rank percentile (`q` in 0..=1) of unsorted values.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn round(v: Option<f64>) -> Value {
    json!(v.map(|v| (v * 1000.0).round() / 1000.0))
}

/// The pipeline a controller is a run of: its name without the SDK's " #N" run suffix.
pub fn pipeline_name(run_name: &str) -> String {
    match run_name.rsplit_once(" #") {
        Some((base, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
            base.to_string()
        }
        _ => run_name.to_string(),
    }
}

/// The step tasks a run's DAG points at (`job_id`), by step name; cached and skipped
/// nodes ran nothing in this run and are left out.
pub fn dag_steps(run: &Value) -> Vec<(String, String)> {
    dag_of(run)
        .iter()
        .filter(|(_, n)| !matches!(n["status"].as_str(), Some("cached" | "skipped")))
        .filter_map(|(name, n)| Some((name.clone(), n["job_id"].as_str()?.to_string())))
        .collect()
}

/// Statistics of one pipeline's runs (`runs` newest first) and their step tasks by id.
pub fn pipeline_stats(
    name: &str,
    project: &str,
    runs: &[&Value],
    tasks: &BTreeMap<String, Value>,
) -> Value {
    let mut counts = BTreeMap::from([("completed", 0usize), ("failed", 0), ("stopped", 0)]);
    let mut durations = Vec::new();
    for r in runs {
        if let Some(c) = final_class(r["status"].as_str().unwrap_or("")) {
            *counts.entry(c).or_default() += 1;
        }
        if let Some(d) = running_secs(r) {
            durations.push(d);
        }
    }
    let ended: usize = counts.values().sum();
    #[derive(Default)]
    struct Step {
        runs: usize,
        failed: usize,
        ended: usize,
        running: Vec<f64>,
        queued: Vec<f64>,
    }
    let mut steps: BTreeMap<String, Step> = BTreeMap::new();
    for r in runs {
        for (step, id) in dag_steps(r) {
            let Some(t) = tasks.get(&id) else { continue };
            let s = steps.entry(step).or_default();
            s.runs += 1;
            let class = final_class(t["status"].as_str().unwrap_or(""));
            if class.is_some() {
                s.ended += 1;
            }
            if class == Some("failed") {
                s.failed += 1;
            }
            s.running.extend(running_secs(t));
            s.queued.extend(queued_secs(t));
        }
    }
    let most_failing = steps
        .iter()
        .filter(|(_, s)| s.failed > 0)
        .max_by_key(|(_, s)| s.failed)
        .map(|(n, _)| n.clone());
    let last = runs.first();
    json!({
        "pipeline": name,
        "project": project,
        "runs": runs.len(),
        "completed": counts["completed"],
        "failed": counts["failed"],
        "stopped": counts["stopped"],
        "success_rate": round((ended > 0).then(|| counts["completed"] as f64 / ended as f64)),
        "duration_mean_s": round(mean(&durations)),
        "duration_p50_s": round(percentile(&durations, 0.5)),
        "duration_p95_s": round(percentile(&durations, 0.95)),
        "last_run": last.map(|r| json!({"id": r["id"], "name": r["name"], "status": r["status"], "created": r["created"]})),
        "most_failing_step": most_failing,
        "steps": steps.iter().map(|(n, s)| json!({
            "step": n,
            "runs": s.runs,
            "failed": s.failed,
            "failure_rate": round((s.ended > 0).then(|| s.failed as f64 / s.ended as f64)),
            "duration_mean_s": round(mean(&s.running)),
            "duration_p95_s": round(percentile(&s.running, 0.95)),
            "queued_mean_s": round(mean(&s.queued)),
            "running_mean_s": round(mean(&s.running)),
        })).collect::<Vec<_>>(),
    })
}

/// A terminal sparkline of values (oldest first).
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if hi > lo {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            } else {
                BARS[3]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_names_and_sparkline() {
        let v = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&v, 0.5), Some(3.0));
        assert_eq!(percentile(&v, 0.95), Some(5.0));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(mean(&v), Some(3.0));
        assert_eq!(pipeline_name("ночной #12"), "ночной");
        assert_eq!(pipeline_name("a #b"), "a #b");
        assert_eq!(sparkline(&[1.0, 8.0]), "▁█");
    }

    #[test]
    fn counts_rates_and_steps() {
        let dag = |id: &str| {
            json!({"Pipeline": {"value": json!({"s": {"job_id": id, "status": "completed"},
                                                 "c": {"job_id": "old", "status": "cached"}}).to_string()}})
        };
        let r1 = json!({"id": "r1", "name": "p #2", "status": "failed", "created": "2026-01-01T00:01:00+00:00",
            "started": "2026-01-01T00:01:00+00:00", "completed": "2026-01-01T00:01:10+00:00", "configuration": dag("t1")});
        let r2 = json!({"id": "r2", "name": "p", "status": "completed", "created": "2026-01-01T00:00:00+00:00",
            "started": "2026-01-01T00:00:00+00:00", "completed": "2026-01-01T00:00:20+00:00", "configuration": dag("t2")});
        let tasks = BTreeMap::from([
            (
                "t1".to_string(),
                json!({"status": "failed", "created": "2026-01-01T00:01:00+00:00",
                "started": "2026-01-01T00:01:02+00:00", "status_changed": "2026-01-01T00:01:05+00:00"}),
            ),
            (
                "t2".to_string(),
                json!({"status": "completed", "created": "2026-01-01T00:00:00+00:00",
                "started": "2026-01-01T00:00:04+00:00", "completed": "2026-01-01T00:00:10+00:00"}),
            ),
        ]);
        let s = pipeline_stats("p", "x", &[&r1, &r2], &tasks);
        assert_eq!(s["runs"], 2);
        assert_eq!(s["success_rate"], 0.5);
        assert_eq!(s["duration_mean_s"], 15.0);
        assert_eq!(s["last_run"]["id"], "r1");
        assert_eq!(s["most_failing_step"], "s");
        let st = &s["steps"][0];
        assert_eq!(st["runs"], 2);
        assert_eq!(st["failure_rate"], 0.5);
        assert_eq!(st["queued_mean_s"], 3.0);
        assert_eq!(st["running_mean_s"], 4.5);
        assert_eq!(s["steps"].as_array().unwrap().len(), 1);
    }
}
