//! `/projects/<id>/experiments`: the experiments table (name, status, type, user, started,
//! duration, last metrics as columns), sorted and filtered by the server, paged.

use super::layout::{self, Nav, ref_name, s, url_part};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use crate::services::events::md5_hex;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Rows per page unless `size` says otherwise (at most the API's 500).
const PAGE_SIZE: usize = 100;
/// Metric columns shown at most (the first by name).
const MAX_METRIC_COLUMNS: usize = 12;

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
    pub tag: String,
    pub name: String,
    pub page: usize,
    pub size: usize,
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
                "tag" => q.tag = v.trim().to_string(),
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
        if !self.tag.is_empty() {
            out.append_pair("tag", &self.tag);
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
        !self.status.is_empty() || !self.tag.is_empty() || !self.name.is_empty()
    }

    /// The `tasks.get_all_ex` body for this page.
    pub fn body(&self, project: Option<&str>) -> Value {
        let mut body = json!({
            "only_fields": ["id", "name", "status", "type", "user.name", "started", "completed",
                            "last_update", "tags", "last_metrics", "project.name", "last_iteration"],
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
        if !self.tag.is_empty() {
            body["tags"] = json!([self.tag]);
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

/// A metric column: title/series and the sort key of its last value.
struct MetricColumn {
    metric: String,
    variant: String,
    key: String,
}

fn metric_columns(tasks: &[Value]) -> Vec<MetricColumn> {
    let mut seen = BTreeSet::new();
    for t in tasks {
        for vars in t["last_metrics"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, v)| v)
        {
            for e in vars.as_object().into_iter().flatten().map(|(_, e)| e) {
                seen.insert((s(e, "metric").to_string(), s(e, "variant").to_string()));
            }
        }
    }
    seen.into_iter()
        .take(MAX_METRIC_COLUMNS)
        .map(|(m, v)| MetricColumn {
            key: format!("last_metrics.{}.{}.value", md5_hex(&m), md5_hex(&v)),
            metric: m,
            variant: v,
        })
        .collect()
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = TableQuery::parse(query.as_deref());
    render(state, move |ctx| {
        let (title, total, pid) = if project == "*" {
            ("All experiments".to_string(), None, None)
        } else {
            let p = project_doc(ctx, &project)?;
            let total = p["stats"]["active"]["total_tasks"].as_u64();
            (s(&p, "name").to_string(), total, Some(project.as_str()))
        };
        let tasks = ctx.api("tasks.get_all_ex", q.body(pid))?["tasks"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let body = table(&project, &title, &q, &tasks, total);
        Ok(layout::page(&title, Nav::Projects, body))
    })
    .await
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
    let columns = metric_columns(tasks);
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
            select name="status" {
                option value="" { "Any status" }
                @for st in statuses() {
                    option value=(st) selected[q.status.iter().any(|x| x == st)] { (st.replace('_', " ")) }
                }
            }
            input type="search" name="tag" placeholder="Tag" value=(q.tag);
            button type="submit" { "Filter" }
            @if q.filtered() { a href="?" { "Clear" } }
        }
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
                        (sort_link(&c.key, &format!("{} / {}", c.metric, c.variant), Some("num")))
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
                                td.num { (last_value(t, c)) }
                            }
                        }
                    }
                }
            } }
        }
    }
}

fn last_value(task: &Value, c: &MetricColumn) -> String {
    task["last_metrics"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, v)| v.as_object().into_iter().flatten().map(|(_, e)| e))
        .find(|e| s(e, "metric") == c.metric && s(e, "variant") == c.variant)
        .map(|e| layout::number(&e["value"]))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
