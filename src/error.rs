//! Error kinds, their exit codes, and the one-line message (with a hint) a person sees.
//!
//! Code everywhere returns `anyhow::Result`; a failure that should map to a specific exit
//! code is raised as a [`CliError`] or an [`ApiError`] somewhere in the anyhow chain, and
//! [`exit_of`] is the one place that turns a chain into an [`Exit`] (callers never compare
//! exit numbers).

use crate::api::ApiError;

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

/// The exit for any error chain: the outermost error that knows its exit decides (a
/// [`CliError`], or an [`ApiError`] by what the server answered), else [`Exit::Failure`].
pub fn exit_of(err: &anyhow::Error) -> Exit {
    err.chain()
        .find_map(|e| {
            e.downcast_ref::<CliError>()
                .map(|c| c.exit)
                .or_else(|| e.downcast_ref::<ApiError>().map(ApiError::exit))
        })
        .unwrap_or(Exit::Failure)
}

/// The [`ApiError`] in an error chain, for a caller that reacts to what the server said.
pub fn api_error_of(err: &anyhow::Error) -> Option<&ApiError> {
    err.chain().find_map(|e| e.downcast_ref::<ApiError>())
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
    crate::api::redact_urls(&parts.join(": ").replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn exit_code_found_through_context() {
        let err =
            anyhow::Error::new(CliError::not_found("no task abc")).context("cannot show task");
        assert_eq!(exit_of(&err), Exit::NotFound);
        assert_eq!(one_line(&err), "cannot show task: no task abc");
    }

    #[test]
    fn plain_errors_exit_1() {
        let err: anyhow::Result<()> = Err(anyhow::anyhow!("boom")).context("outer");
        assert_eq!(exit_of(&err.unwrap_err()), Exit::Failure);
    }

    #[test]
    fn an_api_error_decides_the_exit_from_anywhere_in_the_chain() {
        let api = ApiError::Server {
            endpoint: "tasks.get_by_id".into(),
            result_code: 400,
            subcode: 101,
            message: "Invalid task id".into(),
        };
        let err = anyhow::Error::new(api.clone()).context("cannot show task");
        assert_eq!(exit_of(&err), Exit::NotFound);
        assert_eq!(
            api_error_of(&err).and_then(ApiError::codes),
            Some((400, 101))
        );
        // As the CLI reports it: the hint-bearing CliError first, the ApiError behind it.
        let err = crate::api::into_anyhow(api).context("cannot show task");
        assert_eq!(exit_of(&err), Exit::NotFound);
        assert!(api_error_of(&err).is_some());
        assert_eq!(
            one_line(&err),
            "cannot show task: tasks.get_by_id failed (400/101): Invalid task id"
        );
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
