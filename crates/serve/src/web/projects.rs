//! `/projects`: the project tree with task and model counts and the last update.

use super::layout::{self, Nav, s, url_part};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Value, json};
use std::sync::Arc;

/// Every (non-hidden) project, by name, with the statistics of the tasks its table lists.
pub fn all_projects(ctx: &Ctx) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    for page in 0.. {
        let body = json!({"include_stats": true, "order_by": ["name"], "page": page,
                          "stats_with_children": false,
                          "include_stats_filter": super::experiments::table_stats_filter(),
                          "page_size": PAGE, "only_fields": ["id", "name", "last_update"]});
        let data = ctx.api("projects.get_all_ex", body)?;
        let got = data["projects"].as_array().cloned().unwrap_or_default();
        let n = got.len();
        out.extend(got);
        if n < PAGE {
            break;
        }
    }
    Ok(out)
}

/// The API's largest page.
const PAGE: usize = 500;

pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    render(state, |ctx| {
        let projects = all_projects(ctx)?;
        let activity = {
            let store = crate::readers::reader(&ctx.state.readers)?;
            store.project_activity()?
        };
        Ok(layout::page(
            "Projects",
            Nav::Projects,
            tree(&projects, &activity),
        ))
    })
    .await
}

fn tree(
    projects: &[Value],
    activity: &std::collections::HashMap<String, crate::store::ProjectActivity>,
) -> Markup {
    html! {
        h1 { "Projects" }
        p { a href="/projects/*/experiments" { "All experiments" } }
        @if projects.is_empty() {
            p.muted { "No projects yet: run a task with the ClearML SDK against this server." }
        } @else {
            table.grid.tree #projects {
                thead { tr { th { "Project" } th.num { "Tasks" } th.num { "Running" } th.num { "Models" } th { "Last update" } } }
                tbody {
                    @for p in projects {
                        @let name = s(p, "name");
                        @let depth = name.matches('/').count();
                        @let base = name.rsplit('/').next().unwrap_or(name);
                        @let stats = &p["stats"]["active"];
                        @let act = activity.get(s(p, "id")).cloned().unwrap_or_default();
                        @let last = act.last_task_update.map(Value::from).unwrap_or_else(|| p["last_update"].clone());
                        tr {
                            td.name style={ "--depth:" (depth) } title=(name) {
                                a href={ "/projects/" (url_part(s(p, "id"))) "/experiments" } { (base) }
                            }
                            td.num { (layout::number(&stats["total_tasks"])) }
                            td.num { (layout::number(&stats["status_count"]["in_progress"])) }
                            td.num {
                                @if act.models > 0 {
                                    a href={ "/projects/" (url_part(s(p, "id"))) "/models" } { (act.models) }
                                } @else { "0" }
                            }
                            td { (layout::time(&last)) }
                        }
                    }
                }
            }
        }
    }
}
