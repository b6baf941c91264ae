//! Error kinds and exit codes at the surface: the kinds live in `clearml-error` (every
//! crate reports through them), the mapping of an error chain to an exit code next to the
//! API client's own error (`clearml_api::exit_of`); the commands use them from here.

pub use clearml_api::{api_error_of, exit_of};
pub use clearml_error::{CliError, Exit, one_line};

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
