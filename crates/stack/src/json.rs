//! The `--json` shapes of the stack commands (`server up`, `server status`), documented in
//! docs/json-output.md and re-exported by `commands::server::json` with the other server
//! shapes. Field order is output order.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `server up --json`: where the stack answers once ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Urls {
    pub web_server: Option<String>,
    pub api_server: Option<String>,
    pub files_server: Option<String>,
    pub server_version: Option<String>,
}

/// `server status --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackStatus {
    pub project: String,
    pub data_dir: PathBuf,
    /// From `server.info`, when the API answered.
    pub server_version: Option<String>,
    /// Every service's container exists and is ready.
    pub healthy: bool,
    pub services: Vec<ServiceStatus>,
}

/// One service of `server status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceStatus {
    pub service: String,
    pub container: String,
    /// The engine's state ("running", "exited", ...) or "missing".
    pub state: String,
    pub ready: bool,
    /// Why it is not ready.
    pub reason: Option<String>,
    pub restarts: i64,
    pub oom_killed: bool,
    pub exit_code: i64,
    pub image: String,
    /// `BIND:HOST->CONTAINER`
    pub ports: Vec<String>,
    pub uptime: Option<String>,
    pub started_at: Option<String>,
}
