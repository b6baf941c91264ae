//! The `{meta, data}` envelope and the real server's error codes.

use super::store::StoreError;
use clearml_wire::{EndpointMeta, Envelope, Meta};
use serde_json::{Value, json};

/// An API error: HTTP status (= `meta.result_code`), subcode and message, as the real
/// server's `apierrors` produce them.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub subcode: u32,
    pub msg: String,
    pub data: Value,
}

pub type ApiResult = Result<Value, ApiError>;

impl ApiError {
    pub fn new(code: u16, subcode: u32, msg: impl Into<String>) -> Self {
        ApiError {
            code,
            subcode,
            msg: msg.into(),
            data: json!({}),
        }
    }
    pub fn missing_credentials() -> Self {
        Self::new(401, 20, "Unauthorized (missing credentials)")
    }
    pub fn bad_auth_header() -> Self {
        Self::new(401, 21, "Unauthorized (invalid authentication header)")
    }
    pub fn invalid_credentials() -> Self {
        Self::new(
            401,
            22,
            "Unauthorized (invalid credentials) (failed to locate provided credentials)",
        )
    }
    pub fn invalid_token(why: &str) -> Self {
        Self::new(401, 30, format!("Invalid token ({why})"))
    }
    pub fn validation(msg: impl Into<String>) -> Self {
        Self::new(400, 12, format!("Validation error ({})", msg.into()))
    }
    pub fn missing_field(field: &str) -> Self {
        // The real server reports a missing field as a validation error (12), not as 11.
        Self::validation(format!("error for field '{field}'. field is required!"))
    }
    /// A name under the schema's 3-character minimum (models, tasks): 400/800.
    pub fn too_short(field: &str) -> Self {
        Self::new(
            400,
            800,
            format!("Data validation error: {field}=String value is too short"),
        )
    }
    pub fn invalid_task(id: &str) -> Self {
        Self::new(400, 101, format!("Invalid task id: id={id}"))
    }
    pub fn invalid_model(id: &str) -> Self {
        Self::new(400, 201, format!("Invalid model id: id={id}"))
    }
    pub fn invalid_project(id: &str) -> Self {
        Self::new(400, 401, format!("Invalid project id: id={id}"))
    }
    pub fn invalid_queue(id: &str) -> Self {
        Self::new(400, 701, format!("Invalid queue id: id={id}"))
    }
    pub fn invalid_status(msg: impl Into<String>) -> Self {
        Self::new(400, 110, format!("Invalid task status ({})", msg.into()))
    }
    pub fn internal(msg: impl std::fmt::Display) -> Self {
        Self::new(500, 0, format!("General data error ({msg})"))
    }
    pub fn not_found_endpoint(name: &str, version: &str) -> Self {
        Self::new(
            404,
            0,
            format!("Unable to find endpoint for name {name} and version {version}"),
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} {}", self.code, self.subcode, self.msg)
    }
}

impl std::error::Error for ApiError {}

/// SQLite's messages can quote the SQL text (the schema, a client's field names): they go
/// to the server log only, never to the client.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sqlite(e) => {
                tracing::error!("database error: {e}");
                ApiError::internal("database error; the server log has the details")
            }
            other => ApiError::internal(other),
        }
    }
}

/// Build the envelope for a call result; `actual_version` is the version of the
/// implementation that answered (`None` when no endpoint was found).
pub fn envelope(
    endpoint: &str,
    requested_version: &str,
    actual_version: Option<String>,
    result: ApiResult,
) -> Envelope {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (code, subcode, msg, error_data, data, error_stack) = match result {
        Ok(v) => (
            200,
            0,
            "OK".to_string(),
            json!({}),
            // Moved, not copied: a page of 500 tasks was cloned whole here, then dropped.
            v,
            // The real server sends null here unless it runs in debug mode.
            None,
        ),
        Err(e) => (e.code, e.subcode, e.msg, e.data, json!({}), None),
    };
    Envelope {
        meta: Meta {
            id: id.clone(),
            trx: id,
            endpoint: EndpointMeta {
                name: endpoint.to_string(),
                requested_version: json!(requested_version),
                actual_version: actual_version.map_or(Value::Null, Value::String),
            },
            result_code: code,
            result_subcode: subcode,
            result_msg: msg,
            error_stack,
            error_data,
        },
        data,
    }
}

/// The top-level key under which a handler's result is a file to send as is, not JSON
/// data (a NUL no client-sent key reaches the top level with).
const RAW_KEY: &str = "\0raw";

/// A result the router sends as a `filename` attachment of `content_type`, not an envelope.
pub fn raw_reply(content_type: &str, filename: &str, text: String) -> Value {
    serde_json::json!({ RAW_KEY: {"content_type": content_type, "filename": filename, "text": text} })
}

/// A file reply: content type, file name, body.
pub struct RawReply {
    pub content_type: String,
    pub filename: String,
    pub text: String,
}

/// Take the file out of a `raw_reply` result.
pub fn take_raw(result: &mut ApiResult) -> Option<RawReply> {
    let Ok(Value::Object(m)) = result else {
        return None;
    };
    let mut raw = m.remove(RAW_KEY)?;
    let mut field = |k: &str| match raw.get_mut(k).map(Value::take) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    Some(RawReply {
        content_type: field("content_type"),
        filename: field("filename"),
        text: field("text"),
    })
}
