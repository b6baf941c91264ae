//! `cleanup --models`: archived models (the web UI's archive; `--project` and
//! `--older-than` narrow it) deleted with their files. Published models and models another
//! task takes as input are kept, with why. Each batch's files are journaled before its
//! models are deleted, as the tasks' are.

use serde_json::{Value, json};

use super::journal::Journal;
use super::json::{CleanedModel, CleanupReport, Kept};
use super::{FileServer, delete_journaled, narrow_by_project_and_age};
use crate::api::Client;
use crate::cli::CleanupArgs;
use clearml_cmd_core::task::query::{ref_id, ref_name};

/// Models per `models.delete_many`.
const MODEL_CHUNK: usize = 100;

/// The archived models the filters select (newest first); published ones and those
/// another task uses go to the report as kept.
pub async fn select(
    client: &Client,
    a: &CleanupArgs,
    report: &mut CleanupReport,
) -> anyhow::Result<Vec<Value>> {
    let mut body = json!({
        "only_fields": ["id", "name", "uri", "ready", "project.name", "last_update"],
        "system_tags": ["archived"],
        "order_by": ["-last_update"],
    });
    narrow_by_project_and_age(client, a, &mut body).await?;
    let models = client
        .get_all("models.get_all_ex", &body, "models", None)
        .await?;
    let ids: Vec<&str> = models.iter().filter_map(|m| m["id"].as_str()).collect();
    let mut users: std::collections::HashMap<String, String> = Default::default();
    if !ids.is_empty() {
        let tasks = client
            .get_all(
                "tasks.get_all",
                &json!({"models.input.model": ids, "only_fields": ["id", "models.input"], "search_hidden": true}),
                "tasks",
                None,
            )
            .await?;
        for t in &tasks {
            for m in t["models"]["input"].as_array().into_iter().flatten() {
                if let Some(mid) = ref_id(&m["model"]) {
                    users.insert(mid, t["id"].as_str().unwrap_or_default().to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    for m in models {
        let id = m["id"].as_str().unwrap_or_default().to_string();
        let why = if m["ready"] == true {
            Some("published: never deleted by cleanup".to_string())
        } else {
            users.get(&id).map(|t| format!("an input of task {t}"))
        };
        match why {
            Some(reason) => {
                report.models.push(row(&m, "kept", Some(reason.clone())));
                report.kept.push(Kept {
                    kind: "model".into(),
                    id,
                    reason,
                });
            }
            None => out.push(m),
        }
    }
    Ok(out)
}

fn row(m: &Value, outcome: &str, reason: Option<String>) -> CleanedModel {
    CleanedModel {
        id: m["id"].as_str().unwrap_or_default().to_string(),
        name: m["name"].as_str().unwrap_or_default().to_string(),
        project: m.get("project").map(ref_name).filter(|n| !n.is_empty()),
        uri: m["uri"]
            .as_str()
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        outcome: outcome.into(),
        reason,
    }
}

/// Delete the selected models in batches: journal their files, `models.delete_many`, then
/// the files. A model the server refuses keeps its file.
pub async fn clean(
    client: &Client,
    fs: &FileServer,
    a: &CleanupArgs,
    models: &[Value],
    journal: &mut Journal,
    report: &mut CleanupReport,
) -> anyhow::Result<()> {
    for chunk in models.chunks(MODEL_CHUNK) {
        let mut files = Vec::new();
        for m in chunk {
            if let Some(uri) = m["uri"].as_str().filter(|u| !u.is_empty()) {
                if fs.path_of(uri).is_some() {
                    files.push(uri.to_string());
                } else {
                    report.kept.push(Kept {
                        kind: "file".into(),
                        id: uri.to_string(),
                        reason: "not on this file server".into(),
                    });
                }
            }
        }
        if a.dry_run {
            for m in chunk {
                report.models.push(row(m, "planned", None));
            }
            report.models_deleted += chunk.len();
            if !a.no_files {
                for f in &files {
                    report.files_deleted += 1;
                    report.bytes_freed += fs.size(f).await.unwrap_or(0);
                }
            }
            continue;
        }
        if !a.no_files {
            for f in &files {
                journal.add(f, None);
            }
            journal.save()?;
        }
        let ids: Vec<&str> = chunk.iter().filter_map(|m| m["id"].as_str()).collect();
        let data = client
            .call("models.delete_many", &json!({"ids": ids}))
            .await?;
        let done: std::collections::HashSet<&str> = data["succeeded"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_str())
            .collect();
        for m in chunk {
            let id = m["id"].as_str().unwrap_or_default();
            if done.contains(id) {
                report.models_deleted += 1;
                report.models.push(row(m, "deleted", None));
                continue;
            }
            let why = data["failed"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["id"] == id)
                .and_then(|f| f["error"]["msg"].as_str())
                .unwrap_or("the server did not report on this model")
                .to_string();
            report.models.push(row(m, "refused", Some(why)));
            if let Some(uri) = m["uri"].as_str() {
                journal.files.remove(uri);
            }
        }
        if !a.no_files {
            journal.save()?;
            delete_journaled(fs, journal, report).await?;
        }
    }
    Ok(())
}
