//! `/workers-and-queues`: queues with their pending tasks, workers with their current
//! task and when they were last seen, and their reported utilization over the last
//! hour. Reloads itself every few seconds.

use super::layout::{self, Nav, ref_name, s, url_part};
use super::{AppState, render, utilization};
use axum::extract::State;
use axum::response::Response;
use maud::html;
use serde_json::{Value, json};
use std::sync::Arc;

/// Pending tasks listed per queue (the count is always the whole queue's).
const SHOWN_ENTRIES: usize = 20;

pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    render(state, |ctx| {
        let queues = ctx.api("queues.get_all_ex", json!({"order_by": ["name"]}))?["queues"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut workers = ctx.api("workers.get_all", json!({}))?["workers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        workers.sort_by(|a, b| s(a, "id").cmp(s(b, "id")));
        let utilization = utilization::section(ctx, &workers, chrono::Utc::now().timestamp())?;
        // A queue entry's task page: its project is not in the entry, `*` opens it.
        let task_href = |t: &Value| {
            format!(
                "/projects/*/experiments/{}",
                url_part(layout::ref_id(t))
            )
        };
        let body = html! {
            span.muted data-refresh="15" {}
            h1 { "Workers & queues" }
            h2 { "Queues" }
            table.grid #queues {
                thead { tr { th { "Queue" } th.num { "Pending" } th { "Next tasks" } th { "Workers" } } }
                tbody {
                    @for q in &queues {
                        @let entries = q["entries"].as_array().cloned().unwrap_or_default();
                        @let serving: Vec<&str> = workers.iter()
                            .filter(|w| w["queues"].as_array().into_iter().flatten().any(|x| layout::ref_id(x) == s(q, "id")))
                            .map(|w| s(w, "id")).collect();
                        tr {
                            td { (s(q, "name")) }
                            td.num { (entries.len()) }
                            td {
                                @for e in entries.iter().take(SHOWN_ENTRIES) {
                                    a href=(task_href(&e["task"])) { (ref_name(&e["task"])) } " "
                                }
                                @if entries.len() > SHOWN_ENTRIES { span.muted { "and " (entries.len() - SHOWN_ENTRIES) " more" } }
                            }
                            td { (serving.join(", ")) }
                        }
                    }
                }
            }
            h2 { "Workers" }
            @if workers.is_empty() {
                p.muted { "No workers registered (run clearml-agent daemon against this server)." }
            } @else {
                table.grid #workers {
                    thead { tr { th { "Worker" } th { "Current task" } th { "Queues" } th { "Last seen" } th { "Registered" } } }
                    tbody {
                        @for w in &workers {
                            tr {
                                td { (s(w, "id")) }
                                td { @if w["task"].is_object() { a href=(task_href(&w["task"])) { (ref_name(&w["task"])) } } }
                                td {
                                    @for q in w["queues"].as_array().into_iter().flatten() { span.tag { (ref_name(q)) } }
                                }
                                td { (layout::time(&w["last_activity_time"])) }
                                td { (layout::time(&w["register_time"])) }
                            }
                        }
                    }
                }
            }
        };
        let body = html! { (body) (utilization) };
        Ok(layout::page("Workers & queues", Nav::Workers, body))
    })
    .await
}
