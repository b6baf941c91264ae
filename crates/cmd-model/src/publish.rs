//! `model publish`: register a weights file (uploaded to the file server) or publish an
//! existing model, optionally linked to its task.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::api::lookup::{self, looks_like_id};
use crate::api::{ApiError, Client};
use crate::cli::ModelPublishArgs;
use crate::config::Settings;
use crate::error::CliError;
use crate::files;
use clearml_cmd_core::Ctx;

/// `--label name=int` entries as the model's `labels` map.
pub fn parse_labels(specs: &[String]) -> Result<Map<String, Value>, CliError> {
    let mut m = Map::new();
    for s in specs {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            CliError::usage(format!("bad --label '{s}'"))
                .with_hint("write NAME=INT, e.g. --label cat=1")
        })?;
        let n: i64 = v
            .trim()
            .parse()
            .map_err(|_| CliError::usage(format!("bad --label '{s}': '{v}' is not an integer")))?;
        m.insert(k.trim().to_string(), json!(n));
    }
    Ok(m)
}

/// The object path of a model file on the files server, in the SDK's layout:
/// `<project>/<task name>.<task id>/models/<file>`. Without a task the model's own name and id
/// take the task's place.
pub fn object_path(project: &str, owner_name: &str, owner_id: &str, file_name: &str) -> String {
    let clean = |s: &str| s.replace(['\\', '\0'], "_");
    format!(
        "{}/{}.{}/models/{}",
        clean(project.trim_matches('/')),
        clean(owner_name).replace('/', "_"),
        owner_id,
        clean(file_name).replace('/', "_")
    )
}

pub async fn run(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    a: ModelPublishArgs,
) -> anyhow::Result<()> {
    let path = PathBuf::from(&a.target);
    if path.is_dir() {
        return Err(CliError::usage(format!(
            "'{}' is a directory: give one weights file",
            a.target
        ))
        .with_hint("pack a folder into one file first (tar or zip)")
        .into());
    }
    if !path.is_file() {
        if looks_like_id(&a.target) {
            return publish_existing(ctx, client, &a.target).await;
        }
        return Err(CliError::not_found(format!(
            "'{}' is neither a file nor a model id",
            a.target
        ))
        .with_hint("give the weights file to upload, or the id of a draft model")
        .into());
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "model.bin".into());
    let name = a.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| file_name.clone())
    });
    let project = a.project.clone().ok_or_else(|| {
        CliError::usage("model publish FILE needs --project")
            .with_hint("e.g. --project 'My Project'")
    })?;
    let labels = parse_labels(&a.labels)?;
    lookup::check_name("model", &name)?;
    lookup::check_name("project", &project)?;
    let project_id = lookup::ensure_project(client, &project).await?;
    let task = match &a.task {
        Some(t) => Some(
            lookup::find_task(client, t, None, &["id", "name", "status", "project.name"]).await?,
        ),
        None => None,
    };
    let model_id = create_draft(
        client,
        settings,
        &a,
        &name,
        &project_id,
        labels,
        task.as_ref(),
    )
    .await?;
    // From here on a failure leaves a useless draft: remove it. The guard covers Ctrl-C,
    // which drops this future mid-upload.
    let mut guard = DraftGuard {
        api: client.api_host().to_string(),
        bearer: client.bearer().await.map_err(crate::api::into_anyhow)?,
        verify: settings.verify.value.clone(),
        model_id: Some(model_id.clone()),
    };
    let result = upload_and_publish(
        ctx,
        client,
        settings,
        &path,
        &project,
        &name,
        &file_name,
        &model_id,
        task.as_ref(),
    )
    .await;
    guard.model_id = None;
    if let Err(e) = result {
        let _ = client
            .call("models.delete", &json!({"model": model_id, "force": true}))
            .await;
        return Err(e);
    }
    println!("{model_id}");
    Ok(())
}

/// Register the model as a draft whose file is still uploading; returns its id.
async fn create_draft(
    client: &Client,
    settings: &Settings,
    a: &ModelPublishArgs,
    name: &str,
    project_id: &str,
    labels: Map<String, Value>,
    task: Option<&Value>,
) -> anyhow::Result<String> {
    let mut create = json!({
        "uri": format!("{}/uploading_file", settings.files_host.value.trim_end_matches('/')),
        "name": name,
        "project": project_id,
        "labels": labels,
        "ready": false,
    });
    if let Some(f) = &a.framework {
        create["framework"] = json!(f);
    }
    if !a.tags.is_empty() {
        create["tags"] = json!(a.tags);
    }
    if let Some(c) = &a.comment {
        create["comment"] = json!(c);
    }
    if let Some(t) = task {
        create["task"] = t["id"].clone();
    }
    let created = client.call("models.create", &create).await?;
    Ok(created["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("models.create returned no id"))?
        .to_string())
}

/// Deletes the draft model `publish` registered when the command is dropped before the
/// upload finished (Ctrl-C: `main` drops the command's future). Runs the delete on a
/// thread of its own with a fresh runtime, since the dropping one is shutting down.
struct DraftGuard {
    api: String,
    bearer: String,
    verify: crate::config::TlsVerify,
    model_id: Option<String>,
}

impl Drop for DraftGuard {
    fn drop(&mut self) {
        let Some(id) = self.model_id.take() else {
            return;
        };
        let (api, bearer) = (self.api.clone(), self.bearer.clone());
        let opts = crate::api::Options {
            verify: self.verify.clone(),
            retries: 0,
            ..Default::default()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let model = id.clone();
        std::thread::spawn(move || {
            let deleted = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()
                .and_then(|rt| {
                    rt.block_on(async {
                        let client =
                            Client::new(&api, crate::api::Auth::Token(bearer), &opts).ok()?;
                        let body = json!({"model": model, "force": true});
                        let call = client.call("models.delete", &body);
                        tokio::time::timeout(std::time::Duration::from_secs(5), call)
                            .await
                            .ok()?
                            .ok()
                    })
                })
                .is_some();
            let _ = tx.send(deleted);
        });
        let deleted = rx
            .recv_timeout(std::time::Duration::from_secs(6))
            .unwrap_or(false);
        if !deleted {
            eprintln!(
                "warning: left draft model {id} (it has no weights); delete it in the web UI"
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn upload_and_publish(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    path: &Path,
    project: &str,
    name: &str,
    file_name: &str,
    model_id: &str,
    task: Option<&Value>,
) -> anyhow::Result<()> {
    // The SDK's layout: under the task's project and name when a task produced the model.
    let (folder, owner_name, owner_id) = match task {
        Some(t) => (
            t["project"]["name"]
                .as_str()
                .filter(|p| !p.is_empty())
                .unwrap_or(project)
                .to_string(),
            t["name"].as_str().unwrap_or("task").to_string(),
            t["id"].as_str().unwrap_or("").to_string(),
        ),
        None => (project.to_string(), name.to_string(), model_id.to_string()),
    };
    let object = object_path(&folder, &owner_name, &owner_id, file_name);
    let bearer = client.bearer().await.map_err(crate::api::into_anyhow)?;
    ctx.out.info(format!(
        "uploading {} to {}",
        path.display(),
        settings.files_host.value
    ));
    let up = files::upload(
        client.http(),
        &settings.files_host.value,
        &object,
        path,
        Some(&bearer),
        ctx.out.progress,
        client.request_timeout(),
    )
    .await?;
    let result = register(ctx, client, name, model_id, task, &up).await;
    if result.is_err() {
        // The model is deleted by the caller; its weights must not stay behind either.
        if let Err(e) = files::delete(
            client.http(),
            &settings.files_host.value,
            &object,
            Some(&bearer),
        )
        .await
        {
            ctx.out
                .warn(format!("could not remove the uploaded {}: {e}", up.url));
        }
    }
    result
}

/// After the upload: point the draft at the file, record size and sha256, list it among
/// the task's outputs, publish.
async fn register(
    ctx: &Ctx,
    client: &Client,
    name: &str,
    model_id: &str,
    task: Option<&Value>,
    up: &files::Uploaded,
) -> anyhow::Result<()> {
    client
        .call("models.edit", &json!({"model": model_id, "uri": up.url}))
        .await?;
    // Metadata items through the dedicated endpoint: its array form is the same in every
    // server version (create/edit take a keyed object).
    let metadata = json!({
        "model": model_id,
        "metadata": [
            {"key": "sha256", "type": "str", "value": up.sha256},
            {"key": "size", "type": "int", "value": up.size.to_string()},
        ],
    });
    client
        .call("models.add_or_update_metadata", &metadata)
        .await?;
    if let Some(t) = task {
        link_to_task(ctx, client, name, model_id, t).await?;
    }
    client
        .call(
            "models.set_ready",
            &json!({"model": model_id, "publish_task": false}),
        )
        .await?;
    ctx.out.info(format!(
        "published {name} ({} bytes, sha256 {})",
        up.size, up.sha256
    ));
    Ok(())
}

/// List the model among the task's output models. The server takes that only while the task
/// is draft or running (400/110 otherwise); then the model is linked from its own side
/// (`models.edit task`, which the server allows on any task) and the user is told.
async fn link_to_task(
    ctx: &Ctx,
    client: &Client,
    name: &str,
    model_id: &str,
    task: &Value,
) -> anyhow::Result<()> {
    let attach = json!({"task": task["id"], "name": name, "model": model_id, "type": "output"});
    match client
        .call_typed_err("tasks.add_or_update_model", &attach)
        .await
    {
        Ok(_) => Ok(()),
        Err(ApiError::Server {
            result_code: 400,
            subcode: 110,
            ..
        }) => {
            client
                .call(
                    "models.edit",
                    &json!({"model": model_id, "task": task["id"]}),
                )
                .await?;
            let status = task["status"].as_str().unwrap_or("finished");
            ctx.out.warn(format!(
                "task {} is {status}: the server lists models among a task's outputs only while it is draft or running, so the model is linked from its own side (its task field; 'clearml model list --task' finds it) but not shown in the task's output models",
                task["id"].as_str().unwrap_or("")
            ));
            Ok(())
        }
        Err(e) => Err(crate::api::into_anyhow(e)),
    }
}

async fn publish_existing(ctx: &Ctx, client: &Client, id: &str) -> anyhow::Result<()> {
    match client
        .call_typed_err(
            "models.set_ready",
            &json!({"model": id, "publish_task": false}),
        )
        .await
    {
        Ok(_) => ctx.out.info("published"),
        Err(ApiError::Server {
            result_code: 400,
            subcode: 203,
            ..
        }) => ctx.out.info("already published"),
        Err(e) => return Err(crate::api::into_anyhow(e)),
    }
    println!("{id}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_paths() {
        let l = parse_labels(&["cat=1".into(), "dog = 2".into()]).unwrap();
        assert_eq!(Value::Object(l), json!({"cat": 1, "dog": 2}));
        assert!(parse_labels(&["cat".into()]).is_err());
        assert!(parse_labels(&["cat=x".into()]).is_err());
        assert_eq!(
            object_path("My Proj/sub", "train run", "abc", "m.pt"),
            "My Proj/sub/train run.abc/models/m.pt"
        );
    }
}
