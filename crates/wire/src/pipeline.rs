//! How pipelines are stored on the server, as the SDK stores them: runs under
//! `PROJECT/.pipelines/NAME`, the DAG as the controller's `Pipeline` configuration, and
//! the status words the pipeline views use. Shared by `clearml-pipeline` and the web UI.

use serde_json::Value;

/// The hidden sub-project under which a pipeline's runs live (`P/.pipelines/NAME`).
pub const PIPELINES_DIR: &str = ".pipelines";

/// The project a pipeline belongs to: `P/.pipelines/NAME` -> `P` (where the SDK and we
/// keep a pipeline's runs).
pub fn owner_project(full: &str) -> String {
    match full.rsplit_once(&format!("/{}/", PIPELINES_DIR)) {
        Some((p, _)) => p.to_string(),
        None => full.to_string(),
    }
}

/// A step's status as the pipeline views show it: the DAG's own word for steps that ran
/// nothing (cached, skipped) or have no task yet, else its task's status in pipeline terms.
pub fn step_status<'a>(dag_status: &'a str, task_status: Option<&str>) -> &'a str {
    match (dag_status, task_status) {
        ("cached" | "skipped", _) | (_, None) => dag_status,
        (_, Some("queued" | "created")) => "queued",
        (_, Some("in_progress")) => "running",
        (_, Some("completed" | "published" | "closed")) => "completed",
        (_, Some("failed")) => "failed",
        (_, Some("stopped")) => "aborted",
        (_, Some(_)) => dag_status,
    }
}

/// The DAG stored on a controller (its `Pipeline` configuration), by step name; empty
/// when it has none or it does not parse.
pub fn dag_of(run: &Value) -> serde_json::Map<String, Value> {
    run["configuration"]["Pipeline"]["value"]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}
