//! `clearml cleanup`: delete old experiments with what they leave behind — output models,
//! logs and metrics (the server's `tasks.delete_many`) and their files on the file server
//! (`POST /delete_many`). Published tasks, running ones and models other tasks use are
//! kept. Each batch's files are journaled before its tasks are deleted (see `journal`).

mod chunk;
pub mod journal;
pub mod json;
pub mod models;
pub mod orphans;

use clearml_cmd_core::{api, cli, config, error, files, output};
use clearml_serve as serve;

use std::collections::{HashMap, HashSet};

use reqwest::header::AUTHORIZATION;
use serde_json::{Value, json};

use crate::api::{Client, lookup};
use crate::cli::CleanupArgs;
use crate::config::Settings;
use crate::error::CliError;
use crate::output::Format;
use chunk::clean_chunk;
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::{ref_id, ref_name};
use clearml_cmd_core::task::select::Picked;
use journal::Journal;
use json::{CleanedTask, CleanupReport, FailedFile, OrphanFile};

/// Tasks per `tasks.delete_many` (and files journaled at once).
const TASK_CHUNK: usize = 100;
/// Paths per `POST /delete_many` of the file server.
const FILE_CHUNK: usize = 100;
/// Statuses never deleted, whatever the filters: results someone relies on, or work going on.
const PROTECTED: &[(&str, &str)] = &[
    ("published", "published"),
    ("publishing", "being published"),
    ("in_progress", "running"),
    ("queued", "queued"),
];

/// A selected task with the files it owns.
struct Candidate {
    picked: Picked,
    /// Artifact URLs (outputs only) with their sizes when the server knows them.
    artifacts: Vec<(String, Option<u64>)>,
}

/// Where the file server is and how to talk to it.
pub struct FileServer {
    host: String,
    http: reqwest::Client,
    bearer: String,
}

impl FileServer {
    /// The object path of `url` on this file server, or None for a file elsewhere.
    pub fn path_of(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix(&self.host)?.strip_prefix('/')?;
        let rest = rest.split(['?', '#']).next().unwrap_or(rest);
        Some(
            percent_encoding::percent_decode_str(rest)
                .decode_utf8_lossy()
                .into_owned(),
        )
    }

    /// The size of a file from a HEAD request (None when it is gone or unknown).
    pub async fn size(&self, url: &str) -> Option<u64> {
        let resp = self
            .http
            .head(url)
            .header(AUTHORIZATION, format!("Bearer {}", self.bearer))
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.headers()
            .get(reqwest::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// Delete `paths` with one `POST /delete_many`: (deleted or already gone, errors).
    async fn delete_many(
        &self,
        paths: &[String],
    ) -> anyhow::Result<(Vec<String>, Vec<(String, String)>)> {
        let url = format!("{}/delete_many", self.host);
        let resp = self
            .http
            .post(&url)
            .header(AUTHORIZATION, format!("Bearer {}", self.bearer))
            .json(&json!({"files": paths}))
            .send()
            .await
            .map_err(|e| crate::api::into_anyhow(crate::api::classify_transport(&url, &e)))?;
        let status = resp.status().as_u16();
        if status == 404 || status == 405 {
            // A file server without the batch endpoint: one DELETE per file.
            let mut done = Vec::new();
            let mut errors = Vec::new();
            for p in paths {
                match crate::files::delete(&self.http, &self.host, p, Some(&self.bearer)).await {
                    Ok(()) => done.push(p.clone()),
                    Err(e) => errors.push((p.clone(), crate::error::one_line(&e))),
                }
            }
            return Ok((done, errors));
        }
        if !resp.status().is_success() {
            return Err(CliError::failure(format!("{url}: HTTP {status}")).into());
        }
        let body: Value = resp.json().await.map_err(|e| {
            anyhow::anyhow!("{url}: the answer is not the file server's JSON ({e})")
        })?;
        let mut done: Vec<String> = body["deleted"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let mut errors = Vec::new();
        for (why, files) in body["errors"].as_object().into_iter().flatten() {
            for f in files
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if why == "Not found" {
                    // Already gone (an earlier run, or never uploaded): nothing left to do.
                    done.push(f.to_string());
                } else {
                    errors.push((f.to_string(), why.clone()));
                }
            }
        }
        Ok((done, errors))
    }
}

pub async fn run(ctx: &Ctx, a: CleanupArgs) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    let journal_path = a
        .journal
        .clone()
        .unwrap_or_else(|| journal::default_path(&settings.config_file, &settings.api_host.value));
    let mut journal = Journal::load(&journal_path)?;
    let fs = FileServer {
        host: settings.files_host.value.trim_end_matches('/').to_string(),
        http: client.http().clone(),
        bearer: client.bearer().await.map_err(crate::api::into_anyhow)?,
    };
    let mut report = CleanupReport {
        dry_run: a.dry_run,
        tasks_deleted: 0,
        models_deleted: 0,
        files_deleted: 0,
        bytes_freed: 0,
        tasks: Vec::new(),
        kept: Vec::new(),
        failed_files: Vec::new(),
        models: Vec::new(),
        orphans: Vec::new(),
    };
    if !a.dry_run && !journal.files.is_empty() {
        ctx.out.info(format!(
            "finishing an interrupted cleanup: {} file(s) listed in {}",
            journal.files.len(),
            journal_path.display()
        ));
        delete_journaled(&fs, &mut journal, &mut report).await?;
    }
    if a.orphans {
        clean_orphans(ctx, &client, &settings, &fs, &a, &mut report).await?;
        print_report(ctx, &report);
        return finish(&report);
    }
    let candidates = select(&client, &a, &mut report).await?;
    let models = if a.models {
        models::select(&client, &a, &mut report).await?
    } else {
        Vec::new()
    };
    if candidates.is_empty() && models.is_empty() {
        ctx.out.info(if a.models {
            "no task or model to clean up"
        } else {
            "no task to clean up"
        });
        print_report(ctx, &report);
        return finish(&report);
    }
    if !a.dry_run && !a.yes {
        let mut picked: Vec<Picked> = candidates.iter().map(|c| c.picked.clone()).collect();
        picked.extend(models.iter().map(|m| Picked {
            id: m["id"].as_str().unwrap_or_default().to_string(),
            name: m["name"].as_str().unwrap_or_default().to_string(),
            status: "archived model".into(),
            project: m.get("project").map(ref_name).filter(|n| !n.is_empty()),
        }));
        clearml_cmd_core::task::select::confirm(
            ctx,
            &format!(
                "delete {} task(s){} with their models, logs{}",
                candidates.len(),
                if a.models {
                    format!(" and {} archived model(s)", models.len())
                } else {
                    String::new()
                },
                if a.no_files { "" } else { " and files" }
            ),
            &picked,
        )?;
    }
    let bar = crate::files::progress_bar(ctx.out.progress, Some(candidates.len() as u64), "tasks");
    for chunk in candidates.chunks(TASK_CHUNK) {
        clean_chunk(&client, &fs, &a, chunk, &mut journal, &mut report).await?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    models::clean(&client, &fs, &a, &models, &mut journal, &mut report).await?;
    print_report(ctx, &report);
    finish(&report)
}

/// `--orphans`: the folder's files nothing refers to, listed (--dry-run) or deleted through
/// the file server in batches.
async fn clean_orphans(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    fs: &FileServer,
    a: &CleanupArgs,
    report: &mut CleanupReport,
) -> anyhow::Result<()> {
    let root = orphans::folder(a.data_dir.as_deref(), settings)?;
    // References first: a file written after this read is recent or in a living task's
    // folder, so it is kept either way.
    let refs = orphans::references(client, |u| fs.path_of(u)).await?;
    let now = std::time::SystemTime::now();
    let found = orphans::walk(&root)?;
    let total = found.len();
    let lost: Vec<orphans::Found> = found
        .into_iter()
        .filter(|f| orphans::keep_reason(f, &refs, now).is_none())
        .collect();
    ctx.out.info(format!(
        "{}: {total} file(s), {} referred to by nothing",
        root.display(),
        lost.len()
    ));
    let url_of = |p: &str| {
        let quoted: Vec<String> = p
            .split('/')
            .map(|s| percent_encoding::utf8_percent_encode(s, PATH_SEGMENT).to_string())
            .collect();
        format!("{}/{}", fs.host, quoted.join("/"))
    };
    let row = |f: &orphans::Found, outcome: &str| OrphanFile {
        path: f.path.clone(),
        url: url_of(&f.path),
        bytes: f.bytes,
        outcome: outcome.into(),
    };
    if a.dry_run || lost.is_empty() {
        for f in &lost {
            report.orphans.push(row(f, "planned"));
            report.files_deleted += 1;
            report.bytes_freed += f.bytes;
        }
        return Ok(());
    }
    if !a.yes {
        const SHOWN: usize = 20;
        let mut listing = crate::output::Listing::new(["file", "bytes"]);
        for f in lost.iter().take(SHOWN) {
            listing.push(vec![f.path.clone(), f.bytes.to_string()], Value::Null);
        }
        let bytes: u64 = lost.iter().map(|f| f.bytes).sum();
        clearml_cmd_core::task::select::confirm_listing(
            ctx,
            &format!(
                "delete {} orphan file(s), {}",
                lost.len(),
                human_bytes(bytes)
            ),
            &listing,
            lost.len().saturating_sub(SHOWN),
        )?;
    }
    let bar = crate::files::progress_bar(ctx.out.progress, Some(lost.len() as u64), "files");
    for batch in lost.chunks(FILE_CHUNK) {
        let paths: Vec<String> = batch.iter().map(|f| f.path.clone()).collect();
        let (deleted, errors) = fs.delete_many(&paths).await?;
        let deleted: HashSet<String> = deleted.into_iter().collect();
        let errors: HashMap<String, String> = errors.into_iter().collect();
        for f in batch {
            if deleted.contains(&f.path) {
                report.orphans.push(row(f, "deleted"));
                report.files_deleted += 1;
                report.bytes_freed += f.bytes;
            } else {
                let reason = errors
                    .get(&f.path)
                    .cloned()
                    .unwrap_or_else(|| "the file server did not report on this file".into());
                report.orphans.push(row(f, "failed"));
                report.failed_files.push(FailedFile {
                    url: url_of(&f.path),
                    reason,
                });
            }
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    Ok(())
}

/// What a path segment of a file server URL escapes (everything but unreserved characters).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Exit 1 when a task or a file was refused.
fn finish(report: &CleanupReport) -> anyhow::Result<()> {
    let refused = report
        .tasks
        .iter()
        .filter(|t| t.outcome == "refused")
        .count();
    let refused_models = report
        .models
        .iter()
        .filter(|m| m.outcome == "refused")
        .count();
    if refused > 0 || refused_models > 0 || !report.failed_files.is_empty() {
        return Err(CliError::failure(format!(
            "{refused} task(s), {refused_models} model(s) and {} file(s) could not be deleted (see above); the rest was",
            report.failed_files.len()
        ))
        .into());
    }
    Ok(())
}

/// The tasks to delete, in newest-first order; protected and kept ones go to the report.
async fn select(
    client: &Client,
    a: &CleanupArgs,
    report: &mut CleanupReport,
) -> anyhow::Result<Vec<Candidate>> {
    let mut body = json!({
        "only_fields": ["id", "name", "status", "project.id", "project.name", "last_update", "execution.artifacts"],
        "order_by": ["-last_update"],
    });
    if a.status.is_empty() {
        body["system_tags"] = json!(["archived"]);
    } else {
        body["status"] = json!(a.status);
    }
    narrow_by_project_and_age(client, a, &mut body).await?;
    let tasks = client
        .get_all("tasks.get_all_ex", &body, "tasks", None)
        .await?;
    let mut per_project: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for t in &tasks {
        let picked = Picked {
            id: t["id"].as_str().unwrap_or_default().to_string(),
            name: t["name"].as_str().unwrap_or_default().to_string(),
            status: t["status"].as_str().unwrap_or_default().to_string(),
            project: t.get("project").map(ref_name).filter(|n| !n.is_empty()),
        };
        let project_id = t.get("project").and_then(ref_id);
        let protected = PROTECTED.iter().find(|(s, _)| *s == picked.status);
        let keep_reason = if let Some((_, why)) = protected {
            Some(format!("{why}: never deleted by cleanup"))
        } else if let Some(n) = a.keep_last {
            let seen = per_project
                .entry(project_id.unwrap_or_default())
                .or_default();
            *seen += 1;
            (*seen <= n).then(|| format!("one of the {n} newest in its project (--keep-last)"))
        } else {
            None
        };
        if let Some(reason) = keep_reason {
            report.tasks.push(task_row(&picked, "kept", Some(reason)));
            continue;
        }
        let artifacts = t["execution"]["artifacts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["mode"] != "input")
            .filter_map(|x| {
                let uri = x["uri"].as_str().filter(|u| !u.is_empty())?;
                Some((uri.to_string(), x["content_size"].as_u64()))
            })
            .collect();
        out.push(Candidate { picked, artifacts });
    }
    Ok(out)
}

fn task_row(t: &Picked, outcome: &str, reason: Option<String>) -> CleanedTask {
    CleanedTask {
        id: t.id.clone(),
        name: t.name.clone(),
        status: t.status.clone(),
        project: t.project.clone(),
        outcome: outcome.into(),
        reason,
    }
}

/// Delete every journaled file (sizes first, for the bytes freed), then drop it from the
/// journal. A file the server cannot delete is reported and dropped too (exit 1).
pub(crate) async fn delete_journaled(
    fs: &FileServer,
    journal: &mut Journal,
    report: &mut CleanupReport,
) -> anyhow::Result<()> {
    let entries: Vec<(String, Option<u64>)> =
        journal.files.iter().map(|(u, s)| (u.clone(), *s)).collect();
    for batch in entries.chunks(FILE_CHUNK) {
        let mut by_path: HashMap<String, (String, u64)> = HashMap::new();
        for (url, size) in batch {
            let Some(path) = fs.path_of(url) else {
                journal.files.remove(url);
                continue;
            };
            let size = match size {
                Some(s) => Some(*s),
                None => fs.size(url).await,
            };
            by_path.insert(path, (url.clone(), size.unwrap_or(0)));
        }
        let paths: Vec<String> = by_path.keys().cloned().collect();
        if paths.is_empty() {
            continue;
        }
        let (deleted, errors) = fs.delete_many(&paths).await?;
        for p in deleted {
            if let Some((url, size)) = by_path.get(&p) {
                report.files_deleted += 1;
                report.bytes_freed += size;
                journal.files.remove(url);
            }
        }
        for (p, why) in errors {
            if let Some((url, _)) = by_path.get(&p) {
                report.failed_files.push(FailedFile {
                    url: url.clone(),
                    reason: why,
                });
                journal.files.remove(url);
            }
        }
        journal.save()?;
    }
    Ok(())
}

fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn print_report(ctx: &Ctx, r: &CleanupReport) {
    if ctx.out.format == Format::Json {
        ctx.out.json(&crate::output::shape_value(r));
        return;
    }
    let mut listing = crate::output::Listing::new(["id", "name", "status", "outcome", "reason"]);
    for t in &r.tasks {
        listing.push(
            vec![
                t.id.clone(),
                t.name.clone(),
                t.status.clone(),
                t.outcome.clone(),
                t.reason.clone().unwrap_or_default(),
            ],
            crate::output::shape_value(t),
        );
    }
    if !r.tasks.is_empty() {
        ctx.out.listing(&listing);
    }
    if !r.models.is_empty() {
        let mut l = crate::output::Listing::new(["model", "name", "outcome", "reason"]);
        for m in &r.models {
            l.push(
                vec![
                    m.id.clone(),
                    m.name.clone(),
                    m.outcome.clone(),
                    m.reason.clone().unwrap_or_default(),
                ],
                crate::output::shape_value(m),
            );
        }
        ctx.out.listing(&l);
    }
    if !r.orphans.is_empty() {
        let mut l = crate::output::Listing::new(["file", "bytes", "outcome"]);
        for f in &r.orphans {
            l.push(
                vec![f.path.clone(), f.bytes.to_string(), f.outcome.clone()],
                crate::output::shape_value(f),
            );
        }
        ctx.out.listing(&l);
    }
    if ctx.out.format == Format::Table {
        for k in &r.kept {
            println!("kept {} {}: {}", k.kind, k.id, k.reason);
        }
        for f in &r.failed_files {
            println!("not deleted: {}: {}", f.url, f.reason);
        }
        println!(
            "{}{} task(s), {} model(s), {} file(s), {} freed",
            if r.dry_run {
                "would delete "
            } else {
                "deleted "
            },
            r.tasks_deleted,
            r.models_deleted,
            r.files_deleted,
            human_bytes(r.bytes_freed)
        );
    }
}

/// `--project` (with its sub-projects) and `--older-than` as a `get_all` filter: the same
/// narrowing for the tasks and the models cleanup selects.
async fn narrow_by_project_and_age(
    client: &Client,
    a: &CleanupArgs,
    body: &mut Value,
) -> anyhow::Result<()> {
    if let Some(p) = &a.project {
        body["project"] = json!([lookup::project_id(client, p).await?]);
        body["include_subprojects"] = json!(true);
    }
    if let Some(d) = &a.older_than {
        let age = clearml_cmd_core::parse_duration("--older-than", d)?;
        let cutoff = chrono::Utc::now() - chrono::Duration::from_std(age).unwrap_or_default();
        body["last_update"] = json!([
            null,
            cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_of_this_file_server_are_its_paths() {
        let fs = FileServer {
            host: "http://127.0.0.1:8081".into(),
            http: reqwest::Client::new(),
            bearer: String::new(),
        };
        assert_eq!(
            fs.path_of("http://127.0.0.1:8081/Proj/t.1/artifacts/a/%D0%B4%D0%B0%D0%BD%D0%BD%D1%8B%D0%B5.csv").as_deref(),
            Some("Proj/t.1/artifacts/a/данные.csv")
        );
        assert_eq!(fs.path_of("http://127.0.0.1:80810/x"), None);
        assert_eq!(fs.path_of("s3://bucket/x"), None);
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }
}
