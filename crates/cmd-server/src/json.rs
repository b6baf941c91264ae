//! The `--json` shapes of `clearml server …`, documented in docs/json-output.md. Field
//! order is output order. The stack's own shapes are made in `stack/` (the layer that
//! produces them) and named here with the rest.

use serde::{Deserialize, Serialize};

pub use clearml_stack::doctor::{Finding, Level};
pub use clearml_stack::json::{ServiceStatus, StackStatus, Urls};

/// `server upgrade --json` (also with --dry-run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpgradeReport {
    /// The version the stack ran.
    pub from: String,
    pub to: String,
    /// The versions started in order, with every service's image.
    pub steps: Vec<clearml_stack::upgrade::Step>,
    /// The verified backup taken first (to be written, with --dry-run).
    pub backup: std::path::PathBuf,
    /// "planned" (--dry-run) or "upgraded"; a failed upgrade exits 1 with an error instead.
    pub result: String,
    /// Projects, tasks and models before and after; null when the API server's env holds
    /// no key pair to count with.
    pub counts_before: Option<clearml_stack::upgrade::Counts>,
    pub counts_after: Option<clearml_stack::upgrade::Counts>,
}

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
    /// Made with `--online` (the stack kept running; the databases are dumps).
    #[serde(default)]
    pub online: bool,
    /// Older archives of the series deleted by `--keep`.
    #[serde(default)]
    pub pruned: Vec<std::path::PathBuf>,
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

/// `server rehost --json` (also with `--dry-run`): one row per kind of link and project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RehostRow {
    /// `model` (a model's URI), `artifact` (a task artifact's URI), `debug_image`, `plot`
    /// (links inside a plot).
    pub kind: String,
    /// The project's full name (`""` for objects in no project).
    pub project: String,
    pub project_id: String,
    /// Links under `--from` found.
    pub links: usize,
    /// Whether they now point under `--to` (false with `--dry-run`, and for the links the
    /// API cannot edit).
    pub rewritten: bool,
}

/// `server usage --json`: the data dir's totals and the rows, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    pub data_dir: std::path::PathBuf,
    /// The space the data dir takes on disk (allocated blocks, as `du` counts them).
    pub disk_bytes: u64,
    /// The database with its WAL (events, tasks, models: everything but files).
    pub database_bytes: u64,
    /// Everything under the file server's folder.
    pub files_bytes: u64,
    /// The rest (credentials, logs, temp files).
    pub other_bytes: u64,
    pub rows: Vec<UsageRow>,
}

/// One project (`--by project`) or task (`--by task`) of `server usage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    /// The project's full name (`""`: files no task owns, or tasks in no project).
    pub project: String,
    pub project_id: String,
    /// With `--by task`: the task's name and id (`""` for files no task owns); else null.
    pub task: Option<String>,
    pub task_id: Option<String>,
    /// Files on the file server and their bytes.
    pub files: u64,
    pub file_bytes: u64,
    /// Events (scalars, logs, plots, debug images) and the bytes of their stored JSON.
    pub events: u64,
    pub event_bytes: u64,
    /// `file_bytes + event_bytes`: the order of the rows.
    pub total_bytes: u64,
}

/// `server users list --json`: one row per fixed user; the password itself never.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub username: String,
    /// The display name.
    pub name: String,
    /// How the password is stored: `bcrypt` (base64 of a bcrypt hash, `pass_hashed`),
    /// `plain text`, or `unusable` (pass_hashed is on but the value is no such hash).
    pub password: String,
    /// Why an `unusable` password cannot log in.
    pub problem: Option<String>,
}
