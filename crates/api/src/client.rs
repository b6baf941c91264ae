//! The HTTP side of the API client: login, versioned calls, the envelope, retries.

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::HashMap;

use super::error::{ApiError, classify_transport, into_anyhow};
use super::retry;
use super::token::Token;
use clearml_config::{Settings, TlsVerify};
use clearml_wire as wire;

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
            return Err(crate::ClientError::auth(
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
        let request = Request {
            url: &url,
            endpoint: "auth.login",
            payload: bytes::Bytes::from_static(b"{}"),
            content_type: "application/json",
        };
        let data = self
            .send_envelope(&request, &basic, &self.data_of("auth.login"))
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
        self.call_decoded(endpoint, payload, content_type, self.data_of(endpoint))
            .await
    }

    /// Reads an answer's envelope to its `data` (the usual `decode` of a call).
    fn data_of<'a>(
        &'a self,
        endpoint: &'a str,
    ) -> impl Fn(u16, &[u8]) -> Result<Value, ApiError> + 'a {
        move |status, body| decode_envelope(&self.api, endpoint, status, body)
    }

    /// An authenticated call whose answer `decode` reads from the body (with its HTTP
    /// status): [`decode_envelope`], or a listing's items read in place.
    async fn call_decoded<T>(
        &self,
        endpoint: &str,
        payload: Vec<u8>,
        content_type: &'static str,
        decode: impl Fn(u16, &[u8]) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let version = self.path_version().await?;
        let url = format!("{}/v{}/{}", self.api, version, endpoint);
        let bearer = format!("Bearer {}", self.bearer().await?);
        let payload = bytes::Bytes::from(payload);
        let request = Request {
            url: &url,
            endpoint,
            payload,
            content_type,
        };
        match self.send_envelope(&request, &bearer, &decode).await {
            Err(e) if e.codes().is_some_and(|(c, _)| c == 401) && self.can_refresh() => {
                // One refresh and retry, as the SDK does.
                self.drop_token().await;
                let bearer = format!("Bearer {}", self.bearer().await?);
                self.send_envelope(&request, &bearer, &decode).await
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
        let request = Request {
            url: &url,
            endpoint,
            payload: serde_json::to_vec(body)
                .expect("JSON values serialize")
                .into(),
            content_type: "application/json",
        };
        self.send_envelope(&request, "", &self.data_of(endpoint))
            .await
    }

    /// Every item of a `*.get_all*` call, following pages of 500 past the server's cap.
    /// `limit` stops early. `key` is the list field of the response (`tasks`, `models`...).
    pub async fn get_all(
        &self,
        endpoint: &str,
        body: &Value,
        key: &str,
        limit: Option<usize>,
    ) -> anyhow::Result<Vec<Value>> {
        let mut items = Vec::new();
        self.get_all_pages(endpoint, body, key, limit, |page| items.extend(page))
            .await?;
        Ok(items)
    }

    /// [`Client::get_all`], handing each page to `each` as it arrives (in page order,
    /// never past `limit`), so callers build their output while later pages are in flight.
    pub async fn get_all_pages(
        &self,
        endpoint: &str,
        body: &Value,
        key: &str,
        limit: Option<usize>,
        each: impl FnMut(Vec<Value>),
    ) -> anyhow::Result<()> {
        let decode = |status, answer: &[u8]| decode_list(&self.api, endpoint, status, answer, key);
        self.pages(endpoint, body, limit, decode, each).await
    }

    /// [`Client::get_all_pages`] with each item made by `item` from its JSON text, read in
    /// place from the answer: a listing printed as it came (`task list --json`) builds no
    /// value per item, or only what `item` builds.
    pub async fn get_all_pages_with<T>(
        &self,
        endpoint: &str,
        body: &Value,
        key: &str,
        limit: Option<usize>,
        item: impl Fn(&RawValue) -> serde_json::Result<T>,
        each: impl FnMut(Vec<T>),
    ) -> anyhow::Result<()> {
        let decode =
            |status, answer: &[u8]| decode_items(&self.api, endpoint, status, answer, key, &item);
        self.pages(endpoint, body, limit, decode, each).await
    }

    /// The pages of a listing, each read by `decode` (from its HTTP status and body).
    ///
    /// Page 0 comes alone (most listings fit in it); past it, up to `PAGES_IN_FLIGHT` pages
    /// are in flight at once, kept in page order. Without a limit the end is only known from
    /// a short page, so a few requests past it may have been sent; they are dropped.
    async fn pages<T>(
        &self,
        endpoint: &str,
        body: &Value,
        limit: Option<usize>,
        decode: impl Fn(u16, &[u8]) -> Result<Vec<T>, ApiError>,
        mut each: impl FnMut(Vec<T>),
    ) -> anyhow::Result<()> {
        use futures_util::StreamExt;
        // `page` counts in units of page_size, so it stays fixed across pages: the limit
        // itself when one page holds it, else the server's cap.
        let page_size = match limit {
            Some(l) if l <= MAX_PAGE_SIZE => l.max(1),
            _ => MAX_PAGE_SIZE,
        };
        let wanted = limit.unwrap_or(usize::MAX);
        let at = |page| PageAt {
            endpoint,
            body,
            page,
            page_size,
        };
        let mut first = self.page(at(0), &decode).await?;
        first.truncate(wanted);
        let mut seen = first.len();
        let more = first.len() == page_size && seen < wanted;
        each(first);
        if more {
            let pages_left = (wanted - seen).div_ceil(page_size);
            let mut pages = futures_util::stream::iter((1..).take(pages_left))
                .map(|p| self.page(at(p), &decode))
                .buffered(PAGES_IN_FLIGHT.min(pages_left));
            while let Some(page) = pages.next().await {
                let mut page = page?;
                let short = page.len() < page_size;
                page.truncate(wanted - seen);
                seen += page.len();
                each(page);
                if short || seen >= wanted {
                    break;
                }
            }
        }
        Ok(())
    }

    async fn page<T>(
        &self,
        at: PageAt<'_>,
        decode: &impl Fn(u16, &[u8]) -> Result<Vec<T>, ApiError>,
    ) -> anyhow::Result<Vec<T>> {
        let mut req = at.body.clone();
        if let Value::Object(m) = &mut req {
            m.insert("page".into(), json!(at.page));
            m.insert("page_size".into(), json!(at.page_size));
        }
        let payload = serde_json::to_vec(&req).expect("JSON values serialize");
        self.call_decoded(at.endpoint, payload, "application/json", decode)
            .await
            .map_err(into_anyhow)
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

    /// Send one request with retries and `decode` the answer (usually the envelope's
    /// `data`); an answer that does not decode under a transient status is retried.
    async fn send_envelope<T>(
        &self,
        request: &Request<'_>,
        authorization: &str,
        decode: &impl Fn(u16, &[u8]) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let Request {
            url,
            endpoint,
            payload,
            content_type,
        } = request;
        let content_type = *content_type;
        let mut attempt = 0u32;
        loop {
            let mut req = self
                .http
                .post(*url)
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
                            let answer = decode(status, &bytes);
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
fn check_host_url(host: &str) -> Result<(), crate::ClientError> {
    let host = host.trim();
    if host.is_empty() {
        return Ok(());
    }
    match reqwest::Url::parse(host) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err(crate::ClientError::bad_input(format!(
            "the API host '{host}' is not an http(s) URL"
        ))
        .with_hint("fix api_server in clearml.conf, CLEARML_API_HOST or --api-host (e.g. http://localhost:8008)")),
    }
}

/// One request as sent (and sent again on a retry).
struct Request<'a> {
    url: &'a str,
    endpoint: &'a str,
    payload: bytes::Bytes,
    content_type: &'static str,
}

/// Which page of which listing.
#[derive(Clone, Copy)]
struct PageAt<'a> {
    endpoint: &'a str,
    body: &'a Value,
    page: usize,
    page_size: usize,
}

/// A listing's answer as its items (the list under `key` in `data`), parsed as values in
/// the one pass that reads the envelope.
fn decode_list(
    api: &str,
    endpoint: &str,
    status: u16,
    body: &[u8],
    key: &str,
) -> Result<Vec<Value>, ApiError> {
    let mut data = decode_envelope(api, endpoint, status, body)?;
    match data.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(ApiError::Decode {
            endpoint: endpoint.into(),
            detail: format!("no '{key}' list in the response"),
        }),
    }
}

/// A listing's answer as its items (the list under `key` in `data`), each made by `item`
/// from its JSON text; an error envelope as [`decode_envelope`] reads it.
///
/// A well-formed answer is read in one pass, each item made as the parser reaches it
/// (`listing::read`); anything else (an error envelope, a missing list, an item `item`
/// refuses) is read again the plain way, which names the problem.
pub fn decode_items<T>(
    api: &str,
    endpoint: &str,
    status: u16,
    body: &[u8],
    key: &str,
    item: impl Fn(&RawValue) -> serde_json::Result<T>,
) -> Result<Vec<T>, ApiError> {
    if let Some((meta, items)) = super::listing::read(body, key, &item) {
        meta_result(endpoint, status, meta)?;
        return Ok(items);
    }
    let data: Option<&RawValue> = decode_envelope_as(api, endpoint, status, body)?;
    let bad = |detail: String| ApiError::Decode {
        endpoint: endpoint.into(),
        detail,
    };
    // A repeated key counts once, its last value (as in a parsed value).
    let list = data
        .and_then(|d| serde_json::from_str::<HashMap<String, &RawValue>>(d.get()).ok())
        .and_then(|fields| fields.get(key).copied())
        .and_then(|list| serde_json::from_str::<Vec<&RawValue>>(list.get()).ok())
        .ok_or_else(|| bad(format!("no '{key}' list in the response")))?;
    list.into_iter()
        .map(|raw| item(raw).map_err(|e| bad(e.to_string())))
        .collect()
}

/// Turn a response body into `data`, or the typed error it carries.
pub fn decode_envelope(
    api: &str,
    endpoint: &str,
    status: u16,
    body: &[u8],
) -> Result<Value, ApiError> {
    decode_envelope_as(api, endpoint, status, body)
}

/// [`decode_envelope`] with `data` read as `D`.
fn decode_envelope_as<'a, D: serde::Deserialize<'a> + Default>(
    api: &str,
    endpoint: &str,
    status: u16,
    body: &'a [u8],
) -> Result<D, ApiError> {
    let env: wire::Envelope<D> = match serde_json::from_slice(body) {
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
    meta_result(endpoint, status, env.meta)?;
    Ok(env.data)
}

/// A success, or the server's error that `meta` and the HTTP status carry.
fn meta_result(endpoint: &str, status: u16, meta: wire::Meta) -> Result<(), ApiError> {
    if meta.result_code == 200 && (200..300).contains(&status) {
        Ok(())
    } else {
        Err(ApiError::Server {
            endpoint: endpoint.to_string(),
            result_code: if meta.result_code != 0 {
                meta.result_code
            } else {
                status
            },
            subcode: meta.result_subcode,
            message: meta.result_msg,
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
mod tests;
