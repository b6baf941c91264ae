//! The `--json` shapes of `clearml task …`, documented in docs/json-output.md. Field order
//! is output order; values the server owns (names, times, statuses) pass through as JSON
//! values, so a field the server lacks prints `null` exactly as it did.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `task list --json`: one object per task: `id`, then one key per plain column shown,
/// then `metrics` and `params` when such columns were asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRow {
    pub id: Value,
    /// Plain columns by key (`name`, `project`, `status`, `last_update`, ...).
    #[serde(flatten)]
    pub columns: Map<String, Value>,
    /// `metric:Title/Series` columns: `"Title/Series"` -> its values, null without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Map<String, Value>>,
    /// `param:Section/name` columns: `"Section/name"` -> the value (a string), or null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
}

impl TaskRow {
    /// The row as the JSON value its `Serialize` gives (`id`, the columns in order, then
    /// `metrics` and `params` when present), built by moving the values rather than
    /// serializing copies of them: `task list --all` makes one per task.
    pub fn into_value(self) -> Value {
        let mut m = Map::with_capacity(self.columns.len() + 3);
        m.insert("id".into(), self.id);
        m.extend(self.columns);
        if let Some(metrics) = self.metrics {
            m.insert("metrics".into(), Value::Object(metrics));
        }
        if let Some(params) = self.params {
            m.insert("params".into(), Value::Object(params));
        }
        Value::Object(m)
    }
}

/// The value of a `metric:` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValues {
    pub last: Value,
    pub min: Value,
    pub max: Value,
}

/// `task show --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskShow {
    pub id: Value,
    pub name: Value,
    pub status: Value,
    pub status_message: Value,
    pub status_reason: Value,
    #[serde(rename = "type")]
    pub task_type: Value,
    pub comment: Value,
    pub project: IdName,
    pub user: IdName,
    pub created: Value,
    pub started: Value,
    pub completed: Value,
    pub last_update: Value,
    pub parent: Option<String>,
    pub queue: Option<String>,
    pub last_iteration: Value,
    pub tags: Value,
    /// `"Section/name"` -> value.
    pub params: Map<String, Value>,
    /// The names of the configuration objects.
    pub configuration: Vec<String>,
    pub metrics: Vec<Metric>,
    pub artifacts: Vec<Artifact>,
    pub models: Models,
}

/// A referenced object (project, user): its id, and its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdName {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// One scalar series of `task show`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub title: Value,
    pub series: Value,
    pub last: Value,
    pub min: Value,
    pub max: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub key: Value,
    #[serde(rename = "type")]
    pub artifact_type: Value,
    pub mode: Value,
    pub uri: Value,
    pub size: Value,
    pub hash: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Models {
    pub input: Vec<ModelEntry>,
    pub output: Vec<ModelEntry>,
}

/// A task's input or output model: the task's entry name, the model id, and the model's
/// own name (looked up; absent only when the task has no models at all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    pub name: Value,
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<Value>,
}

/// `task compare --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub tasks: Vec<ComparedTask>,
    pub rows: Vec<ComparedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparedTask {
    pub id: Value,
    pub name: Value,
    pub project: Option<String>,
    pub status: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparedRow {
    /// "param" or "metric".
    pub kind: String,
    pub key: String,
    /// For metrics: "last", "min" or "max".
    pub stat: Option<String>,
    /// Task id -> value (null when the task lacks it).
    pub values: Map<String, Value>,
    /// The id of the best task, on rows where a direction is known and tasks differ.
    pub best: Option<String>,
    pub differs: bool,
}

/// `task wait --json`: the final table, one per task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitedTask {
    pub id: Value,
    pub name: Value,
    pub status: Value,
    pub status_reason: Value,
}

/// What `task wait --notify URL` POSTs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitSummary {
    /// Always "clearml.task.wait".
    pub event: String,
    pub all_completed: bool,
    pub timed_out: bool,
    pub waited_seconds: f64,
    pub tasks: Vec<SummaryTask>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryTask {
    pub id: Value,
    pub name: Value,
    pub status: Value,
    pub status_reason: Value,
    pub status_message: Value,
    /// The project's name; null for a task without one.
    pub project: Option<String>,
}

/// `task enqueue|dequeue|abort|reset|archive|unarchive|publish|delete|tag|move --json`:
/// one object per selected task, in selection order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    pub id: String,
    pub name: String,
    /// The task's status after the action (before it, for `planned` and `refused`).
    pub status: Value,
    /// `done`; `requested` (abort of a task an agent runs: the agent stops it);
    /// `refused` (see `reason`); `planned` (--dry-run).
    pub outcome: String,
    /// The server's reason for a refusal; null otherwise.
    pub reason: Option<String>,
}

/// `task clone --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloneResult {
    pub id: String,
    pub name: String,
    /// The task it was cloned from.
    pub parent: String,
    pub project: Option<String>,
    /// The queue it was enqueued in (its id), or null.
    pub queue: Option<String>,
}

/// `task launch --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchResult {
    /// The new task's id (null with --dry-run).
    pub id: Option<String>,
    pub name: String,
    pub project: String,
    /// The remote URL (credentials removed), or "" when the script's text was sent.
    pub repository: String,
    pub branch: String,
    pub commit: String,
    pub working_dir: String,
    pub entry_point: String,
    /// Bytes of the diff (uncommitted changes, or the script's text).
    pub diff_bytes: usize,
    /// The queue it was enqueued in (its id), or null for a draft.
    pub queue: Option<String>,
    pub warnings: Vec<String>,
    /// With --dry-run: the `tasks.create` request that would be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
}

/// `task edit --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditResult {
    pub id: String,
    /// What was changed: `params`, `name`, `comment`, `tags`.
    pub changed: Vec<String>,
}

/// `task logs --json`: one object per log event, one per line (JSON Lines, so `-f` can
/// stream them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Epoch milliseconds (UTC), as the server stores it.
    pub timestamp: i64,
    pub level: String,
    pub worker: Option<String>,
    /// The text as reported (may hold several lines).
    pub msg: String,
}

/// A typed shape as the JSON value the output layer prints.
pub use crate::output::shape_value as to_value;
