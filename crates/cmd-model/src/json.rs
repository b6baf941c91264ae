//! The `--json` shapes of `clearml model …`, documented in docs/json-output.md. Field
//! order is output order; values the server owns pass through as JSON values.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `model list --json`: one per model, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    pub id: Value,
    pub name: Value,
    /// The project's name.
    pub project: Option<String>,
    pub framework: Value,
    /// "published" or "draft".
    pub status: String,
    pub ready: bool,
    /// The task that made the model, when it names one.
    pub task: Option<TaskRef>,
    pub tags: Vec<String>,
    pub created: Value,
    pub uri: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRef {
    pub id: Option<String>,
    pub name: String,
}

/// `model show --json`: the list row, then the details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelShow {
    #[serde(flatten)]
    pub row: ModelRow,
    pub comment: Value,
    /// Label name -> integer.
    pub labels: Value,
    pub last_update: Value,
    /// The user's name.
    pub user: Option<String>,
    pub parent: Value,
    /// Key -> value (`model publish` stores `sha256` and `size`).
    pub metadata: Map<String, Value>,
}

/// A typed shape as the JSON value the output layer prints.
pub use crate::output::shape_value as to_value;
