//! What starting or administering the built-in server raises outside a request: its own
//! error, with no exit code (the binary maps it to one, in `src/main.rs`, beside the command
//! core's `error::exit_of`).

use clearml_error::Detail;

/// The built-in server cannot start, or an admin operation on its data cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// An option or an argument it cannot use as given.
    #[error("{0}")]
    Invalid(Detail),
    /// The data folder is locked, unreadable or from a newer version.
    #[error("{0}")]
    Failed(Detail),
}

impl ServeError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        ServeError::Invalid(Detail::new(message))
    }
    pub(crate) fn failure(message: impl Into<String>) -> Self {
        ServeError::Failed(Detail::new(message))
    }
    pub(crate) fn with_hint(self, hint: impl Into<String>) -> Self {
        match self {
            ServeError::Invalid(d) => ServeError::Invalid(d.with_hint(hint)),
            ServeError::Failed(d) => ServeError::Failed(d.with_hint(hint)),
        }
    }
}
