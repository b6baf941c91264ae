//! `queue list` and `worker list`: where steps wait and who serves them.

use serde_json::json;

pub mod json;

use crate::api::Client;
use crate::api::lookup;
use crate::config::Settings;
use crate::output::{Listing, shape_value as to_value};
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::fmt_time;

async fn connect(ctx: &Ctx) -> anyhow::Result<Client> {
    let settings = Settings::load(&ctx.config)?;
    Client::from_settings(&settings)
}

pub async fn queues(ctx: &Ctx) -> anyhow::Result<()> {
    let client = connect(ctx).await?;
    let queues = client
        .get_all(
            "queues.get_all",
            &json!({"only_fields": ["id", "name", "entries", "system_tags"], "order_by": ["name"]}),
            "queues",
            None,
        )
        .await?;
    let workers = lookup::workers(&client).await?;
    let mut l = Listing::new(["name", "pending", "workers", "id"]);
    for q in &queues {
        let id = q["id"].as_str().unwrap_or("");
        let pending = q["entries"].as_array().map_or(0, Vec::len);
        let listening: Vec<&str> = workers
            .iter()
            .filter(|w| lookup::worker_queue_ids(w).iter().any(|x| x == id))
            .filter_map(|w| w["id"].as_str())
            .collect();
        l.push(
            vec![
                q["name"].as_str().unwrap_or("").into(),
                pending.to_string(),
                listening.len().to_string(),
                id.into(),
            ],
            to_value(&json::QueueRow {
                id: id.to_string(),
                name: q["name"].clone(),
                pending,
                workers: listening.iter().map(|w| w.to_string()).collect(),
                default: q["system_tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == "default")),
            }),
        );
    }
    ctx.out.listing(&l);
    Ok(())
}

pub async fn workers(ctx: &Ctx) -> anyhow::Result<()> {
    let client = connect(ctx).await?;
    let workers = lookup::workers(&client).await?;
    let queues = lookup::queues(&client).await?;
    let queue_name = |id: &str| {
        queues
            .iter()
            .find(|(_, q)| q == id)
            .map_or(id, |(n, _)| n.as_str())
            .to_string()
    };
    let mut l = Listing::new(["id", "queues", "task", "last seen"]);
    for w in &workers {
        let names: Vec<String> = lookup::worker_queue_ids(w)
            .iter()
            .map(|q| queue_name(q))
            .collect();
        let task_id = w["task"]["id"].as_str().or(w["task"].as_str());
        let task = match (task_id, w["task"]["name"].as_str()) {
            (Some(id), Some(n)) => format!("{n} ({id})"),
            (Some(id), None) => id.to_string(),
            _ => String::new(),
        };
        l.push(
            vec![
                w["id"].as_str().unwrap_or("").into(),
                names.join(", "),
                task,
                fmt_time(&w["last_activity_time"]),
            ],
            to_value(&json::WorkerRow {
                id: w["id"].clone(),
                queues: names,
                task: task_id.map(str::to_string),
                last_seen: w["last_activity_time"].clone(),
            }),
        );
    }
    ctx.out.listing(&l);
    Ok(())
}
