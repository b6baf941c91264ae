//! `/projects/<id>/experiments`: the experiments table (name, status, type, user, started,
//! duration, last metrics as columns), sorted and filtered by the server, paged.

use super::columns::{self, Column, MAX_CHOSEN};
use super::layout::{self, Nav, ref_name, s, url_part};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::{Value, json};
use std::sync::Arc;

/// Rows per page unless `size` says otherwise (at most the API's 500).
const PAGE_SIZE: usize = 100;

/// The statuses a user filters by: the schema's, less the transient `publishing` and
/// `unknown`.
fn statuses() -> impl Iterator<Item = &'static str> {
    clearml_wire::TASK_STATUSES
        .into_iter()
        .filter(|s| !matches!(*s, "publishing" | "unknown"))
}

/// What the query string asks for.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TableQuery {
    /// An API `order_by` item (`-started`, `name`, `last_metrics.<h>.<h>.value`).
    pub sort: String,
    pub status: Vec<String>,
    /// Tags a task must all have (`tag=`, repeatable or comma-separated; `-x` excludes).
    pub tags: Vec<String>,
    pub name: String,
    pub page: usize,
    pub size: usize,
    /// The chosen columns (`col=`, see [`Column::parse`]); none: the default metrics.
    pub cols: Vec<Column>,
    /// `format=csv`: the view as a CSV file.
    pub csv: bool,
}

impl TableQuery {
    pub fn parse(query: Option<&str>) -> TableQuery {
        let mut q = TableQuery {
            sort: "-last_update".into(),
            size: PAGE_SIZE,
            ..TableQuery::default()
        };
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "sort" if sortable(&v) => q.sort = v.into_owned(),
                "status" if statuses().any(|s| s == v.as_ref()) => q.status.push(v.into_owned()),
                "tag" => q.tags.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty() && !q.tags.iter().any(|x| x == t))
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                "col" if q.cols.len() < MAX_CHOSEN => {
                    if let Some(c) = Column::parse(&v).filter(|c| !q.cols.contains(c)) {
                        q.cols.push(c);
                    }
                }
                "format" => q.csv = v == "csv",
                "name" => q.name = v.trim().to_string(),
                "page" => q.page = v.parse().unwrap_or(0),
                "size" => q.size = v.parse().unwrap_or(PAGE_SIZE).clamp(1, 500),
                _ => {}
            }
        }
        q
    }

    /// This query with another sort / page, as a query string.
    fn href(&self, sort: &str, page: usize) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("sort", sort);
        for st in &self.status {
            out.append_pair("status", st);
        }
        for t in &self.tags {
            out.append_pair("tag", t);
        }
        for c in &self.cols {
            out.append_pair("col", &c.spec());
        }
        if !self.name.is_empty() {
            out.append_pair("name", &self.name);
        }
        if page > 0 {
            out.append_pair("page", &page.to_string());
        }
        if self.size != PAGE_SIZE {
            out.append_pair("size", &self.size.to_string());
        }
        format!("?{}", out.finish())
    }

    fn filtered(&self) -> bool {
        !self.status.is_empty() || !self.tags.is_empty() || !self.name.is_empty()
    }

    /// The `tasks.get_all_ex` body for this page.
    pub fn body(&self, project: Option<&str>) -> Value {
        let mut body = json!({
            "only_fields": ["id", "name", "status", "type", "user.name", "started", "completed",
                            "last_update", "tags", "last_metrics", "project.name", "last_iteration",
                            "hyperparams"],
            "order_by": [self.sort],
            "page": self.page,
            "page_size": self.size,
            "system_tags": ["-archived"],
        });
        if let Some(p) = project {
            body["project"] = json!([p]);
        }
        if !self.status.is_empty() {
            body["status"] = json!(self.status);
        }
        if !self.tags.is_empty() {
            let mut all = vec!["__$all".to_string()];
            all.extend(self.tags.iter().cloned());
            body["tags"] = json!(all);
        }
        if !self.name.is_empty() {
            body["name"] = json!(format!("(?i){}", regex::escape(&self.name)));
        }
        body
    }
}

/// Sort keys the table offers: plain fields, or a last-metric value by its hashes.
fn sortable(key: &str) -> bool {
    let field = key.strip_prefix('-').unwrap_or(key);
    const FIELDS: &[&str] = &[
        "name",
        "status",
        "type",
        "user",
        "started",
        "last_update",
        "active_duration",
        "last_iteration",
    ];
    if FIELDS.contains(&field) {
        return true;
    }
    let parts: Vec<&str> = field.split('.').collect();
    let hash = |p: &str| p.len() == 32 && p.chars().all(|c| c.is_ascii_hexdigit());
    matches!(parts.as_slice(), ["last_metrics", m, v, "value"] if hash(m) && hash(v))
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = TableQuery::parse(query.as_deref());
    if q.csv {
        return csv_file(state, project, q).await;
    }
    render(state, move |ctx| {
        let (title, total, tasks) = load(ctx, &project, &q)?;
        let body = table(&project, &title, &q, &tasks, total);
        Ok(layout::page(&title, Nav::Projects, body))
    })
    .await
}

/// The table's title, its total (a project's, unfiltered) and the page's tasks.
fn load(
    ctx: &Ctx,
    project: &str,
    q: &TableQuery,
) -> Result<(String, Option<u64>, Vec<Value>), ApiError> {
    let (title, total, pid) = if project == "*" {
        ("All experiments".to_string(), None, None)
    } else {
        let p = project_doc(ctx, project)?;
        let total = p["stats"]["active"]["total_tasks"].as_u64();
        (s(&p, "name").to_string(), total, Some(project))
    };
    let tasks = ctx.api("tasks.get_all_ex", q.body(pid))?["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok((title, total, tasks))
}

/// The columns the view shows: the chosen ones, else the default metrics.
fn shown_columns(q: &TableQuery, tasks: &[Value]) -> Vec<Column> {
    if q.cols.is_empty() {
        columns::defaults(tasks)
    } else {
        q.cols.clone()
    }
}

/// The current view (filters, sort, page, columns) as a CSV download.
async fn csv_file(state: Arc<AppState>, project: String, q: TableQuery) -> Response {
    let Ok(_slot) = state.web_slots.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let shared = state.clone();
    let done = tokio::task::spawn_blocking(move || {
        let (_, _, tasks) = load(&Ctx { state: &shared }, &project, &q)?;
        let cols = shown_columns(&q, &tasks);
        let mut rows = vec![
            [
                "id",
                "name",
                "project",
                "status",
                "type",
                "user",
                "started",
                "last_update",
                "tags",
            ]
            .iter()
            .map(|h| h.to_string())
            .chain(cols.iter().map(Column::title))
            .collect::<Vec<_>>(),
        ];
        for t in &tasks {
            let tags: Vec<&str> = t["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let fixed = [
                s(t, "id").to_string(),
                s(t, "name").to_string(),
                ref_name(&t["project"]).to_string(),
                s(t, "status").to_string(),
                s(t, "type").to_string(),
                ref_name(&t["user"]).to_string(),
                s(t, "started").to_string(),
                s(t, "last_update").to_string(),
                tags.join(";"),
            ];
            rows.push(
                fixed
                    .into_iter()
                    .chain(cols.iter().map(|c| c.cell(t)))
                    .collect(),
            );
        }
        Ok::<_, ApiError>(columns::csv(&rows))
    })
    .await;
    match done {
        Ok(Ok(text)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"experiments.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Ok(Err(e)) => super::error_page(e),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The column picker: every column the page's tasks offer (and the chosen ones), ticked
/// when shown; submitting keeps the filters and sort.
fn picker(q: &TableQuery, tasks: &[Value], shown: &[Column]) -> Markup {
    let mut offered = columns::offered(tasks);
    for c in shown {
        if !offered.contains(c) {
            offered.push(c.clone());
        }
    }
    html! {
        details.columns {
            summary { "Columns" }
            form method="get" {
                input type="hidden" name="sort" value=(q.sort);
                @if !q.name.is_empty() { input type="hidden" name="name" value=(q.name); }
                @for st in &q.status { input type="hidden" name="status" value=(st); }
                @for t in &q.tags { input type="hidden" name="tag" value=(t); }
                @if q.size != PAGE_SIZE { input type="hidden" name="size" value=(q.size); }
                div.choices {
                    @for c in &offered {
                        label { input type="checkbox" name="col" value=(c.spec()) checked[shown.contains(c)]; " " (c.title()) }
                    }
                }
                button type="submit" { "Show columns" }
            }
        }
    }
}

/// The tasks a project's table lists, as a stats filter: its own (no sub-project's),
/// neither archived nor hidden (dataset / pipeline step tasks), so its counts are the
/// table's total.
pub fn table_stats_filter() -> Value {
    json!({"system_tags": ["-hidden"]})
}

/// A project with its task statistics (over the tasks its table lists); an unknown id is the API's invalid-project error.
pub fn project_doc(ctx: &Ctx, id: &str) -> Result<Value, ApiError> {
    let data = ctx.api(
        "projects.get_all_ex",
        json!({"id": [id], "include_stats": true, "search_hidden": true,
               "stats_with_children": false, "include_stats_filter": table_stats_filter(),
               "only_fields": ["id", "name", "last_update"]}),
    )?;
    data["projects"]
        .get(0)
        .cloned()
        .ok_or_else(|| ApiError::invalid_project(id))
}

fn table(
    project: &str,
    title: &str,
    q: &TableQuery,
    tasks: &[Value],
    total: Option<u64>,
) -> Markup {
    let columns = shown_columns(q, tasks);
    let sort_link = |key: &str, label: &str, class: Option<&str>| {
        let (next, mark) = if q.sort == key {
            (format!("-{key}"), " ▲")
        } else if q.sort == format!("-{key}") {
            (key.to_string(), " ▼")
        } else {
            (format!("-{key}"), "")
        };
        html! { th class=[class] { a href=(q.href(&next, 0)) { (label) (mark) } } }
    };
    let first = q.page * q.size;
    let more = tasks.len() == q.size;
    let compare = format!("/projects/{}/compare-experiments", url_part(project));
    // "All experiments" lists every project's tasks: say whose each one is.
    let all = project == "*";
    html! {
        div.crumbs { a href="/projects" { "Projects" } " / " }
        h1 { (title) }
        form.filters method="get" {
            input type="hidden" name="sort" value=(q.sort);
            input type="search" name="name" placeholder="Name contains" value=(q.name);
            select name="status" multiple size="3" title="Statuses (any of them; none: any status)" {
                @for st in statuses() {
                    option value=(st) selected[q.status.iter().any(|x| x == st)] { (st.replace('_', " ")) }
                }
            }
            input type="search" name="tag" placeholder="Tags (all of, comma-separated)" value=(q.tags.join(", "));
            @for c in &q.cols { input type="hidden" name="col" value=(c.spec()); }
            @if q.size != PAGE_SIZE { input type="hidden" name="size" value=(q.size); }
            button type="submit" { "Filter" }
            @if q.filtered() { a href="?" { "Clear" } }
        }
        (picker(q, tasks, &columns))
        form #select method="get" action=(compare) {
            div.pager {
                button.compare type="submit" data-max=(super::compare::MAX_TASKS) { "Compare" }
                span.muted {
                    @if tasks.is_empty() { "No experiments" }
                    @else { "Rows " (first + 1) "–" (first + tasks.len()) }
                    @if let (Some(t), false) = (total, q.filtered()) { " of " (t) }
                }
                @if q.page > 0 { a href=(q.href(&q.sort, q.page - 1)) { "← Previous" } }
                @if more { a href=(q.href(&q.sort, q.page + 1)) { "Next →" } }
                a.csv href={ (q.href(&q.sort, q.page)) "&format=csv" } download="experiments.csv" { "CSV" }
            }
            div.scroll { table.grid #experiments {
                thead { tr {
                    th {}
                    (sort_link("name", "Name", None))
                    @if all { th { "Project" } }
                    (sort_link("status", "Status", None))
                    (sort_link("type", "Type", None))
                    (sort_link("user", "User", None))
                    (sort_link("started", "Started", None))
                    (sort_link("active_duration", "Duration", None))
                    (sort_link("last_update", "Updated", None))
                    th { "Tags" }
                    @for c in &columns {
                        @if let Some(key) = c.sort_key() { (sort_link(&key, &c.title(), Some("num"))) }
                        @else { th.num { (c.title()) } }
                    }
                } }
                tbody {
                    @for t in tasks {
                        tr {
                            td { input type="checkbox" name="ids" value=(s(t, "id")); }
                            td title=(s(t, "name")) { a href=(layout::task_href(t)) { (s(t, "name")) } }
                            @if all {
                                td { a href=(format!("/projects/{}/experiments", url_part(layout::ref_id(&t["project"])))) { (ref_name(&t["project"])) } }
                            }
                            td { (layout::status(s(t, "status"))) }
                            td { (s(t, "type")) }
                            td { (ref_name(&t["user"])) }
                            td { (layout::time(&t["started"])) }
                            td { (layout::duration(t)) }
                            td { (layout::time(&t["last_update"])) }
                            td { (layout::tags(&t["tags"])) }
                            @for c in &columns {
                                td class=[c.numeric().then_some("num")] { (c.cell(t)) }
                            }
                        }
                    }
                }
            } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::events::md5_hex;

    #[test]
    fn query_is_parsed_and_checked() {
        let q = TableQuery::parse(Some(
            "sort=-started&status=failed&status=bogus&name=a%2Bb&page=3&size=9999&tag=x",
        ));
        assert_eq!(q.sort, "-started");
        assert_eq!(q.status, ["failed"]);
        assert_eq!((q.page, q.size), (3, 500));
        let body = q.body(Some("p1"));
        assert_eq!(body["name"], "(?i)a\\+b");
        assert_eq!(body["project"], json!(["p1"]));
        assert_eq!(body["page"], 3);
        // Sort keys outside the table's columns are ignored (default order).
        assert_eq!(TableQuery::parse(Some("sort=doc")).sort, "-last_update");
        let metric = format!(
            "-last_metrics.{}.{}.value",
            md5_hex("loss"),
            md5_hex("train")
        );
        assert_eq!(
            TableQuery::parse(Some(&format!("sort={metric}"))).sort,
            metric
        );
        assert_eq!(
            q.href("name", 0),
            "?sort=name&status=failed&tag=x&name=a%2Bb&size=500"
        );
    }
}
