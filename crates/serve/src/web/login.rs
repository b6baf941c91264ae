//! The login form: a key pair in, the `clearml_token_basic` cookie out (the cookie the
//! real server's `auth.login` sets and its web app sends), then back to the page asked for.

use super::AppState;
use super::layout::{self, Nav};
use crate::auth::{self, DEFAULT_EXPIRATION_SEC};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use std::collections::HashMap;
use std::sync::Arc;

/// A login form is a few hundred bytes; anything much larger is not one.
const MAX_FORM: usize = 16 * 1024;

/// Only a path on this site: never `//host`, `http://...`, nor what a browser turns into
/// one (it drops tabs and line breaks, reads `\\` as `/`). The path comes back as the URL
/// parser writes it (non-ASCII percent-encoded), so it is always a valid `Location`.
fn safe_next(next: Option<&String>) -> String {
    const HOME: &str = "/projects";
    let Some(n) = next else {
        return HOME.into();
    };
    if !n.starts_with('/')
        || n.starts_with("//")
        || n.contains('\\')
        || n.chars().any(char::is_control)
    {
        return HOME.into();
    }
    let Ok(base) = url::Url::parse("http://this.invalid/") else {
        return HOME.into();
    };
    match base.join(n) {
        Ok(u) if u.origin() == base.origin() => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        _ => HOME.into(),
    }
}

/// The login form; under it where this server's API and file server answer (for
/// `clearml init` and the SDK's configuration).
fn form_page(state: &AppState, next: &str, error: Option<&str>) -> maud::Markup {
    let url = |u: &std::sync::OnceLock<String>| u.get().cloned().unwrap_or_default();
    layout::page(
        "Log in",
        Nav::None,
        html! {
            form.login method="post" action="/login" {
                h1 { "Log in" }
                p.muted { "With an access key and secret key of this server (as in clearml.conf)." }
                @if let Some(e) = error { p.error { (e) } }
                input type="hidden" name="next" value=(next);
                label for="access_key" { "Access key" }
                input #access_key name="access_key" autocomplete="username" required;
                label for="secret_key" { "Secret key" }
                input #secret_key name="secret_key" type="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
                p.muted {
                    "API server: " code { (url(&state.api_url)) } br;
                    "File server: " code { (url(&state.files_url)) }
                }
            }
        },
    )
}

pub async fn form(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    Html(form_page(&state, &safe_next(q.get("next")), None).into_string()).into_response()
}

pub async fn submit(State(state): State<Arc<AppState>>, req: axum::extract::Request) -> Response {
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), MAX_FORM).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "login form too large").into_response();
    };
    let fields: HashMap<String, String> =
        url::form_urlencoded::parse(&bytes).into_owned().collect();
    let next = safe_next(fields.get("next"));
    let key = fields.get("access_key").map(|k| k.trim()).unwrap_or("");
    let secret = fields.get("secret_key").map(|k| k.trim()).unwrap_or("");
    if key.is_empty() || !state.credentials.check(key, secret) {
        let page = form_page(
            &state,
            &next,
            Some("Unknown access key, or a wrong secret key."),
        );
        return (StatusCode::UNAUTHORIZED, Html(page.into_string())).into_response();
    }
    let token = state.signer.issue(DEFAULT_EXPIRATION_SEC, key);
    // The very cookie the API's auth.login sets.
    let cookie = auth::session_cookie(&token);
    let mut headers = HeaderMap::new();
    if let Ok(v) = cookie.parse() {
        headers.insert(header::SET_COOKIE, v);
    }
    (headers, Redirect::to(&next)).into_response()
}

/// Log out: the token of the cookie ends (as the API's `auth.logout` ends it), then the
/// cookie is cleared.
pub async fn logout(State(state): State<Arc<AppState>>, req_headers: HeaderMap) -> Response {
    if let Some(token) = auth::session_cookie_token(&req_headers) {
        let st = state.clone();
        let done = tokio::task::spawn_blocking(move || {
            let store = st.store.lock().unwrap_or_else(|p| p.into_inner());
            st.revoke_token(&store, &token)
        })
        .await;
        if let Ok(Err(e)) | Err(e) = done.map_err(anyhow::Error::from) {
            tracing::warn!("logout: cannot end the token: {e}");
        }
    }
    let mut headers = HeaderMap::new();
    if let Ok(v) = auth::cleared_session_cookie().parse() {
        headers.insert(header::SET_COOKIE, v);
    }
    (headers, Redirect::to("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        let n = |s: &str| safe_next(Some(&s.to_string()));
        assert_eq!(n("/projects/x/experiments"), "/projects/x/experiments");
        assert_eq!(n("//evil.example/x"), "/projects");
        assert_eq!(n("https://evil.example/"), "/projects");
        assert_eq!(n("/\\evil.example"), "/projects");
        assert_eq!(safe_next(None), "/projects");
        // What browsers strip or fold: tab, CR, LF anywhere.
        assert_eq!(n("/\t/localhost:9912/x"), "/projects");
        assert_eq!(n("/\r\nSet-Cookie: x=1"), "/projects");
        assert_eq!(n("/\n/evil.example"), "/projects");
        // A local path with a query, non-ASCII percent-encoded (a valid header value).
        assert_eq!(n("/models?x=1"), "/models?x=1");
        assert_eq!(n("/projects/Тест"), "/projects/%D0%A2%D0%B5%D1%81%D1%82");
    }
}
