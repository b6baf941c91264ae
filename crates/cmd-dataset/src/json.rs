//! The `--json` shapes of `clearml dataset …`, documented in docs/json-output.md. Field
//! order is output order; values the server owns pass through as JSON values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `dataset list --json`: one per version (the latest of each name unless
/// `--all-versions`), by project and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRow {
    pub id: String,
    pub name: String,
    /// The user's project (without the hidden `.datasets` part).
    pub project: String,
    pub version: Option<String>,
    /// The task status: `in_progress` while written, `completed` once closed, `published`.
    pub status: String,
    pub tags: Vec<String>,
    /// Files and links in the version (with its parents' files).
    pub file_count: Option<u64>,
    /// Their total size in bytes.
    pub total_size: Option<u64>,
    pub created: Value,
    pub last_update: Value,
}

/// `dataset show --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetShow {
    #[serde(flatten)]
    pub row: DatasetRow,
    pub description: Value,
    /// Direct parent version ids.
    pub parents: Vec<String>,
    /// Counts against the parents' merged file lists.
    pub changes: ChangeCounts,
    /// This version's own chunk artifacts.
    pub chunks: Vec<Chunk>,
    /// Files waiting for upload (a version being written).
    pub pending: u64,
    /// Every file, with `--files`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<FileRow>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    /// Bytes added + the growth of modified files - bytes removed.
    pub size_change: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    pub name: String,
    pub url: Value,
    pub size: Value,
    pub sha256: Value,
}

/// One file of a version (`show --files`, `diff`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRow {
    pub path: String,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    /// The version that stores the file.
    pub version_id: Option<String>,
    /// The chunk artifact of that version holding it (`null` for a link).
    pub chunk: Option<String>,
    /// An external link's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// `dataset diff --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetDiff {
    pub from: String,
    pub to: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

/// `dataset get --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetGet {
    pub id: String,
    pub dir: String,
    pub files: u64,
    pub bytes: u64,
    /// Chunks downloaded by this run.
    pub chunks_downloaded: u64,
    /// Chunks whose files were already in DIR (an earlier, interrupted run).
    pub chunks_skipped: u64,
    /// Bytes of interrupted chunk downloads that were resumed rather than fetched again.
    pub resumed_bytes: u64,
    /// `--link`: DIR's files are symbolic links into the SDK's dataset cache.
    pub linked: bool,
}

/// `dataset verify --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetVerify {
    pub id: String,
    pub dir: String,
    pub files: u64,
    pub ok: bool,
    pub missing: Vec<String>,
    /// Size or sha256 differs.
    pub mismatched: Vec<String>,
}

/// `dataset create --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetCreated {
    pub id: String,
    pub name: String,
    pub project: String,
    pub version: String,
    pub parents: Vec<String>,
}

/// `dataset add|remove|sync|upload|close|publish --json`: what the command did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetChange {
    pub id: String,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    /// Files waiting for upload afterwards.
    pub pending: u64,
    /// Chunks uploaded by this command.
    pub chunks_uploaded: u64,
    pub status: String,
}

/// `dataset delete --json`: one per deleted version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetDeleted {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    /// Files removed from the file server (chunks, state).
    pub files_deleted: u64,
}

pub use crate::output::shape_value as to_value;
