//! `pipeline stats`: the numbers behind the runs the server holds (SDK-made and ours):
//! one row per pipeline with a duration sparkline, then one row per step; --json has it
//! all, --csv the pipeline rows, --svg draws run durations over time by status.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::api::Client;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::client;
use super::run::fmt_duration;
use super::status::{fetch_runs, owner_project, pipeline_projects};
use crate::chart::{Series, render_svg};
use crate::cli::{Format, PipelineStatsArgs};
use crate::error::CliError;
use crate::output::{Listing, shape_value};
use crate::pipeline::stats::{self, pipeline_name};
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::ref_name;

/// Runs read at most: stats over more than this many runs is a job for a database.
const MAX_RUNS: usize = 10_000;

pub async fn run(ctx: &Ctx, a: PipelineStatsArgs) -> anyhow::Result<()> {
    let since = a
        .since
        .as_deref()
        .map(|s| clearml_cmd_core::parse_duration("--since", s))
        .transpose()?
        .map(|d| Utc::now() - chrono::Duration::from_std(d).unwrap_or(chrono::TimeDelta::MAX));
    let (client, _) = client(ctx)?;
    let mut filter = json!({"only_fields": ["id", "name", "status", "project.name", "created",
        "started", "completed", "status_changed", "configuration"]});
    if let Some(p) = &a.project {
        filter["project"] = json!(pipeline_projects(&client, p).await?);
    }
    if let Some(n) = &a.name {
        filter["name"] = json!(format!("^{}(| #\\d+)$", regex::escape(n)));
    }
    let runs = fetch_runs(&client, &filter, MAX_RUNS).await?;
    let groups = group_runs(&runs, since, a.last);
    if groups.is_empty() {
        return Err(CliError::not_found("no pipeline runs match")
            .with_hint("see `clearml pipeline list` for the runs the server holds")
            .into());
    }
    let tasks = fetch_step_tasks(&client, &groups).await?;
    let all: Vec<(Value, &Vec<&Value>)> = groups
        .iter()
        .map(|((project, name), runs)| {
            // The typed shape (stats::PipelineStats) as the table and the SVG read it.
            let s = stats::pipeline_stats(name, project, runs, &tasks);
            (shape_value(&s), runs)
        })
        .collect();
    if let Some(path) = &a.svg {
        write_svg(path, &all)?;
        ctx.out.info(format!("wrote {}", path.display()));
    }
    let (pipelines, steps) = listings(&all);
    match ctx.out.format {
        Format::Json => ctx
            .out
            .json(&Value::Array(all.iter().map(|(s, _)| s.clone()).collect())),
        Format::Csv => ctx.out.listing(&pipelines),
        Format::Table => {
            ctx.out.listing(&pipelines);
            println!();
            ctx.out.listing(&steps);
        }
    }
    Ok(())
}

/// Runs by (project, pipeline), newest first as fetched; only those created since
/// `since`, at most `last` per pipeline.
fn group_runs(
    runs: &[Value],
    since: Option<DateTime<Utc>>,
    last: Option<usize>,
) -> BTreeMap<(String, String), Vec<&Value>> {
    // Newest first within each (project, pipeline), as fetched.
    let mut groups: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for r in runs {
        let created = DateTime::parse_from_rfc3339(r["created"].as_str().unwrap_or(""))
            .ok()
            .map(|d| d.with_timezone(&Utc));
        if since.is_some_and(|s| created.is_none_or(|c| c < s)) {
            continue;
        }
        let key = (
            owner_project(&ref_name(&r["project"])),
            pipeline_name(r["name"].as_str().unwrap_or("")),
        );
        let g = groups.entry(key).or_default();
        if last.is_none_or(|n| g.len() < n) {
            g.push(r);
        }
    }
    groups
}

/// The step tasks of the grouped runs, by id (in chunks the server takes in one call).
async fn fetch_step_tasks(
    client: &Client,
    groups: &BTreeMap<(String, String), Vec<&Value>>,
) -> anyhow::Result<BTreeMap<String, Value>> {
    let ids: Vec<String> = groups
        .values()
        .flatten()
        .flat_map(|r| stats::dag_steps(r).into_iter().map(|(_, id)| id))
        .collect();
    let mut tasks = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let found = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": chunk, "search_hidden": true,
                        "only_fields": ["id", "status", "created", "started", "completed", "status_changed"]}),
                "tasks",
                None,
            )
            .await?;
        for t in found {
            tasks.insert(t["id"].as_str().unwrap_or("").to_string(), t);
        }
    }
    Ok(tasks)
}

/// The pipeline rows and the step rows of the table.
fn listings(all: &[(Value, &Vec<&Value>)]) -> (Listing, Listing) {
    let secs = |v: &Value| {
        v.as_f64()
            .map(|s| fmt_duration(Duration::from_secs_f64(s)))
            .unwrap_or_default()
    };
    let pct = |v: &Value| {
        v.as_f64()
            .map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_default()
    };
    let mut pipelines = Listing::new([
        "pipeline", "project", "runs", "ok", "failed", "stopped", "success", "mean", "p50", "p95",
        "last run", "trend",
    ]);
    let mut steps = Listing::new([
        "pipeline",
        "step",
        "runs",
        "failure rate",
        "mean",
        "p95",
        "queued",
        "running",
    ]);
    for (s, runs) in all {
        let trend: Vec<f64> = runs
            .iter()
            .rev()
            .filter_map(|r| stats::running_secs(r))
            .collect();
        pipelines.push(
            vec![
                s["pipeline"].as_str().unwrap_or("").into(),
                s["project"].as_str().unwrap_or("").into(),
                s["runs"].to_string(),
                s["completed"].to_string(),
                s["failed"].to_string(),
                s["stopped"].to_string(),
                pct(&s["success_rate"]),
                secs(&s["duration_mean_s"]),
                secs(&s["duration_p50_s"]),
                secs(&s["duration_p95_s"]),
                format!(
                    "{} {}",
                    s["last_run"]["name"].as_str().unwrap_or(""),
                    s["last_run"]["status"].as_str().unwrap_or("")
                ),
                stats::sparkline(&trend),
            ],
            s.clone(),
        );
        for st in s["steps"].as_array().into_iter().flatten() {
            let mut name = st["step"].as_str().unwrap_or("").to_string();
            if s["most_failing_step"] == st["step"] {
                name.push_str(" (fails most)");
            }
            steps.push(
                vec![
                    s["pipeline"].as_str().unwrap_or("").into(),
                    name,
                    st["runs"].to_string(),
                    pct(&st["failure_rate"]),
                    secs(&st["duration_mean_s"]),
                    secs(&st["duration_p95_s"]),
                    secs(&st["queued_mean_s"]),
                    secs(&st["running_mean_s"]),
                ],
                st.clone(),
            );
        }
    }
    (pipelines, steps)
}

/// Run durations over time (hours since the first run), one series per final status.
fn write_svg(path: &std::path::Path, all: &[(Value, &Vec<&Value>)]) -> anyhow::Result<()> {
    let points: Vec<(DateTime<Utc>, f64, &str)> = all
        .iter()
        .flat_map(|(_, runs)| runs.iter())
        .filter_map(|r| {
            let t = DateTime::parse_from_rfc3339(r["started"].as_str()?)
                .ok()?
                .with_timezone(&Utc);
            let class = stats::final_class(r["status"].as_str()?)?;
            Some((t, stats::running_secs(r)?, class))
        })
        .collect();
    let t0 = points.iter().map(|p| p.0).min().unwrap_or_else(Utc::now);
    let series: Vec<Series> = ["completed", "failed", "stopped"]
        .iter()
        .map(|class| {
            let mut mine: Vec<_> = points.iter().filter(|p| p.2 == *class).collect();
            mine.sort_by_key(|p| p.0);
            Series {
                label: class.to_string(),
                x: mine
                    .iter()
                    .map(|p| (p.0 - t0).num_milliseconds() as f64 / 3_600_000.0)
                    .collect(),
                y: mine.iter().map(|p| p.1).collect(),
                ..Series::default()
            }
        })
        .filter(|s| !s.x.is_empty())
        .collect();
    let svg = render_svg(
        "pipeline run duration (s)",
        &format!("hours since {}", t0.format("%Y-%m-%d %H:%M UTC")),
        &series,
    );
    // Temporary name then rename: never half a chart under the final name.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    std::fs::write(&tmp, svg)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CliError::failure(format!("cannot write {}: {e}", path.display())).into()
        })
}
