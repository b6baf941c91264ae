//! `/pipelines`: pipeline runs (controller tasks, the SDK's and ours) with their status;
//! `/pipelines/<p>/experiments/<run>`: the run's DAG drawn from the controller's
//! `Pipeline` configuration, each step with its status and a link to its task.

use super::layout::{self, Nav, s, url_part};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use axum::extract::{Path, State};
use axum::response::Response;
use clearml_chart::{dag, xml_escape};
use clearml_wire::pipeline::{dag_of, owner_project, step_status};
use maud::{Markup, PreEscaped, html};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// Runs listed (newest first).
const RUNS: usize = 200;

fn run_href(run: &Value) -> String {
    let project = layout::ref_id(&run["project"]);
    format!(
        "/pipelines/{}/experiments/{}",
        url_part(if project.is_empty() { "*" } else { project }),
        url_part(s(run, "id"))
    )
}

pub async fn list(State(state): State<Arc<AppState>>) -> Response {
    render(state, |ctx| {
        let runs = ctx.api(
            "tasks.get_all_ex",
            json!({
                "type": ["controller"], "system_tags": ["pipeline"], "search_hidden": true,
                "order_by": ["-created"], "page_size": RUNS,
                "only_fields": ["id", "name", "status", "project.name", "started", "completed",
                                "last_update", "configuration"],
            }),
        )?["tasks"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let body = html! {
            h1 { "Pipelines" }
            @if runs.is_empty() {
                p.muted { "No pipeline runs yet." }
            } @else {
                table.grid #runs {
                    thead { tr { th { "Run" } th { "Status" } th { "Project" } th { "Started" } th { "Duration" } th.num { "Steps done" } } }
                    tbody {
                        @for r in &runs {
                            @let dag = dag_of(r);
                            @let done = dag.values().filter(|n| matches!(n["status"].as_str(), Some("completed" | "cached"))).count();
                            tr {
                                td { a href=(run_href(r)) { (s(r, "name")) } }
                                td { (layout::status(s(r, "status"))) }
                                td { (owner_project(layout::ref_name(&r["project"]))) }
                                td { (layout::time(&r["started"])) }
                                td { (layout::duration(r)) }
                                td.num { (done) " / " (dag.len()) }
                            }
                        }
                    }
                }
            }
        };
        Ok(layout::page("Pipelines", Nav::Pipelines, body))
    })
    .await
}

/// Steps one run's page draws and lists at most: a bigger DAG (the configuration holds
/// no limit) is cut to its first steps by depth, and the page says how many it left out.
pub const MAX_STEPS: usize = 1_000;

/// One step of a run as the page draws it.
struct Step {
    name: String,
    parents: Vec<String>,
    status: String,
    task: Option<Value>,
}

/// The steps the page shows (at most `MAX_STEPS`, shallowest first, the DAG's order
/// within a depth) and how many the DAG has. Linear in the DAG's size: one task query for
/// the shown steps, looked up by id; one sort by depth.
fn steps(ctx: &Ctx, dag: &Map<String, Value>) -> Result<(Vec<Step>, usize), ApiError> {
    let all: Vec<Step> = dag
        .iter()
        .map(|(name, n)| Step {
            name: name.clone(),
            parents: n["parents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|p| dag.contains_key(*p))
                .map(str::to_string)
                .collect(),
            status: n["status"].as_str().unwrap_or("pending").to_string(),
            task: None,
        })
        .collect();
    let total = all.len();
    let level = levels(&all);
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by_key(|&i| level[i]);
    order.truncate(MAX_STEPS);
    order.sort_unstable();
    let mut keep = vec![false; total];
    for &i in &order {
        keep[i] = true;
    }
    let mut shown: Vec<Step> = all
        .into_iter()
        .zip(keep)
        .filter_map(|(st, k)| k.then_some(st))
        .collect();
    let ids: Vec<&str> = shown
        .iter()
        .filter_map(|st| dag[&st.name]["job_id"].as_str())
        .collect();
    let tasks = if ids.is_empty() {
        Vec::new()
    } else {
        ctx.api(
            "tasks.get_all_ex",
            json!({"id": ids, "search_hidden": true,
                   "only_fields": ["id", "name", "status", "project", "started", "completed", "last_update"]}),
        )?["tasks"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let by_id: HashMap<&str, &Value> = tasks.iter().map(|t| (s(t, "id"), t)).collect();
    for st in &mut shown {
        let task = dag[&st.name]["job_id"]
            .as_str()
            .and_then(|id| by_id.get(id))
            .map(|t| (*t).clone());
        st.status =
            step_status(&st.status, task.as_ref().and_then(|t| t["status"].as_str())).to_string();
        st.task = task;
    }
    Ok((shown, total))
}

/// The DAG's edges as (parent, child) indices into `steps`.
fn edges(steps: &[Step]) -> Vec<(usize, usize)> {
    let index: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        for p in &s.parents {
            if let Some(&j) = index.get(p.as_str()) {
                out.push((j, i));
            }
        }
    }
    out
}

/// Each step's column: one more than its deepest parent.
fn levels(steps: &[Step]) -> Vec<usize> {
    dag::levels(steps.len(), &edges(steps))
}

/// The DAG as SVG, laid out in layers ([`dag::layout`]): edges routed around the boxes
/// they do not connect, each node a link to its step task.
fn dag_svg(steps: &[Step]) -> String {
    let d = dag::Dims::default();
    let l = dag::layout(steps.len(), &edges(steps), d);
    let (width, height) = (l.width, l.height);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="dag" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    for r in &l.routes {
        let _ = write!(
            svg,
            r#"<path class="edge" d="{}"/>"#,
            dag::path_d(&r.points)
        );
    }
    for (s, &(x, y)) in steps.iter().zip(&l.nodes) {
        let name: String = s.name.chars().take(24).collect();
        let node = format!(
            r#"<g class="node {st}"><title>{full}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/><text x="{}" y="{}" font-weight="600">{}</text><text x="{}" y="{}">{st}</text></g>"#,
            x + 10.0,
            y + 22.0,
            xml_escape(&name),
            x + 10.0,
            y + 40.0,
            w = d.w,
            h = d.h,
            st = xml_escape(&s.status),
            full = xml_escape(&s.name),
        );
        match &s.task {
            Some(t) => {
                let _ = write!(
                    svg,
                    r#"<a href="{}">{node}</a>"#,
                    xml_escape(&layout::task_href(t))
                );
            }
            None => svg.push_str(&node),
        }
    }
    svg.push_str("</svg>");
    svg
}

pub async fn run(
    State(state): State<Arc<AppState>>,
    Path((_project, task)): Path<(String, String)>,
) -> Response {
    render(state, move |ctx| {
        let run = super::experiment::load_task(ctx, &task)?;
        let dag = dag_of(&run);
        let (steps, total) = steps(ctx, &dag)?;
        let running = matches!(s(&run, "status"), "in_progress" | "queued");
        let body = html! {
            div.crumbs { a href="/pipelines" { "Pipelines" } " / " }
            h1 { (s(&run, "name")) " " (layout::status(s(&run, "status"))) }
            @if running { span.muted data-refresh="10" { "Refreshing every 10 s while the run is active." } }
            p { a href=(layout::task_href(&run)) { "Controller task" } " · " (layout::duration(&run)) }
            @if steps.is_empty() {
                p.muted { "This run has no Pipeline configuration (no DAG stored yet)." }
            } @else {
                @if total > steps.len() {
                    p.muted.cut {
                        "This run has " (total) " steps: the first "
                        (steps.len()) " by depth are drawn and listed, "
                        (total - steps.len()) " are left out."
                    }
                }
                div.chartbox #dag { (PreEscaped(dag_svg(&steps))) }
                h2 { "Steps" }
                (step_table(&steps))
            }
        };
        Ok(layout::page(s(&run, "name"), Nav::Pipelines, body))
    })
    .await
}

fn step_table(steps: &[Step]) -> Markup {
    html! {
        table.grid #steps {
            thead { tr { th { "Step" } th { "Status" } th { "Parents" } th { "Task" } th { "Duration" } } }
            tbody {
                @for st in steps {
                    tr {
                        td { (st.name) }
                        td { (layout::status(&st.status)) }
                        td { (st.parents.join(", ")) }
                        td { @if let Some(t) = &st.task { a href=(layout::task_href(t)) { (s(t, "name")) } } }
                        td { (st.task.as_ref().map(layout::duration).unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, parents: &[&str]) -> Step {
        Step {
            name: name.into(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            status: "<completed>".into(),
            task: None,
        }
    }

    #[test]
    fn diamond_levels_and_escaped_names() {
        let steps = vec![
            step("a", &[]),
            step("b", &["a"]),
            step("c", &["a"]),
            step("d<script>", &["b", "c"]),
        ];
        assert_eq!(levels(&steps), vec![0, 1, 1, 2]);
        let svg = dag_svg(&steps);
        assert_eq!(svg.matches("class=\"edge\"").count(), 4);
        assert!(svg.contains("d&lt;script&gt;") && !svg.contains("<script>"));
        // A cycle does not hang the layout.
        let cyc = vec![step("x", &["y"]), step("y", &["x"])];
        assert!(levels(&cyc).iter().all(|l| *l < 2));
    }
}
