//! `pipeline status`: one run's steps (by id or name), once or `--watch`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde_json::{Value, json};

use super::run::fmt_duration;
use super::{client, json};
use crate::api::Client;
use crate::api::lookup::{self, looks_like_id};
use crate::cli::{Format, PipelineStatusArgs};
use crate::error::{CliError, Exit};
use crate::output::{Listing, escape_control};
use crate::pipeline::runner::{self};
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::{fmt_time, ref_name};

const RUN_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "status_reason",
    "project.name",
    "created",
    "started",
    "completed",
    "configuration",
    "runtime",
    "hyperparams",
];

pub async fn run(ctx: &Ctx, a: PipelineStatusArgs) -> anyhow::Result<()> {
    let (client, _) = client(ctx)?;
    let run = find_run(&client, &a.run, a.project.as_deref()).await?;
    let id = run["id"].as_str().unwrap_or_default().to_string();
    let live = a.watch && ctx.out.format == Format::Table && std::io::stdout().is_terminal();
    let mut last = String::new();
    let mut drawn = 0;
    loop {
        let run = fetch_runs(&client, &json!({"id": [id]}), 1)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| CliError::not_found(format!("pipeline run {id} disappeared")))?;
        let view = run_view(&client, &run).await?;
        let finished = matches!(
            run["status"].as_str().unwrap_or(""),
            "completed" | "failed" | "stopped" | "published" | "closed"
        );
        if !a.watch || finished || ctx.out.format != Format::Table {
            if a.watch && !finished {
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            match ctx.out.format {
                Format::Json => ctx.out.json(&view),
                Format::Csv => print!("{}", status_listing(&view).to_csv()),
                Format::Table => {
                    if live {
                        clear_stdout(drawn);
                    }
                    print!("{}", status_text(&view, ctx.out.color));
                }
            }
            if a.watch && matches!(run["status"].as_str(), Some("failed" | "stopped")) {
                return Err(CliError::new(
                    Exit::WaitedTaskFailed,
                    format!(
                        "pipeline run '{}' {}",
                        view["name"].as_str().unwrap_or(""),
                        view["status"].as_str().unwrap_or("")
                    ),
                )
                .into());
            }
            return Ok(());
        }
        let text = status_text(&view, ctx.out.color);
        if text != last {
            if live {
                clear_stdout(drawn);
            }
            print!("{text}");
            let _ = std::io::stdout().flush();
            drawn = text.lines().count();
            last = text;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn clear_stdout(n: usize) {
    if n > 0 {
        print!("\x1b[{n}A\x1b[J");
    }
}

/// A run by id, `NAME #N`, or a pipeline name (its newest run).
async fn find_run(client: &Client, run: &str, project: Option<&str>) -> anyhow::Result<Value> {
    if looks_like_id(run)
        && let Some(t) = fetch_runs(client, &json!({"id": [run]}), 1)
            .await?
            .into_iter()
            .next()
    {
        return Ok(t);
    }
    let numbered = regex::Regex::new(r" #\d+$").expect("regex").is_match(run);
    let name = if numbered {
        crate::api::lookup::exact_regex(run)
    } else {
        format!("^{}(| #\\d+)$", regex::escape(run))
    };
    let mut filter = json!({"name": name});
    if let Some(p) = project {
        filter["project"] = json!(pipeline_projects(client, p).await?);
    }
    fetch_runs(client, &filter, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            CliError::not_found(format!("no pipeline run '{run}'"))
                .with_hint("see 'clearml pipeline list'")
                .into()
        })
}

/// The ids of the hidden pipeline projects under project `p`.
pub(super) async fn pipeline_projects(client: &Client, p: &str) -> anyhow::Result<Vec<String>> {
    lookup::project_id(client, p).await?;
    let found = client
        .get_all(
            "projects.get_all",
            &json!({
                "name": format!("^{}/{}/", regex::escape(p), regex::escape(runner::PIPELINES_DIR)),
                "search_hidden": true, "only_fields": ["id"],
            }),
            "projects",
            None,
        )
        .await?;
    let ids: Vec<String> = found
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    if ids.is_empty() {
        return Err(CliError::not_found(format!("project '{p}' has no pipelines")).into());
    }
    Ok(ids)
}

/// Controller tasks (ours and the SDK's), newest first, with `filter` merged in.
pub(super) async fn fetch_runs(
    client: &Client,
    filter: &Value,
    limit: usize,
) -> anyhow::Result<Vec<Value>> {
    let mut body = json!({
        "type": ["controller"],
        "system_tags": [runner::PIPELINE_TAG],
        "search_hidden": true,
        "order_by": ["-created"],
        "only_fields": RUN_FIELDS,
    });
    for (k, v) in filter.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    client
        .get_all("tasks.get_all_ex", &body, "tasks", Some(limit))
        .await
}

/// The DAG stored on a controller, with its step tasks' live state.
async fn run_view(client: &Client, run: &Value) -> anyhow::Result<Value> {
    let dag = crate::pipeline::stats::dag_of(run);
    let ids: Vec<&str> = dag.values().filter_map(|n| n["job_id"].as_str()).collect();
    let tasks = if ids.is_empty() {
        Vec::new()
    } else {
        client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": ids, "search_hidden": true,
                        "only_fields": ["id", "status", "started", "completed", "last_worker", "execution.queue"]}),
                "tasks",
                None,
            )
            .await?
    };
    let queue_names = queue_names(client, &tasks).await?;
    let default_queue = ["pipeline", "Pipeline"]
        .iter()
        .find_map(|s| run["hyperparams"][s]["default_queue"]["value"].as_str())
        .filter(|q| !q.is_empty());
    let now = chrono::Utc::now();
    let secs = |a: &Value, b: Option<&Value>| -> Option<f64> {
        let start = chrono::DateTime::parse_from_rfc3339(a.as_str()?).ok()?;
        let end = match b.and_then(Value::as_str) {
            Some(e) => chrono::DateTime::parse_from_rfc3339(e)
                .ok()?
                .with_timezone(&chrono::Utc),
            None => now,
        };
        Some(
            ((end - start.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 100.0).round()
                / 10.0,
        )
    };
    let steps: Vec<json::ViewedStep> = dag
        .iter()
        .map(|(name, n)| {
            let task = n["job_id"]
                .as_str()
                .and_then(|id| tasks.iter().find(|t| t["id"].as_str() == Some(id)));
            let status = crate::pipeline::stats::step_status(
                n["status"].as_str().unwrap_or("pending"),
                task.and_then(|t| t["status"].as_str()),
            );
            let duration = task.and_then(|t| {
                let running = t["status"] == "in_progress";
                secs(
                    &t["started"],
                    if running { None } else { Some(&t["completed"]) },
                )
            });
            json::ViewedStep {
                name: name.clone(),
                status: status.to_string(),
                task_id: n["job_id"].clone(),
                parents: n["parents"].clone(),
                queue: step_queue(n, task, &queue_names, default_queue),
                worker: task
                    .and_then(|t| t["last_worker"].as_str())
                    .map(str::to_string),
                duration_s: duration,
            }
        })
        .collect();
    let finished = !matches!(
        run["status"].as_str(),
        Some("in_progress" | "queued" | "created")
    );
    Ok(json::to_value(&json::RunView {
        id: run["id"].clone(),
        name: run["name"].clone(),
        status: run["status"].clone(),
        project: owner_project(&ref_name(&run["project"])),
        version: run["runtime"]["version"]
            .as_str()
            .or(run["hyperparams"]["properties"]["version"]["value"].as_str())
            .map(str::to_string),
        started: run["started"].clone(),
        completed: if finished {
            run["completed"].clone()
        } else {
            Value::Null
        },
        duration_s: secs(
            &run["started"],
            if finished {
                Some(&run["completed"])
            } else {
                None
            },
        ),
        steps,
    }))
}

pub(super) use crate::pipeline::stats::owner_project;

/// Queue id → name for the queues the step tasks were enqueued to, in one call.
async fn queue_names(
    client: &Client,
    tasks: &[Value],
) -> anyhow::Result<std::collections::HashMap<String, String>> {
    let mut ids: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t["execution"]["queue"].as_str())
        .filter(|q| !q.is_empty())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let queues = client
        .get_all(
            "queues.get_all",
            &json!({"id": ids, "only_fields": ["id", "name"]}),
            "queues",
            None,
        )
        .await?;
    Ok(queues
        .iter()
        .filter_map(|q| {
            Some((
                q["id"].as_str()?.to_string(),
                q["name"].as_str()?.to_string(),
            ))
        })
        .collect())
}

/// The queue a step went to: the one its task was enqueued to, else the one the DAG names,
/// else the run's default queue (where a step without its own queue is sent).
fn step_queue(
    node: &Value,
    task: Option<&Value>,
    names: &std::collections::HashMap<String, String>,
    default_queue: Option<&str>,
) -> Value {
    let enqueued = task
        .and_then(|t| t["execution"]["queue"].as_str())
        .filter(|q| !q.is_empty())
        .map(|id| names.get(id).map_or(id, String::as_str));
    let named = node["queue"].as_str().filter(|q| !q.is_empty());
    enqueued
        .or(named)
        .or(default_queue)
        .map_or(Value::Null, |q| Value::String(q.to_string()))
}

fn status_listing(view: &Value) -> Listing {
    let mut l = Listing::new(["step", "status", "parents", "duration", "task id"]);
    for s in view["steps"].as_array().into_iter().flatten() {
        let parents: Vec<&str> = s["parents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        l.push(
            vec![
                s["name"].as_str().unwrap_or("").into(),
                s["status"].as_str().unwrap_or("").into(),
                parents.join(", "),
                s["duration_s"]
                    .as_f64()
                    .map(|d| fmt_duration(Duration::from_secs_f64(d.max(0.0))))
                    .unwrap_or_default(),
                s["task_id"].as_str().unwrap_or("").into(),
            ],
            s.clone(),
        );
    }
    l
}

fn status_text(view: &Value, color: bool) -> String {
    let dur = view["duration_s"]
        .as_f64()
        .map(|d| fmt_duration(Duration::from_secs_f64(d.max(0.0))))
        .unwrap_or_default();
    format!(
        "{} ({})  {}  project {}  version {}  started {}  {}\n{}\n",
        escape_control(view["name"].as_str().unwrap_or("")),
        view["id"].as_str().unwrap_or(""),
        view["status"].as_str().unwrap_or(""),
        escape_control(view["project"].as_str().unwrap_or("")),
        view["version"].as_str().unwrap_or("-"),
        fmt_time(&view["started"]),
        dur,
        status_listing(view).to_table(color)
    )
}
