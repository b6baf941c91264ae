//! What can go wrong in the store. The services map these to API errors (`From<StoreError>
//! for ApiError` in the envelope); the store itself knows nothing of HTTP.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite's own error. Its message can quote SQL text, so it goes to the server log,
    /// never to a client.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A stored document that does not parse as JSON (a damaged database).
    #[error("{0}")]
    BadDocument(#[from] serde_json::Error),
    /// A document handed to `put` without a string `id`.
    #[error("document without id")]
    NoId,
    /// The data dir's database has a layout from a newer build.
    #[error(
        "{} was written by a newer clearml (database schema {found}; this build knows up to {known}): upgrade clearml, or give serve another --data-dir",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;
