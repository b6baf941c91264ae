//! Error kinds, their exit codes, and the one-line message (with a hint) a person sees;
//! the lowest crate, which every other one reports its failures through.
//!
//! Code everywhere returns `anyhow::Result`. Each library crate raises its own error enum
//! (most carry a [`Detail`]: message and hint); the commands raise [`CliError`], which
//! carries its exit. The binary's `error::exit_of` is the one place that turns a chain
//! into an [`Exit`], by downcasting each crate's enum (callers never compare exit numbers).

pub mod redact;

pub use redact::redact_urls;

use std::fmt;

/// Documented exit codes (README, `clearml --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Failure = 1,
    Usage = 2,
    Unreachable = 3,
    AuthRefused = 4,
    NotFound = 5,
    WaitedTaskFailed = 6,
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// An error that carries its exit code and an optional hint ("what to do").
#[derive(Debug, thiserror::Error)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
    /// The typed error this one reports (an [`ApiError`]), kept so the chain stays typed;
    /// its text is part of `message`, so [`one_line`] does not repeat it.
    #[source]
    pub cause: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
            cause: None,
        }
    }
    /// This error reports `cause` (kept in the chain for callers that look for it).
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(Exit::Unreachable, message)
    }
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(Exit::AuthRefused, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Exit::NotFound, message)
    }
}

/// A message and, optionally, what to do about it: the payload of the library crates'
/// error variants, shown as `message: hint` (as [`CliError`] shows its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub message: String,
    pub hint: Option<String>,
}

impl Detail {
    pub fn new(message: impl Into<String>) -> Self {
        Detail {
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

/// One line for stderr: the outermost context, then the causes, joined with ": ".
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    // Whatever the cause, a password in a URL (http://u:PW@host) is never printed.
    crate::redact_urls(&parts.join(": ").replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_the_context_and_the_cause() {
        let err =
            anyhow::Error::new(CliError::not_found("no task abc")).context("cannot show task");
        assert_eq!(one_line(&err), "cannot show task: no task abc");
    }

    #[test]
    fn hint_is_appended() {
        let e = CliError::unreachable("cannot reach http://h:8008 (connection refused)")
            .with_hint("is the server up? try 'clearml server ping'");
        assert_eq!(
            e.to_string(),
            "cannot reach http://h:8008 (connection refused): is the server up? try 'clearml server ping'"
        );
    }
}
