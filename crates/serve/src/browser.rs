//! What a browser may do with the session cookie, and the headers that keep pages and
//! stored files from being turned against their viewer.
//!
//! The `clearml_token_basic` cookie is scoped to a host, not a port: a browser logged in
//! to the web UI sends it to the API and the file server too, whoever made the page that
//! asks. Clients that authenticate with an `Authorization` header (SDK, agent, curl) are
//! not concerned; a request the cookie alone authenticates must come from the web UI
//! itself: never from another site (`Sec-Fetch-Site`, `Origin`), never by a method a
//! link or a redirect can produce (the real web app calls the API with POST only).

use super::AppState;
use axum::http::{HeaderMap, HeaderValue, Method, header};

/// Whether the request carries the session cookie and no `Authorization` header: the
/// cookie is then what authenticates it.
pub fn cookie_authenticated(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::AUTHORIZATION)
        && super::auth::session_cookie_token(headers).is_some()
}

/// The origins (`scheme://host:port`) whose pages may use the cookie: this server's web
/// UI and API ports, on the host name the request was sent to (so a server reached as
/// `http://box:8080` accepts its own pages however it is named). The file server's origin
/// is not among them: it serves what users uploaded.
fn is_own_origin(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let Ok(o) = url::Url::parse(origin) else {
        return false; // `null` (an opaque origin) and anything unparsable
    };
    let Some(port) = o.port_or_known_default() else {
        return false;
    };
    let own_port = |u: &std::sync::OnceLock<String>| {
        u.get()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.port_or_known_default())
            == Some(port)
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| url::Url::parse(&format!("http://{h}")).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    o.scheme() == "http"
        && host.is_some_and(|h| o.host_str() == Some(h.as_str()))
        && (own_port(&state.web_url) || own_port(&state.api_url))
}

/// Why a request that the cookie alone authenticates is refused, or `None` when it comes
/// from this server's own pages. `safe_methods_pass`: GET and HEAD need no origin (the
/// file server's downloads and images, which another origin cannot read).
pub fn cookie_refusal(
    state: &AppState,
    headers: &HeaderMap,
    method: &Method,
    safe_methods_pass: bool,
) -> Option<String> {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let own = origin.is_some_and(|o| is_own_origin(state, headers, o));
    if let Some(o) = origin.filter(|_| !own) {
        let o: String = o.chars().take(80).collect();
        return Some(format!(
            "the session cookie is not accepted from pages of {o}; send an Authorization header"
        ));
    }
    let safe = matches!(*method, Method::GET | Method::HEAD);
    if safe && safe_methods_pass {
        return None;
    }
    match site {
        "cross-site" => {
            return Some(
                "the session cookie is not accepted from another site's pages; send an \
                 Authorization header"
                    .into(),
            );
        }
        // Another port of this host is the same site: only our own pages, which say so.
        "same-site" if !own => {
            return Some(
                "the session cookie is not accepted from another port's pages; send an \
                 Authorization header"
                    .into(),
            );
        }
        _ => {}
    }
    if *method != Method::POST && !safe_methods_pass {
        return Some(format!(
            "the session cookie alone authorises POST requests only ({method} was sent); \
             send an Authorization header"
        ));
    }
    None
}

/// Why a form post to the web port (log in, log out) is refused: one from another
/// origin's page (`Origin` is sent with every POST a browser makes). Clients without a
/// browser send none and are not concerned.
pub fn web_post_refusal(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("?");
    (!is_own_origin(state, headers, origin)).then(|| {
        let o: String = origin.chars().take(80).collect();
        format!("a form of {o} cannot post here")
    })
}

/// Whether to echo a request's `Origin` with `Access-Control-Allow-Credentials` (as the
/// real server does for every origin): not when the cookie is what would authenticate the
/// request and the origin is not ours, so no other page can read an answer made with it.
pub fn may_echo_origin(state: &AppState, headers: &HeaderMap, origin: &HeaderValue) -> bool {
    !cookie_authenticated(headers)
        || origin
            .to_str()
            .is_ok_and(|o| is_own_origin(state, headers, o))
}

/// Headers on every stored file the file server sends: the file is shown as what its name
/// says (never sniffed into HTML) and, if it is a page, runs without script in an opaque
/// origin, so an uploaded `.html` cannot use the viewer's session.
pub fn stored_file_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The web UI's Content-Security-Policy: its one inline script (by hash) and inline
/// styles, images from itself and from this server's file server only, no frames, forms
/// posting back to itself only.
pub fn web_policy(script_hash: &str, image_origins: &[String]) -> String {
    format!(
        "default-src 'none'; script-src '{script_hash}'; style-src 'unsafe-inline'; \
         img-src 'self' data: {}; connect-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
        image_origins.join(" ")
    )
}

/// Headers on every web UI answer: the policy, no framing (older browsers read
/// `X-Frame-Options`), no sniffing, no referrer to other sites.
pub fn web_headers(h: &mut HeaderMap, policy: &str) {
    if let Ok(v) = HeaderValue::from_str(policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_lists_the_image_origins() {
        let p = web_policy("sha256-x", &["http://127.0.0.1:8081".into()]);
        assert!(
            p.contains("img-src 'self' data: http://127.0.0.1:8081;"),
            "{p}"
        );
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
    }
}
