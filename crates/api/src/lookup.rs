//! Names to ids: projects, users, tasks, models — the SDK's exact-name lookups.

use serde_json::{Value, json};

use super::Client;
use crate::ClientError;

/// The id of a project by its full name (`parent/child`), hidden projects included.
pub async fn project_id(client: &Client, name: &str) -> anyhow::Result<String> {
    find_project(client, name).await?.ok_or_else(|| {
        ClientError::not_found(format!("no project named '{name}'"))
            .with_hint("give the full path (parent/child); names are case-sensitive")
            .into()
    })
}

pub async fn find_project(client: &Client, name: &str) -> anyhow::Result<Option<String>> {
    let data = client
        .call(
            "projects.get_all",
            &json!({
                "name": exact_regex(name),
                "only_fields": ["id", "name"],
                "search_hidden": true,
            }),
        )
        .await?;
    Ok(data["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"].as_str() == Some(name))
        .and_then(|p| p["id"].as_str())
        .map(str::to_string))
}

/// The server refuses model, task and project names under 3 characters (each part of a
/// project path counts); check before anything is created, so a refused name leaves nothing
/// half made behind.
pub fn check_name(what: &str, name: &str) -> Result<(), ClientError> {
    let parts: Vec<&str> = if what == "project" {
        name.trim().trim_matches('/').split('/').collect()
    } else {
        vec![name]
    };
    if let Some(short) = parts.iter().find(|p| p.trim().chars().count() < 3) {
        let shown = if parts.len() > 1 {
            format!(" (part '{short}')")
        } else {
            String::new()
        };
        return Err(ClientError::bad_input(format!(
            "{what} name '{name}'{shown} is too short: the server needs at least 3 characters"
        ))
        .with_hint(format!("choose a longer {what} name")));
    }
    Ok(())
}

/// The project id, creating the project (and its parents, server side) when missing.
pub async fn ensure_project(client: &Client, name: &str) -> anyhow::Result<String> {
    if let Some(id) = find_project(client, name).await? {
        return Ok(id);
    }
    let data = client
        .call("projects.create", &json!({"name": name, "description": ""}))
        .await?;
    data["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("projects.create returned no id"))
}

/// A user id from a name, or `me` for the logged-in user.
pub async fn user_id(client: &Client, name: &str) -> anyhow::Result<String> {
    if name == "me" {
        let claims = client.claims().await.map_err(crate::into_anyhow)?;
        return Ok(claims.identity.user);
    }
    let data = client
        .call(
            "users.get_all",
            &json!({"name": exact_regex(name), "only_fields": ["id", "name"]}),
        )
        .await?;
    // Check the name ourselves too: a server that ignores the filter must not make
    // "--user nobody" match everyone.
    data["users"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["name"].as_str() == Some(name))
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            ClientError::not_found(format!("no user named '{name}'"))
                .with_hint("give the user's full name as the web UI shows it, or 'me'")
                .into()
        })
}

/// One task by id, or by exact name (the most recently updated one, optionally in a
/// project), with the given fields.
pub async fn find_task(
    client: &Client,
    id_or_name: &str,
    project: Option<&str>,
    only_fields: &[&str],
) -> anyhow::Result<Value> {
    if looks_like_id(id_or_name) {
        let found = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": [id_or_name], "only_fields": only_fields}),
                "tasks",
                Some(1),
            )
            .await?;
        if let Some(t) = found.into_iter().next() {
            return Ok(t);
        }
    }
    let mut body = json!({
        "name": exact_regex(id_or_name),
        "only_fields": only_fields,
        "order_by": ["-last_update"],
    });
    if let Some(p) = project {
        body["project"] = json!([project_id(client, p).await?]);
    }
    let found = client
        .get_all("tasks.get_all_ex", &body, "tasks", Some(2))
        .await?;
    match found.len() {
        0 => Err(
            ClientError::not_found(format!("no task with id or name '{id_or_name}'"))
                .with_hint("see 'clearml task list'")
                .into(),
        ),
        1 => Ok(found.into_iter().next().expect("one")),
        _ => {
            let task = found.into_iter().next().expect("two");
            warn_ambiguous("tasks", id_or_name, &task);
            Ok(task)
        }
    }
}

/// Several objects share the name the user gave: say which one is used (shown with -q too).
pub fn warn_ambiguous(what: &str, name: &str, chosen: &Value) {
    eprintln!(
        "warning: several {what} are named '{name}'; using the latest, {} (pass its id to choose)",
        chosen["id"].as_str().unwrap_or("?")
    );
}

/// Every queue as `(name, id)`, with one listing.
pub async fn queues(client: &Client) -> anyhow::Result<Vec<(String, String)>> {
    let listed = client
        .get_all(
            "queues.get_all",
            &json!({"only_fields": ["id", "name"]}),
            "queues",
            None,
        )
        .await?;
    Ok(listed
        .iter()
        .map(|q| {
            (
                q["name"].as_str().unwrap_or("").to_string(),
                q["id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect())
}

/// The registered workers (`workers.get_all`).
pub async fn workers(client: &Client) -> anyhow::Result<Vec<Value>> {
    let data = client.call("workers.get_all", &json!({})).await?;
    Ok(data["workers"].as_array().cloned().unwrap_or_default())
}

/// A worker's queues as ids (the server sends `[{id, name}]`; old ones plain ids).
pub fn worker_queue_ids(w: &Value) -> Vec<String> {
    w["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q.get("id").and_then(Value::as_str).or(q.as_str()))
        .map(str::to_string)
        .collect()
}

/// `^` + the name with regex metacharacters escaped + `$`: an exact-name filter.
pub fn exact_regex(name: &str) -> String {
    format!("^{}$", regex::escape(name))
}

/// Whether a string looks like a server object id (32 hex digits).
pub fn looks_like_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
