//! `task list|show|compare|wait`: glue between settings, the client and output.

pub mod chart;
pub mod compare;
pub mod query;

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::{Ctx, lookup};
use crate::api::Client;
use crate::api::outage::Outage;
use crate::cli::{Format, TaskCommand, TaskCompareArgs, TaskListArgs, TaskWaitArgs};
use crate::config::Settings;
use crate::error::{CliError, Exit};
use crate::output::Listing;
use query::{fmt_number, fmt_time, ref_id, ref_name};

pub async fn run(ctx: &Ctx, cmd: TaskCommand) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    match cmd {
        TaskCommand::List(args) => list(ctx, &client, args).await,
        TaskCommand::Show { task, project } => show(ctx, &client, &task, project.as_deref()).await,
        TaskCommand::Compare(args) => compare_cmd(ctx, &client, args).await,
        TaskCommand::Wait(args) => wait(ctx, &client, args).await,
    }
}

// ---------------------------------------------------------------- list

async fn list(ctx: &Ctx, client: &Client, a: TaskListArgs) -> anyhow::Result<()> {
    let columns = query::parse_columns(&a.columns)?;
    let now = chrono::Utc::now();
    let mut filters = query::Filters {
        recursive: a.recursive,
        status: a.status,
        types: a.task_type,
        tags: a.tag,
        name_regex: a.name,
        search: a.search,
        archived: a.archived,
        since: a
            .since
            .as_deref()
            .map(|s| query::parse_time_bound(s, now))
            .transpose()?,
        until: a
            .until
            .as_deref()
            .map(|s| query::parse_time_bound(s, now))
            .transpose()?,
        order_by: query::order_by(a.sort.as_deref())?,
        ..Default::default()
    };
    if let Some(regex) = &filters.name_regex {
        query::check_name_regex(regex)?;
    }
    if let Some(p) = &a.project {
        filters.project_ids = vec![lookup::project_id(client, p).await?];
    } else if a.recursive {
        return Err(CliError::usage("--recursive needs --project").into());
    }
    if let Some(u) = &a.user {
        filters.user_ids = vec![lookup::user_id(client, u).await?];
    }
    let only = query::only_fields(&columns);
    let body = query::list_body(&filters, &only);
    let limit = if a.all { None } else { Some(a.limit) };
    let tasks = client
        .get_all("tasks.get_all_ex", &body, "tasks", limit)
        .await?;
    let count = tasks.len();
    let mut listing = Listing::new(columns.iter().map(|c| c.header()));
    for t in tasks {
        let (row, json) = query::row_json(&t, &columns);
        listing.push(row, json);
    }
    ctx.out.listing(&listing);
    if !a.all && count == a.limit {
        ctx.out.info(format!(
            "(first {} tasks; --all for every one, --limit N for more)",
            a.limit
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- show

const SHOW_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "status_message",
    "status_reason",
    "type",
    "comment",
    "created",
    "started",
    "completed",
    "last_update",
    "parent",
    "project.name",
    "user.name",
    "execution.queue",
    "execution.artifacts",
    "models",
    "hyperparams",
    "configuration",
    "last_metrics",
    "last_iteration",
    "tags",
];

/// The stable JSON of `task show`.
pub fn show_json(t: &Value) -> Value {
    let mut params = Map::new();
    if let Some(sections) = t.get("hyperparams").and_then(Value::as_object) {
        for (section, names) in sections {
            for (name, p) in names.as_object().into_iter().flatten() {
                params.insert(
                    format!("{section}/{name}"),
                    p.get("value").cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    let configuration: Vec<String> = t
        .get("configuration")
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let mut metrics: Vec<Value> = t
        .get("last_metrics")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_object)
        .flat_map(|v| v.values())
        .map(|e| {
            json!({
                "title": e.get("metric"),
                "series": e.get("variant"),
                "last": e.get("value"),
                "min": e.get("min_value"),
                "max": e.get("max_value"),
            })
        })
        .collect();
    metrics.sort_by_key(|m| (m["title"].to_string(), m["series"].to_string()));
    let artifacts: Vec<Value> = match t.pointer("/execution/artifacts") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Object(o)) => o.values().cloned().collect(),
        _ => vec![],
    }
    .into_iter()
    .map(|a| {
        json!({
            "key": a.get("key"), "type": a.get("type"), "mode": a.get("mode"),
            "uri": a.get("uri"), "size": a.get("content_size"), "hash": a.get("hash"),
        })
    })
    .collect();
    let models = |kind: &str| -> Vec<Value> {
        t.pointer(&format!("/models/{kind}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            // get_all_ex gives `model` as a reference `{"id"}`, get_all/get_by_id as the id.
            .map(|m| json!({"name": m.get("name"), "id": m.get("model").and_then(ref_id)}))
            .collect()
    };
    json!({
        "id": t.get("id"),
        "name": t.get("name"),
        "status": t.get("status"),
        "status_message": t.get("status_message"),
        "status_reason": t.get("status_reason"),
        "type": t.get("type"),
        "comment": t.get("comment"),
        "project": {"id": t.get("project").and_then(ref_id), "name": t.get("project").map(ref_name)},
        "user": {"id": t.get("user").and_then(ref_id), "name": t.get("user").map(ref_name)},
        "created": t.get("created"),
        "started": t.get("started"),
        "completed": t.get("completed"),
        "last_update": t.get("last_update"),
        "parent": t.get("parent").and_then(ref_id),
        "queue": t.pointer("/execution/queue").and_then(ref_id),
        "last_iteration": t.get("last_iteration"),
        "tags": t.get("tags").cloned().unwrap_or(json!([])),
        "params": params,
        "configuration": configuration,
        "metrics": metrics,
        "artifacts": artifacts,
        "models": {"input": models("input"), "output": models("output")},
    })
}

/// The human form of `task show`: a header block, then one small table per section.
pub fn show_text(j: &Value) -> String {
    let s = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut head = Listing::new(["field", "value"]);
    let mut add = |k: &str, v: String| {
        if !v.is_empty() {
            head.push(vec![k.to_string(), v], Value::Null);
        }
    };
    add("id", s(&j["id"]));
    add("name", s(&j["name"]));
    let mut status = s(&j["status"]);
    if let Some(m) = j["status_message"].as_str().filter(|m| !m.is_empty()) {
        status.push_str(&format!(" ({m})"));
    }
    add("status", status);
    add("type", s(&j["type"]));
    add("project", s(&j["project"]["name"]));
    add("user", s(&j["user"]["name"]));
    add("created", fmt_time(&j["created"]));
    add("started", fmt_time(&j["started"]));
    add("completed", fmt_time(&j["completed"]));
    add("updated", fmt_time(&j["last_update"]));
    add("parent", s(&j["parent"]));
    add("queue", s(&j["queue"]));
    add("iteration", fmt_number(&j["last_iteration"]));
    let tags: Vec<String> = j["tags"].as_array().into_iter().flatten().map(&s).collect();
    add("tags", tags.join(", "));
    add("comment", s(&j["comment"]));
    let mut out = head
        .to_table(false)
        .lines()
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    let mut section = |title: &str, l: Listing| {
        if !l.rows.is_empty() {
            out.push_str(&format!("\n{title}\n{}\n", indent(&l.to_table(false))));
        }
    };
    let mut params = Listing::new(["parameter", "value"]);
    for (k, v) in j["params"].as_object().into_iter().flatten() {
        params.push(vec![k.clone(), s(v)], Value::Null);
    }
    section("Parameters", params);
    let mut conf = Listing::new(["name"]);
    for n in j["configuration"].as_array().into_iter().flatten() {
        conf.push(vec![s(n)], Value::Null);
    }
    section("Configuration", conf);
    let mut metrics = Listing::new(["metric", "last", "min", "max"]);
    for m in j["metrics"].as_array().into_iter().flatten() {
        metrics.push(
            vec![
                format!("{}/{}", s(&m["title"]), s(&m["series"])),
                fmt_number(&m["last"]),
                fmt_number(&m["min"]),
                fmt_number(&m["max"]),
            ],
            Value::Null,
        );
    }
    section("Metrics", metrics);
    let mut arts = Listing::new(["artifact", "type", "size", "uri"]);
    for a in j["artifacts"].as_array().into_iter().flatten() {
        arts.push(
            vec![
                s(&a["key"]),
                s(&a["type"]),
                fmt_number(&a["size"]),
                s(&a["uri"]),
            ],
            Value::Null,
        );
    }
    section("Artifacts", arts);
    let mut models = Listing::new(["direction", "model", "entry", "model id"]);
    for dir in ["input", "output"] {
        for m in j["models"][dir].as_array().into_iter().flatten() {
            models.push(
                vec![
                    dir.to_string(),
                    s(&m["model_name"]),
                    s(&m["name"]),
                    s(&m["id"]),
                ],
                Value::Null,
            );
        }
    }
    section("Models", models);
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Flatten a JSON document into `key,value` rows (the CSV form of `show` commands).
pub fn flat_listing(v: &Value) -> Listing {
    fn walk(prefix: &str, v: &Value, l: &mut Listing) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, x, l);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), x, l);
                }
            }
            Value::Null => l.push(vec![prefix.to_string(), String::new()], Value::Null),
            Value::String(s) => l.push(vec![prefix.to_string(), s.clone()], Value::Null),
            other => l.push(vec![prefix.to_string(), other.to_string()], Value::Null),
        }
    }
    let mut l = Listing::new(["key", "value"]);
    walk("", v, &mut l);
    l
}

async fn show(ctx: &Ctx, client: &Client, task: &str, project: Option<&str>) -> anyhow::Result<()> {
    let t = lookup::find_task(client, task, project, SHOW_FIELDS).await?;
    let mut j = show_json(&t);
    add_model_names(client, &mut j).await?;
    match ctx.out.format {
        Format::Json => ctx.out.json(&j),
        Format::Csv => print!("{}", flat_listing(&j).to_csv()),
        Format::Table => print!("{}", show_text(&j)),
    }
    Ok(())
}

/// The task's model entries carry the entry name (`w0`); add each model's own name
/// (`model_name`, as `model list` shows it) with one lookup.
async fn add_model_names(client: &Client, j: &mut Value) -> anyhow::Result<()> {
    let ids: Vec<String> = ["input", "output"]
        .iter()
        .flat_map(|d| j["models"][d].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["id"].as_str().map(str::to_string))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found = client
        .get_all(
            "models.get_all_ex",
            &json!({"id": ids, "only_fields": ["id", "name"]}),
            "models",
            None,
        )
        .await?;
    for d in ["input", "output"] {
        for m in j["models"][d].as_array_mut().into_iter().flatten() {
            let name = found
                .iter()
                .find(|f| f["id"] == m["id"])
                .map(|f| f["name"].clone())
                .unwrap_or(Value::Null);
            m["model_name"] = name;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- compare

const COMPARE_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "project.name",
    "hyperparams",
    "last_metrics",
    "last_update",
];

async fn compare_cmd(ctx: &Ctx, client: &Client, a: TaskCompareArgs) -> anyhow::Result<()> {
    let better = compare::parse_better(&a.better)?;
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
    let rows = compare::build_rows(&tasks, &better);
    match ctx.out.format {
        Format::Json => ctx.out.json(&compare::to_json(&tasks, &rows, a.diff_only)),
        Format::Csv => print!(
            "{}",
            compare::to_csv_listing(&tasks, &rows, a.diff_only).to_csv()
        ),
        Format::Table => println!(
            "{}",
            compare::to_table(&compare::to_listing(&tasks, &rows, a.diff_only))
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
        let label = compare::task_header(t);
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

// ---------------------------------------------------------------- wait

const FINAL_OK: &[&str] = &["completed", "published", "closed"];
const FINAL_BAD: &[&str] = &["failed", "stopped"];

/// The summary `task wait` prints and POSTs to --notify.
pub fn wait_summary(tasks: &[Value], waited: Duration, timed_out: bool) -> Value {
    let all_completed = !timed_out
        && tasks
            .iter()
            .all(|t| FINAL_OK.contains(&t["status"].as_str().unwrap_or("")));
    json!({
        "event": "clearml.task.wait",
        "all_completed": all_completed,
        "timed_out": timed_out,
        "waited_seconds": (waited.as_secs_f64() * 10.0).round() / 10.0,
        "tasks": tasks.iter().map(|t| json!({
            "id": t.get("id"),
            "name": t.get("name"),
            "status": t.get("status"),
            "status_reason": t.get("status_reason"),
            "status_message": t.get("status_message"),
            // null for "no project", whether the server sent null, "" or nothing
            "project": t.get("project").map(ref_name).filter(|n| !n.is_empty()),
        })).collect::<Vec<_>>(),
    })
}

async fn wait(ctx: &Ctx, client: &Client, a: TaskWaitArgs) -> anyhow::Result<()> {
    let interval = super::parse_duration("--interval", &a.interval)?;
    let timeout = a
        .timeout
        .as_deref()
        .map(|t| super::parse_duration("--timeout", t))
        .transpose()?;
    if interval < MIN_WAIT_INTERVAL {
        return Err(CliError::usage(format!(
            "--interval {} is too short: poll at most once a second",
            a.interval
        ))
        .with_hint("e.g. --interval 10s")
        .into());
    }
    if let Some(url) = &a.notify {
        check_notify_url(url)?;
    }
    let fields = [
        "id",
        "name",
        "status",
        "status_reason",
        "status_message",
        "project.name",
    ];
    let mut ids = Vec::new();
    for t in &a.tasks {
        let task = lookup::find_task(client, t, None, &fields).await?;
        ids.push(task["id"].as_str().unwrap_or_default().to_string());
    }
    let start = Instant::now();
    let mut last_status: Vec<String> = vec![String::new(); ids.len()];
    // How long the server may stay unreachable: until --timeout, else a grace period.
    let mut outage = Outage::new(
        interval,
        timeout.unwrap_or(OUTAGE_GRACE),
        timeout.map(|_| start),
    );
    let (tasks, timed_out) = loop {
        let polled = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": ids, "only_fields": fields}),
                "tasks",
                None,
            )
            .await;
        let found = match polled {
            Ok(found) => {
                if outage.answered() {
                    ctx.out.info("the server answers again");
                }
                found
            }
            Err(e) => {
                let msg = crate::error::one_line(&e);
                // A restart or a network blip: ride it out instead of failing the wait.
                let retry = outage.failed(e)?;
                if retry.first {
                    ctx.out.warn(format!(
                        "{msg}; still waiting (for up to {})",
                        humantime::format_duration(outage.limit())
                    ));
                }
                tokio::time::sleep(retry.pause).await;
                continue;
            }
        };
        // Keep the order the user gave.
        let tasks: Vec<Value> = ids
            .iter()
            .filter_map(|id| found.iter().find(|t| t["id"].as_str() == Some(id)).cloned())
            .collect();
        if tasks.len() != ids.len() {
            return Err(
                CliError::not_found("a waited-for task disappeared from the server").into(),
            );
        }
        for (i, t) in tasks.iter().enumerate() {
            let st = t["status"].as_str().unwrap_or("").to_string();
            if st != last_status[i] {
                ctx.out.info(format!("{}: {st}", compare::task_header(t)));
                last_status[i] = st;
            }
        }
        let done = tasks.iter().all(|t| {
            let st = t["status"].as_str().unwrap_or("");
            FINAL_OK.contains(&st) || FINAL_BAD.contains(&st)
        });
        if done {
            break (tasks, false);
        }
        if timeout.is_some_and(|t| start.elapsed() >= t) {
            break (tasks, true);
        }
        let mut sleep = interval;
        if let Some(t) = timeout {
            sleep = sleep.min(t.saturating_sub(start.elapsed()));
        }
        tokio::time::sleep(sleep).await;
    };
    let summary = wait_summary(&tasks, start.elapsed(), timed_out);
    let mut listing = Listing::new(["id", "name", "status", "reason"]);
    for t in &tasks {
        listing.push(
            vec![
                t["id"].as_str().unwrap_or("").into(),
                t["name"].as_str().unwrap_or("").into(),
                t["status"].as_str().unwrap_or("").into(),
                t["status_reason"].as_str().unwrap_or("").into(),
            ],
            json!({"id": t["id"], "name": t["name"], "status": t["status"], "status_reason": t["status_reason"]}),
        );
    }
    ctx.out.listing(&listing);
    if let Some(url) = &a.notify {
        match client.post_json(url, &summary).await {
            Ok(status) if (200..300).contains(&status) => ctx.out.info(format!("notified {url}")),
            Ok(status) => ctx
                .out
                .warn(format!("--notify {url} answered HTTP {status}")),
            Err(e) => ctx.out.warn(format!("--notify failed: {e}")),
        }
    }
    let bad: Vec<String> = tasks
        .iter()
        .filter(|t| FINAL_BAD.contains(&t["status"].as_str().unwrap_or("")))
        .map(|t| {
            format!(
                "{} {}",
                compare::task_header(t),
                t["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    // A known failure outranks a timeout: it is the more useful exit code (6).
    if !bad.is_empty() {
        return Err(CliError::new(
            Exit::WaitedTaskFailed,
            format!(
                "not all tasks completed: {}{}",
                bad.join(", "),
                if timed_out {
                    " (and the wait timed out)"
                } else {
                    ""
                }
            ),
        )
        .into());
    }
    if timed_out {
        return Err(CliError::failure(format!(
            "timed out after {} waiting for the tasks to finish",
            humantime::format_duration(Duration::from_secs(start.elapsed().as_secs()))
        ))
        .into());
    }
    Ok(())
}

/// The shortest `task wait --interval`: polling faster only loads the server.
const MIN_WAIT_INTERVAL: Duration = Duration::from_secs(1);
/// Without --timeout, how long `task wait` rides out an unreachable server.
pub const OUTAGE_GRACE: Duration = Duration::from_secs(600);

/// `--notify` must be an http(s) URL; checked before waiting, not hours later.
pub fn check_notify_url(url: &str) -> Result<(), CliError> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err(
            CliError::usage(format!("--notify '{url}' is not an http(s) URL"))
                .with_hint("e.g. --notify https://hooks.example.com/clearml"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk_task() -> Value {
        json!({
            "id": "660ef06f17194eabbe7ac8391f0d1955", "name": "train", "status": "completed",
            "type": "training", "project": {"id": "p1", "name": "Demo"},
            "user": {"id": "u1", "name": "Default User"},
            "created": "2026-11-27T01:08:03.886000+00:00",
            "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": "0.001"}}},
            "configuration": {"General": {"name": "General", "value": "{}"}},
            "last_metrics": {"a": {"b": {"metric": "loss", "variant": "train", "value": 0.5, "min_value": 0.5, "max_value": 2}}},
            "execution": {"artifacts": [{"key": "data", "type": "custom", "mode": "output", "uri": "http://f/x", "content_size": 10}]},
            "models": {"input": [{"name": "in", "model": {"id": "m0"}}], "output": [{"name": "model", "model": "m1"}]},
            "last_iteration": 99, "tags": ["a"]
        })
    }

    #[test]
    fn show_json_is_flat_and_stable() {
        let j = show_json(&sdk_task());
        assert_eq!(j["params"]["Args/lr"], "0.001");
        assert_eq!(j["configuration"], json!(["General"]));
        assert_eq!(
            j["metrics"][0],
            json!({"title": "loss", "series": "train", "last": 0.5, "min": 0.5, "max": 2})
        );
        assert_eq!(j["artifacts"][0]["size"], 10);
        assert_eq!(
            j["models"]["output"][0],
            json!({"name": "model", "id": "m1"})
        );
        // get_all_ex's reference shape gives the same plain id.
        assert_eq!(j["models"]["input"][0], json!({"name": "in", "id": "m0"}));
        assert_eq!(j["project"], json!({"id": "p1", "name": "Demo"}));
    }

    #[test]
    fn show_text_has_sections() {
        let text = show_text(&show_json(&sdk_task()));
        assert!(text.starts_with("id"), "{text}");
        assert!(text.contains("status     completed"), "{text}");
        assert!(
            text.contains("\nParameters\n  PARAMETER  VALUE\n  Args/lr    0.001\n"),
            "{text}"
        );
        assert!(text.contains("  loss/train  0.5   0.5  2"), "{text}");
        assert!(text.contains("\nModels\n"), "{text}");
        assert!(!text.contains("Artifacts\n\n"));
    }

    #[test]
    fn wait_summary_counts_only_completed_as_success() {
        let ok = json!({"id": "a", "name": "a", "status": "completed"});
        let bad = json!({"id": "b", "name": "b", "status": "stopped"});
        let s = wait_summary(std::slice::from_ref(&ok), Duration::from_secs(3), false);
        assert_eq!(s["all_completed"], true);
        let s = wait_summary(&[ok.clone(), bad], Duration::from_secs(3), false);
        assert_eq!(s["all_completed"], false);
        assert_eq!(s["tasks"][1]["status"], "stopped");
        let s = wait_summary(&[ok], Duration::from_secs(3), true);
        assert_eq!(s["all_completed"], false);
        // "no project" is null however the server spelled it
        for project in [json!(null), json!(""), json!({"id": null, "name": ""})] {
            let t = json!({"id": "c", "name": "c", "status": "completed", "project": project});
            let s = wait_summary(&[t], Duration::from_secs(1), false);
            assert_eq!(s["tasks"][0]["project"], Value::Null, "{project}");
        }
    }

    #[test]
    fn flat_listing_for_csv() {
        let l = flat_listing(&json!({"a": {"b": 1}, "c": [true, null]}));
        assert_eq!(l.to_csv(), "key,value\na.b,1\nc.0,true\nc.1,\n");
    }
}
