//! The REST client: auth.login and token refresh, the {meta, data} envelope, typed
//! errors, retries, timeouts, TLS options, and a pager past the server's 500-item cap.
//! It never prints.

mod client;
pub mod error;
pub mod files;
mod listing;
pub mod lookup;
pub mod outage;
pub mod retry;
pub mod tls;
mod token;

pub use clearml_error::redact::{self, redact_urls};
pub use client::{Auth, Client, DEFAULT_REQUEST_TIMEOUT, Options};
pub use error::{
    ApiError, ApiFailure, ClientError, Kind, classify_transport, into_anyhow, kind_of, kind_of_one,
};

use clearml_config::TlsVerify;

/// What a successful `auth.login` tells about the server.
#[derive(Debug, Clone)]
pub struct VerifiedServer {
    /// `api_version` claim of the token.
    pub api_version: String,
    /// `server_version` claim of the token (may be empty on old servers).
    pub server_version: String,
}

/// Log in with the key pair (Basic auth on `auth.login`, no version prefix), as
/// clearml-init does. Errors carry exit codes: 3 unreachable / not an API server,
/// 4 credentials refused; the message never contains the secret.
pub async fn verify_credentials(
    api_host: &str,
    verify: &TlsVerify,
    access_key: &str,
    secret_key: &str,
    request_timeout: std::time::Duration,
) -> anyhow::Result<VerifiedServer> {
    let opts = Options {
        verify: verify.clone(),
        retries: 1,
        connect_timeout: std::time::Duration::from_secs(5).min(request_timeout),
        request_timeout,
        same_host_redirects: false,
    };
    let client = Client::new(
        api_host,
        Auth::Keys {
            access: access_key.to_string(),
            secret: secret_key.to_string(),
        },
        &opts,
    )?;
    let token = client.login().await.map_err(into_anyhow)?;
    Ok(VerifiedServer {
        api_version: token.claims.api_version,
        server_version: token.claims.server_version,
    })
}
