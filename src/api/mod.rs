//! The REST client: auth.login and token refresh, the {meta, data} envelope, typed
//! errors, retries, timeouts, TLS options, and a pager past the server's 500-item cap.
//! It never prints.
//!
//! (Skeleton: the client work fills it in; the signatures below are the contract the
//! `init` wizard and `server ping` build on.)

use crate::config::TlsVerify;

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
) -> anyhow::Result<VerifiedServer> {
    let _ = (api_host, verify, access_key, secret_key);
    anyhow::bail!("credential verification is not implemented yet")
}
