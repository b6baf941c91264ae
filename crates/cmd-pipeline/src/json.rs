//! The `--json` shapes of `clearml pipeline …`, documented in docs/json-output.md. Field
//! order is output order; values the server owns pass through as JSON values.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `pipeline run --dry-run --json`: the checked file and what each step would run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub name: String,
    pub project: String,
    pub version: Option<String>,
    pub default_queue: Option<String>,
    /// Pipeline parameter -> default value.
    pub parameters: Map<String, Value>,
    /// In launch order.
    pub steps: Vec<PlannedStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStep {
    pub name: String,
    pub parents: Vec<String>,
    pub base_task_id: Value,
    pub base_task_name: Value,
    pub queue: String,
    /// Parameter -> value, as far as known before the run (`${…}` references kept).
    pub parameters: Map<String, Value>,
    pub time_limit_s: Option<u64>,
    pub retry_on_failure: u32,
    pub continue_on_fail: bool,
    pub cache_executed_step: bool,
}

/// `pipeline run --json` (printed at the end, and POSTed to `--notify`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Always "clearml.pipeline.run".
    pub event: String,
    /// The controller task's id.
    pub id: String,
    /// The run's name (`NAME #N`).
    pub name: String,
    pub pipeline: String,
    pub project: String,
    pub version: String,
    /// "completed", "failed", "aborted" (or another outcome).
    pub status: String,
    pub duration_s: f64,
    /// The steps that failed (after their retries), in launch order.
    pub failed_steps: Vec<String>,
    /// The run's page in the web UI.
    pub url: String,
    pub steps: Vec<StepState>,
}

/// A step of a run as `pipeline run` saw it last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    pub name: String,
    pub status: String,
    pub task_id: Option<String>,
    pub queue: String,
    pub worker: Option<String>,
    pub attempts: u32,
    pub duration_s: Option<f64>,
}

/// `pipeline status --json`: one run as the server holds it (ours or the SDK's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: Value,
    pub name: Value,
    pub status: Value,
    /// The project the pipeline belongs to (not its hidden `.pipelines` subproject).
    pub project: String,
    pub version: Option<String>,
    pub started: Value,
    /// null while the run goes on.
    pub completed: Value,
    pub duration_s: Option<f64>,
    pub steps: Vec<ViewedStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewedStep {
    pub name: String,
    pub status: String,
    pub task_id: Value,
    pub parents: Value,
    pub queue: Value,
    pub worker: Option<String>,
    pub duration_s: Option<f64>,
}

/// `pipeline list --json`: one per run, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: Value,
    pub name: Value,
    pub project: String,
    pub status: Value,
    pub started: Value,
    pub completed: Value,
    pub duration_s: Option<f64>,
    pub steps_done: usize,
    pub steps_total: usize,
    pub version: Value,
}

/// A typed shape as the JSON value the output layer prints.
pub use crate::output::shape_value as to_value;

/// `pipeline schedule --dry-run --json`: the schedule and its next five fire times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleDryRun {
    pub pipeline: String,
    pub project: String,
    pub cron: String,
    /// IANA name (`UTC` unless `--tz` says otherwise).
    pub timezone: String,
    /// RFC 3339, UTC, seconds.
    pub next: Vec<String>,
}
