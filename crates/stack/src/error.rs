//! What the stack raises: its own error, saying what went wrong and nothing about exit
//! codes (the command line maps it to one, in `clearml-cmd-core`'s `error.rs`).

use clearml_error::Detail;

/// A stack operation that cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// A flag, a stack file, a name or a password this stack cannot use as given.
    #[error("{0}")]
    Invalid(Detail),
    /// Something named is not there: a backup, a container, a user.
    #[error("{0}")]
    Missing(Detail),
    /// The Docker engine or a service of the stack does not answer.
    #[error("{0}")]
    Unreachable(Detail),
    /// Anything else: a container that failed, a backup that cannot be written.
    #[error("{0}")]
    Failed(Detail),
}

impl StackError {
    pub fn usage(message: impl Into<String>) -> Self {
        StackError::Invalid(Detail::new(message))
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        StackError::Missing(Detail::new(message))
    }
    pub fn unreachable(message: impl Into<String>) -> Self {
        StackError::Unreachable(Detail::new(message))
    }
    pub fn failure(message: impl Into<String>) -> Self {
        StackError::Failed(Detail::new(message))
    }
    /// The message and hint, whatever went wrong.
    pub fn detail(&self) -> &Detail {
        match self {
            StackError::Invalid(d)
            | StackError::Missing(d)
            | StackError::Unreachable(d)
            | StackError::Failed(d) => d,
        }
    }
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        match self {
            StackError::Invalid(d) => StackError::Invalid(d.with_hint(hint)),
            StackError::Missing(d) => StackError::Missing(d.with_hint(hint)),
            StackError::Unreachable(d) => StackError::Unreachable(d.with_hint(hint)),
            StackError::Failed(d) => StackError::Failed(d.with_hint(hint)),
        }
    }
}
