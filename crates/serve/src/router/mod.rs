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

mod body;
mod parse;

pub use parse::{BodyKind, merge_query, parse_body, parse_path};

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

/// What the log line and envelope of one call name: the endpoint, the version asked
/// for, the method and path, and when the call started.
struct CallLine {
    endpoint: String,
    version: String,
    method: Method,
    path: String,
    started: Instant,
}

impl CallLine {
    fn finish(&self, actual: Option<String>, result: super::envelope::ApiResult) -> Finished {
        finish(
            &self.endpoint,
            &self.version,
            actual,
            result,
            &self.method,
            &self.path,
            self.started,
        )
    }

    /// An error envelope as the response.
    fn refuse(&self, actual: Option<String>, e: ApiError) -> Response {
        let f = self.finish(actual, Err(e));
        json_response(f.code, f.body)
    }
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
    let line = CallLine {
        endpoint,
        version,
        method,
        path,
        started,
    };
    // The real server looks the endpoint up before it looks at credentials.
    let ep: &'static Endpoint = match endpoints::lookup(&line.endpoint, parsed_version) {
        Lookup::Found(ep) => ep,
        Lookup::Unknown => {
            tracing::warn!(
                "unknown endpoint {} (version {})",
                line.endpoint,
                line.version
            );
            let e = ApiError::not_found_endpoint(&line.endpoint, &line.version);
            return line.refuse(None, e);
        }
    };
    let actual = endpoints::version_text(ep.actual_version(parsed_version));
    let content_length = content_length(req.headers());
    // A small body of a refused request is read (and dropped) so the client sees the answer
    // rather than a reset; a big one is not waited for.
    let refuse = |body: axum::body::Body, e: ApiError| async move {
        if content_length.is_some_and(|n| n <= limits::MAX_DRAIN as u64) {
            super::fileserver::drain(body, limits::MAX_DRAIN).await;
        }
        e
    };
    let caller = match authenticate(&state, req.headers(), &line.method) {
        Ok(c) => c,
        // An endpoint that needs no credentials ignores bad ones, as the real server does.
        Err(_) if !ep.authorize => None,
        Err(e) => return line.refuse(Some(actual), refuse(req.into_body(), e).await),
    };
    if caller.is_none() && ep.authorize {
        let e = refuse(req.into_body(), ApiError::missing_credentials()).await;
        return line.refuse(Some(actual), e);
    }
    let kind = BodyKind::of(req.headers());
    // Anonymous calls draw on a budget pool of their own.
    let pool = if caller.is_some() {
        &state.body_budget
    } else {
        &state.anonymous_budget
    };
    let read = body::read_call_body(req.into_body(), content_length, caller.is_some(), pool);
    // `_held` keeps the body's budget until the answer is built.
    let (bytes, plan, _held) = match read.await {
        Ok(r) => r,
        Err(e) => {
            if e.code == 408 {
                tracing::warn!("{} {}: {}", line.method, line.path, e.msg);
            }
            return line.refuse(Some(actual), e);
        }
    };
    let state2 = state.clone();
    let _slot = state.db_slots.acquire().await;
    let line = Arc::new(line);
    let (line2, actual2) = (line.clone(), actual.clone());
    // Everything CPU- or disk-bound (parsing, SQLite, serializing) runs on a blocking thread.
    let pending = Pending {
        endpoint: ep,
        version: parsed_version,
        bytes,
        kind,
        query,
        caller,
        plan,
    };
    let response =
        tokio::task::spawn_blocking(move || answer(&state2, pending, &line2, actual2)).await;
    respond(response, &line, actual)
}

/// A call whose body is read, waiting for its blocking thread.
struct Pending {
    endpoint: &'static Endpoint,
    version: endpoints::Version,
    bytes: Vec<u8>,
    kind: BodyKind,
    query: String,
    caller: Option<Caller>,
    plan: limits::BodyPlan,
}

/// The length a request announces, if it announces a valid one.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Serve one call whose body is read, on a blocking thread: the finished envelope.
fn answer(state: &AppState, call: Pending, line: &CallLine, actual: String) -> Finished {
    let Pending {
        endpoint,
        version,
        bytes,
        kind,
        query,
        caller,
        plan,
    } = call;
    let request = Request {
        endpoint,
        version,
        bytes: &bytes,
        kind,
        query: &query,
    };
    let (result, set_cookie) = serve_call(state, request, caller, plan.max_expanded);
    drop(bytes);
    let found = !matches!(&result, Err(e) if e.code == 404 && e.msg.is_empty());
    let result = match result {
        Err(e) if e.code == 404 && e.msg.is_empty() => {
            let (endpoint, version) = (&line.endpoint, &line.version);
            tracing::warn!("endpoint {endpoint} has no handler (version {version})");
            Err(ApiError::not_found_endpoint(endpoint, version))
        }
        other => other,
    };
    let mut f = line.finish(found.then_some(actual), result);
    f.set_cookie = set_cookie;
    // About 1 ms per call; only after large requests or responses.
    if f.body.len() > 256 * 1024 || plan.read_limit > 256 * 1024 {
        release_freed_memory();
    }
    f
}

/// The HTTP response of a finished call, or the 500 of one whose handler panicked.
fn respond(
    response: Result<Finished, tokio::task::JoinError>,
    line: &CallLine,
    actual: String,
) -> Response {
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
            tracing::error!("{} {}: the handler panicked: {why}", line.method, line.path);
            line.refuse(
                Some(actual),
                ApiError::internal("the server failed on this request; its log has the details"),
            )
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
