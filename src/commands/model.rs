//! `model list|show|publish|pull`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::task::flat_listing;
use super::task::query::{fmt_time, ref_id, ref_name};
use super::{Ctx, lookup};
use crate::api::lookup::{exact_regex, looks_like_id};
use crate::api::{ApiError, Client};
use crate::cli::{Format, ModelCommand, ModelListArgs, ModelPublishArgs, ModelPullArgs};
use crate::config::Settings;
use crate::error::CliError;
use crate::files;
use crate::output::Listing;

pub async fn run(ctx: &Ctx, cmd: ModelCommand) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    match cmd {
        ModelCommand::List(a) => list(ctx, &client, a).await,
        ModelCommand::Show { model, project } => {
            show(ctx, &client, &model, project.as_deref()).await
        }
        ModelCommand::Publish(a) => publish(ctx, &client, &settings, a).await,
        ModelCommand::Pull(a) => pull(ctx, &client, &settings, a).await,
    }
}

const LIST_FIELDS: &[&str] = &[
    "id",
    "name",
    "project.name",
    "framework",
    "ready",
    "tags",
    "task.name",
    "created",
    "uri",
];

/// The request body of `models.get_all_ex` for `model list` (ids already resolved).
pub fn list_body(a: &ModelListArgs, project_id: Option<String>) -> Value {
    let mut b = Map::new();
    b.insert("only_fields".into(), json!(LIST_FIELDS));
    b.insert("order_by".into(), json!(["-created"]));
    b.insert("system_tags".into(), json!(["-archived"]));
    if let Some(p) = project_id {
        b.insert("project".into(), json!([p]));
    }
    if let Some(n) = &a.name {
        b.insert("name".into(), json!(n));
    }
    if !a.tag.is_empty() {
        b.insert("tags".into(), json!(a.tag));
    }
    if let Some(f) = &a.framework {
        b.insert("framework".into(), json!([f]));
    }
    if a.published {
        b.insert("ready".into(), json!(true));
    } else if a.draft {
        b.insert("ready".into(), json!(false));
    }
    if let Some(t) = &a.task {
        b.insert("task".into(), json!([t]));
    }
    Value::Object(b)
}

/// One model as a listing row and its stable JSON (`model list --json`):
/// `{id, name, project, framework, status: "published"|"draft", ready, task: {id, name},
/// tags, created, uri}`.
pub fn model_row(m: &Value) -> (Vec<String>, Value) {
    let ready = m["ready"].as_bool().unwrap_or(false);
    let status = if ready { "published" } else { "draft" };
    let tags: Vec<String> = m["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    let task_name = m.get("task").map(ref_name).unwrap_or_default();
    let row = vec![
        m["id"].as_str().unwrap_or("").to_string(),
        m["name"].as_str().unwrap_or("").to_string(),
        m.get("project").map(ref_name).unwrap_or_default(),
        m["framework"].as_str().unwrap_or("").to_string(),
        status.to_string(),
        task_name.clone(),
        tags.join(","),
        fmt_time(&m["created"]),
    ];
    let json = json!({
        "id": m["id"],
        "name": m["name"],
        "project": m.get("project").map(ref_name),
        "framework": m["framework"],
        "status": status,
        "ready": ready,
        "task": m.get("task").filter(|t| !t.is_null()).map(|t| json!({"id": ref_id(t), "name": ref_name(t)})),
        "tags": tags,
        "created": m["created"],
        "uri": m["uri"],
    });
    (row, json)
}

async fn list(ctx: &Ctx, client: &Client, a: ModelListArgs) -> anyhow::Result<()> {
    if let Some(regex) = &a.name {
        super::task::query::check_name_regex(regex)?;
    }
    let pid = match &a.project {
        Some(p) => Some(lookup::project_id(client, p).await?),
        None => None,
    };
    let mut a = a;
    if let Some(t) = &a.task {
        // A task name (or id), resolved as `task show` does; the filter takes only ids.
        let found = lookup::find_task(client, t, None, &["id"]).await?;
        a.task = found["id"].as_str().map(str::to_string);
    }
    let body = list_body(&a, pid);
    let limit = if a.all { None } else { Some(a.limit) };
    let models = client
        .get_all("models.get_all_ex", &body, "models", limit)
        .await?;
    let mut l = Listing::new([
        "id",
        "name",
        "project",
        "framework",
        "status",
        "task",
        "tags",
        "created",
    ]);
    for m in &models {
        let (row, json) = model_row(m);
        l.push(row, json);
    }
    ctx.out.listing(&l);
    Ok(())
}

const SHOW_FIELDS: &[&str] = &[
    "id",
    "name",
    "project.name",
    "framework",
    "ready",
    "tags",
    "task.name",
    "created",
    "last_update",
    "uri",
    "comment",
    "labels",
    "metadata",
    "user.name",
    "parent",
    "last_iteration",
];

/// A model by id or by exact name (latest created; with `published_only`, latest published).
async fn find_model(
    client: &Client,
    id_or_name: &str,
    project: Option<&str>,
    published_only: bool,
) -> anyhow::Result<Value> {
    if looks_like_id(id_or_name) {
        let found = client
            .get_all(
                "models.get_all_ex",
                &json!({"id": [id_or_name], "only_fields": SHOW_FIELDS}),
                "models",
                Some(1),
            )
            .await?;
        if let Some(m) = found.into_iter().next() {
            return Ok(m);
        }
    }
    let mut body = json!({
        "name": exact_regex(id_or_name),
        "only_fields": SHOW_FIELDS,
        "order_by": ["-created"],
    });
    if published_only {
        body["ready"] = json!(true);
    }
    if let Some(p) = project {
        body["project"] = json!([lookup::project_id(client, p).await?]);
    }
    let found = client
        .get_all("models.get_all_ex", &body, "models", Some(2))
        .await?;
    if found.len() > 1 {
        lookup::warn_ambiguous("models", id_or_name, &found[0]);
    }
    found.into_iter().next().ok_or_else(|| {
        let what = if published_only {
            "no published model"
        } else {
            "no model"
        };
        CliError::not_found(format!("{what} with id or name '{id_or_name}'"))
            .with_hint("see 'clearml model list' (add --draft to see unpublished ones)")
            .into()
    })
}

/// The stable JSON of `model show`.
pub fn show_json(m: &Value) -> Value {
    let (_, mut j) = model_row(m);
    let o = j.as_object_mut().expect("object");
    o.insert("comment".into(), m["comment"].clone());
    o.insert(
        "labels".into(),
        m.get("labels").cloned().unwrap_or(json!({})),
    );
    o.insert("last_update".into(), m["last_update"].clone());
    o.insert("user".into(), json!(m.get("user").map(ref_name)));
    o.insert("parent".into(), m["parent"].clone());
    let mut meta = Map::new();
    for (k, v) in m["metadata"].as_object().into_iter().flatten() {
        meta.insert(
            k.clone(),
            v.get("value").cloned().unwrap_or_else(|| v.clone()),
        );
    }
    o.insert("metadata".into(), Value::Object(meta));
    j
}

/// The `field value` rows of `model show`: tags on one row, a multi-line comment as one
/// row per line (the table escapes a raw line break), empty fields left out.
pub fn show_rows(j: &Value) -> Vec<(String, String)> {
    let mut j = j.clone();
    if let Some(tags) = j.get("tags").and_then(Value::as_array) {
        let joined: Vec<String> = tags
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| t.to_string())
            })
            .collect();
        j["tags"] = json!(joined.join(", "));
    }
    let mut rows = Vec::new();
    for r in flat_listing(&j).rows {
        let (k, v) = (r[0].clone(), r[1].clone());
        if v.is_empty() {
            continue;
        }
        // The same time format as every other table.
        let v = match k.as_str() {
            "created" | "last_update" => fmt_time(&Value::String(v)),
            _ => v,
        };
        for (i, line) in v.lines().enumerate() {
            let key = if i == 0 { k.clone() } else { String::new() };
            rows.push((key, line.to_string()));
        }
    }
    rows
}

async fn show(
    ctx: &Ctx,
    client: &Client,
    model: &str,
    project: Option<&str>,
) -> anyhow::Result<()> {
    let m = find_model(client, model, project, false).await?;
    let j = show_json(&m);
    match ctx.out.format {
        Format::Json => ctx.out.json(&j),
        Format::Csv => print!("{}", flat_listing(&j).to_csv()),
        Format::Table => {
            let mut l = Listing::new(["field", "value"]);
            for (k, v) in show_rows(&j) {
                l.push(vec![k, v], Value::Null);
            }
            let text = l.to_table(false);
            println!("{}", text.lines().skip(1).collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- publish

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

async fn publish(
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
    if let Some(t) = &task {
        create["task"] = t["id"].clone();
    }
    let created = client.call("models.create", &create).await?;
    let model_id = created["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("models.create returned no id"))?
        .to_string();
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

// ---------------------------------------------------------------- pull

/// How a model URI is fetched.
#[derive(Debug, PartialEq)]
pub enum Source {
    Http(String),
    Local(PathBuf),
}

pub fn classify_uri(uri: &str) -> Result<Source, CliError> {
    if uri.starts_with("http://") || uri.starts_with("https://") {
        return Ok(Source::Http(uri.to_string()));
    }
    if let Some(rest) = uri.strip_prefix("file://") {
        let decoded = percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .to_string();
        return Ok(Source::Local(PathBuf::from(decoded)));
    }
    if uri.starts_with('/') {
        return Ok(Source::Local(PathBuf::from(uri)));
    }
    let scheme = uri.split("://").next().unwrap_or(uri);
    Err(CliError::failure(format!(
        "downloading from {scheme}:// is not supported yet ({uri})"
    ))
    .with_hint("use the SDK (Model(id).get_local_copy()) for cloud storage"))
}

async fn pull(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    a: ModelPullArgs,
) -> anyhow::Result<()> {
    let model = match (&a.id, &a.name) {
        (Some(id), _) => find_model(client, id, a.project.as_deref(), false).await?,
        (None, Some(name)) => find_model(client, name, a.project.as_deref(), true).await?,
        (None, None) => {
            return Err(CliError::usage("give a model id or --name").into());
        }
    };
    let uri = model["uri"].as_str().unwrap_or("").to_string();
    if uri.is_empty() || uri.ends_with("/uploading_file") {
        return Err(CliError::not_found(format!(
            "model {} has no weights file yet",
            model["id"].as_str().unwrap_or("")
        ))
        .into());
    }
    let meta =
        |k: &str| -> Option<String> { model["metadata"][k]["value"].as_str().map(str::to_string) };
    let expect = files::Expect {
        size: meta("size").and_then(|s| s.parse().ok()),
        sha256: meta("sha256"),
    };
    let local = match classify_uri(&uri)? {
        Source::Local(p) => {
            if !p.exists() {
                return Err(CliError::not_found(format!(
                    "{} (the model's file:// URI) does not exist here",
                    p.display()
                ))
                .into());
            }
            match &a.output {
                Some(out) => {
                    let dest = output_target(out, &p);
                    tokio::fs::copy(&p, &dest).await?;
                    dest
                }
                None => p,
            }
        }
        Source::Http(url) => {
            let dest = match &a.output {
                Some(out) => {
                    output_target(out, Path::new(url.rsplit('/').next().unwrap_or("model")))
                }
                None => {
                    let configured = settings
                        .file_config
                        .get_path("sdk.storage.cache.default_base_dir")
                        .and_then(|n| n.value.as_text());
                    files::cache_path(&files::cache_dir(configured.as_deref()), &url)
                }
            };
            let files_host = settings.files_host.value.trim_end_matches('/');
            // The SDK sends the token only to the configured files server.
            let bearer = if !files_host.is_empty() && url.starts_with(files_host) {
                Some(client.bearer().await.map_err(crate::api::into_anyhow)?)
            } else {
                None
            };
            let reuse = if a.force {
                None
            } else {
                let ours = a.output.is_none();
                verified_copy(client, &url, &dest, &expect, bearer.as_deref(), ours).await
            };
            if let Some(how) = reuse {
                ctx.out.info(match a.output {
                    None => format!("using the cached copy ({how})"),
                    Some(_) => format!("using {} already there ({how})", dest.display()),
                });
            } else {
                let got = files::download(
                    client.http(),
                    &url,
                    &dest,
                    bearer.as_deref(),
                    &expect,
                    ctx.out.progress,
                )
                .await?;
                if got.resumed_from > 0 {
                    ctx.out
                        .info(format!("resumed from {} bytes", got.resumed_from));
                }
                // Without a recorded checksum, show the one computed so it can be compared.
                ctx.out.info(match expect.sha256 {
                    Some(_) => format!("downloaded {} bytes, sha256 verified", got.size),
                    None => format!("downloaded {} bytes (sha256 {})", got.size, got.sha256),
                });
            }
            dest
        }
    };
    println!("{}", local.display());
    Ok(())
}

/// Whether the file already at `dest` is the model's, and how that was checked. A file
/// counts only when verified: by the model's sha256; without one, only in the cache
/// (`in_cache`), by its size against the model's and the server's `Content-Length`. A file
/// the user named with `-o` is never taken on its size alone: we did not write it.
async fn verified_copy(
    client: &Client,
    url: &str,
    dest: &Path,
    expect: &files::Expect,
    bearer: Option<&str>,
    in_cache: bool,
) -> Option<&'static str> {
    let len = tokio::fs::metadata(dest)
        .await
        .ok()
        .filter(|m| m.is_file())?
        .len();
    if expect.size.is_some_and(|s| s != len) {
        return None;
    }
    if let Some(want) = &expect.sha256 {
        let have = files::sha256_file(dest).await.ok()?;
        return want
            .eq_ignore_ascii_case(&have)
            .then_some("sha256 verified");
    }
    if !in_cache {
        return None;
    }
    let mut head = client.http().head(url);
    if let Some(b) = bearer {
        head = head.bearer_auth(b);
    }
    let resp = head.send().await.ok()?;
    let server_len = resp
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse::<u64>()
        .ok()?;
    (resp.status().is_success() && server_len == len).then_some("same size as on the server")
}

/// `-o PATH`: a directory gets the file's own name inside it.
fn output_target(out: &Path, source: &Path) -> PathBuf {
    if out.is_dir() {
        out.join(source.file_name().unwrap_or_default())
    } else {
        out.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_rows_join_tags_and_split_comments() {
        let j = show_json(&json!({
            "id": "m1", "name": "net", "tags": ["a", "b"], "comment": "line one\nline two",
            "ready": true, "created": null,
        }));
        let rows = show_rows(&j);
        assert!(rows.contains(&("tags".into(), "a, b".into())), "{rows:?}");
        assert!(
            !rows.iter().any(|(k, _)| k.starts_with("tags.")),
            "{rows:?}"
        );
        let at = rows.iter().position(|(k, _)| k == "comment").unwrap();
        assert_eq!(rows[at].1, "line one");
        assert_eq!(rows[at + 1], (String::new(), "line two".to_string()));
    }

    #[test]
    fn list_body_filters() {
        let a = ModelListArgs {
            project: None,
            name: Some("^res".into()),
            tag: vec!["x".into()],
            framework: Some("PyTorch".into()),
            published: true,
            draft: false,
            task: Some("t1".into()),
            limit: 10,
            all: false,
        };
        let b = list_body(&a, Some("p1".into()));
        assert_eq!(b["project"], json!(["p1"]));
        assert_eq!(b["ready"], true);
        assert_eq!(b["framework"], json!(["PyTorch"]));
        assert_eq!(b["task"], json!(["t1"]));
        assert_eq!(b["name"], "^res");
    }

    #[test]
    fn rows_from_a_real_shaped_model() {
        let m = json!({"id": "2318", "name": "demo-model", "project": {"id": "p", "name": "Demo"},
            "task": {"id": "660e", "name": "t1-demo"}, "framework": "custom", "ready": true,
            "tags": [], "created": "2026-11-27T01:08:03.886000+00:00",
            "uri": "http://127.0.0.1:8081/Demo/t1-demo.660e/models/model.bin"});
        let (row, j) = model_row(&m);
        assert_eq!(
            row,
            [
                "2318",
                "demo-model",
                "Demo",
                "custom",
                "published",
                "t1-demo",
                "",
                "2026-11-27 01:08:03Z"
            ]
        );
        assert_eq!(j["task"], json!({"id": "660e", "name": "t1-demo"}));
        assert_eq!(j["status"], "published");
    }

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

    #[test]
    fn uri_kinds() {
        assert_eq!(
            classify_uri("http://h/x").unwrap(),
            Source::Http("http://h/x".into())
        );
        assert_eq!(
            classify_uri("file:///tmp/a%20b.pt").unwrap(),
            Source::Local("/tmp/a b.pt".into())
        );
        let e = classify_uri("s3://bucket/m.pt").unwrap_err();
        assert_eq!(
            e.to_string().split(':').next().unwrap(),
            "downloading from s3"
        );
        assert!(e.to_string().contains("s3://bucket/m.pt"));
    }
}
