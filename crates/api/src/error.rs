//! Typed failures of the client: the API's own answers ([`ApiError`]), everything else
//! that goes wrong on the way ([`ClientError`]), what each means for the caller ([`Kind`])
//! and the one actionable line a person sees. Exit codes are the command line's business.

use super::redact::redact_urls;
use clearml_error::Detail;

/// What a failure of this crate means for whoever called it: retry (unreachable), stop
/// (credentials refused), or report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The server (or the file server) cannot be reached or is not the API.
    Unreachable,
    /// The credentials are missing or refused.
    AuthRefused,
    /// What was asked for is not there (a task, a project, a file).
    NotFound,
    /// The caller's input cannot be used as given (a host that is no URL, a path).
    BadInput,
    /// Anything else.
    Failed,
}

/// A failure of this crate that is not an answer of the API: a local file, a name that
/// matches nothing, a malformed host, the file server's answers, TLS setup.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{detail}")]
pub struct ClientError {
    pub kind: Kind,
    pub detail: Detail,
}

impl ClientError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        ClientError {
            kind,
            detail: Detail::new(message),
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.detail = self.detail.with_hint(hint);
        self
    }
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(Kind::Unreachable, message)
    }
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(Kind::AuthRefused, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(Kind::BadInput, message)
    }
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Kind::Failed, message)
    }
}

/// Why a request never got an API answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetKind {
    Dns,
    Refused,
    Tls,
    Timeout,
    Reset,
    Other,
}

/// A failure talking to the API server. Display is the one line a person sees.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The host could not be reached (DNS, refused, TLS, timeout, reset).
    #[error("cannot reach {url} ({detail})")]
    Unreachable {
        url: String,
        kind: NetKind,
        detail: String,
    },
    /// The API (or a proxy in front of it) kept answering 502/503/504/429 without an
    /// envelope: it is there but unavailable, not misconfigured.
    #[error("the API server at {url} is unavailable (HTTP {status}{})", reason_suffix(*status))]
    Unavailable { url: String, status: u16 },
    /// Something answered, but not with the API's `{meta, data}` envelope.
    #[error("{url} answers like the web server, not the API (HTTP {status})")]
    NotApi { url: String, status: u16 },
    /// The API answered with an error envelope.
    #[error("{endpoint} failed ({result_code}/{subcode}): {message}")]
    Server {
        endpoint: String,
        result_code: u16,
        subcode: u32,
        message: String,
    },
    /// The response envelope was well-formed but its data was not what we expected.
    #[error("{endpoint}: unexpected response: {detail}")]
    Decode { endpoint: String, detail: String },
}

impl ApiError {
    /// Result code and subcode of a server-side error.
    pub fn codes(&self) -> Option<(u16, u32)> {
        match self {
            ApiError::Server {
                result_code,
                subcode,
                ..
            } => Some((*result_code, *subcode)),
            _ => None,
        }
    }

    /// Whether this is the server saying "no such object" (task, model, project, queue).
    pub fn is_not_found(&self) -> bool {
        matches!(self.codes(), Some((400, 10 | 101 | 201 | 401 | 403 | 701)))
    }

    pub fn kind(&self) -> Kind {
        match self {
            ApiError::Unreachable { .. }
            | ApiError::NotApi { .. }
            | ApiError::Unavailable { .. } => Kind::Unreachable,
            ApiError::Server { result_code, .. } if *result_code == 401 => Kind::AuthRefused,
            ApiError::Server { result_code, .. } if *result_code == 403 => Kind::AuthRefused,
            e if e.is_not_found() => Kind::NotFound,
            _ => Kind::Failed,
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            ApiError::Unreachable { kind, .. } => Some(match kind {
                NetKind::Dns => {
                    "check the host name in api_server (clearml.conf or CLEARML_API_HOST)"
                }
                NetKind::Refused => {
                    "is the server up? check with 'clearml server ping' (start the built-in one with 'clearml server serve', the Docker stack with 'clearml server up')"
                }
                NetKind::Tls => {
                    "is it really https? check the certificate; use --ca-bundle FILE for a private CA, or --insecure"
                }
                NetKind::Timeout => "the server is slow or a firewall drops the traffic",
                // The same for the API and the file server: name neither.
                NetKind::Reset | NetKind::Other => {
                    "the server or a proxy in front of it closed the connection: check the URL and the network"
                }
            }),
            ApiError::Unavailable { .. } => Some(
                "it is starting up or overloaded, or a proxy in front of it is failing: try again later or check the proxy",
            ),
            ApiError::NotApi { .. } => Some(
                "api_server must point at the API (port 8008 or the web host's /api path), not the web UI",
            ),
            ApiError::Server {
                result_code: 401, ..
            } => Some(
                "check access_key/secret_key (clearml.conf or CLEARML_API_ACCESS_KEY/SECRET_KEY)",
            ),
            ApiError::Server {
                result_code: 404,
                subcode: 0,
                ..
            } => Some("the server does not know this endpoint; it may be too old"),
            _ => None,
        }
    }

    /// The error as a person reads it: with its hint, and this error as its cause.
    pub fn reported(self) -> ApiFailure {
        ApiFailure(self)
    }
}

/// An [`ApiError`] with its hint (`message: hint`); the `ApiError` is its source, so the
/// chain stays typed and [`crate::kind_of`] sees it.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ApiFailure(#[source] pub ApiError);

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        if let Some(hint) = self.0.hint() {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

/// " Service Unavailable" for 503 and the like ("" when the status has no reason phrase).
fn reason_suffix(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

/// The API error as a person reads it (with its hint); the `ApiError` stays in the chain.
pub fn into_anyhow(err: ApiError) -> anyhow::Error {
    anyhow::Error::new(err.reported())
}

/// What one error of this crate means (None: not one of this crate's).
pub fn kind_of_one(e: &(dyn std::error::Error + 'static)) -> Option<Kind> {
    e.downcast_ref::<ClientError>()
        .map(|c| c.kind)
        .or_else(|| e.downcast_ref::<ApiError>().map(ApiError::kind))
}

/// What the outermost error of this crate in a chain means, for a caller that retries
/// or stops on it (None: the chain holds none).
pub fn kind_of(err: &anyhow::Error) -> Option<Kind> {
    err.chain().find_map(kind_of_one)
}

/// Sort a transport failure into something a person can act on.
pub fn classify_transport(url: &str, err: &reqwest::Error) -> ApiError {
    let mut kind = if err.is_timeout() {
        NetKind::Timeout
    } else {
        NetKind::Other
    };
    let mut detail = String::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        let text = e.to_string();
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => kind = NetKind::Refused,
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    kind = NetKind::Reset
                }
                std::io::ErrorKind::TimedOut => kind = NetKind::Timeout,
                _ => {}
            }
        }
        let lower = text.to_lowercase();
        if kind == NetKind::Other {
            if lower.contains("dns error") || lower.contains("failed to lookup address") {
                kind = NetKind::Dns;
            } else if lower.contains("certificate")
                || lower.contains("tls")
                || lower.contains("handshake")
                || lower.contains("corrupt message")
                || lower.contains("unknownissuer")
                || lower.contains("alert")
            {
                kind = NetKind::Tls;
            }
        }
        detail = text;
        source = e.source();
    }
    let detail = match kind {
        NetKind::Dns => "DNS lookup failed".to_string(),
        NetKind::Refused => "connection refused".to_string(),
        NetKind::Timeout => "timed out".to_string(),
        NetKind::Reset => "connection reset".to_string(),
        NetKind::Tls => format!("TLS error: {}", super::tls::describe_tls_failure(&detail)),
        NetKind::Other => detail,
    };
    ApiError::Unreachable {
        url: redact_urls(url),
        kind,
        // reqwest's texts quote the URL
        detail: redact_urls(&detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u16, sub: u32) -> ApiError {
        ApiError::Server {
            endpoint: "tasks.get_by_id".into(),
            result_code: code,
            subcode: sub,
            message: "Invalid task id: ids=(x)".into(),
        }
    }

    #[test]
    fn kinds_follow_result_codes() {
        assert_eq!(server(400, 101).kind(), Kind::NotFound);
        assert_eq!(server(400, 201).kind(), Kind::NotFound);
        assert_eq!(server(401, 22).kind(), Kind::AuthRefused);
        assert_eq!(server(400, 12).kind(), Kind::Failed);
        assert_eq!(server(500, 0).kind(), Kind::Failed);
        let nav = ApiError::NotApi {
            url: "http://h:8080".into(),
            status: 200,
        };
        assert_eq!(nav.kind(), Kind::Unreachable);
    }

    #[test]
    fn one_line_keeps_server_message_and_codes() {
        let err = into_anyhow(server(401, 22));
        assert_eq!(crate::kind_of(&err), Some(Kind::AuthRefused));
        let line = clearml_error::one_line(&err);
        assert!(
            line.starts_with("tasks.get_by_id failed (401/22): Invalid task id"),
            "{line}"
        );
        assert!(line.contains("check access_key"), "{line}");
    }

    #[tokio::test]
    async fn refused_and_dns_are_named() {
        // A port nobody listens on: bind then drop to get a free one.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/debug.ping");
        let err = reqwest::get(&url).await.unwrap_err();
        let api = classify_transport(&url, &err);
        assert!(
            matches!(
                api,
                ApiError::Unreachable {
                    kind: NetKind::Refused,
                    ..
                }
            ),
            "{api:?}"
        );
        assert_eq!(
            api.clone().reported().to_string(),
            format!(
                "cannot reach {url} (connection refused): is the server up? check with 'clearml server ping' (start the built-in one with 'clearml server serve', the Docker stack with 'clearml server up')"
            )
        );
        let url = "http://no-such-host.invalid/debug.ping";
        let err = reqwest::get(url).await.unwrap_err();
        let api = classify_transport(url, &err);
        assert!(
            matches!(
                api,
                ApiError::Unreachable {
                    kind: NetKind::Dns,
                    ..
                }
            ),
            "{api:?}"
        );
    }
}
