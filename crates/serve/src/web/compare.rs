//! `/projects/<p>/compare-experiments;ids=a,b` (the real app's path) or `?ids=a&ids=b`:
//! parameters and last metrics side by side, differences marked, and every metric's
//! curves of all the tasks overlaid. Rows come from `crate::comparison`, so the numbers
//! are the CLI's; curves from the tasks and sample budget of the multi-task histogram
//! call (`services::events::drawn_curves`): a series that fits the budget is the CLI's
//! curve, a longer one is drawn from its stored buckets, spikes kept.

use super::compare_media::{self, Tab};
use super::layout::{self, Nav, s, url_part};
use super::scalars::{self, Options};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use clearml_chart::comparison::{Row, build_rows, task_header};
use clearml_chart::{Series, palette};
use maud::{Markup, html};
use serde_json::{Value, json};
use std::sync::Arc;

/// Tasks compared at most; the experiments table's Compare button holds to it too.
pub const MAX_TASKS: usize = 100;
/// Points per series, as `task compare --plot` asks for them.
const SAMPLES: usize = 5000;
/// Points a task's curves of one chart get together, shared out among the tasks: with
/// many tasks each curve is drawn from fewer (stored) buckets, so a compare of 100 reads
/// and draws about as many points as one of 30 (125 for a curve of 500 iterations,
/// against 500), where 300 curves already cover the plot. A bucket whose values spread
/// is drawn as its min and max, so spikes stay.
const CHART_POINTS: usize = 20_000;
/// The fewest points per curve: one per four pixels of the plot's width.
const MIN_SAMPLES: usize = 140;

/// The histogram's `samples` for a compare of `n` tasks.
fn samples_for(n: usize) -> usize {
    (CHART_POINTS / n.max(1)).clamp(MIN_SAMPLES, SAMPLES)
}

/// The query keys of the scalar charts' form (`scalars::Options`).
const SCALAR_KEYS: &[&str] = &["smooth", "x", "y", "xmin", "xmax", "metric", "part"];

const FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "project",
    "hyperparams",
    "last_metrics",
    "last_update",
];

/// Task ids from the matrix parameter (`;ids=a,b`) and the query (`ids=a&ids=b,c`), in
/// order, each once.
fn ids(view: &str, query: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |list: &str| {
        for id in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            if !out.iter().any(|x| x == id) {
                out.push(id.to_string());
            }
        }
    };
    for param in view.split(';').skip(1) {
        if let Some(list) = param.strip_prefix("ids=") {
            add(list);
        }
    }
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if k == "ids" {
            add(&v);
        }
    }
    out
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    Path((project, view)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    if !view.starts_with("compare-experiments") {
        return super::not_found().await;
    }
    let ids = ids(&view, query.as_deref());
    let options = Options::parse(&query);
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let diff_only = pairs.iter().any(|(k, v)| k == "diff" && v == "1");
    let iter = pairs
        .iter()
        .find(|(k, _)| k == "iter")
        .and_then(|(_, v)| v.trim().parse().ok());
    let tab = Tab::parse(query.as_deref());
    render(state, move |ctx| {
        if ids.len() < 2 || ids.len() > MAX_TASKS {
            return Err(ApiError::validation(format!(
                "compare needs 2 to {MAX_TASKS} experiments: select them in the experiments table"
            )));
        }
        let data = ctx.api(
            "tasks.get_all_ex",
            json!({"id": ids, "only_fields": FIELDS, "search_hidden": true}),
        )?;
        let found = data["tasks"].as_array().cloned().unwrap_or_default();
        // In the order asked for; an unknown id is an error, not a silently shorter table.
        let tasks: Vec<Value> = ids
            .iter()
            .map(|id| {
                found
                    .iter()
                    .find(|t| s(t, "id") == id)
                    .cloned()
                    .ok_or_else(|| ApiError::invalid_task(id))
            })
            .collect::<Result<_, _>>()?;
        let joined = ids.join(",");
        let content = match tab {
            Tab::Details => details(ctx, &tasks, &joined, query.as_deref(), &options, diff_only)?,
            Tab::Plots => compare_media::plots(ctx, &tasks)?,
            Tab::Samples => compare_media::samples(ctx, &tasks, &joined, iter)?,
        };
        let body = html! {
            div.crumbs {
                a href="/projects" { "Projects" } " / "
                a href={ "/projects/" (url_part(&project)) "/experiments" } { "Experiments" }
            }
            h1 { "Compare " (tasks.len()) " experiments" }
            (compare_media::tabs(&joined, tab))
            (content)
        };
        Ok(layout::page("Compare", Nav::Projects, body))
    })
    .await
}

/// The Values and scalars tab: the table of parameters and metrics, the hyperparameter
/// charts and the overlaid curves.
fn details(
    ctx: &Ctx,
    tasks: &[Value],
    joined: &str,
    query: Option<&str>,
    options: &Options,
    diff_only: bool,
) -> Result<Markup, ApiError> {
    let rows = build_rows(tasks, &[]);
    let charts = scalars::compare_charts(ctx, tasks, samples_for(tasks.len()), options)?;
    let hparams = super::hparams::section(
        tasks,
        &rows,
        query,
        joined,
        &super::hparams::kept(query, super::hparams::KEYS),
    );
    // The scalars' form keeps the hyperparameter view, and the other way round.
    let mut keep = super::hparams::kept(query, SCALAR_KEYS);
    keep.insert(0, ("ids".to_string(), joined.to_string()));
    let keep: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(html! {
        p {
            @if diff_only {
                a href={ "?ids=" (url_part(joined)) } { "Show all rows" }
            } @else {
                a href={ "?ids=" (url_part(joined)) "&diff=1" } { "Show differences only" }
            }
        }
        (table(tasks, &rows, diff_only))
        (hparams)
        h2 { "Scalars" }
        (options.form(&keep))
        (charts)
    })
}

/// A chart's legend as a table under it: every series with its colour swatch and its
/// whole name (the chart's own legend has room for a few short names only).
pub fn legend(series: &[Series]) -> Markup {
    html! {
        table.legend {
            @for (i, s) in series.iter().enumerate() {
                tr {
                    td { span.swatch style={ "background:" (palette::color(i)) } {} }
                    td { (s.label) }
                }
            }
        }
    }
}

fn table(tasks: &[Value], rows: &[Row], diff_only: bool) -> Markup {
    html! {
        div.scroll { table.grid.diff #compare {
            thead { tr {
                th { "" }
                @for t in tasks {
                    th { a href=(layout::task_href(t)) title=(task_header(t)) { (task_header(t)) } }
                }
            } }
            tbody {
                tr { td { "status" } @for t in tasks { td { (layout::status(s(t, "status"))) } } }
                @for r in rows.iter().filter(|r| !diff_only || r.differs()) {
                    tr.(r.kind) {
                        td { (r.label()) }
                        @for (i, v) in r.values.iter().enumerate() {
                            td class={
                                @if r.differs() { "differs " }
                                @if r.best == Some(i) { "best" }
                            } {
                                (v.as_ref().map(layout::number).unwrap_or_default())
                            }
                        }
                    }
                }
            }
        } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_the_matrix_parameter_and_the_query() {
        assert_eq!(
            ids("compare-experiments;ids=a,b", Some("ids=c&ids=a,d")),
            ["a", "b", "c", "d"]
        );
        assert_eq!(ids("compare-experiments", None), Vec::<String>::new());
    }

    #[test]
    fn many_tasks_share_a_chart_s_points() {
        assert_eq!(samples_for(2), SAMPLES);
        assert_eq!(samples_for(30), 666);
        assert_eq!(samples_for(100), 200);
        assert_eq!(samples_for(1000), MIN_SAMPLES);
    }
}
