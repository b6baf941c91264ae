//! The `--json` shapes of `credentials create|list|revoke`, documented in
//! docs/json-output.md. Field order is output order.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `credentials create --json`: the new pair and the hosts of the server that made it
/// (the same facts as the printed clearml.conf block). The only output that ever holds a
/// secret key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub access_key: String,
    pub secret_key: String,
    pub label: Option<String>,
    pub api_server: String,
    pub web_server: String,
    pub files_server: String,
}

/// `credentials list --json`: one per key pair of the user, as the server lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyRow {
    pub access_key: String,
    pub label: Value,
    /// When it last logged in (the server's time; `null` if never or not recorded).
    pub last_used: Value,
    /// From where it last logged in, when the server records it.
    pub last_used_from: Value,
    /// Whether it is the pair this command authenticated with.
    pub current: bool,
}

/// `credentials revoke --json` (also with `--dry-run`): one per key named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revoked {
    pub access_key: String,
    pub label: Value,
    /// False with `--dry-run`.
    pub revoked: bool,
}
