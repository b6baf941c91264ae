//! Wire types shared by the API client (`api/`) and the built-in server (`serve/`), so a
//! field renamed in one place is renamed in both. Shapes follow the real clearml-server
//! (see shared/reference/real-server-responses/).

pub mod pipeline;
pub mod raw;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `path` percent-encoded for a URL, keeping `/` and the characters the SDK keeps.
pub fn quote_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(path, KEEP).to_string()
}

/// Highest API version the built-in server reports and the client asks for.
pub const API_VERSION: &str = "2.31";
/// The clearml-server release whose behaviour the built-in server follows.
pub const SERVER_VERSION: &str = "2.0.0";

/// Task statuses of the server schema (`task_status_enum`).
pub const TASK_STATUSES: [&str; 10] = [
    "created",
    "queued",
    "in_progress",
    "stopped",
    "completed",
    "failed",
    "published",
    "publishing",
    "closed",
    "unknown",
];

/// Task types of the server schema (`task_type_enum`).
pub const TASK_TYPES: [&str; 11] = [
    "training",
    "testing",
    "inference",
    "data_processing",
    "application",
    "monitor",
    "controller",
    "optimizer",
    "service",
    "qc",
    "custom",
];

/// `meta.endpoint` of the response envelope.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EndpointMeta {
    pub name: String,
    #[serde(default)]
    pub requested_version: Value,
    #[serde(default)]
    pub actual_version: Value,
}

/// `meta` of the `{meta, data}` envelope.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub trx: String,
    #[serde(default)]
    pub endpoint: EndpointMeta,
    pub result_code: u16,
    #[serde(default)]
    pub result_subcode: u32,
    #[serde(default)]
    pub result_msg: String,
    #[serde(default)]
    pub error_stack: Option<Value>,
    #[serde(default)]
    pub error_data: Value,
}

/// The response envelope every API endpoint answers with; a client may read `data` as
/// something other than a value (JSON text read in place, for a long listing).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<D = Value> {
    pub meta: Meta,
    #[serde(default)]
    pub data: D,
}

/// The JWT claims the server signs and clients decode (without verifying) to learn the
/// API level and expiry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenClaims {
    pub identity: Identity,
    pub iat: i64,
    pub exp: i64,
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub server_version: String,
    #[serde(default)]
    pub feature_set: String,
    #[serde(default)]
    pub env: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    pub user: String,
    pub company: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub company_name: String,
}
