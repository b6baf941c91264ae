//! The web port: a read-only web UI rendered by the server itself (no JavaScript build,
//! nothing fetched from elsewhere). Pages read through the API's own services, called
//! in-process with a JSON body as the real web app calls them over HTTP, so the numbers a
//! page shows are the API's. Paths follow the real web app's (`/projects/<id>/experiments/
//! <task>/output/log`, ...), so its bookmarks and the links the SDK prints open here.
//!
//! Every page needs the `clearml_token_basic` cookie the login form sets; without a valid
//! one a page redirects to the form. Templates are `maud`, which escapes every value.

mod columns;
mod compare;
mod compare_media;
mod console;
mod datasets;
mod execution;
mod experiment;
mod experiments;
mod hparams;
mod layout;
mod login;
mod models;
mod pipelines;
mod plots;
mod projects;
mod samples;
mod scalars;
mod utilization;
mod workers;

use super::envelope::ApiError;
use super::{AppState, Call, readers, services};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::Markup;
use serde_json::Value;
use std::sync::Arc;

/// The web app: the login form open to all, every other page behind the cookie.
pub fn router(state: Arc<AppState>) -> Router {
    let pages = Router::new()
        .route("/", get(|| async { Redirect::to("/projects") }))
        .route("/projects", get(projects::page))
        .route("/projects/{project}/experiments", get(experiments::page))
        .route(
            "/projects/{project}/experiments/{task}",
            get(experiment::overview),
        )
        .route(
            "/projects/{project}/experiments/{task}/{*tab}",
            get(experiment::tab),
        )
        // The SDK prints `.../projects/<p>/tasks/<t>/output/log` as a task's results page.
        .route(
            "/projects/{project}/tasks/{task}",
            get(experiment::overview),
        )
        .route(
            "/projects/{project}/tasks/{task}/{*tab}",
            get(experiment::tab),
        )
        // `compare-experiments;ids=a,b` (the real app's matrix form) or `?ids=a,b`.
        .route("/projects/{project}/{view}", get(compare::page))
        .route("/projects/{project}/models", get(models::list))
        .route("/projects/{project}/models/{model}", get(models::page))
        .route(
            "/projects/{project}/models/{model}/{*tab}",
            get(models::tab),
        )
        .route("/models", get(models::list_all))
        .route("/models/{model}", get(models::page_by_id))
        .route("/datasets", get(datasets::list))
        .route(
            "/datasets/simple/{project}/experiments",
            get(datasets::versions),
        )
        .route(
            "/datasets/simple/{project}/experiments/{task}",
            get(datasets::version_page),
        )
        .route(
            "/datasets/simple/{project}/experiments/{task}/{*tab}",
            get(datasets::version_tab),
        )
        .route("/pipelines", get(pipelines::list))
        .route(
            "/pipelines/{project}/experiments/{task}",
            get(pipelines::run),
        )
        .route("/workers-and-queues", get(workers::page))
        .route("/workers-and-queues/{*tab}", get(workers::page))
        .route("/logout", axum::routing::post(login::logout))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_login,
        ));
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// Every answer of the web port: the Content-Security-Policy (our script only, images
/// from this server's file server only, never framed), no sniffing.
async fn security_headers(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    // Another site's page cannot log its visitor in or out (the only posts there are).
    let refused = (req.method() == axum::http::Method::POST)
        .then(|| super::browser::web_post_refusal(&state, req.headers()))
        .flatten();
    let mut response = match refused {
        Some(why) => {
            tracing::warn!("web: {why}");
            error_page(ApiError::new(403, 0, why))
        }
        None => next.run(req).await,
    };
    let files = state.files_url.get().map(String::as_str).unwrap_or("");
    let policy = super::browser::web_policy(layout::script_hash(), &own_file_origins(files));
    super::browser::web_headers(response.headers_mut(), &policy);
    response
}

/// The origins this server's file server answers on, as stored URLs name it: its own
/// URL's, and for a loopback one the other loopback name (the SDK may have been configured
/// with `localhost`).
fn own_file_origins(files_url: &str) -> Vec<String> {
    let Ok(u) = url::Url::parse(files_url) else {
        return Vec::new();
    };
    let (Some(host), Some(port)) = (u.host_str(), u.port_or_known_default()) else {
        return Vec::new();
    };
    // (CSP has no syntax for IPv6 literals: `[::1]` is not among them.)
    let loopback = ["127.0.0.1", "localhost"];
    let hosts: Vec<&str> = if loopback.contains(&host) {
        loopback.to_vec()
    } else {
        vec![host]
    };
    hosts
        .into_iter()
        .map(|h| format!("{}://{h}:{port}", u.scheme()))
        .collect()
}

/// Pages need a valid token cookie; without one: the login form, coming back here after.
async fn require_login(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let ok = super::auth::session_cookie_token(req.headers())
        .is_some_and(|t| state.verify_token(&t).is_ok());
    if ok {
        return next.run(req).await;
    }
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    Redirect::to(&format!("/login?next={}", layout::url_part(here))).into_response()
}

async fn not_found() -> Response {
    error_page(ApiError::new(404, 0, "no such page"))
}

/// What a page's code gets: the server, to call the API with.
pub struct Ctx<'a> {
    pub state: &'a AppState,
}

impl Ctx<'_> {
    /// Call an API endpoint in-process, with the identity of the server's own user, on a
    /// read-only connection of its own: pages only read, so they never hold (or wait on)
    /// the writer the API's calls need.
    pub fn api(&self, endpoint: &str, body: Value) -> Result<Value, ApiError> {
        self.with_call(endpoint, body, |call| {
            services::dispatch(call)
                .unwrap_or_else(|| Err(ApiError::internal(format!("no endpoint {endpoint}"))))
        })
    }

    /// As [`Ctx::api`], with `handler` in place of the endpoint's own: one that answers
    /// the same call with numbers instead of JSON (`services::events::multi_task_curves`).
    pub fn call<T>(
        &self,
        endpoint: &str,
        body: Value,
        handler: impl FnOnce(&mut Call) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.with_call(endpoint, body, |call| {
            services::prepare(call)?;
            handler(call)
        })
    }

    fn with_call<T>(
        &self,
        endpoint: &str,
        body: Value,
        f: impl FnOnce(&mut Call) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let state = self.state;
        let mut store = readers::reader(&state.readers)?;
        store.rollback_abandoned();
        let mut call = Call {
            state,
            store: &mut store,
            body,
            lines: None,
            endpoint: endpoint.to_string(),
            // The server's own version: pages see what a current client sees.
            version: super::endpoints::parse_version(clearml_wire::API_VERSION).unwrap_or((2, 0)),
            identity: state.signer.identity(),
            access_key: None,
            token: None,
            set_cookie: None,
        };
        f(&mut call)
    }

    /// The file server's base URL (links to artifacts, models and images).
    pub fn files_url(&self) -> &str {
        self.state.files_url.get().map(String::as_str).unwrap_or("")
    }

    /// Whether `url` is a file on this server's file server (an image the page may load);
    /// an image elsewhere is shown as a link, so opening a page fetches nothing from
    /// hosts a task's code named.
    pub fn is_own_file(&self, url: &str) -> bool {
        let Ok(u) = url::Url::parse(url) else {
            return false;
        };
        let origin = match (u.host_str(), u.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}", u.scheme()),
            _ => return false,
        };
        own_file_origins(self.files_url()).contains(&origin)
    }

    /// A link that downloads `uri`, and the file's size when it is on this server's file
    /// server. The SDK writes artifact and model URIs with the stored name as it is (the
    /// file server keeps `%C3%B6` in a name literally), so such a name is percent-encoded
    /// once more for the link; a URI whose decoded path is the file is linked as it is.
    pub fn file_link(&self, uri: &str) -> (String, Option<u64>) {
        let base = self.files_url();
        let Some(rest) = uri.strip_prefix(base).filter(|_| !base.is_empty()) else {
            return (uri.to_string(), None);
        };
        let root = &self.state.files_dir;
        let size = |object: &str| {
            crate::decoding::resolve(root, object)
                .and_then(|p| std::fs::metadata(p).ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
        };
        if let Some(n) = size(rest) {
            return (format!("{base}{}", clearml_wire::quote_path(rest)), Some(n));
        }
        let decoded = crate::decoding::decoded_path(rest);
        (uri.to_string(), size(&decoded))
    }
}

/// Render a page on a blocking thread (SQLite work stays off the async workers), within
/// the web UI's own bound on concurrent pages (not the API's slots: pages never make API
/// calls wait).
pub async fn render<F>(state: Arc<AppState>, f: F) -> Response
where
    F: FnOnce(&Ctx) -> Result<Markup, ApiError> + Send + 'static,
{
    let Ok(_slot) = state.web_slots.acquire().await else {
        return error_page(ApiError::internal("the server is shutting down"));
    };
    let shared = state.clone();
    let done = tokio::task::spawn_blocking(move || f(&Ctx { state: &shared })).await;
    match done {
        Ok(Ok(markup)) => html(markup),
        Ok(Err(e)) => error_page(e),
        Err(_) => error_page(ApiError::internal(
            "the server failed on this page; its log has the details",
        )),
    }
}

fn html(markup: Markup) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(markup.into_string()),
    )
        .into_response()
}

/// An API error as a page: unknown ids are 404s, the rest keep the API's code.
fn error_page(e: ApiError) -> Response {
    let code = match (e.code, e.subcode) {
        (400, 101 | 201 | 401 | 701) => 404,
        (c, _) => c,
    };
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = layout::page(
        "Error",
        layout::Nav::None,
        maud::html! {
            h1 { "Not shown" }
            p.error { (e.msg) }
            p { a href="/projects" { "Projects" } }
        },
    );
    (status, Html(body.into_string())).into_response()
}
