//! The API port: `/{service}.{action}` and `/v{X.Y}/{service}.{action}` on any method,
//! query-string fields merged into the JSON body, JSON-lines batches, authentication, and
//! the envelope. Handlers run on a blocking thread (SQLite work stays off the async workers).

use super::auth::{AuthHeader, parse_authorization};
use super::envelope::{ApiError, envelope};
use super::services;
use super::{AppState, Call};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Instant;

/// Endpoints callable without credentials.
const OPEN_ENDPOINTS: &[&str] = &["debug.ping", "server.info", "login.supported_modes"];

/// Split a request path into (endpoint name, requested version).
pub fn parse_path(path: &str) -> Option<(String, Option<String>)> {
    let trimmed = path.trim_matches('/');
    let (version, rest) = match trimmed.split_once('/') {
        Some((v, rest)) if v.starts_with('v') && v[1..].parse::<f64>().is_ok() => {
            (Some(v[1..].to_string()), rest)
        }
        Some(_) => return None,
        None => (None, trimmed),
    };
    let (service, action) = rest.split_once('.')?;
    let ident = |s: &str| {
        s.len() >= 2
            && s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    (ident(service) && ident(action)).then(|| (format!("{service}.{action}"), version))
}

/// Query-string value conversion as the real server does: digits become numbers,
/// true/false become booleans.
fn qs_value(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return json!(i);
    }
    if let Ok(f) = s.parse::<f64>()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return json!(f);
    }
    match s {
        "true" | "True" | "TRUE" => json!(true),
        "false" | "False" | "FALSE" => json!(false),
        _ => json!(s),
    }
}

/// Merge `a=1&b[]=x&b[]=y&c.d=2` into the body.
pub fn merge_query(body: &mut Map<String, Value>, query: &str) {
    let mut lists: Map<String, Value> = Map::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let (key, force_list) = match k.strip_suffix("[]") {
            Some(base) => (base.to_string(), true),
            None => (k.to_string(), false),
        };
        let value = qs_value(&v);
        match lists.get_mut(&key) {
            Some(Value::Array(a)) => a.push(value),
            Some(existing) => {
                let prev = existing.take();
                *existing = json!([prev, value]);
            }
            None => {
                lists.insert(key, if force_list { json!([value]) } else { value });
            }
        }
    }
    for (key, value) in lists {
        let parts: Vec<&str> = key.split('.').collect();
        let mut cur = &mut *body;
        for (i, p) in parts.iter().enumerate() {
            if i == parts.len() - 1 {
                cur.insert(p.to_string(), value);
                break;
            }
            let next = cur.entry(p.to_string()).or_insert_with(|| json!({}));
            if !next.is_object() {
                *next = json!({});
            }
            cur = next.as_object_mut().expect("object");
        }
    }
}

/// Python's `json.dumps` writes `NaN`, `Infinity` and `-Infinity` (e.g. a NaN loss); the
/// real server (Python) reads them. Turn those bare tokens (outside strings) into `null`.
fn non_finite_to_null(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        let token = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        match token {
            Some(t) => {
                out.push_str("null");
                rest = &rest[t.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Parse a request body: a JSON object, or JSON lines (batch).
fn parse_body(bytes: &[u8]) -> Result<(Value, Option<Vec<Value>>), ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::validation("body is not UTF-8"))?;
    let sanitized;
    let text = if text.contains("NaN") || text.contains("Infinity") {
        sanitized = non_finite_to_null(text);
        sanitized.as_str()
    } else {
        text
    };
    if text.trim().is_empty() {
        return Ok((json!({}), None));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok((json!({}), Some(items))),
        Ok(v @ Value::Object(_)) => Ok((v, None)),
        Ok(_) => Err(ApiError::validation("body must be a JSON object")),
        Err(_) => {
            let mut items = Vec::new();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                items.push(serde_json::from_str(line).map_err(|e| {
                    ApiError::new(400, 12, format!("Validation error (invalid JSON: {e})"))
                })?);
            }
            Ok((json!({}), Some(items)))
        }
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == "clearml_token_basic").then(|| v.to_string())
    })
}

/// Check the caller's credentials; `Ok(None)` = anonymous (allowed for open endpoints).
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    store: &super::store::Store,
) -> Result<Option<AuthKind>, ApiError> {
    let value = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) => v.to_string(),
        None => match cookie_token(headers) {
            Some(t) => format!("Bearer {t}"),
            None => return Ok(None),
        },
    };
    match parse_authorization(&value)? {
        AuthHeader::Basic {
            access_key,
            secret_key,
        } => {
            if state.credentials.check(store, &access_key, &secret_key)? {
                Ok(Some(AuthKind::Basic))
            } else {
                Err(ApiError::invalid_credentials())
            }
        }
        AuthHeader::Bearer(token) => {
            state.signer.verify(&token)?;
            Ok(Some(AuthKind::Bearer))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuthKind {
    Basic,
    Bearer,
}

/// The single handler behind every API path.
pub async fn handle(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    if method == Method::OPTIONS {
        return StatusCode::OK.into_response();
    }
    if headers.contains_key(header::CONTENT_ENCODING) {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Encoding is not supported",
        )
            .into_response();
    }
    let bytes: Bytes = match axum::body::to_bytes(req.into_body(), 512 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response(),
    };
    let Some((endpoint, version)) = parse_path(&path) else {
        let name = path.trim_matches('/').to_string();
        tracing::warn!("unknown endpoint {method} {path}");
        let env = envelope(
            &name,
            crate::wire::API_VERSION,
            false,
            Err(ApiError::not_found_endpoint(
                &name,
                crate::wire::API_VERSION,
            )),
        );
        return json_response(404, serde_json::to_vec(&env).unwrap_or_default());
    };
    let requested_version = version.unwrap_or_else(|| crate::wire::API_VERSION.to_string());
    let state2 = state.clone();
    let endpoint2 = endpoint.clone();
    let _slot = state.db_slots.acquire().await;
    let method2 = method.clone();
    let path2 = path.clone();
    // Everything CPU- or disk-bound (parsing, SQLite, serializing) runs on a blocking thread.
    let response = tokio::task::spawn_blocking(move || {
        let result = serve_call(&state2, &endpoint2, &bytes, &query, &headers);
        let found = !matches!(&result, Err(e) if e.code == 404 && e.msg.is_empty());
        let result = match result {
            Err(e) if e.code == 404 && e.msg.is_empty() => {
                tracing::warn!("unknown endpoint {endpoint2} (version {requested_version})");
                Err(ApiError::not_found_endpoint(&endpoint2, &requested_version))
            }
            other => other,
        };
        let env = envelope(&endpoint2, &requested_version, found, result);
        let code = env.meta.result_code;
        tracing::info!(
            "{method2} {path2} {code}{} {:.1}ms",
            if code == 200 {
                String::new()
            } else {
                format!("/{} {}", env.meta.result_subcode, env.meta.result_msg)
            },
            started.elapsed().as_secs_f64() * 1000.0
        );
        let body = serde_json::to_vec(&env).unwrap_or_default();
        drop(env);
        // About 1 ms per call; only after large responses.
        if body.len() > 256 * 1024 {
            release_freed_memory();
        }
        (code, body)
    })
    .await;
    match response {
        Ok((code, body)) => json_response(code, body),
        Err(e) => {
            let env = envelope(
                &endpoint,
                crate::wire::API_VERSION,
                true,
                Err(ApiError::internal(format!("handler crashed: {e}"))),
            );
            json_response(500, serde_json::to_vec(&env).unwrap_or_default())
        }
    }
}

/// Parse, authenticate and dispatch one call (on a blocking thread).
fn serve_call(
    state: &AppState,
    endpoint: &str,
    bytes: &[u8],
    query: &str,
    headers: &HeaderMap,
) -> super::envelope::ApiResult {
    let (mut body, lines) = parse_body(bytes)?;
    if let Value::Object(m) = &mut body {
        merge_query(m, query);
        m.remove("method");
    }
    if tracing::enabled!(tracing::Level::DEBUG) {
        let text = body.to_string();
        let cut: String = text.chars().take(600).collect();
        let batch = if lines.is_some() {
            " (+ batch lines)"
        } else {
            ""
        };
        tracing::debug!("{endpoint} body: {cut}{batch}");
    }
    let mut store = super::readers::store_for(&state.store, &state.readers, endpoint)?;
    let auth = authenticate(state, headers, &store)?;
    if auth.is_none() && !OPEN_ENDPOINTS.contains(&endpoint) {
        return Err(ApiError::missing_credentials());
    }
    let mut call = Call {
        state,
        store: &mut store,
        body,
        lines,
        endpoint: endpoint.to_string(),
        identity: state.signer.identity(),
    };
    services::dispatch(&mut call).unwrap_or_else(|| Err(ApiError::new(404, 0, String::new())))
}

/// Hand memory freed after a large response back to the OS, so a few big listings do not
/// leave the server's RSS at their high-water mark.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}

fn json_response(code: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::SERVER, "clearml"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_non_finite_numbers_become_null() {
        let text = r#"{"value": NaN, "a": -Infinity, "msg": "NaN \" Infinity", "b": Infinity}"#;
        let v: Value = serde_json::from_str(&non_finite_to_null(text)).unwrap();
        assert_eq!(
            v,
            json!({"value": null, "a": null, "msg": "NaN \" Infinity", "b": null})
        );
    }

    #[test]
    fn paths_with_and_without_version() {
        assert_eq!(
            parse_path("/tasks.get_all"),
            Some(("tasks.get_all".into(), None))
        );
        assert_eq!(
            parse_path("/v2.23/tasks.get_all/"),
            Some(("tasks.get_all".into(), Some("2.23".into())))
        );
        assert_eq!(parse_path("/nothing"), None);
        assert_eq!(parse_path("/a/b.c"), None);
    }

    #[test]
    fn query_string_merges_typed_lists_and_dotted_keys() {
        let mut m = Map::new();
        merge_query(
            &mut m,
            "status=completed&page_size=10&only_fields[]=name&x.y=true&t=a&t=b",
        );
        assert_eq!(
            Value::Object(m),
            json!({"status": "completed", "page_size": 10, "only_fields": ["name"], "x": {"y": true}, "t": ["a", "b"]})
        );
    }
}
