//! The API port: `/{service}.{action}` and `/v{X.Y}/{service}.{action}` on any method,
//! query-string fields merged into the JSON body, JSON-lines batches, authentication, and
//! the envelope. Handlers run on a blocking thread (SQLite work stays off the async workers).

use super::auth::{AuthHeader, parse_authorization};
use super::endpoints::{self, Endpoint, Lookup};
use super::envelope::{ApiError, envelope};
use super::services;
use super::{AppState, Call, limits};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Instant;

/// Split a request path into (endpoint name, requested version) as the real server's
/// path pattern does: an optional leading `/`, an optional `v<version>/`, `service.action`
/// (each a letter or `_` then at least one word character), an optional trailing `/`.
/// `None` = an invalid path (400).
pub fn parse_path(path: &str) -> Option<(String, Option<String>)> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_suffix('/').unwrap_or(p);
    let (version, rest) = match p.split_once('/') {
        Some((v, rest)) => {
            let v = v.strip_prefix('v')?;
            endpoints::parse_version(v)?;
            (Some(v.to_string()), rest)
        }
        None => (None, p),
    };
    let (service, action) = rest.split_once('.')?;
    let ident = |s: &str| {
        s.chars().count() >= 2
            && s.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
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

/// Merge `a=1&b[]=x&b[]=y&c.d=2` into the body. Dotted keys deeper than
/// `MAX_QUERY_DEPTH` levels, or more than `MAX_QUERY_FIELDS` fields, are refused (400)
/// before anything is built from them.
pub fn merge_query(body: &mut Map<String, Value>, query: &str) -> Result<(), ApiError> {
    let mut lists: Map<String, Value> = Map::new();
    for (n, (k, v)) in url::form_urlencoded::parse(query.as_bytes()).enumerate() {
        if n >= limits::MAX_QUERY_FIELDS {
            return Err(ApiError::validation(format!(
                "more than {} query-string fields; send them in the JSON body",
                limits::MAX_QUERY_FIELDS
            )));
        }
        let (key, force_list) = match k.strip_suffix("[]") {
            Some(base) => (base.to_string(), true),
            None => (k.to_string(), false),
        };
        if key.split('.').nth(limits::MAX_QUERY_DEPTH).is_some() {
            let shown: String = key.chars().take(40).collect();
            return Err(ApiError::validation(format!(
                "query-string field {shown:?}... is nested deeper than {} levels",
                limits::MAX_QUERY_DEPTH
            )));
        }
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
    Ok(())
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

/// How a request body is read, from its Content-Type (as the real server does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BodyKind {
    /// `application/json-lines`: a batch, one JSON object per line.
    JsonLines,
    /// A form (`application/x-www-form-urlencoded`, curl `-d`'s default): its fields are
    /// merged like query-string fields; the text is not read as JSON.
    Form,
    /// Anything else (`application/json`, `text/plain`, none): one JSON document.
    Json,
}

impl BodyKind {
    pub fn of(headers: &HeaderMap) -> Self {
        let mime = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match mime.as_str() {
            "application/json-lines" => BodyKind::JsonLines,
            "application/x-www-form-urlencoded" => BodyKind::Form,
            _ => BodyKind::Json,
        }
    }
}

/// The real server's answer to a body that is not JSON (the HTTP framework's own text).
fn malformed_body() -> ApiError {
    ApiError::new(
        400,
        0,
        "The browser (or proxy) sent a request that this server could not understand.",
    )
}

/// Parse a request body: a JSON object, JSON lines (a batch) or form fields. The text is
/// scanned first (`limits::scan_json`): nesting deeper than `MAX_DEPTH` is a 400 and a body
/// whose parsed form would take over `max_expanded` bytes a 413, both before any value is
/// built. As from the real server: malformed JSON is 400/0; an empty body, `null`, `[]`,
/// `0`, `false` or `""` count as `{}`; any other non-object is 500 `Data should be a dict`.
pub fn parse_body(
    bytes: &[u8],
    kind: BodyKind,
    max_expanded: usize,
) -> Result<(Value, Option<Vec<Value>>), ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| malformed_body())?;
    if kind == BodyKind::Form {
        let mut body = Map::new();
        merge_query(&mut body, text)?;
        return Ok((Value::Object(body), None));
    }
    limits::scan_json(text.as_bytes(), max_expanded)?;
    let sanitized;
    let text = if text.contains("NaN") || text.contains("Infinity") {
        sanitized = non_finite_to_null(text);
        sanitized.as_str()
    } else {
        text
    };
    if kind == BodyKind::JsonLines {
        let mut items = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v @ Value::Object(_)) => items.push(v),
                Ok(other) => {
                    return Err(ApiError::new(
                        400,
                        0,
                        format!(
                            "json lines must contain objects, found: {} (batch item #{i})",
                            json_type(&other)
                        ),
                    ));
                }
                Err(e) => {
                    return Err(ApiError::new(
                        400,
                        0,
                        format!("Failed to decode JSON object: {e} in batch item #{i}"),
                    ));
                }
            }
        }
        return Ok((json!({}), Some(items)));
    }
    if text.trim().is_empty() {
        return Ok((json!({}), None));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok((v, None)),
        Ok(Value::Null | Value::Bool(false)) => Ok((json!({}), None)),
        Ok(Value::Array(a)) if a.is_empty() => Ok((json!({}), None)),
        Ok(Value::String(t)) if t.is_empty() => Ok((json!({}), None)),
        Ok(Value::Number(n)) if n.as_f64() == Some(0.0) => Ok((json!({}), None)),
        Ok(_) => Err(ApiError::new(500, 0, "Data should be a dict")),
        Err(_) => Err(malformed_body()),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Who is calling: the access key the request authenticated with (a token carries the
/// key it was issued for).
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub kind: AuthKind,
    pub access_key: String,
    /// The bearer token, when one authenticated the call.
    pub token: Option<String>,
}

/// Check the caller's credentials from the headers alone (nothing of the body is read
/// before this); `Ok(None)` = anonymous (allowed for open endpoints only). The session
/// cookie counts only for a POST from this server's own pages (`browser`).
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Option<Caller>, ApiError> {
    let value = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) => v.to_string(),
        None => match super::auth::session_cookie_token(headers) {
            Some(t) => {
                if let Some(why) = super::browser::cookie_refusal(state, headers, method, false) {
                    tracing::warn!("session cookie refused: {why}");
                    return Err(ApiError::new(
                        401,
                        20,
                        format!("Unauthorized (session cookie refused: {why})"),
                    ));
                }
                format!("Bearer {t}")
            }
            None => return Ok(None),
        },
    };
    match parse_authorization(&value)? {
        AuthHeader::Basic {
            access_key,
            secret_key,
        } => {
            if state.credentials.check(&access_key, &secret_key) {
                Ok(Some(Caller {
                    kind: AuthKind::Basic,
                    access_key,
                    token: None,
                }))
            } else {
                Err(ApiError::invalid_credentials())
            }
        }
        AuthHeader::Bearer(token) => {
            let claims = state.verify_token(&token)?;
            Ok(Some(Caller {
                kind: AuthKind::Bearer,
                access_key: claims.key,
                token: Some(token),
            }))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuthKind {
    Basic,
    Bearer,
}

/// One finished call: the envelope's status code and JSON, logged.
struct Finished {
    code: u16,
    body: Vec<u8>,
    /// A file to send instead of the envelope (`envelope::raw_reply`).
    raw: Option<super::envelope::RawReply>,
    set_cookie: Option<String>,
}

fn finish(
    endpoint: &str,
    version: &str,
    actual: Option<String>,
    result: super::envelope::ApiResult,
    method: &Method,
    path: &str,
    started: Instant,
) -> Finished {
    let mut result = result;
    let raw = super::envelope::take_raw(&mut result);
    let env = envelope(endpoint, version, actual, result);
    let code = env.meta.result_code;
    tracing::info!(
        "{method} {path} {code}{} {:.1}ms",
        if code == 200 {
            String::new()
        } else {
            format!("/{} {}", env.meta.result_subcode, env.meta.result_msg)
        },
        started.elapsed().as_secs_f64() * 1000.0
    );
    let body = if raw.is_some() {
        Vec::new()
    } else {
        serde_json::to_vec(&env).unwrap_or_default()
    };
    Finished {
        code,
        body,
        raw,
        set_cookie: None,
    }
}

/// Why a body was not read in full.
enum Unread {
    /// Longer than the plan's limit.
    TooLarge,
    /// The client stalled or trickled (`connections::PacedBody`).
    TooSlow(String),
    /// The memory budget stayed taken for `BUDGET_WAIT`.
    Busy,
    /// The connection failed (the client is gone).
    Broken,
}

/// Memory budget (KiB permits) one request holds, taken a little at a time: as its body's
/// bytes arrive, then for parsing and handling once its real length is known. Nothing is
/// reserved for what a client only announces, so a slow body holds only what it sent.
struct Held<'a> {
    pool: &'a tokio::sync::Semaphore,
    permit: Option<tokio::sync::SemaphorePermit<'a>>,
    kib: u32,
}

impl<'a> Held<'a> {
    fn new(pool: &'a tokio::sync::Semaphore) -> Self {
        Held {
            pool,
            permit: None,
            kib: 0,
        }
    }

    /// Hold `kib` in all, waiting at most `BUDGET_WAIT` for the rest.
    async fn grow_to(&mut self, kib: u32) -> Result<(), Unread> {
        if kib <= self.kib {
            return Ok(());
        }
        let more = self.pool.acquire_many(kib - self.kib);
        let Ok(Ok(p)) = tokio::time::timeout(limits::BUDGET_WAIT, more).await else {
            return Err(Unread::Busy);
        };
        match &mut self.permit {
            Some(held) => held.merge(p),
            None => self.permit = Some(p),
        }
        self.kib = kib;
        Ok(())
    }
}

/// Read a body of at most `limit` bytes into one buffer (sized from Content-Length, so
/// the bytes are held once, pages untouched until they arrive), taking budget for the
/// bytes as they come.
async fn read_body(
    body: axum::body::Body,
    limit: usize,
    hint: Option<u64>,
    held: &mut Held<'_>,
) -> Result<Vec<u8>, Unread> {
    use futures_util::StreamExt;
    let mut out = Vec::with_capacity(hint.unwrap_or(0).min(limit as u64) as usize);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let e = e.into_inner();
            if super::connections::is_too_slow(e.as_ref()) {
                Unread::TooSlow(e.to_string())
            } else {
                Unread::Broken
            }
        })?;
        if out.len() + chunk.len() > limit {
            return Err(Unread::TooLarge);
        }
        held.grow_to(kib_of(out.len() + chunk.len())).await?;
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn kib_of(bytes: usize) -> u32 {
    bytes.div_ceil(1024).min(u32::MAX as usize) as u32
}

/// The text of a panic payload (what `panic!` was given).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic payload".into())
}

/// The single handler behind every API path: the call itself, then the CORS headers the
/// real server adds (a request with `Origin` gets it echoed back).
pub async fn handle(State(state): State<Arc<AppState>>, req: axum::extract::Request) -> Response {
    // The real server echoes every Origin with credentials allowed; not for a page of
    // another origin whose request the session cookie would authenticate.
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|o| super::browser::may_echo_origin(&state, req.headers(), o))
        .cloned();
    let preflight = req.method() == Method::OPTIONS;
    let mut response = if preflight {
        // Answered before anything else, like the real server's (empty, HTML type).
        (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::SERVER, "clearml"),
            ],
        )
            .into_response()
    } else if req.method() == Method::GET && req.uri().path() == "/" {
        endpoint_listing()
    } else {
        handle_call(state, req).await
    };
    if let Some(origin) = origin {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            header::HeaderValue::from_static("true"),
        );
        if preflight {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                header::HeaderValue::from_static("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"),
            );
        }
        h.append(header::VARY, header::HeaderValue::from_static("Origin"));
    }
    response
}

/// `GET /`: what this server answers (every endpoint with its versions, and the real
/// server's endpoints it leaves out, with why), plain JSON without the envelope. Any other
/// method on `/` is the real server's 400 `Invalid request path /` (recorded).
fn endpoint_listing() -> Response {
    let mut listing = endpoints::listing();
    listing["server"] = json!("clearml server serve");
    listing["api_version"] = json!(clearml_wire::API_VERSION);
    listing["not_served"] = endpoints::NOT_SERVED
        .iter()
        .map(|(name, why)| (name.to_string(), json!(why)))
        .collect::<Map<String, Value>>()
        .into();
    json_response(200, serde_json::to_vec(&listing).unwrap_or_default())
}

/// The answer to a path that names no endpoint at all (`/`, `/vabc/x.y`): 400, with the
/// real server's empty endpoint name and numeric `requested_version` 1.0.
fn invalid_path(path: &str) -> Response {
    tracing::warn!("invalid request path {path}");
    let mut env = envelope(
        "",
        "1.0",
        None,
        Err(ApiError::new(
            400,
            0,
            format!("Invalid request path {path}"),
        )),
    );
    env.meta.endpoint.requested_version = json!(1.0);
    json_response(400, serde_json::to_vec(&env).unwrap_or_default())
}

/// One API call. Order matters: the path and the endpoint table are checked first, then
/// the credentials (headers only), all before any of the body is read; the body's size is
/// checked against the limits and the server-wide memory budget before it is read; its
/// shape (depth, parsed size) before it is parsed.
async fn handle_call(state: Arc<AppState>, req: axum::extract::Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    if let Some(enc) = req.headers().get(header::CONTENT_ENCODING) {
        let enc = String::from_utf8_lossy(enc.as_bytes()).into_owned();
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content encoding is not supported ({enc})"),
        )
            .into_response();
    }
    let Some((endpoint, version)) = parse_path(&path) else {
        return invalid_path(&path);
    };
    let version = version.unwrap_or_else(|| clearml_wire::API_VERSION.to_string());
    let Some(parsed_version) = endpoints::parse_version(&version) else {
        return invalid_path(&path);
    };
    // The real server looks the endpoint up before it looks at credentials.
    let ep: &'static Endpoint = match endpoints::lookup(&endpoint, parsed_version) {
        Lookup::Found(ep) => ep,
        Lookup::Unknown => {
            tracing::warn!("unknown endpoint {endpoint} (version {version})");
            let f = finish(
                &endpoint,
                &version,
                None,
                Err(ApiError::not_found_endpoint(&endpoint, &version)),
                &method,
                &path,
                started,
            );
            return json_response(f.code, f.body);
        }
    };
    let actual = endpoints::version_text(ep.actual_version(parsed_version));
    let early = |result: ApiError| {
        let f = finish(
            &endpoint,
            &version,
            Some(actual.clone()),
            Err(result),
            &method,
            &path,
            started,
        );
        json_response(f.code, f.body)
    };
    let content_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // A small body of a refused request is read (and dropped) so the client sees the answer
    // rather than a reset; a big one is not waited for.
    let refuse = |body: axum::body::Body, e: ApiError| async move {
        if content_length.is_some_and(|n| n <= limits::MAX_DRAIN as u64) {
            super::fileserver::drain(body, limits::MAX_DRAIN).await;
        }
        e
    };
    let caller = match authenticate(&state, req.headers(), &method) {
        Ok(c) => c,
        // An endpoint that needs no credentials ignores bad ones, as the real server does.
        Err(_) if !ep.authorize => None,
        Err(e) => return early(refuse(req.into_body(), e).await),
    };
    if caller.is_none() && ep.authorize {
        return early(refuse(req.into_body(), ApiError::missing_credentials()).await);
    }
    let kind = BodyKind::of(req.headers());
    let plan = match limits::BodyPlan::new(content_length, caller.is_some()) {
        Ok(p) => p,
        Err(e) => return early(e),
    };
    // Held until the answer is built: the bytes as they arrive, then their parsed form and
    // the handler's work. Anonymous calls draw on a pool of their own.
    let pool = if caller.is_some() {
        &state.body_budget
    } else {
        &state.anonymous_budget
    };
    let mut held = Held::new(pool);
    let read = read_body(req.into_body(), plan.read_limit, content_length, &mut held).await;
    let read = match read {
        // What the body really is decides what it may expand to, not what it announced.
        Ok(bytes) => match limits::BodyPlan::new(Some(bytes.len() as u64), caller.is_some()) {
            Ok(real) => held
                .grow_to(real.budget_kib())
                .await
                .map(|()| (bytes, real)),
            Err(_) => Err(Unread::TooLarge),
        },
        Err(e) => Err(e),
    };
    let (bytes, plan) = match read {
        Ok(r) => r,
        Err(Unread::TooLarge) => {
            let what = if caller.is_none() {
                "without credentials"
            } else {
                "without a Content-Length"
            };
            return early(limits::too_large(plan.read_limit, what));
        }
        Err(Unread::TooSlow(why)) => {
            tracing::warn!("{method} {path}: {why}");
            return early(ApiError::new(408, 0, why));
        }
        Err(Unread::Busy) => {
            return early(ApiError::new(
                503,
                0,
                "the server is busy reading other large requests; retry in a moment",
            ));
        }
        Err(Unread::Broken) => {
            return early(ApiError::new(400, 0, "the request body was cut short"));
        }
    };
    let state2 = state.clone();
    let endpoint2 = endpoint.clone();
    let _slot = state.db_slots.acquire().await;
    let (method2, path2, version2) = (method.clone(), path.clone(), version.clone());
    let actual2 = actual.clone();
    // Everything CPU- or disk-bound (parsing, SQLite, serializing) runs on a blocking thread.
    let response = tokio::task::spawn_blocking(move || {
        let request = Request {
            endpoint: ep,
            version: parsed_version,
            bytes: &bytes,
            kind,
            query: &query,
        };
        let (result, set_cookie) = serve_call(&state2, request, caller, plan.max_expanded);
        drop(bytes);
        let found = !matches!(&result, Err(e) if e.code == 404 && e.msg.is_empty());
        let actual = found.then_some(actual2);
        let result = match result {
            Err(e) if e.code == 404 && e.msg.is_empty() => {
                tracing::warn!("endpoint {endpoint2} has no handler (version {version2})");
                Err(ApiError::not_found_endpoint(&endpoint2, &version2))
            }
            other => other,
        };
        let mut f = finish(
            &endpoint2, &version2, actual, result, &method2, &path2, started,
        );
        f.set_cookie = set_cookie;
        // About 1 ms per call; only after large requests or responses.
        if f.body.len() > 256 * 1024 || plan.read_limit > 256 * 1024 {
            release_freed_memory();
        }
        f
    })
    .await;
    match response {
        Ok(Finished { raw: Some(raw), .. }) => raw_response(raw),
        Ok(f) => {
            let mut response = json_response(f.code, f.body);
            if let Some(v) = f.set_cookie.and_then(|c| c.parse().ok()) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => {
            // A handler panicked: this request fails, the server goes on.
            let why = match e.try_into_panic() {
                Ok(payload) => panic_text(payload.as_ref()),
                Err(e) => e.to_string(),
            };
            tracing::error!("{method} {path}: the handler panicked: {why}");
            let f = finish(
                &endpoint,
                &version,
                Some(actual),
                Err(ApiError::internal(
                    "the server failed on this request; its log has the details",
                )),
                &method,
                &path,
                started,
            );
            json_response(f.code, f.body)
        }
    }
}

/// What `serve_call` gets of a request.
struct Request<'a> {
    endpoint: &'static Endpoint,
    version: endpoints::Version,
    bytes: &'a [u8],
    kind: BodyKind,
    query: &'a str,
}

/// Parse and dispatch one authenticated (or open-endpoint) call on a blocking thread;
/// with the answer, the `Set-Cookie` value the call asked for, if any.
fn serve_call(
    state: &AppState,
    req: Request<'_>,
    caller: Option<Caller>,
    max_expanded: usize,
) -> (super::envelope::ApiResult, Option<String>) {
    let mut set_cookie = None;
    let result = dispatch_call(state, req, caller, max_expanded, &mut set_cookie);
    (result, set_cookie)
}

fn dispatch_call(
    state: &AppState,
    req: Request<'_>,
    caller: Option<Caller>,
    max_expanded: usize,
    set_cookie: &mut Option<String>,
) -> super::envelope::ApiResult {
    let endpoint = req.endpoint.name;
    let (mut body, lines) = parse_body(req.bytes, req.kind, max_expanded)?;
    if let Value::Object(m) = &mut body {
        merge_query(m, req.query)?;
        m.remove("method");
    }
    // A retired endpoint reads its body first (the real server validates it), then refuses.
    if let Some(e) = req.endpoint.retired_error(req.version) {
        return Err(e);
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
    // A handler that panicked inside a transaction left it open: end it before reuse.
    store.rollback_abandoned();
    if endpoint == "debug.panic" && state.panic_endpoint && caller.is_some() {
        // Inside a transaction and holding the database lock, as a handler bug would.
        store.begin_abandoned();
        panic!(
            "debug.panic called (test hook {})",
            super::PANIC_ENDPOINT_ENV
        );
    }
    let mut call = Call {
        state,
        store: &mut store,
        body,
        lines,
        endpoint: endpoint.to_string(),
        version: req.version,
        identity: state.signer.identity(),
        token: caller.as_ref().and_then(|c| c.token.clone()),
        access_key: caller.map(|c| c.access_key),
        set_cookie: None,
    };
    let result =
        services::dispatch(&mut call).unwrap_or_else(|| Err(ApiError::new(404, 0, String::new())));
    *set_cookie = call.set_cookie.take();
    result
}

/// Hand memory freed after a large response back to the OS, so a few big listings do not
/// leave the server's RSS at their high-water mark.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A file reply, as the real server sends one: an attachment named by the handler.
fn raw_response(raw: super::envelope::RawReply) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        raw.filename.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, raw.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::SERVER, "clearml".to_string()),
        ],
        raw.text,
    )
        .into_response()
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
        assert_eq!(
            parse_path("v999/debug.ping"),
            Some(("debug.ping".into(), Some("999".into())))
        );
        // The real server's pattern: a version has two digits at least; one trailing `/`.
        for bad in [
            "/",
            "",
            "/vabc/debug.ping",
            "/v2/debug.ping",
            "/debug.ping//",
            "/x.y",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    fn kind(ct: &str) -> BodyKind {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
        BodyKind::of(&h)
    }

    #[test]
    fn bodies_are_read_by_content_type_as_the_real_server_does() {
        assert_eq!(kind("application/json-lines"), BodyKind::JsonLines);
        assert_eq!(
            kind("Application/X-WWW-Form-Urlencoded; charset=x"),
            BodyKind::Form
        );
        assert_eq!(kind("text/plain"), BodyKind::Json);
        assert_eq!(BodyKind::of(&HeaderMap::new()), BodyKind::Json);
        let parse = |text: &str, k| parse_body(text.as_bytes(), k, 1 << 20);
        // A JSON body sent as a form is not read as JSON: its text is a field name.
        let (v, _) = parse(r#"{"task": "x"}"#, BodyKind::Form).unwrap();
        assert!(v.get("task").is_none(), "{v}");
        let (v, _) = parse("task=abc&n=2", BodyKind::Form).unwrap();
        assert_eq!(v, json!({"task": "abc", "n": 2}));
        // Malformed JSON: 400/0; a list or a number: 500 `Data should be a dict`; falsy: {}.
        let e = parse(r#"{"task": "x""#, BodyKind::Json).unwrap_err();
        assert_eq!((e.code, e.subcode), (400, 0));
        for not_dict in ["[1,2]", "5", "\"s\"", "true"] {
            let e = parse(not_dict, BodyKind::Json).unwrap_err();
            assert_eq!(
                (e.code, e.msg.as_str()),
                (500, "Data should be a dict"),
                "{not_dict}"
            );
        }
        for empty in ["", "null", "[]", "0", "false", "\"\""] {
            assert_eq!(
                parse(empty, BodyKind::Json).unwrap(),
                (json!({}), None),
                "{empty}"
            );
        }
        // JSON lines only with their own type; each line an object.
        let (_, lines) = parse("{\"a\": 1}\n\n{\"b\": NaN}\n", BodyKind::JsonLines).unwrap();
        assert_eq!(lines.unwrap(), vec![json!({"a": 1}), json!({"b": null})]);
        assert_eq!(
            parse("{\"a\": 1}\n[1]", BodyKind::JsonLines)
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            parse("{\"a\": 1}\n{", BodyKind::JsonLines)
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            parse("{\"a\": 1}\n{\"b\": 2}", BodyKind::Json)
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn query_string_merges_typed_lists_and_dotted_keys() {
        let mut m = Map::new();
        merge_query(
            &mut m,
            "status=completed&page_size=10&only_fields[]=name&x.y=true&t=a&t=b",
        )
        .unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"status": "completed", "page_size": 10, "only_fields": ["name"], "x": {"y": true}, "t": ["a", "b"]})
        );
    }
}
