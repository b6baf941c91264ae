//! The `--json` shape of `clearml cleanup`, documented in docs/json-output.md.

use serde::{Deserialize, Serialize};

/// `cleanup --json` (also with --dry-run: then nothing was deleted and the counts say what
/// would be).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanupReport {
    pub dry_run: bool,
    pub tasks_deleted: usize,
    pub models_deleted: usize,
    pub files_deleted: usize,
    /// Bytes of the deleted files (those whose size the server knew).
    pub bytes_freed: u64,
    /// Every selected task and what happened to it.
    pub tasks: Vec<CleanedTask>,
    /// Models and files left alone, with why.
    pub kept: Vec<Kept>,
    /// Files the file server could not delete.
    pub failed_files: Vec<FailedFile>,
    /// With --models: every selected archived model and what happened to it.
    #[serde(default)]
    pub models: Vec<CleanedModel>,
    /// With --orphans: every file of the folder that nothing refers to.
    #[serde(default)]
    pub orphans: Vec<OrphanFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanedModel {
    pub id: String,
    pub name: String,
    pub project: Option<String>,
    pub uri: Option<String>,
    /// `deleted`, `planned` (--dry-run), `kept` or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
}

/// A file in the file server's folder that no task or model refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrphanFile {
    /// Relative to the file server's root (as in its URLs, unquoted).
    pub path: String,
    pub url: String,
    pub bytes: u64,
    /// `deleted`, `planned` (--dry-run) or `failed` (then in failed_files too).
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanedTask {
    pub id: String,
    pub name: String,
    pub status: String,
    pub project: Option<String>,
    /// `deleted`, `planned` (--dry-run), `kept` or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// `task`, `model` or `file`.
    pub kind: String,
    /// The id (task, model) or URL (file).
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedFile {
    pub url: String,
    pub reason: String,
}
