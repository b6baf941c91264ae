//! The `--json` shapes of `clearml server …`, documented in docs/json-output.md. Field
//! order is output order. The stack's own shapes are made in `stack/` (the layer that
//! produces them) and named here with the rest.

use serde::{Deserialize, Serialize};

pub use crate::stack::doctor::{Finding, Level};
pub use crate::stack::json::{ServiceStatus, StackStatus, Urls};

/// `server backup --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupDone {
    /// The archive written.
    pub file: std::path::PathBuf,
    pub bytes: u64,
    /// Files in the archive.
    pub files: usize,
    pub server_version: String,
    pub created: String,
}

/// `server ping --json`: one row per host, `api`, `web`, `files`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostRow {
    /// "api", "web" or "files".
    pub host: String,
    pub url: String,
    pub reachable: bool,
    /// Reachable and answering as that host should.
    pub ok: bool,
    /// The HTTP status of the answer.
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    /// From `server.info` (the api row only).
    pub server_version: Option<String>,
    pub api_version: Option<String>,
    pub error: Option<String>,
}

/// `server selftest --json`: one row per step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelftestStep {
    pub step: String,
    pub pass: bool,
    pub latency_ms: f64,
    pub detail: String,
}
