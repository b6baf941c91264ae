//! `pipeline list`: past runs, newest first.

use std::time::Duration;

use serde_json::{Value, json};

use super::run::fmt_duration;
use super::status::{fetch_runs, owner_project, pipeline_projects};
use super::{client, json};
use crate::cli::PipelineListArgs;
use crate::output::Listing;
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::{fmt_time, ref_name};

pub async fn run(ctx: &Ctx, a: PipelineListArgs) -> anyhow::Result<()> {
    let (client, _) = client(ctx)?;
    let mut filter = json!({});
    if let Some(p) = &a.project {
        filter["project"] = json!(pipeline_projects(&client, p).await?);
    }
    if let Some(n) = &a.name {
        filter["name"] = json!(format!("^{}(| #\\d+)$", regex::escape(n)));
    }
    let runs = fetch_runs(&client, &filter, a.limit).await?;
    let mut l = Listing::new([
        "id", "name", "project", "status", "started", "duration", "steps",
    ]);
    for run in &runs {
        let dag = crate::pipeline::stats::dag_of(run);
        let done = dag
            .values()
            .filter(|n| matches!(n["status"].as_str(), Some("completed" | "cached")))
            .count();
        let finished = !matches!(
            run["status"].as_str(),
            Some("in_progress" | "queued" | "created")
        );
        let duration = chrono::DateTime::parse_from_rfc3339(run["started"].as_str().unwrap_or(""))
            .ok()
            .map(|s| {
                let end = if finished {
                    chrono::DateTime::parse_from_rfc3339(run["completed"].as_str().unwrap_or(""))
                        .map(|e| e.with_timezone(&chrono::Utc))
                        .unwrap_or_else(|_| chrono::Utc::now())
                } else {
                    chrono::Utc::now()
                };
                (end - s.with_timezone(&chrono::Utc))
                    .num_milliseconds()
                    .max(0) as f64
                    / 1000.0
            });
        let project = owner_project(&ref_name(&run["project"]));
        l.push(
            vec![
                run["id"].as_str().unwrap_or("").into(),
                run["name"].as_str().unwrap_or("").into(),
                project.clone(),
                run["status"].as_str().unwrap_or("").into(),
                fmt_time(&run["started"]),
                duration
                    .map(|d| fmt_duration(Duration::from_secs_f64(d)))
                    .unwrap_or_default(),
                format!("{done}/{}", dag.len()),
            ],
            json::to_value(&json::RunRow {
                id: run["id"].clone(),
                name: run["name"].clone(),
                project,
                status: run["status"].clone(),
                started: run["started"].clone(),
                completed: if finished {
                    run["completed"].clone()
                } else {
                    Value::Null
                },
                duration_s: duration.map(|d| (d * 10.0).round() / 10.0),
                steps_done: done,
                steps_total: dag.len(),
                version: run["runtime"]["version"].clone(),
            }),
        );
    }
    ctx.out.listing(&l);
    Ok(())
}
