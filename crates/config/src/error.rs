//! What can be wrong with the configuration a person gave. Every one is theirs to fix;
//! the command line decides what exit each means (src/error.rs), not this crate.

use std::path::Path;

/// A configuration the person gave that cannot be used as given.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A clearml.conf (or a file it includes) was refused unread or hit a reader bound:
    /// a device, a FIFO, too big, nested too deep.
    #[error("{0}")]
    Refused(String),
    /// A flag's value is malformed (`--api-host`).
    #[error("{flag}: {why}")]
    BadFlag { flag: &'static str, why: String },
    /// `--config FILE` names something that is not a file.
    #[error("--config {path}: {why}: {hint}")]
    ConfigFile {
        path: String,
        why: &'static str,
        hint: String,
    },
}

impl ConfigError {
    pub(crate) fn refused_file(path: &Path, why: impl std::fmt::Display) -> Self {
        ConfigError::Refused(format!("{}: {why}", path.display()))
    }
}
