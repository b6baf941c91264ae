//! `/models` (all, or `/projects/<p>/models`) and a model's page (framework, task, URI,
//! size, sha256 when stored, a download link).

use super::layout::{self, Nav, ref_id, ref_name, s, url_part};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Value, json};
use std::sync::Arc;

const PAGE_SIZE: usize = 200;

fn page_of(query: &Option<String>) -> usize {
    url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

pub async fn list_all(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Response {
    let page = page_of(&q);
    render(state, move |ctx| listing(ctx, None, page)).await
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    Path(project): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let page = page_of(&q);
    render(state, move |ctx| listing(ctx, Some(&project), page)).await
}

fn listing(ctx: &Ctx, project: Option<&str>, page: usize) -> Result<Markup, ApiError> {
    let mut body = json!({
        "only_fields": ["id", "name", "framework", "task.name", "project.name", "user.name", "created", "ready", "tags", "uri"],
        "order_by": ["-created"], "page": page, "page_size": PAGE_SIZE,
        "system_tags": ["-archived"],
    });
    let mut title = "Models".to_string();
    if let Some(p) = project.filter(|p| *p != "*") {
        body["project"] = json!([p]);
        let doc = super::experiments::project_doc(ctx, p)?;
        title = format!("Models of {}", s(&doc, "name"));
    }
    let models = ctx.api("models.get_all_ex", body)?["models"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let body = html! {
        h1 { (title) }
        @if models.is_empty() && page == 0 {
            p.muted { "No models." }
        } @else {
            div.pager {
                span.muted { "Rows " (page * PAGE_SIZE + 1) "–" (page * PAGE_SIZE + models.len()) }
                @if page > 0 { a href={ "?page=" (page - 1) } { "← Previous" } }
                @if models.len() == PAGE_SIZE { a href={ "?page=" (page + 1) } { "Next →" } }
            }
            table.grid #models {
                thead { tr { th { "Name" } th { "Framework" } th { "Project" } th { "Task" } th { "Ready" } th { "Created" } th { "Tags" } } }
                tbody {
                    @for m in &models {
                        tr {
                            td { a href=(model_href(m)) { (s(m, "name")) } }
                            td { (s(m, "framework")) }
                            td { (ref_name(&m["project"])) }
                            td { (task_link(&m["task"], &m["project"])) }
                            td { (if m["ready"].as_bool() == Some(true) { "published" } else { "draft" }) }
                            td { (layout::time(&m["created"])) }
                            td { (layout::tags(&m["tags"])) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&title, Nav::Models, body))
}

fn model_href(m: &Value) -> String {
    format!("/models/{}", url_part(s(m, "id")))
}

fn task_link(task: &Value, project: &Value) -> Markup {
    let id = ref_id(task);
    if id.is_empty() {
        return html! {};
    }
    let href = layout::task_href(&json!({"id": id, "project": project}));
    html! { a href=(href) { (ref_name(task)) } }
}

pub async fn page_by_id(State(state): State<Arc<AppState>>, Path(model): Path<String>) -> Response {
    render(state, move |ctx| model_page(ctx, &model)).await
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    Path((_project, model)): Path<(String, String)>,
) -> Response {
    render(state, move |ctx| model_page(ctx, &model)).await
}

pub async fn tab(
    State(state): State<Arc<AppState>>,
    Path((_project, model, _tab)): Path<(String, String, String)>,
) -> Response {
    render(state, move |ctx| model_page(ctx, &model)).await
}

fn model_page(ctx: &Ctx, id: &str) -> Result<Markup, ApiError> {
    let data = ctx.api(
        "models.get_all_ex",
        json!({"id": [id], "only_fields": ["id", "name", "framework", "task.name", "project.name",
               "user.name", "created", "ready", "tags", "uri", "comment", "metadata", "design",
               "labels"]}),
    )?;
    let m = data["models"]
        .get(0)
        .cloned()
        .ok_or_else(|| ApiError::invalid_model(id))?;
    let meta = |k: &str| m["metadata"][k]["value"].as_str().map(str::to_string);
    let uri = s(&m, "uri");
    let (href, stored_size) = ctx.file_link(uri);
    let size = meta("size")
        .and_then(|v| v.parse::<u64>().ok())
        .or(stored_size);
    let facts = [
        ("ID", html! { code { (s(&m, "id")) } }),
        ("Framework", html! { (s(&m, "framework")) }),
        ("Project", html! { (ref_name(&m["project"])) }),
        ("Task", task_link(&m["task"], &m["project"])),
        (
            "State",
            html! { (if m["ready"].as_bool() == Some(true) { "published" } else { "draft" }) },
        ),
        ("Created", html! { (layout::time(&m["created"])) }),
        ("User", html! { (ref_name(&m["user"])) }),
        ("URI", layout::uri_link(uri, &href)),
        (
            "Size",
            html! { (size.map(layout::size).unwrap_or_default()) },
        ),
        (
            "sha256",
            html! { @if let Some(h) = meta("sha256") { code { (h) } } },
        ),
        ("Tags", layout::tags(&m["tags"])),
        ("Comment", html! { (s(&m, "comment")) }),
    ];
    let facts: Vec<_> = facts.into_iter().filter(|(_, v)| !v.0.is_empty()).collect();
    let web = href.starts_with("http://") || href.starts_with("https://");
    let body = html! {
        div.crumbs { a href="/models" { "Models" } " / " }
        h1 { (s(&m, "name")) }
        (layout::facts(&facts))
        @if web { p { a href=(href) download { "Download" } } }
        @if let Some(md) = m["metadata"].as_object().filter(|x| !x.is_empty()) {
            h2 { "Metadata" }
            table.grid {
                thead { tr { th { "Key" } th { "Value" } th { "Type" } } }
                tbody { @for (k, v) in md { tr { td { (k) } td { (layout::number(&v["value"])) } td.muted { (s(v, "type")) } } } }
            }
        }
        @let design = design_text(&m["design"]);
        @if !design.trim().is_empty() {
            h2 { "Design" }
            pre.json { (design) }
        }
        @if let Some(labels) = m["labels"].as_object().filter(|x| !x.is_empty()) {
            h2 { "Labels" }
            table.grid { tbody { @for (k, v) in labels { tr { td { (k) } td { (layout::number(v)) } } } } }
        }
    };
    Ok(layout::page(s(&m, "name"), Nav::Models, body))
}

fn design_text(design: &Value) -> String {
    match design {
        Value::String(t) => t.clone(),
        Value::Object(o) if o.is_empty() => String::new(),
        Value::Object(o) => match o.get("design") {
            Some(Value::String(t)) => t.clone(),
            _ => serde_json::to_string_pretty(design).unwrap_or_default(),
        },
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
