//! The `--json` shapes of `queue list` and `worker list`, documented in
//! docs/json-output.md. Field order is output order.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `queue list --json`: one per queue, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: String,
    pub name: Value,
    /// Tasks waiting in it.
    pub pending: usize,
    /// Ids of the workers listening to it.
    pub workers: Vec<String>,
    /// The server's default queue.
    pub default: bool,
}

/// `worker list --json`: one per registered worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerRow {
    pub id: Value,
    /// Names of the queues it listens to.
    pub queues: Vec<String>,
    /// The id of the task it runs.
    pub task: Option<String>,
    pub last_seen: Value,
}
