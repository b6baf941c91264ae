//! Why a sync, export or import stops; the command line decides the exit each means.

use clearml_error::Detail;

/// A sync, export or import that cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// An endpoint, a state file or an archive format this clearml cannot use as given.
    #[error("{0}")]
    Unusable(Detail),
    /// Something named is not there: the archive, a project, a file in the archive.
    #[error("{0}")]
    Missing(Detail),
    /// An archive damaged, refused or not writable here; a target that refused events.
    #[error("{0}")]
    Failed(Detail),
}

impl SyncError {
    pub(crate) fn unusable(message: impl Into<String>) -> Self {
        SyncError::Unusable(Detail::new(message))
    }
    pub(crate) fn missing(message: impl Into<String>) -> Self {
        SyncError::Missing(Detail::new(message))
    }
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        SyncError::Failed(Detail::new(message))
    }
    pub(crate) fn with_hint(self, hint: impl Into<String>) -> Self {
        match self {
            SyncError::Unusable(d) => SyncError::Unusable(d.with_hint(hint)),
            SyncError::Missing(d) => SyncError::Missing(d.with_hint(hint)),
            SyncError::Failed(d) => SyncError::Failed(d.with_hint(hint)),
        }
    }
}
