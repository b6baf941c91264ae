//! `task clone`: the SDK's clone, override parameters, enqueue — in one command.

use serde_json::json;

use super::bulk;
use super::edit::{parse_sets, set_params};
use super::json::CloneResult;
use super::select;
use crate::api::{Client, lookup};
use crate::cli::TaskCloneArgs;
use crate::output::Format;
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, client: &Client, a: TaskCloneArgs) -> anyhow::Result<()> {
    // Everything the user typed is checked before the server creates anything.
    lookup::check_name("task", &a.name)?;
    let params = parse_sets(&a.set)?;
    let original = select::one(client, &a.task).await?;
    let queue = match &a.queue {
        Some(q) => Some(bulk::queue_id(client, q).await?),
        None => None,
    };
    let mut body = json!({"task": original.id, "new_task_name": a.name});
    if !a.tags.is_empty() {
        body["new_task_tags"] = json!(a.tags);
    }
    if let Some(p) = &a.project {
        match lookup::find_project(client, p).await? {
            Some(id) => body["new_task_project"] = json!(id),
            None => {
                lookup::check_name("project", p)?;
                body["new_project_name"] = json!(p);
            }
        }
    }
    let data = client.call("tasks.clone", &body).await?;
    let id = data["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("tasks.clone returned no id"))?
        .to_string();
    if !params.is_empty() {
        set_params(client, &id, &params, false).await?;
    }
    if let Some(q) = &queue {
        client
            .call("tasks.enqueue", &json!({"task": id, "queue": q}))
            .await?;
    }
    let result = CloneResult {
        id: id.clone(),
        name: a.name.clone(),
        parent: original.id.clone(),
        project: a.project.clone().or(original.project.clone()),
        queue: queue.clone(),
    };
    if ctx.out.format == Format::Json {
        ctx.out.json(&super::json::to_value(&result));
    } else {
        println!("{id}");
    }
    ctx.out.info(format!(
        "cloned '{}' ({}) as '{}'{}",
        original.name,
        original.short_id(),
        a.name,
        match &a.queue {
            Some(q) => format!(", queued in '{q}'"),
            None => ", a draft".to_string(),
        }
    ));
    Ok(())
}
