//! `task compare`: tasks side by side (rows from [`comparison`]), and `--plot` charts.

use serde_json::{Value, json};

use super::comparison;
use super::query;
use crate::api::Client;
use crate::api::lookup;
use crate::chart;
use crate::cli::{Format, TaskCompareArgs};
use crate::error::CliError;
use clearml_cmd_core::Ctx;

const COMPARE_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "project.name",
    "hyperparams",
    "last_metrics",
    "last_update",
];

pub async fn run(ctx: &Ctx, client: &Client, a: TaskCompareArgs) -> anyhow::Result<()> {
    let better = comparison::parse_better(&a.better)?;
    let tasks = if let Some(p) = &a.project {
        if !a.tasks.is_empty() {
            return Err(CliError::usage("give task ids/names or --project, not both").into());
        }
        let pid = lookup::project_id(client, p).await?;
        let mut body = json!({
            "project": [pid],
            "only_fields": COMPARE_FIELDS,
            "order_by": ["-last_update"],
            "system_tags": ["-archived"],
        });
        if !a.status.is_empty() {
            body["status"] = json!(a.status);
        }
        client
            .get_all(
                "tasks.get_all_ex",
                &body,
                "tasks",
                Some(a.last.unwrap_or(10)),
            )
            .await?
    } else {
        if a.tasks.len() < 2 {
            return Err(CliError::usage("task compare needs at least two tasks")
                .with_hint("give ids or names, or --project P [--status S] [--last N]")
                .into());
        }
        let mut found = Vec::new();
        for t in &a.tasks {
            found.push(lookup::find_task(client, t, None, COMPARE_FIELDS).await?);
        }
        found
    };
    if tasks.is_empty() {
        return Err(CliError::not_found("no tasks to compare").into());
    }
    let rows = comparison::build_rows(&tasks, &better);
    match ctx.out.format {
        Format::Json => ctx
            .out
            .json(&comparison::to_json(&tasks, &rows, a.diff_only)),
        Format::Csv => print!(
            "{}",
            comparison::to_csv_listing(&tasks, &rows, a.diff_only).to_csv()
        ),
        Format::Table => println!(
            "{}",
            comparison::to_table(&comparison::to_listing(&tasks, &rows, a.diff_only))
        ),
    }
    if let Some(metric) = &a.plot {
        let series = scalar_series(client, &tasks, metric).await?;
        if ctx.out.format == Format::Table {
            println!();
            print!("{}", chart::render_text(metric, &series, 72, 18));
        }
        if let Some(path) = &a.svg {
            std::fs::write(path, chart::render_svg(metric, "iteration", &series))
                .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
            ctx.out.info(format!("wrote {}", path.display()));
        }
    }
    Ok(())
}

/// The scalar curves of `metric` (`title` or `title/series`) for each task.
async fn scalar_series(
    client: &Client,
    tasks: &[Value],
    metric: &str,
) -> anyhow::Result<Vec<chart::Series>> {
    // Titles may contain '/' (`train/loss/total`): match against the titles the tasks have.
    let titles: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t["last_metrics"].as_object())
        .flat_map(|m| m.values())
        .filter_map(Value::as_object)
        .flat_map(|v| v.values())
        .filter_map(|e| e["metric"].as_str())
        .collect();
    let (title, series_filter) = query::resolve_plot_metric(&titles, metric);
    let mut out = Vec::new();
    for t in tasks {
        let id = t["id"].as_str().unwrap_or_default();
        let mut body = json!({"task": id, "key": "iter", "samples": 5000});
        let mut m = json!({"metric": title});
        if let Some(s) = series_filter {
            m["variants"] = json!([s]);
        }
        body["metrics"] = json!([m]);
        let data = client
            .call("events.scalar_metrics_iter_histogram", &body)
            .await?;
        let label = comparison::task_header(t);
        for (variant, curve) in data
            .get(title)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if series_filter.is_some_and(|s| s != variant) {
                continue;
            }
            let nums = |k: &str| -> Vec<f64> {
                curve[k]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64)
                    .collect()
            };
            out.push(chart::Series {
                label: if series_filter.is_some() {
                    label.clone()
                } else {
                    format!("{label} {variant}")
                },
                x: nums("x"),
                y: nums("y"),
                ..chart::Series::default()
            });
        }
    }
    if out.is_empty() {
        return Err(
            CliError::not_found(format!("no scalars named '{metric}' in these tasks"))
                .with_hint("name a metric as title or title/series, as in the compare table")
                .into(),
        );
    }
    Ok(out)
}
