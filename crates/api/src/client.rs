//! The HTTP side of the API client: login, versioned calls, the envelope, retries.

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

use super::error::{ApiError, classify_transport, into_anyhow};
use super::retry;
use super::token::Token;
use clearml_config::{Settings, TlsVerify};
use clearml_wire::{self as wire, Envelope};

/// How the client proves who it is.
#[derive(Clone)]
pub enum Auth {
    /// Key pair: Basic auth on `auth.login`, then the token it returns.
    Keys { access: String, secret: String },
    /// A pre-issued token (CLEARML_AUTH_TOKEN); cannot be refreshed.
    Token(String),
    /// No credentials (only `debug.ping` and `login.supported_modes` work).
    Anonymous,
}

impl Auth {
    /// The configured credentials: CLEARML_AUTH_TOKEN, else the key pair; None without.
    pub fn configured(settings: &Settings) -> Option<Auth> {
        if let Some(token) = &settings.auth_token {
            return Some(Auth::Token(token.clone()));
        }
        match (&settings.access_key, &settings.secret_key) {
            (Some(a), Some(s)) if !a.value.is_empty() && !s.value.is_empty() => Some(Auth::Keys {
                access: a.value.clone(),
                secret: s.value.clone(),
            }),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets, not even in debug output.
        match self {
            Auth::Keys { access, .. } => write!(f, "Keys({access}, ***)"),
            Auth::Token(_) => f.write_str("Token(***)"),
            Auth::Anonymous => f.write_str("Anonymous"),
        }
    }
}

pub use clearml_config::DEFAULT_REQUEST_TIMEOUT;

/// Connection knobs.
#[derive(Debug, Clone)]
pub struct Options {
    pub verify: TlsVerify,
    /// Extra attempts after a failure `retry::may_retry` allows.
    pub retries: u32,
    pub connect_timeout: Duration,
    /// Longest wait for the whole answer of one API call. For file transfers, which may
    /// rightly take hours, it is the longest silence instead (no byte moving).
    pub request_timeout: Duration,
    /// Follow redirects only to the same host and port (a copy between servers must not
    /// be sent by one of them to fetch from, or post to, somewhere else).
    pub same_host_redirects: bool,
}

impl Options {
    /// The defaults with another request timeout (connecting never takes longer either).
    pub fn with_timeout(request_timeout: Duration) -> Options {
        Options {
            request_timeout,
            connect_timeout: Duration::from_secs(10).min(request_timeout),
            ..Options::default()
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            verify: TlsVerify::On,
            retries: 3,
            connect_timeout: Duration::from_secs(10),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            same_host_redirects: false,
        }
    }
}

/// The server's page-size cap for the `*.get_all*` family.
pub const MAX_PAGE_SIZE: usize = 500;
/// Pages requested at once once a listing has proven longer than one page. The pages are
/// independent queries; `clearml server serve` answers listings on reader connections of
/// their own, so they run side by side (bench/task_model.sh: `task list --all` of 10,000
/// tasks). Past the last page up to this many - 1 requests for empty pages are cancelled.
const PAGES_IN_FLIGHT: usize = 4;
/// Re-login when the token has less than this left (the SDK's threshold).
const REFRESH_MARGIN_SECS: i64 = 360;
const CLIENT_HEADER: &str = concat!("clearml-cli-", env!("CARGO_PKG_VERSION"));

/// A client for one API server. Cheap to share by reference; keeps one connection pool.
pub struct Client {
    http: reqwest::Client,
    api: String,
    auth: Auth,
    retries: u32,
    request_timeout: Duration,
    token: tokio::sync::Mutex<Option<Token>>,
}

/// The answer of an unauthenticated GET (used by `server ping` for web/files hosts).
#[derive(Debug, Clone)]
pub struct Probe {
    pub status: u16,
    pub latency: Duration,
}

/// Build the reqwest client with the TLS policy in force.
pub fn http_client(opts: &Options) -> anyhow::Result<reqwest::Client> {
    let mut headers = HeaderMap::new();
    headers.insert("X-ClearML-Client", HeaderValue::from_static(CLIENT_HEADER));
    headers.insert("X-Trains-Client", HeaderValue::from_static(CLIENT_HEADER));
    let mut builder = reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(opts.connect_timeout)
        // Per read: a stalled transfer fails after this much silence, a slow one never.
        .read_timeout(opts.request_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true);
    if opts.same_host_redirects {
        builder = builder.redirect(same_host_policy());
    }
    match &opts.verify {
        TlsVerify::On => {}
        TlsVerify::Off => builder = builder.danger_accept_invalid_certs(true),
        TlsVerify::CaBundle(path) => {
            let certs = super::tls::read_bundle(path)?;
            builder = builder.use_preconfigured_tls(super::tls::bundle_config(certs)?);
        }
    }
    Ok(builder.build()?)
}

/// Redirects within the first URL's host and port only (10 at most); one to another
/// host is an error naming it.
fn same_host_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let key = |u: &reqwest::Url| (u.host_str().map(str::to_string), u.port_or_known_default());
        let first = attempt.previous().first().map(key);
        let to = key(attempt.url());
        if first.is_some_and(|f| f != to) {
            let msg = format!(
                "redirected to another host ({}): refused",
                attempt.url().host_str().unwrap_or("?")
            );
            attempt.error(msg)
        } else if attempt.previous().len() > 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

impl Client {
    pub fn new(api_host: &str, auth: Auth, opts: &Options) -> anyhow::Result<Client> {
        check_host_url(api_host)?;
        Ok(Client {
            http: http_client(opts)?,
            api: api_host.trim().trim_end_matches('/').to_string(),
            auth,
            retries: opts.retries,
            request_timeout: opts.request_timeout,
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// A client for the configured server, with its credentials.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Client> {
        Client::from_settings_with(settings, false)
    }

    /// [`Client::from_settings`], following redirects to the same host only when
    /// `same_host_redirects`.
    pub fn from_settings_with(
        settings: &Settings,
        same_host_redirects: bool,
    ) -> anyhow::Result<Client> {
        let Some(auth) = Auth::configured(settings) else {
            return Err(clearml_error::CliError::auth(
                "no credentials configured (access_key/secret_key)",
            )
            .with_hint(
                "run 'clearml init' or set CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY",
            )
            .into());
        };
        let opts = Options {
            verify: settings.verify.value.clone(),
            same_host_redirects,
            ..Options::with_timeout(settings.request_timeout)
        };
        Client::new(&settings.api_host.value, auth, &opts)
    }

    pub fn api_host(&self) -> &str {
        &self.api
    }

    /// `--request-timeout`: one API call's limit, a transfer's longest silence.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Whether this client has a key pair or a token to authenticate with.
    pub fn has_credentials(&self) -> bool {
        !matches!(self.auth, Auth::Anonymous)
    }

    /// The underlying HTTP client (shared connection pool), for file transfers.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `auth.login` with Basic auth (no version prefix, as the SDK does).
    pub async fn login(&self) -> Result<Token, ApiError> {
        let (access, secret) = match &self.auth {
            Auth::Keys { access, secret } => (access, secret),
            Auth::Token(jwt) => return Token::from_jwt(jwt, "CLEARML_AUTH_TOKEN"),
            Auth::Anonymous => {
                return Err(ApiError::Server {
                    endpoint: "auth.login".into(),
                    result_code: 401,
                    subcode: 20,
                    message: "no credentials configured".into(),
                });
            }
        };
        let url = format!("{}/auth.login", self.api);
        let basic = format!(
            "Basic {}",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                format!("{access}:{secret}")
            )
        );
        let data = self
            .send_envelope(
                &url,
                "auth.login",
                bytes::Bytes::from_static(b"{}"),
                "application/json",
                &basic,
            )
            .await?;
        match data.get("token").and_then(Value::as_str) {
            Some(jwt) => Token::from_jwt(jwt, "auth.login"),
            None => Err(ApiError::NotApi {
                url: super::redact_urls(&self.api),
                status: 200,
            }),
        }
    }

    /// The current bearer token, logging in or refreshing when it is close to expiry.
    pub async fn bearer(&self) -> Result<String, ApiError> {
        let mut guard = self.token.lock().await;
        let now = chrono::Utc::now().timestamp();
        let fresh = guard
            .as_ref()
            .is_some_and(|t| t.claims.exp - now > REFRESH_MARGIN_SECS);
        if !fresh {
            *guard = Some(self.login().await?);
        }
        Ok(guard.as_ref().map(|t| t.jwt.clone()).unwrap_or_default())
    }

    /// Claims of the token in use (logs in if needed).
    pub async fn claims(&self) -> Result<wire::TokenClaims, ApiError> {
        self.bearer().await?;
        let guard = self.token.lock().await;
        Ok(guard.as_ref().map(|t| t.claims.clone()).expect("logged in"))
    }

    async fn drop_token(&self) {
        *self.token.lock().await = None;
    }

    /// The API version to put in the path: the lower of ours and the server's.
    async fn path_version(&self) -> Result<String, ApiError> {
        let claims = self.claims().await?;
        Ok(min_version(&claims.api_version, wire::API_VERSION))
    }

    /// An authenticated call: `POST {api}/v{ver}/{endpoint}` with a JSON body; returns `data`.
    pub async fn call(&self, endpoint: &str, body: &Value) -> anyhow::Result<Value> {
        self.call_typed_err(endpoint, body)
            .await
            .map_err(into_anyhow)
    }

    /// [`Client::call`] with the typed error, for callers that branch on result codes.
    pub async fn call_typed_err(&self, endpoint: &str, body: &Value) -> Result<Value, ApiError> {
        let payload = serde_json::to_vec(body).expect("JSON values serialize");
        self.call_raw(endpoint, payload, "application/json").await
    }

    /// A batch call (`events.add_batch`): one JSON document per line.
    pub async fn call_batch(&self, endpoint: &str, items: &[Value]) -> anyhow::Result<Value> {
        let mut payload = Vec::new();
        for item in items {
            serde_json::to_writer(&mut payload, item).expect("JSON values serialize");
            payload.push(b'\n');
        }
        self.call_raw(endpoint, payload, "application/json-lines")
            .await
            .map_err(into_anyhow)
    }

    async fn call_raw(
        &self,
        endpoint: &str,
        payload: Vec<u8>,
        content_type: &'static str,
    ) -> Result<Value, ApiError> {
        let version = self.path_version().await?;
        let url = format!("{}/v{}/{}", self.api, version, endpoint);
        let bearer = format!("Bearer {}", self.bearer().await?);
        let payload = bytes::Bytes::from(payload);
        match self
            .send_envelope(&url, endpoint, payload.clone(), content_type, &bearer)
            .await
        {
            Err(e) if e.codes().is_some_and(|(c, _)| c == 401) && self.can_refresh() => {
                // One refresh and retry, as the SDK does.
                self.drop_token().await;
                let bearer = format!("Bearer {}", self.bearer().await?);
                self.send_envelope(&url, endpoint, payload, content_type, &bearer)
                    .await
            }
            other => other,
        }
    }

    fn can_refresh(&self) -> bool {
        matches!(self.auth, Auth::Keys { .. })
    }

    /// A call without credentials and without a version prefix (`debug.ping`, `server.info`).
    pub async fn call_anonymous(&self, endpoint: &str, body: &Value) -> Result<Value, ApiError> {
        let url = format!("{}/{}", self.api, endpoint);
        let payload = serde_json::to_vec(body).expect("JSON values serialize");
        self.send_envelope(&url, endpoint, payload.into(), "application/json", "")
            .await
    }

    /// Every item of a `*.get_all*` call, following pages of 500 past the server's cap.
    /// `limit` stops early. `key` is the list field of the response (`tasks`, `models`...).
    ///
    /// Page 0 comes alone (most listings fit in it); past it, up to `PAGES_IN_FLIGHT` pages
    /// are in flight at once, kept in page order. Without a limit the end is only known from
    /// a short page, so a few requests past it may have been sent; they are dropped.
    pub async fn get_all(
        &self,
        endpoint: &str,
        body: &Value,
        key: &str,
        limit: Option<usize>,
    ) -> anyhow::Result<Vec<Value>> {
        use futures_util::StreamExt;
        // `page` counts in units of page_size, so it stays fixed across pages: the limit
        // itself when one page holds it, else the server's cap.
        let page_size = match limit {
            Some(l) if l <= MAX_PAGE_SIZE => l.max(1),
            _ => MAX_PAGE_SIZE,
        };
        let wanted = limit.unwrap_or(usize::MAX);
        let mut items = self.page(endpoint, body, key, 0, page_size).await?;
        if items.len() == page_size && items.len() < wanted {
            let pages_left = (wanted - items.len()).div_ceil(page_size);
            let mut pages = futures_util::stream::iter((1..).take(pages_left))
                .map(|p| self.page(endpoint, body, key, p, page_size))
                .buffered(PAGES_IN_FLIGHT.min(pages_left));
            while let Some(page) = pages.next().await {
                let page = page?;
                let short = page.len() < page_size;
                items.extend(page);
                if short || items.len() >= wanted {
                    break;
                }
            }
        }
        items.truncate(wanted);
        Ok(items)
    }

    async fn page(
        &self,
        endpoint: &str,
        body: &Value,
        key: &str,
        page: usize,
        page_size: usize,
    ) -> anyhow::Result<Vec<Value>> {
        let mut req = body.clone();
        if let Value::Object(m) = &mut req {
            m.insert("page".into(), json!(page));
            m.insert("page_size".into(), json!(page_size));
        }
        let mut data = self.call(endpoint, &req).await?;
        match data.get_mut(key).map(Value::take) {
            Some(Value::Array(v)) => Ok(v),
            _ => Err(into_anyhow(ApiError::Decode {
                endpoint: endpoint.into(),
                detail: format!("no '{key}' list in the response"),
            })),
        }
    }

    /// GET a URL without credentials, following no envelope: status and latency.
    pub async fn probe(&self, url: &str) -> Result<Probe, ApiError> {
        let start = Instant::now();
        let resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| classify_transport(url, &e))?;
        Ok(Probe {
            status: resp.status().as_u16(),
            latency: start.elapsed(),
        })
    }

    /// Send one JSON request with retries and decode the envelope; returns `data`.
    async fn send_envelope(
        &self,
        url: &str,
        endpoint: &str,
        payload: bytes::Bytes,
        content_type: &'static str,
        authorization: &str,
    ) -> Result<Value, ApiError> {
        let mut attempt = 0u32;
        loop {
            let mut req = self
                .http
                .post(url)
                .header(CONTENT_TYPE, content_type)
                .timeout(self.request_timeout)
                .body(payload.clone());
            if !authorization.is_empty() {
                req = req.header(AUTHORIZATION, authorization);
            }
            let started = Instant::now();
            let (failure, retry_after, error) = match req.send().await {
                Err(e) => (
                    transport_failure(&e),
                    None,
                    classify_transport(&self.api, &e),
                ),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    match resp.bytes().await {
                        Ok(bytes) => {
                            tracing::info!(
                                "{endpoint} -> {status} in {:.0?} ({} bytes)",
                                started.elapsed(),
                                bytes.len()
                            );
                            let answer = decode_envelope(&self.api, endpoint, status, &bytes);
                            match answer {
                                Err(e) if retry::is_transient_status(status) => {
                                    (retry::Failure::Status(status), retry_after, e)
                                }
                                other => return other,
                            }
                        }
                        // A body cut short: the server may have acted on the request.
                        Err(e) => (
                            transport_failure(&e),
                            None,
                            classify_transport(&self.api, &e),
                        ),
                    }
                }
            };
            if attempt >= self.retries || !retry::may_retry(endpoint, failure) {
                return Err(error);
            }
            let backoff = retry::backoff(attempt, retry_after.as_deref());
            tracing::info!("{endpoint}: {error}, retrying in {backoff:?}");
            tokio::time::sleep(backoff).await;
            attempt += 1;
        }
    }
}

/// A transport error as a retry decision: sent or not, timed out or broken.
fn transport_failure(e: &reqwest::Error) -> retry::Failure {
    if e.is_timeout() {
        retry::Failure::TimedOut
    } else if e.is_connect() {
        retry::Failure::NotSent
    } else {
        retry::Failure::Lost
    }
}

/// A malformed API host is a usage error (exit 2), not an unreachable server.
fn check_host_url(host: &str) -> Result<(), clearml_error::CliError> {
    let host = host.trim();
    if host.is_empty() {
        return Ok(());
    }
    match reqwest::Url::parse(host) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err(clearml_error::CliError::usage(format!(
            "the API host '{host}' is not an http(s) URL"
        ))
        .with_hint("fix api_server in clearml.conf, CLEARML_API_HOST or --api-host (e.g. http://localhost:8008)")),
    }
}

/// Turn a response body into `data`, or the typed error it carries.
pub fn decode_envelope(
    api: &str,
    endpoint: &str,
    status: u16,
    body: &[u8],
) -> Result<Value, ApiError> {
    let env: Envelope = match serde_json::from_slice(body) {
        Ok(env) => env,
        Err(_) if retry::is_transient_status(status) => {
            return Err(ApiError::Unavailable {
                url: super::redact_urls(api),
                status,
            });
        }
        Err(_) => {
            return Err(ApiError::NotApi {
                url: super::redact_urls(api),
                status,
            });
        }
    };
    if env.meta.result_code == 200 && (200..300).contains(&status) {
        Ok(env.data)
    } else {
        Err(ApiError::Server {
            endpoint: endpoint.to_string(),
            result_code: if env.meta.result_code != 0 {
                env.meta.result_code
            } else {
                status
            },
            subcode: env.meta.result_subcode,
            message: env.meta.result_msg,
        })
    }
}

/// The lower of two `MAJOR.MINOR` versions (an unparsable one loses).
pub fn min_version(a: &str, b: &str) -> String {
    fn parse(v: &str) -> Option<(u32, u32)> {
        let (major, minor) = v.trim().split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => {
            if x <= y {
                a.trim().to_string()
            } else {
                b.trim().to_string()
            }
        }
        (None, _) => b.to_string(),
        (_, None) => a.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An envelope in the shape clearml-server 2.0 answers with.
    fn envelope(code: u16, sub: u32, msg: &str, data: &str) -> Vec<u8> {
        format!(
            r#"{{"meta":{{"id":"x","trx":"x","endpoint":{{"name":"e","requested_version":"2.31","actual_version":"1.0"}},"result_code":{code},"result_subcode":{sub},"result_msg":"{msg}","error_stack":null,"error_data":{{}}}},"data":{data}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn envelopes_of_the_real_server_decode() {
        let data = decode_envelope(
            "http://h",
            "debug.ping",
            200,
            &envelope(200, 0, "OK", r#"{"msg":"ClearML server"}"#),
        )
        .unwrap();
        assert_eq!(data["msg"], "ClearML server");
        let err = decode_envelope(
            "http://h",
            "tasks.get_by_id",
            400,
            &envelope(400, 101, "Invalid task id: ids=(nonexistent)", "{}"),
        )
        .unwrap_err();
        assert_eq!(err.codes(), Some((400, 101)));
        assert!(err.is_not_found());
        assert_eq!(
            err.to_string(),
            "tasks.get_by_id failed (400/101): Invalid task id: ids=(nonexistent)"
        );
        let err = decode_envelope(
            "http://h",
            "auth.login",
            401,
            &envelope(401, 22, "Unauthorized (invalid credentials)", "{}"),
        )
        .unwrap_err();
        assert_eq!(err.exit(), clearml_error::Exit::AuthRefused);
    }

    #[test]
    fn html_is_not_the_api() {
        let err = decode_envelope("http://h:8080", "debug.ping", 200, b"<!doctype html><html>")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "http://h:8080 answers like the web server, not the API (HTTP 200)"
        );
    }

    #[test]
    fn version_is_the_lower_one() {
        assert_eq!(min_version("2.23", "2.31"), "2.23");
        assert_eq!(min_version("2.31", "2.31"), "2.31");
        assert_eq!(min_version("3.1", "2.31"), "2.31");
        assert_eq!(min_version("2.9", "2.31"), "2.9");
        assert_eq!(min_version("", "2.31"), "2.31");
    }

    /// Reads one whole HTTP request (head and Content-Length body) from a mock's connection:
    /// the bytes, where the body starts and how long it is.
    async fn read_request(s: &mut tokio::net::TcpStream) -> (Vec<u8>, usize, usize) {
        use tokio::io::AsyncReadExt;
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = s.read(&mut buf).await.unwrap();
            req.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&req).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len: usize = text
                    .lines()
                    .find_map(|l| {
                        l.to_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if req.len() >= end + 4 + len {
                    return (req, end + 4, len);
                }
            }
        }
    }

    /// A mock API for faults the real server cannot be made to produce on demand (503,
    /// expired token): answers each request from `script` in turn, recording the paths.
    async fn mock(
        script: Vec<(u16, String)>,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            for (status, body) in script {
                let (mut s, _) = listener.accept().await.unwrap();
                let (req, _, _) = read_request(&mut s).await;
                let text = String::from_utf8_lossy(&req).to_string();
                let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
                log.lock().unwrap().push(path);
                match status {
                    // RESET: the connection is reset instead of an answer.
                    RESET => {
                        // Linger 0 resets at once instead of blocking the drop.
                        #[allow(deprecated)]
                        s.set_linger(Some(Duration::ZERO)).unwrap();
                        drop(s);
                        continue;
                    }
                    // STALL: the request is read, no answer ever comes.
                    STALL => {
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_secs(60)).await;
                            drop(s);
                        });
                        continue;
                    }
                    _ => {}
                }
                // TRUNCATED: a 200 whose body stops short of its Content-Length.
                let (status, missing) = if status == TRUNCATED {
                    (200, 100)
                } else {
                    (status, 0)
                };
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len() + missing
                );
                s.write_all(resp.as_bytes()).await.unwrap();
            }
        });
        (url, seen)
    }

    fn jwt(exp: i64) -> String {
        use base64::Engine;
        let claims = format!(
            r#"{{"identity":{{"user":"u","company":"c"}},"iat":1,"exp":{exp},"api_version":"2.23"}}"#
        );
        format!(
            "h.{}.s",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)
        )
    }

    fn text(code: u16, sub: u32, data: &str) -> String {
        String::from_utf8(envelope(code, sub, "m", data)).unwrap()
    }

    fn keys() -> Auth {
        Auth::Keys {
            access: "k".into(),
            secret: "s".into(),
        }
    }

    #[tokio::test]
    async fn retries_503_then_succeeds_with_the_servers_version() {
        let far = chrono::Utc::now().timestamp() + 86400;
        let login = text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)));
        let (url, seen) = mock(vec![
            (200, login),
            (503, "busy".into()),
            (200, text(200, 0, r#"{"tasks":[]}"#)),
        ])
        .await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        let data = client.call("tasks.get_all", &json!({})).await.unwrap();
        assert_eq!(data["tasks"], json!([]));
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "/auth.login",
                "/v2.23/tasks.get_all",
                "/v2.23/tasks.get_all"
            ]
        );
    }

    const TRUNCATED: u16 = 0;
    const RESET: u16 = 1;
    const STALL: u16 = 2;

    fn login_script() -> (u16, String) {
        let far = chrono::Utc::now().timestamp() + 86400;
        (200, text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far))))
    }

    #[tokio::test]
    async fn a_500_is_asked_again_for_reads_but_a_502_not_for_writes() {
        let html = "<html>500 Internal Server Error</html>".to_string();
        let (url, seen) = mock(vec![
            login_script(),
            (500, html.clone()),
            (500, text(500, 0, "{}")),
            (200, text(200, 0, r#"{"tasks":[2]}"#)),
            (502, html),
            (200, text(200, 0, r#"{"id":"must not be asked for"}"#)),
        ])
        .await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        let data = client.call("tasks.get_all", &json!({})).await.unwrap();
        assert_eq!(data["tasks"], json!([2]));
        assert_eq!(seen.lock().unwrap().len(), 4);
        let err = client
            .call_typed_err("tasks.create", &json!({"name": "x"}))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApiError::Unavailable { status: 502, .. }),
            "{err:?}"
        );
        assert_eq!(seen.lock().unwrap().len(), 5, "a write was sent twice");
    }

    #[tokio::test]
    async fn a_reset_is_asked_again_for_reads_only() {
        let (url, seen) = mock(vec![
            login_script(),
            (RESET, String::new()),
            (200, text(200, 0, r#"{"tasks":[3]}"#)),
            (RESET, String::new()),
            (200, text(200, 0, r#"{"id":"must not be asked for"}"#)),
        ])
        .await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        let data = client.call("tasks.get_all", &json!({})).await.unwrap();
        assert_eq!(data["tasks"], json!([3]));
        let err = client
            .call_typed_err("tasks.create", &json!({}))
            .await
            .unwrap_err();
        assert_eq!(err.exit(), clearml_error::Exit::Unreachable, "{err:?}");
        assert_eq!(seen.lock().unwrap().len(), 4, "a write was sent twice");
    }

    #[tokio::test]
    async fn a_stalled_answer_times_out_after_the_request_timeout_once() {
        let (url, seen) = mock(vec![login_script(), (STALL, String::new())]).await;
        let opts = Options::with_timeout(Duration::from_millis(700));
        let client = Client::new(&url, keys(), &opts).unwrap();
        let started = Instant::now();
        let err = client
            .call_typed_err("tasks.get_all", &json!({}))
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(
                err,
                ApiError::Unreachable {
                    kind: super::super::error::NetKind::Timeout,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(took < Duration::from_secs(3), "{took:?}");
        assert_eq!(seen.lock().unwrap().len(), 2, "a timeout was repeated");
        assert!(Options::default().request_timeout <= Duration::from_secs(30));
    }

    #[tokio::test]
    async fn a_password_in_the_api_url_is_not_in_errors() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://user:Pa55w0rd-Geheim@127.0.0.1:{port}");
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        let err = client.call("tasks.get_all", &json!({})).await.unwrap_err();
        let line = clearml_error::one_line(&err);
        assert!(!format!("{err:?}{line}").contains("Geheim"), "{line}");
        assert!(line.contains("user:***@127.0.0.1"), "{line}");
    }

    #[tokio::test]
    async fn a_lasting_503_is_unavailable_and_a_cut_body_is_asked_again() {
        let far = chrono::Utc::now().timestamp() + 86400;
        let login = text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)));
        let html = "<html><body>502 Bad Gateway</body></html>".to_string();
        let mut script = vec![(200, login)];
        script.extend(std::iter::repeat_n((502, html), 4));
        script.push((TRUNCATED, text(200, 0, r#"{"tasks":[]}"#)));
        script.push((200, text(200, 0, r#"{"tasks":[1]}"#)));
        let (url, seen) = mock(script).await;
        let opts = Options {
            retries: 3,
            ..Options::default()
        };
        let client = Client::new(&url, keys(), &opts).unwrap();
        let err = client
            .call_typed_err("tasks.get_all", &json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApiError::Unavailable { status: 502, .. }),
            "{err:?}"
        );
        let line = err.to_cli().to_string();
        assert!(
            line.contains("unavailable (HTTP 502 Bad Gateway)"),
            "{line}"
        );
        assert!(!line.contains("web server"), "{line}");
        assert_eq!(err.exit(), clearml_error::Exit::Unreachable);
        let data = client.call("tasks.get_all", &json!({})).await.unwrap();
        assert_eq!(data["tasks"], json!([1]));
        assert_eq!(seen.lock().unwrap().len(), 7);
    }

    #[test]
    fn malformed_api_hosts_are_usage_errors() {
        for bad in ["ftp://x", "not a url", "localhost:8008"] {
            let err = Client::new(bad, Auth::Anonymous, &Options::default())
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(crate::exit_of(&err), clearml_error::Exit::Usage, "{bad}");
        }
        assert!(
            Client::new(
                "https://api.example.com",
                Auth::Anonymous,
                &Options::default()
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn a_401_refreshes_the_token_once() {
        let far = chrono::Utc::now().timestamp() + 86400;
        let login = text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)));
        let (url, seen) = mock(vec![
            (200, login.clone()),
            (401, text(401, 30, "{}")),
            (200, login),
            (200, text(200, 0, r#"{"ok":1}"#)),
        ])
        .await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        assert_eq!(client.call("x.y", &json!({})).await.unwrap()["ok"], 1);
        assert_eq!(
            *seen.lock().unwrap(),
            ["/auth.login", "/v2.23/x.y", "/auth.login", "/v2.23/x.y"]
        );
    }

    #[tokio::test]
    async fn a_token_near_expiry_is_renewed_before_the_call() {
        let soon = chrono::Utc::now().timestamp() + 60;
        let far = chrono::Utc::now().timestamp() + 86400;
        let (url, seen) = mock(vec![
            (
                200,
                text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(soon))),
            ),
            (200, text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)))),
            (200, text(200, 0, "{}")),
        ])
        .await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        client.login().await.unwrap();
        *client.token.lock().await = Some(Token::from_jwt(&jwt(soon), "t").unwrap());
        client.call("x.y", &json!({})).await.unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen, ["/auth.login", "/auth.login", "/v2.23/x.y"]);
    }

    /// A paging API with `total` items: answers `x.get_all` from the page/page_size in
    /// the body, concurrently, recording which pages were asked for.
    /// A paging server holding each page answer `hold` long; `busy` records the most page
    /// requests it had open at once.
    async fn pager_server(
        total: usize,
        hold: Duration,
        busy: std::sync::Arc<(
            std::sync::atomic::AtomicUsize,
            std::sync::atomic::AtomicUsize,
        )>,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(u64, u64)>>>) {
        use std::sync::atomic::Ordering::SeqCst;
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let far = chrono::Utc::now().timestamp() + 86400;
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let log = log.clone();
                let busy = busy.clone();
                tokio::spawn(async move {
                    let (req, head_end, len) = read_request(&mut s).await;
                    let text = String::from_utf8_lossy(&req).to_string();
                    let body: Value =
                        serde_json::from_slice(&req[head_end..head_end + len]).unwrap_or(json!({}));
                    let data = if text.starts_with("POST /auth.login") {
                        json!({"token": jwt(far)})
                    } else {
                        let (page, size) = (
                            body["page"].as_u64().unwrap(),
                            body["page_size"].as_u64().unwrap(),
                        );
                        log.lock().unwrap().push((page, size));
                        let now = busy.0.fetch_add(1, SeqCst) + 1;
                        busy.1.fetch_max(now, SeqCst);
                        tokio::time::sleep(hold).await;
                        busy.0.fetch_sub(1, SeqCst);
                        let from = (page * size) as usize;
                        let items: Vec<usize> = (from..(from + size as usize).min(total)).collect();
                        json!({"items": items})
                    };
                    let body = text_of(&data);
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    // The client drops requests for pages past the end: no one may read.
                    let _ = s.write_all(resp.as_bytes()).await;
                });
            }
        });
        (url, seen)
    }

    fn text_of(data: &Value) -> String {
        String::from_utf8(envelope(200, 0, "OK", &data.to_string())).unwrap()
    }

    #[tokio::test]
    async fn pager_returns_every_item_in_order_and_honours_limits() {
        let busy = Default::default();
        let (url, seen) = pager_server(2345, Duration::ZERO, busy).await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        let all = client
            .get_all("x.get_all", &json!({}), "items", None)
            .await
            .unwrap();
        let nums: Vec<u64> = all.iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(nums, (0..2345).collect::<Vec<u64>>());
        // Every page once; past the short page 4, only the requests already in flight.
        let mut pages = seen.lock().unwrap().clone();
        pages.sort();
        let past_end = pages.iter().filter(|(p, _)| *p >= 5).count();
        assert!(past_end < PAGES_IN_FLIGHT, "{pages:?}");
        assert_eq!(
            pages[..5],
            (0..5).map(|p| (p, 500)).collect::<Vec<_>>()[..],
            "{pages:?}"
        );
        pages.dedup();
        assert_eq!(pages.len(), 5 + past_end, "a page was requested twice");

        seen.lock().unwrap().clear();
        let some = client
            .get_all("x.get_all", &json!({}), "items", Some(700))
            .await
            .unwrap();
        assert_eq!(some.len(), 700);
        assert_eq!(some[699], 699);
        let mut pages = seen.lock().unwrap().clone();
        pages.sort();
        assert_eq!(pages, [(0, 500), (1, 500)]);

        seen.lock().unwrap().clear();
        let few = client
            .get_all("x.get_all", &json!({}), "items", Some(100))
            .await
            .unwrap();
        assert_eq!(few.len(), 100);
        assert_eq!(*seen.lock().unwrap(), [(0, 100)]);
    }

    #[tokio::test]
    async fn pages_past_the_first_are_fetched_concurrently() {
        let busy: std::sync::Arc<(
            std::sync::atomic::AtomicUsize,
            std::sync::atomic::AtomicUsize,
        )> = Default::default();
        let (url, _) = pager_server(2345, Duration::from_millis(300), busy.clone()).await;
        let client = Client::new(&url, keys(), &Options::default()).unwrap();
        let all = client
            .get_all("x.get_all", &json!({}), "items", None)
            .await
            .unwrap();
        assert_eq!(all.len(), 2345);
        let most = busy.1.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            most > 1,
            "pages were fetched one at a time (at most {most} open)"
        );
    }
}
