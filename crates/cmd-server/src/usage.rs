//! `server usage`: where a `serve` data dir's (or, with `--stack`, the Docker stack's)
//! space went, per project or task, largest first, with the data dir's totals.

use std::collections::BTreeMap;

use futures_util::StreamExt;

use super::json::{UsageReport, UsageRow};
use crate::cli::{UsageArgs, UsageBy};
use crate::error::CliError;
use crate::output::{Format, Listing, escape_control, shape_value};
use clearml_cmd_core::Ctx;
use clearml_cmd_core::human_bytes;
use clearml_serve::admin::{DataDirUsage, Owners, TaskUsage};
use serde_json::json;
use std::path::{Path, PathBuf};

use crate::api::Client;
use crate::config::Settings;

/// Is `name` the project `wanted` or one of its sub-projects?
fn in_project(name: &str, wanted: &str) -> bool {
    name == wanted
        || name
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/'))
}

pub async fn run(ctx: &Ctx, a: UsageArgs) -> anyhow::Result<()> {
    if a.top == Some(0) {
        return Err(CliError::usage("--top 0 shows nothing: give 1 or more").into());
    }
    let wanted = a
        .project
        .as_deref()
        .map(|p| p.trim_end_matches('/').to_string());
    if wanted.as_deref() == Some("") {
        return Err(CliError::usage("--project is empty").into());
    }
    let (dir, usage) = if a.api {
        (PathBuf::new(), api_usage(ctx).await?)
    } else if a.stack {
        stack_usage(ctx).await?
    } else {
        let dir = a
            .data_dir
            .clone()
            .unwrap_or_else(clearml_serve::default_data_dir);
        let d = dir.clone();
        let usage =
            tokio::task::spawn_blocking(move || clearml_serve::admin::usage_data_dir(&d)).await??;
        (dir, usage)
    };
    if usage.unreadable > 0 {
        ctx.out.warn(format!(
            "{} folder(s) under {} could not be read and are not counted (run as root, or as the owner of the data dir)",
            usage.unreadable,
            dir.display()
        ));
    }
    let mut rows = usage_rows(&usage.tasks, wanted.as_deref(), a.by);
    if let Some(w) = &wanted
        && rows.is_empty()
    {
        return Err(CliError::not_found(format!(
            "no project {w} with files or events in {}",
            dir.display()
        ))
        .into());
    }
    // Largest first; ties by name, so the order is stable.
    rows.sort_by(|x, y| {
        y.total_bytes
            .cmp(&x.total_bytes)
            .then_with(|| x.project.cmp(&y.project))
            .then_with(|| x.task.cmp(&y.task))
    });
    if let Some(n) = a.top {
        rows.truncate(n);
    }
    let report = UsageReport {
        data_dir: dir.clone(),
        disk_bytes: usage.disk_bytes,
        database_bytes: usage.database_bytes,
        files_bytes: usage.files_bytes,
        other_bytes: usage.other_bytes,
        rows,
    };
    if ctx.out.format == Format::Json {
        ctx.out.json(&shape_value(&report));
        return Ok(());
    }
    print_table(ctx, &report, a.by, a.api);
    Ok(())
}

/// The Docker stack's data dir (as its containers were started), its Elasticsearch's
/// events per task, and the names of tasks and projects through the configured API.
async fn stack_usage(ctx: &Ctx) -> anyhow::Result<(PathBuf, DataDirUsage)> {
    use clearml_stack::{docker, es, events, lifecycle};
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&Default::default(), Some(&engine)).await?;
    let id = es::container(&engine, &stack).await?;
    let (_, events) = events::usage(&engine, &id).await?;
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    let mut owners = Owners {
        events,
        ..Default::default()
    };
    for t in client
        .get_all(
            "tasks.get_all",
            &json!({"only_fields": ["id", "name", "project"], "search_hidden": true}),
            "tasks",
            None,
        )
        .await?
    {
        if let Some(id) = t["id"].as_str() {
            let name = t["name"].as_str().unwrap_or("").to_string();
            let project = t["project"].as_str().unwrap_or("").to_string();
            owners.tasks.insert(id.to_string(), (name, project));
        }
    }
    owners.projects = super::rehost::project_names(&client)
        .await?
        .into_iter()
        .collect();
    let dir = stack.data_dir.clone();
    let data = dir.join("data");
    let usage = tokio::task::spawn_blocking(move || {
        let databases = ["elastic_7", "mongo_4", "redis"].map(|d| data.join(d));
        let is_database = |p: &Path| databases.iter().any(|d| p.starts_with(d));
        clearml_serve::admin::usage_of_dir(
            &stack.data_dir,
            &data.join("fileserver"),
            &is_database,
            &owners,
        )
    })
    .await??;
    Ok((dir, usage))
}

/// HEAD requests `--api` has in flight at once (to the file server or wherever the files are).
const HEADS_IN_FLIGHT: usize = 8;

/// The size of a stored file by its URL: a HEAD's Content-Length (http and https only);
/// else why not.
async fn head_size(client: &Client, files_host: &str, uri: &str) -> Result<u64, String> {
    if !(uri.starts_with("http://") || uri.starts_with("https://")) {
        return Err("not an http(s) URL".into());
    }
    // The configured file server takes the API's token, which the SDK sends nowhere else.
    let mut req = client.http().head(uri);
    let on_files_server = !files_host.is_empty()
        && uri
            .strip_prefix(files_host)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if on_files_server && let Ok(b) = client.bearer().await {
        req = req.bearer_auth(b);
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("HEAD answered {}", resp.status()));
    }
    resp.headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .ok_or_else(|| "no Content-Length".to_string())
}

/// `--api`: the file bytes by the stored URLs, through the configured server's API only:
/// each task's artifacts (the size the SDK recorded, else a HEAD) and models (a HEAD).
async fn api_usage(ctx: &Ctx) -> anyhow::Result<DataDirUsage> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    let files_host = settings.files_host.value.trim_end_matches('/').to_string();
    let projects = super::rehost::project_names(&client).await?;
    let tasks = client
        .get_all(
            "tasks.get_all",
            &json!({"only_fields": ["id", "name", "project", "execution.artifacts"], "search_hidden": true}),
            "tasks",
            None,
        )
        .await?;
    let models = client
        .get_all(
            "models.get_all",
            &json!({"only_fields": ["id", "uri", "task", "project"]}),
            "models",
            None,
        )
        .await?;
    let mut rows: BTreeMap<String, TaskUsage> = BTreeMap::new();
    // Every stored file: (task, url, the size the SDK recorded), artifacts first, then models.
    let mut stored: Vec<(String, String, Option<u64>)> = Vec::new();
    for t in &tasks {
        let Some(id) = t["id"].as_str() else { continue };
        let r = rows.entry(id.to_string()).or_default();
        r.task_id = id.to_string();
        r.task = t["name"].as_str().unwrap_or("").to_string();
        r.project_id = t["project"].as_str().unwrap_or("").to_string();
        for art in t["execution"]["artifacts"].as_array().into_iter().flatten() {
            let Some(uri) = art["uri"].as_str().filter(|u| !u.is_empty()) else {
                continue;
            };
            let size = art["content_size"].as_u64().filter(|n| *n > 0);
            stored.push((id.to_string(), uri.to_string(), size));
        }
    }
    for m in &models {
        let Some(uri) = m["uri"].as_str().filter(|u| !u.is_empty()) else {
            continue;
        };
        let task = m["task"].as_str().unwrap_or("");
        let r = rows.entry(task.to_string()).or_default();
        if r.task_id.is_empty() && r.project_id.is_empty() {
            r.project_id = m["project"].as_str().unwrap_or("").to_string();
        }
        stored.push((task.to_string(), uri.to_string(), None));
    }
    // The unknown sizes asked HEADS_IN_FLIGHT at a time, the answers in the files' order.
    let sizes: Vec<Result<u64, String>> = futures_util::stream::iter(&stored)
        .map(|(_, uri, known)| async {
            match known {
                Some(n) => Ok(*n),
                None => head_size(&client, &files_host, uri).await,
            }
        })
        .buffered(HEADS_IN_FLIGHT)
        .collect()
        .await;
    let mut unsized_files = 0u64;
    let mut first_unsized = String::new();
    for ((task, uri, _), size) in stored.iter().zip(sizes) {
        let r = rows.get_mut(task).expect("a row for every file's task");
        r.files += 1;
        match size {
            Ok(n) => r.file_bytes += n,
            Err(why) => {
                if unsized_files == 0 {
                    first_unsized = format!("{uri}: {why}");
                }
                unsized_files += 1;
            }
        }
    }
    if unsized_files > 0 {
        ctx.out.warn(format!(
            "{unsized_files} stored file(s) have no known size, counted as files of 0 bytes (e.g. {})",
            escape_control(&first_unsized)
        ));
    }
    let mut usage = DataDirUsage::default();
    for mut r in rows.into_values().filter(|r| r.files > 0) {
        r.project = projects.get(&r.project_id).cloned().unwrap_or_default();
        usage.files_bytes += r.file_bytes;
        usage.tasks.push(r);
    }
    Ok(usage)
}

/// One row per task, or per project with its tasks summed, limited to `wanted` and its
/// sub-projects.
fn usage_rows(tasks: &[TaskUsage], wanted: Option<&str>, by: UsageBy) -> Vec<UsageRow> {
    let mut rows: Vec<UsageRow> = Vec::new();
    let mut by_project: BTreeMap<String, UsageRow> = BTreeMap::new();
    for t in tasks {
        if let Some(w) = wanted
            && !in_project(&t.project, w)
        {
            continue;
        }
        match by {
            UsageBy::Task => rows.push(UsageRow {
                project: t.project.clone(),
                project_id: t.project_id.clone(),
                task: Some(t.task.clone()),
                task_id: Some(t.task_id.clone()),
                files: t.files,
                file_bytes: t.file_bytes,
                events: t.events,
                event_bytes: t.event_bytes,
                total_bytes: t.total_bytes(),
            }),
            UsageBy::Project => {
                let r = by_project
                    .entry(t.project_id.clone())
                    .or_insert_with(|| UsageRow {
                        project: t.project.clone(),
                        project_id: t.project_id.clone(),
                        task: None,
                        task_id: None,
                        files: 0,
                        file_bytes: 0,
                        events: 0,
                        event_bytes: 0,
                        total_bytes: 0,
                    });
                r.files += t.files;
                r.file_bytes += t.file_bytes;
                r.events += t.events;
                r.event_bytes += t.event_bytes;
                r.total_bytes += t.total_bytes();
            }
        }
    }
    if by == UsageBy::Project {
        rows = by_project.into_values().collect();
    }
    rows
}

/// The table (or CSV) of rows, then the data dir's totals on stderr.
fn print_table(ctx: &Ctx, report: &UsageReport, by: UsageBy, api: bool) {
    let mut headers = vec!["project"];
    if by == UsageBy::Task {
        headers.extend(["task", "id"]);
    }
    headers.extend(["files", "file bytes", "events", "event bytes", "total"]);
    let mut l = Listing::new(headers);
    let csv = ctx.out.format == Format::Csv;
    let size = |n: u64| if csv { n.to_string() } else { human_bytes(n) };
    for r in &report.rows {
        let mut cells = vec![if r.project.is_empty()
            && r.task_id.as_deref().unwrap_or("").is_empty()
        {
            "(no project)".to_string()
        } else {
            r.project.clone()
        }];
        if by == UsageBy::Task {
            cells.push(match r.task_id.as_deref() {
                Some("") => "(files no task owns)".into(),
                _ => r.task.clone().unwrap_or_default(),
            });
            cells.push(r.task_id.clone().unwrap_or_default());
        }
        cells.extend([
            r.files.to_string(),
            size(r.file_bytes),
            r.events.to_string(),
            size(r.event_bytes),
            size(r.total_bytes),
        ]);
        l.push(cells, shape_value(r));
    }
    ctx.out.listing(&l);
    if api {
        ctx.out.info(format!(
            "{} in stored files, by their URLs (events are not counted through the API)",
            human_bytes(report.files_bytes)
        ));
        return;
    }
    ctx.out.info(format!(
        "{}: {} on disk (database {}, files {}, other {})",
        report.data_dir.display(),
        human_bytes(report.disk_bytes),
        human_bytes(report.database_bytes),
        human_bytes(report.files_bytes),
        human_bytes(report.other_bytes),
    ));
}

#[cfg(test)]
mod tests {
    use super::in_project;

    #[test]
    fn sub_projects_are_in_their_parent() {
        assert!(in_project("a/b", "a"));
        assert!(in_project("a", "a"));
        assert!(!in_project("ab", "a"));
    }
}
