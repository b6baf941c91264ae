//! One chunk of `cleanup`'s tasks: its models and files, the delete call, and what the
//! server reports back.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::journal::Journal;
use super::json::{CleanupReport, Kept};
use super::{Candidate, FileServer, delete_journaled, task_row};
use crate::api::Client;
use crate::cli::CleanupArgs;
use clearml_cmd_core::task::query::ref_id;

/// The chunk's output models: (draft models no other task uses, kept ones with why).
async fn models_of(client: &Client, ids: &[String]) -> anyhow::Result<(Vec<Value>, Vec<Kept>)> {
    let models = client
        .get_all(
            "models.get_all_ex",
            &json!({"task": ids, "only_fields": ["id", "name", "uri", "ready", "task"]}),
            "models",
            None,
        )
        .await?;
    let mut kept = Vec::new();
    let drafts: Vec<&Value> = models
        .iter()
        .filter(|m| {
            if m["ready"] == true {
                kept.push(Kept {
                    kind: "model".into(),
                    id: m["id"].as_str().unwrap_or_default().into(),
                    reason: format!(
                        "published model '{}' (the server keeps it)",
                        m["name"].as_str().unwrap_or_default()
                    ),
                });
                false
            } else {
                true
            }
        })
        .collect();
    let draft_ids: Vec<&str> = drafts.iter().filter_map(|m| m["id"].as_str()).collect();
    let mut in_use: HashMap<String, String> = HashMap::new();
    if !draft_ids.is_empty() {
        let users = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"models.input.model": draft_ids, "only_fields": ["id", "models.input"]}),
                "tasks",
                None,
            )
            .await?;
        let chunk: HashSet<&str> = ids.iter().map(String::as_str).collect();
        for u in users
            .iter()
            .filter(|u| !chunk.contains(u["id"].as_str().unwrap_or("")))
        {
            for m in u["models"]["input"].as_array().into_iter().flatten() {
                // get_all_ex answers `{id, name}` for a model reference, get_all the id.
                if let Some(mid) = ref_id(&m["model"]) {
                    in_use.insert(mid, u["id"].as_str().unwrap_or("").to_string());
                }
            }
        }
    }
    let mut free = Vec::new();
    for m in drafts {
        let mid = m["id"].as_str().unwrap_or_default();
        match in_use.get(mid) {
            Some(user) => kept.push(Kept {
                kind: "model".into(),
                id: mid.into(),
                reason: format!("an input of task {user}"),
            }),
            None => free.push(m.clone()),
        }
    }
    Ok((free, kept))
}

/// Journal the chunk's files, delete its tasks, journal what the server says they left,
/// then delete the journaled files.
pub(super) async fn clean_chunk(
    client: &Client,
    fs: &FileServer,
    a: &CleanupArgs,
    chunk: &[Candidate],
    journal: &mut Journal,
    report: &mut CleanupReport,
) -> anyhow::Result<()> {
    let ids: Vec<String> = chunk.iter().map(|c| c.picked.id.clone()).collect();
    let (free_models, kept_models) = models_of(client, &ids).await?;
    report.kept.extend(kept_models);
    let on_server = files_on_server(fs, chunk, &free_models, report);
    if a.dry_run {
        plan_chunk(fs, a, chunk, free_models.len(), &on_server, report).await;
        return Ok(());
    }
    if !a.no_files {
        for (url, size) in &on_server {
            journal.add(url, *size);
        }
        journal.save()?;
    }
    let data = client
        .call(
            "tasks.delete_many",
            &json!({
                "ids": ids,
                // Only deletable statuses were selected; force lets non-archived failed or
                // stopped tasks go (the server asks for it outside drafts and the archive).
                "force": true,
                "return_file_urls": true,
                "delete_output_models": true,
            }),
        )
        .await?;
    let done = record_deleted(&data, fs, a, journal, report);
    record_outcomes(&data, chunk, &done, report);
    // A refused task keeps its files: take them off the journal again.
    for c in chunk.iter().filter(|c| !done.contains(&c.picked.id)) {
        for (url, _) in &c.artifacts {
            journal.files.remove(url);
        }
    }
    if !a.no_files {
        journal.save()?;
        delete_journaled(fs, journal, report).await?;
    }
    Ok(())
}

/// The chunk's artifacts and free models' files that this file server holds; the others
/// are reported as kept.
fn files_on_server(
    fs: &FileServer,
    chunk: &[Candidate],
    free_models: &[Value],
    report: &mut CleanupReport,
) -> Vec<(String, Option<u64>)> {
    let mut files: Vec<(String, Option<u64>)> = Vec::new();
    for c in chunk {
        files.extend(c.artifacts.iter().cloned());
    }
    for m in free_models {
        if let Some(uri) = m["uri"].as_str().filter(|u| !u.is_empty()) {
            files.push((uri.to_string(), None));
        }
    }
    let mut on_server = Vec::new();
    for (url, size) in files {
        if fs.path_of(&url).is_some() {
            on_server.push((url, size));
        } else {
            report.kept.push(Kept {
                kind: "file".into(),
                id: url,
                reason: "not on this file server".into(),
            });
        }
    }
    on_server
}

/// `--dry-run`: report the chunk as planned, with what its deletion would free.
async fn plan_chunk(
    fs: &FileServer,
    a: &CleanupArgs,
    chunk: &[Candidate],
    free_models: usize,
    on_server: &[(String, Option<u64>)],
    report: &mut CleanupReport,
) {
    for c in chunk {
        report.tasks.push(task_row(&c.picked, "planned", None));
    }
    report.tasks_deleted += chunk.len();
    report.models_deleted += free_models;
    if !a.no_files {
        for (url, size) in on_server {
            let size = match size {
                Some(s) => Some(*s),
                None => fs.size(url).await,
            };
            report.files_deleted += 1;
            report.bytes_freed += size.unwrap_or(0);
        }
    }
}

/// The ids `tasks.delete_many` deleted; counts their models and journals the files the
/// server says they left.
fn record_deleted(
    data: &Value,
    fs: &FileServer,
    a: &CleanupArgs,
    journal: &mut Journal,
    report: &mut CleanupReport,
) -> HashSet<String> {
    let mut done: HashSet<String> = HashSet::new();
    for s in data["succeeded"].as_array().into_iter().flatten() {
        let Some(id) = s["id"].as_str() else { continue };
        done.insert(id.to_string());
        report.models_deleted += s["deleted_models"].as_u64().unwrap_or(0) as usize;
        if !a.no_files {
            // Debug images and anything else the server knows of.
            for key in ["artifact_urls", "model_urls", "event_urls"] {
                for url in s["urls"][key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if fs.path_of(url).is_some() {
                        journal.add(url, None);
                    }
                }
            }
        }
    }
    done
}

/// One row per task of the chunk: deleted, or refused with the server's reason.
fn record_outcomes(
    data: &Value,
    chunk: &[Candidate],
    done: &HashSet<String>,
    report: &mut CleanupReport,
) {
    let mut refused: HashMap<String, String> = HashMap::new();
    for f in data["failed"].as_array().into_iter().flatten() {
        if let Some(id) = f["id"].as_str() {
            refused.insert(
                id.to_string(),
                f["error"]["msg"].as_str().unwrap_or("refused").to_string(),
            );
        }
    }
    for c in chunk {
        let id = &c.picked.id;
        if done.contains(id) {
            report.tasks_deleted += 1;
            report.tasks.push(task_row(&c.picked, "deleted", None));
        } else {
            let why = refused
                .remove(id)
                .unwrap_or_else(|| "the server did not report on this task".into());
            report.tasks.push(task_row(&c.picked, "refused", Some(why)));
        }
    }
}
