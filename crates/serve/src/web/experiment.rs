//! `/projects/<p>/experiments/<task>[/tab]`: one experiment. The overview shows status and
//! times, parameters by section, configuration objects, artifacts and models; the tabs
//! the console log (`output/log`), scalars (`output/metrics/scalar`), plots
//! (`output/metrics/plots`) and debug samples (`output/debugImages`, in `samples.rs`).
//! Paths of the real web app's other tabs (execution, hyper-params, artifacts, ...) open
//! the overview.

use super::layout::{self, Nav, ref_id, ref_name, s, url_part};
use super::{AppState, Ctx, console, execution, plots, render, samples, scalars};
use crate::envelope::ApiError;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::{Value, json};
use std::sync::Arc;

/// Console lines a page shows (the newest); `?lines=` asks for up to 10,000.
const LOG_LINES: u64 = 1000;

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Overview,
    Log,
    Scalars,
    Plots,
    Images,
}

impl Tab {
    fn of(path: &str) -> Tab {
        let p = path.trim_matches('/');
        if p.starts_with("output/log") {
            Tab::Log
        } else if p.starts_with("output/metrics/scalar") {
            Tab::Scalars
        } else if p.starts_with("output/metrics/plot") {
            Tab::Plots
        } else if p.starts_with("output/debugImages") {
            Tab::Images
        } else {
            Tab::Overview
        }
    }
}

pub async fn overview(
    State(state): State<Arc<AppState>>,
    Path((project, task)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    show(state, project, task, Tab::Overview, query).await
}

pub async fn tab(
    State(state): State<Arc<AppState>>,
    Path((project, task, tab)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    show(state, project, task, Tab::of(&tab), query).await
}

fn query_value(query: &Option<String>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn show(
    state: Arc<AppState>,
    project: String,
    task: String,
    tab: Tab,
    query: Option<String>,
) -> Response {
    let lines = query_value(&query, "lines")
        .and_then(|v| v.parse().ok())
        .unwrap_or(LOG_LINES);
    if tab == Tab::Log && query_value(&query, "part").as_deref() == Some("log") {
        let whole = query_value(&query, "download").as_deref() == Some("1");
        return log_text(state, task, lines, whole).await;
    }
    let scalar_options = scalars::Options::parse(&query);
    if tab == Tab::Scalars && scalar_options.fragment {
        // A scalar group opened on the page: its charts only, no page around them.
        return render(state, move |ctx| {
            scalars::task_charts(ctx, &task, &scalar_options)
        })
        .await;
    }
    render(state, move |ctx| {
        let t = load_task(ctx, &task)?;
        let base = format!(
            "/projects/{}/experiments/{}",
            url_part(&project),
            url_part(&task)
        );
        let content = match tab {
            Tab::Overview => overview_body(ctx, &t),
            Tab::Log => match query_value(&query, "search").filter(|q| !q.trim().is_empty()) {
                Some(needle) => console::search_body(ctx, &task, &base, &needle)?,
                None => {
                    let follow = query_value(&query, "follow").as_deref() == Some("1");
                    log_body(ctx, &task, &base, lines, follow)?
                }
            },
            Tab::Scalars => scalars::task_charts(ctx, &task, &scalar_options)?,
            Tab::Plots => plots::body(ctx, &task)?,
            Tab::Images => samples::body(ctx, &task, &samples::Query::parse(query.as_deref()))?,
        };
        let body = html! {
            (header(&t, &project))
            (tabs(&base, tab))
            (content)
        };
        Ok(layout::page(s(&t, "name"), Nav::Projects, body))
    })
    .await
}

/// The whole task document (hidden ones too: pipeline steps are hidden).
pub fn load_task(ctx: &Ctx, id: &str) -> Result<Value, ApiError> {
    let data = ctx.api(
        "tasks.get_all_ex",
        json!({"id": [id], "search_hidden": true}),
    )?;
    data["tasks"]
        .get(0)
        .cloned()
        .ok_or_else(|| ApiError::invalid_task(id))
}

fn header(t: &Value, project: &str) -> Markup {
    let pname = ref_name(&t["project"]);
    html! {
        div.crumbs {
            a href="/projects" { "Projects" } " / "
            a href={ "/projects/" (url_part(project)) "/experiments" } { (pname) }
        }
        h1 { (s(t, "name")) " " (layout::status(s(t, "status"))) }
    }
}

fn tabs(base: &str, on: Tab) -> Markup {
    let tab = |path: &str, label: &str, this: Tab| {
        html! { a href={ (base) (path) } class=[(on == this).then_some("on")] { (label) } }
    };
    html! {
        nav.tabs {
            (tab("", "Overview", Tab::Overview))
            (tab("/output/log", "Console", Tab::Log))
            (tab("/output/metrics/scalar", "Scalars", Tab::Scalars))
            (tab("/output/metrics/plots", "Plots", Tab::Plots))
            (tab("/output/debugImages", "Debug samples", Tab::Images))
        }
    }
}

fn overview_body(ctx: &Ctx, t: &Value) -> Markup {
    let text = |k: &str| html! { (s(t, k)) };
    let facts = [
        ("ID", html! { code { (s(t, "id")) } }),
        ("Status", layout::status(s(t, "status"))),
        ("Status message", text("status_message")),
        ("Status reason", text("status_reason")),
        ("Type", text("type")),
        ("User", html! { (ref_name(&t["user"])) }),
        ("Created", html! { (layout::time(&t["created"])) }),
        ("Started", html! { (layout::time(&t["started"])) }),
        ("Completed", html! { (layout::time(&t["completed"])) }),
        ("Last update", html! { (layout::time(&t["last_update"])) }),
        ("Duration", html! { (layout::duration(t)) }),
        (
            "Last iteration",
            html! { (layout::number(&t["last_iteration"])) },
        ),
        ("Worker", text("last_worker")),
        ("Tags", layout::tags(&t["tags"])),
        ("Comment", text("comment")),
    ];
    let mut facts: Vec<_> = facts.into_iter().filter(|(_, v)| !v.0.is_empty()).collect();
    facts.extend(execution::links(ctx, t));
    html! {
        (layout::facts(&facts))
        (execution::section(t))
        h2 #parameters { "Parameters" }
        (parameters(&t["hyperparams"]))
        h2 #configuration { "Configuration objects" }
        (configuration(&t["configuration"]))
        h2 #artifacts { "Artifacts" }
        (artifacts(ctx, &t["execution"]["artifacts"]))
        h2 #models { "Models" }
        (models(&t["models"]))
    }
}

fn parameters(hp: &Value) -> Markup {
    let sections = hp.as_object().filter(|m| !m.is_empty());
    html! {
        @match sections {
            None => p.muted { "No parameters." },
            Some(sections) => @for (section, params) in sections {
                h3 { (section) }
                table.grid.params {
                    thead { tr { th { "Name" } th { "Value" } th { "Type" } th { "Description" } } }
                    tbody {
                        @for (name, p) in params.as_object().into_iter().flatten() {
                            tr {
                                td { (name) }
                                td { (layout::number(&p["value"])) }
                                td.muted { (s(p, "type")) }
                                td.muted { (s(p, "description")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn configuration(conf: &Value) -> Markup {
    let items = conf.as_object().filter(|m| !m.is_empty());
    html! {
        @match items {
            None => p.muted { "No configuration objects." },
            Some(items) => @for (name, c) in items {
                details open {
                    summary { b { (name) } " " span.muted { (s(c, "type")) } }
                    pre.json { (s(c, "value")) }
                }
            }
        }
    }
}

/// A URI on our file server, or one of the web, is a download link.
fn artifacts(ctx: &Ctx, list: &Value) -> Markup {
    let list = list.as_array().filter(|l| !l.is_empty());
    html! {
        @match list {
            None => p.muted { "No artifacts." },
            Some(list) => table.grid #artifact-list {
                thead { tr { th { "Name" } th { "Type" } th { "Mode" } th.num { "Size" } th { "File" } th { "Preview" } } }
                tbody {
                    @for a in list {
                        tr {
                            td { (s(a, "key")) }
                            td { (s(a, "type")) }
                            td { (s(a, "mode")) }
                            td.num { (a["content_size"].as_u64().map(layout::size).unwrap_or_default()) }
                            td { (layout::uri_link(s(a, "uri"), &ctx.file_link(s(a, "uri")).0)) }
                            td.muted title=(s(&a["type_data"], "preview")) {
                                (s(&a["type_data"], "preview").chars().take(80).collect::<String>())
                            }
                        }
                    }
                }
            }
        }
    }
}

fn models(m: &Value) -> Markup {
    let row = |kind: &str, x: &Value| {
        let id = ref_id(&x["model"]);
        html! {
            tr {
                td { (kind) }
                td { (s(x, "name")) }
                td { a href={ "/models/" (url_part(id)) } { code { (id) } } }
            }
        }
    };
    let input = m["input"].as_array().cloned().unwrap_or_default();
    let output = m["output"].as_array().cloned().unwrap_or_default();
    html! {
        @if input.is_empty() && output.is_empty() {
            p.muted { "No models." }
        } @else {
            table.grid {
                thead { tr { th { "Direction" } th { "Name" } th { "Model" } } }
                tbody {
                    @for x in &input { (row("input", x)) }
                    @for x in &output { (row("output", x)) }
                }
            }
        }
    }
}

/// The newest `lines` console events, oldest first, as one text.
fn log_tail(ctx: &Ctx, task: &str, lines: u64) -> Result<(String, u64, u64), ApiError> {
    let data = ctx.api(
        "events.get_task_log",
        json!({"task": task, "batch_size": lines.clamp(1, 10_000), "navigate_earlier": true, "order": "asc"}),
    )?;
    let events = data["events"].as_array().cloned().unwrap_or_default();
    let mut text = String::new();
    for e in &events {
        let msg = s(e, "msg");
        text.push_str(msg);
        if !msg.ends_with('\n') {
            text.push('\n');
        }
    }
    Ok((
        text,
        events.len() as u64,
        data["total"].as_u64().unwrap_or(0),
    ))
}

fn log_body(
    ctx: &Ctx,
    task: &str,
    base: &str,
    lines: u64,
    follow: bool,
) -> Result<Markup, ApiError> {
    let (text, shown, total) = log_tail(ctx, task, lines)?;
    let src = format!("{base}/output/log?part=log&lines={lines}");
    Ok(html! {
        (console::search_form(base, ""))
        div.pager {
            span.muted { "Last " (shown) " of " (total) " log events" }
            a href={ (base) "/output/log?part=log&download=1" } download { "Download all" }
            @if follow {
                a href={ (base) "/output/log" } { "Stop following" }
            } @else {
                a href={ (base) "/output/log?follow=1" } { "Follow" }
            }
            @if shown < total && lines < 10_000 {
                a href={ (base) "/output/log?lines=10000" } { "Show more" }
            }
        }
        pre.log #log data-follow=(if follow { "1" } else { "0" }) data-src=(src) { (text) }
    })
}

/// The log tail as plain text (what follow mode fetches).
/// With `whole`, the entire log as a `<task>.log` download.
async fn log_text(state: Arc<AppState>, task: String, lines: u64, whole: bool) -> Response {
    let Ok(_slot) = state.web_slots.acquire().await else {
        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let shared = state.clone();
    let name = format!(
        "attachment; filename=\"{}.log\"",
        task.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let done = tokio::task::spawn_blocking(move || {
        let ctx = Ctx { state: &shared };
        if whole {
            console::whole_log(&ctx, &task)
        } else {
            log_tail(&ctx, &task, lines).map(|(text, _, _)| text)
        }
    })
    .await;
    match done {
        Ok(Ok(text)) => {
            let mut r = (
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                text,
            )
                .into_response();
            if whole && let Ok(v) = header::HeaderValue::from_str(&name) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        _ => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_apps_tab_paths_pick_our_tabs() {
        assert!(Tab::of("output/log") == Tab::Log);
        assert!(Tab::of("/output/metrics/scalar") == Tab::Scalars);
        assert!(Tab::of("output/metrics/plots") == Tab::Plots);
        assert!(Tab::of("output/debugImages") == Tab::Images);
        assert!(Tab::of("execution") == Tab::Overview);
        assert!(Tab::of("hyper-params/hyper-param/_all_") == Tab::Overview);
    }
}
