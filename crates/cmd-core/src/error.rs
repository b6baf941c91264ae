//! Exit codes at the surface: the one place an error chain becomes an [`Exit`]. Each
//! library crate raises its own error enum and knows nothing of exits; the commands raise
//! [`CliError`], which carries its exit. [`exit_of`] downcasts each of them (the binary adds
//! the built-in server's `ServeError` through [`exit_of_with`]).

pub use clearml_error::{CliError, Exit, one_line};

use crate::api::{ApiError, Kind};
use crate::config::ConfigError;
use crate::launch::LaunchError;
use crate::pipeline::PipelineError;
use crate::stack::StackError;
use crate::sync::SyncError;

/// The exit for any error chain: the outermost error that knows its exit decides (a
/// [`CliError`], or a library crate's error by what it is), else [`Exit::Failure`].
pub fn exit_of(err: &anyhow::Error) -> Exit {
    exit_of_with(err, |_| None)
}

/// [`exit_of`], also asking `above` about each error of the chain: the exits of a crate this
/// one does not depend on (the built-in server's, which the binary maps, so that touching the
/// server does not rebuild every command crate).
pub fn exit_of_with(
    err: &anyhow::Error,
    above: impl Fn(&(dyn std::error::Error + 'static)) -> Option<Exit>,
) -> Exit {
    err.chain()
        .find_map(|e| exit_of_one(e).or_else(|| above(e)))
        .unwrap_or(Exit::Failure)
}

/// The exit one error means (None: it is none of ours and does not decide).
fn exit_of_one(e: &(dyn std::error::Error + 'static)) -> Option<Exit> {
    if let Some(c) = e.downcast_ref::<CliError>() {
        return Some(c.exit);
    }
    if let Some(kind) = crate::api::kind_of_one(e) {
        return Some(exit_of_kind(kind));
    }
    // Every configuration error is the person's input to fix.
    if e.is::<ConfigError>() {
        return Some(Exit::Usage);
    }
    if let Some(l) = e.downcast_ref::<LaunchError>() {
        return Some(match l {
            LaunchError::Missing(_) => Exit::NotFound,
            LaunchError::Invalid(_) | LaunchError::BadArgs(_) => Exit::Usage,
            LaunchError::Git(_) => Exit::Failure,
        });
    }
    if let Some(s) = e.downcast_ref::<SyncError>() {
        return Some(match s {
            SyncError::Unusable(_) => Exit::Usage,
            SyncError::Missing(_) => Exit::NotFound,
            SyncError::Failed(_) => Exit::Failure,
        });
    }
    if let Some(s) = e.downcast_ref::<StackError>() {
        return Some(match s {
            StackError::Invalid(_) => Exit::Usage,
            StackError::Missing(_) => Exit::NotFound,
            StackError::Unreachable(_) => Exit::Unreachable,
            StackError::Failed(_) => Exit::Failure,
        });
    }
    if e.is::<PipelineError>() {
        return Some(Exit::Failure);
    }
    None
}

/// What the API client's kinds of failure mean for the process.
fn exit_of_kind(kind: Kind) -> Exit {
    match kind {
        Kind::Unreachable => Exit::Unreachable,
        Kind::AuthRefused => Exit::AuthRefused,
        Kind::NotFound => Exit::NotFound,
        Kind::BadInput => Exit::Usage,
        Kind::Failed => Exit::Failure,
    }
}

/// The [`ApiError`] in an error chain, for a caller that reacts to what the server said.
pub fn api_error_of(err: &anyhow::Error) -> Option<&ApiError> {
    err.chain().find_map(|e| e.downcast_ref::<ApiError>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;
    use anyhow::Context;

    #[test]
    fn exit_code_found_through_context() {
        let err =
            anyhow::Error::new(CliError::not_found("no task abc")).context("cannot show task");
        assert_eq!(exit_of(&err), Exit::NotFound);
        assert_eq!(one_line(&err), "cannot show task: no task abc");
    }

    #[test]
    fn a_stack_error_decides_the_exit_by_what_went_wrong() {
        let cases = [
            (
                StackError::usage("--port 'x': expected SERVICE=N"),
                Exit::Usage,
            ),
            (
                StackError::not_found("no data dir at /nowhere"),
                Exit::NotFound,
            ),
            (
                StackError::unreachable("cannot reach the Docker engine"),
                Exit::Unreachable,
            ),
            (StackError::failure("the stack is not ready"), Exit::Failure),
        ];
        for (e, exit) in cases {
            let err = anyhow::Error::new(e.with_hint("do this")).context("cannot go on");
            assert_eq!(exit_of(&err), exit);
        }
        let err =
            anyhow::Error::new(StackError::not_found("no backup «копия»").with_hint("name one"));
        assert_eq!(one_line(&err), "no backup «копия»: name one");
    }

    #[test]
    fn a_crate_above_decides_only_for_its_own_errors() {
        #[derive(Debug)]
        struct Above;
        impl std::fmt::Display for Above {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bad «данные»")
            }
        }
        impl std::error::Error for Above {}
        let above = |e: &(dyn std::error::Error + 'static)| e.is::<Above>().then_some(Exit::Usage);
        let err = anyhow::Error::new(Above).context("outer");
        assert_eq!(exit_of_with(&err, above), Exit::Usage);
        assert_eq!(exit_of(&err), Exit::Failure);
        // The outermost error that knows its exit decides, ours or the crate's above.
        let err = anyhow::Error::new(CliError::not_found("no task").caused_by(Above));
        assert_eq!(exit_of_with(&err, above), Exit::NotFound);
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
        let err = clearml_api::into_anyhow(api).context("cannot show task");
        assert_eq!(exit_of(&err), Exit::NotFound);
        assert!(api_error_of(&err).is_some());
        assert_eq!(
            one_line(&err),
            "cannot show task: tasks.get_by_id failed (400/101): Invalid task id"
        );
    }
}
