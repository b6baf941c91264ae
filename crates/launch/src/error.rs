//! Why a script cannot become a task; the command line decides the exit each means.

/// A script, its requirements or its options that cannot make a task.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The script or the requirements file cannot be read.
    #[error("{0}")]
    Missing(String),
    /// What was asked for does not fit (not a file, `--cwd` outside the repository...).
    #[error("{0}")]
    Invalid(String),
    /// An `--args` entry that is not `name=value`.
    #[error("bad --args '{0}': write name=value")]
    BadArgs(String),
    /// git could not be started.
    #[error("cannot run git: {0}")]
    Git(String),
}

impl LaunchError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        LaunchError::Invalid(message.into())
    }
}
