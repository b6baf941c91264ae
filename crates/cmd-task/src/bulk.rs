//! `task enqueue|dequeue|abort|reset|archive|unarchive|publish|delete|tag|move`: one
//! runner for every action on a selection. It resolves the selection, confirms (or refuses
//! without a terminal), calls the server's batch endpoint in bounded chunks, and reports
//! each task — a refusal never stops the rest; any refusal makes the exit code 1.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::json::ActionRow;
use super::select::{self, Picked, confirm};
use crate::api::{ApiError, Client, lookup};
use crate::cli::TaskSelectArgs;
use crate::error::CliError;
use crate::output::{Format, Listing};
use clearml_cmd_core::Ctx;

/// Ids per batch call: small enough that one refused request costs little and the real
/// server answers well within a request timeout, large enough that 1,000 tasks take 10.
pub const CHUNK: usize = 100;

/// What to do to each selected task, with its options resolved to server values.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `queue`: a queue id, or None for the server's default queue.
    Enqueue {
        queue: Option<String>,
    },
    Dequeue,
    Abort {
        force: bool,
    },
    Reset {
        force: bool,
        clear_all: bool,
    },
    Archive,
    Unarchive,
    Publish {
        force: bool,
    },
    Delete {
        force: bool,
    },
    Tag {
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// An existing project's id, or the name of one the server creates.
    Move {
        target: MoveTarget,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum MoveTarget {
    Id(String),
    Name(String),
}

impl Action {
    /// The verb as typed (`enqueue`), for messages.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Enqueue { .. } => "enqueue",
            Action::Dequeue => "dequeue",
            Action::Abort { .. } => "abort",
            Action::Reset { .. } => "reset",
            Action::Archive => "archive",
            Action::Unarchive => "unarchive",
            Action::Publish { .. } => "publish",
            Action::Delete { .. } => "delete",
            Action::Tag { .. } => "tag",
            Action::Move { .. } => "move",
        }
    }

    pub fn endpoint(&self) -> &'static str {
        match self {
            Action::Enqueue { .. } => "tasks.enqueue_many",
            Action::Dequeue => "tasks.dequeue_many",
            Action::Abort { .. } => "tasks.stop_many",
            Action::Reset { .. } => "tasks.reset_many",
            Action::Archive => "tasks.archive_many",
            Action::Unarchive => "tasks.unarchive_many",
            Action::Publish { .. } => "tasks.publish_many",
            Action::Delete { .. } => "tasks.delete_many",
            Action::Tag { .. } => "tasks.update_tags",
            Action::Move { .. } => "tasks.move",
        }
    }

    /// Whether the endpoint answers per task (`succeeded` / `failed`), as the `*_many`
    /// endpoints do; `update_tags` and `move` succeed or fail as a whole.
    fn per_task(&self) -> bool {
        !matches!(self, Action::Tag { .. } | Action::Move { .. })
    }

    /// The request for one chunk of ids, with only the fields the schema defines for the
    /// endpoint (API 2.31).
    pub fn body(&self, ids: &[String]) -> Value {
        let mut b = json!({"ids": ids});
        match self {
            Action::Enqueue { queue } => {
                if let Some(q) = queue {
                    b["queue"] = json!(q);
                }
            }
            Action::Dequeue | Action::Archive | Action::Unarchive => {}
            Action::Abort { force } => {
                b["force"] = json!(force);
                b["status_reason"] = json!("aborted with 'clearml task abort'");
            }
            Action::Reset { force, clear_all } => {
                b["force"] = json!(force);
                b["clear_all"] = json!(clear_all);
            }
            Action::Publish { force } => b["force"] = json!(force),
            Action::Delete { force } => b["force"] = json!(force),
            Action::Tag { add, remove } => {
                b["add_tags"] = json!(add);
                b["remove_tags"] = json!(remove);
            }
            Action::Move { target } => match target {
                MoveTarget::Id(id) => b["project"] = json!(id),
                MoveTarget::Name(name) => b["project_name"] = json!(name),
            },
        }
        b
    }
}

/// One task's result.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Done,
    Refused(String),
}

/// The `succeeded` / `failed` lists of a `*_many` answer as outcomes by task id.
fn outcomes_of(data: &Value) -> HashMap<String, Outcome> {
    let mut out = HashMap::new();
    for s in data["succeeded"].as_array().into_iter().flatten() {
        if let Some(id) = s["id"].as_str() {
            out.insert(id.to_string(), Outcome::Done);
        }
    }
    for f in data["failed"].as_array().into_iter().flatten() {
        if let Some(id) = f["id"].as_str() {
            let msg = f["error"]["msg"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| f["error"].to_string());
            out.insert(id.to_string(), Outcome::Refused(msg));
        }
    }
    out
}

/// Resolve, confirm, act, report.
pub async fn run(
    ctx: &Ctx,
    client: &Client,
    sel: TaskSelectArgs,
    action: Action,
) -> anyhow::Result<()> {
    let archived_filter = action == Action::Unarchive;
    let picked = select::resolve(client, &sel, archived_filter).await?;
    if picked.is_empty() {
        ctx.out.info("no task matches the filters; nothing to do");
        report(ctx, &[]);
        return Ok(());
    }
    if sel.dry_run {
        let rows: Vec<ActionRow> = picked
            .iter()
            .map(|t| row(t, Value::from(t.status.clone()), "planned", None))
            .collect();
        report(ctx, &rows);
        ctx.out.info(format!(
            "dry run: would {} {}; nothing changed",
            action.verb(),
            count(picked.len())
        ));
        return Ok(());
    }
    if picked.len() > 1 && !sel.yes {
        confirm(
            ctx,
            &format!("{} {}", action.verb(), count(picked.len())),
            &picked,
        )?;
    }
    let mut rows = Vec::with_capacity(picked.len());
    for chunk in picked.chunks(CHUNK) {
        match act_on_chunk(client, &action, chunk).await {
            Ok(chunk_rows) => rows.extend(chunk_rows),
            Err(e) => {
                // Unreachable or refused credentials: what was done so far is still shown.
                report(ctx, &rows);
                return Err(e.context(format!(
                    "stopped after {} of {}",
                    rows.len(),
                    count(picked.len())
                )));
            }
        }
    }
    report(ctx, &rows);
    let refused = rows.iter().filter(|r| r.outcome == "refused").count();
    let requested = rows.iter().filter(|r| r.outcome == "requested").count();
    if requested > 0 {
        ctx.out.info(format!(
            "{requested} running task(s) asked to stop: their agent stops them (status 'stopped' once it has)"
        ));
    }
    if refused > 0 {
        return Err(CliError::failure(format!(
            "{refused} of {} refused by the server (see the reasons above); the rest was done",
            count(rows.len())
        ))
        .into());
    }
    ctx.out
        .info(format!("{}: {} done", action.verb(), count(rows.len())));
    Ok(())
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 task".into()
    } else {
        format!("{n} tasks")
    }
}

fn row(t: &Picked, status: Value, outcome: &str, reason: Option<String>) -> ActionRow {
    ActionRow {
        id: t.id.clone(),
        name: t.name.clone(),
        status,
        outcome: outcome.into(),
        reason,
    }
}

/// One batch call for `chunk`, then the statuses after it (one listing call).
async fn act_on_chunk(
    client: &Client,
    action: &Action,
    chunk: &[Picked],
) -> anyhow::Result<Vec<ActionRow>> {
    let ids: Vec<String> = chunk.iter().map(|t| t.id.clone()).collect();
    let outcomes: HashMap<String, Outcome> = match client
        .call_typed_err(action.endpoint(), &action.body(&ids))
        .await
    {
        Ok(data) if action.per_task() => outcomes_of(&data),
        Ok(_) => ids.iter().map(|id| (id.clone(), Outcome::Done)).collect(),
        // The server refused the whole request (a bad queue, a task it will not
        // touch): every task of the chunk is refused with its reason, the rest goes on.
        Err(ApiError::Server { message, .. }) => ids
            .iter()
            .map(|id| (id.clone(), Outcome::Refused(message.clone())))
            .collect(),
        Err(e) => return Err(crate::api::into_anyhow(e)),
    };
    let after = if matches!(action, Action::Delete { .. }) {
        HashMap::new()
    } else {
        statuses(client, &ids).await?
    };
    Ok(chunk
        .iter()
        .map(|t| {
            let outcome = outcomes.get(&t.id).cloned().unwrap_or_else(|| {
                Outcome::Refused("the server did not report on this task".into())
            });
            let status_after = after.get(&t.id).cloned();
            match outcome {
                Outcome::Refused(why) => row(t, json!(t.status), "refused", Some(why)),
                Outcome::Done => {
                    let status = match (&action, &status_after) {
                        (Action::Delete { .. }, _) => Value::Null,
                        (_, Some(s)) => json!(s),
                        (_, None) => json!(t.status),
                    };
                    // The real server keeps a task an agent runs in_progress (message
                    // "stopping") until the agent acknowledges.
                    let pending = matches!(action, Action::Abort { .. })
                        && status_after.as_deref() == Some("in_progress");
                    row(t, status, if pending { "requested" } else { "done" }, None)
                }
            }
        })
        .collect())
}

/// Task id -> status, for the ids still on the server.
async fn statuses(client: &Client, ids: &[String]) -> anyhow::Result<HashMap<String, String>> {
    let found = client
        .get_all(
            "tasks.get_all_ex",
            &json!({"id": ids, "only_fields": ["id", "status"]}),
            "tasks",
            None,
        )
        .await?;
    Ok(found
        .iter()
        .filter_map(|t| {
            Some((
                t["id"].as_str()?.to_string(),
                t["status"].as_str()?.to_string(),
            ))
        })
        .collect())
}

/// The per-task report on stdout: a table, CSV, or `--json` [`ActionRow`]s.
fn report(ctx: &Ctx, rows: &[ActionRow]) {
    if rows.is_empty() && ctx.out.format == Format::Table {
        return;
    }
    let mut listing = Listing::new(["id", "name", "status", "outcome", "reason"]);
    for r in rows {
        listing.push(
            vec![
                r.id.clone(),
                r.name.clone(),
                r.status.as_str().unwrap_or("").to_string(),
                r.outcome.clone(),
                r.reason.clone().unwrap_or_default(),
            ],
            super::json::to_value(r),
        );
    }
    ctx.out.listing(&listing);
}

/// `--queue` as a queue id: a queue's name or id, checked before anything is queued (the
/// real server would create a queue for a mistyped name given as `queue_name`).
pub async fn queue_id(client: &Client, queue: &str) -> anyhow::Result<String> {
    let queues = lookup::queues(client).await?;
    queues
        .iter()
        .find(|(name, _)| name == queue)
        .or_else(|| queues.iter().find(|(_, id)| id == queue))
        .map(|(_, id)| id.clone())
        .ok_or_else(|| {
            let known: Vec<&str> = queues.iter().map(|(n, _)| n.as_str()).collect();
            CliError::not_found(format!("no queue named '{queue}'"))
                .with_hint(format!(
                    "known queues: {}; 'clearml queue list' shows them",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
                .into()
        })
}

/// `move --to`: an existing project's id, or its name for the server to create (checked
/// here: the server refuses names under 3 characters).
pub async fn move_target(client: &Client, project: &str) -> anyhow::Result<MoveTarget> {
    match lookup::find_project(client, project).await? {
        Some(id) => Ok(MoveTarget::Id(id)),
        None => {
            lookup::check_name("project", project)?;
            Ok(MoveTarget::Name(project.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_the_schema_fields_of_each_endpoint() {
        let ids = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            Action::Enqueue {
                queue: Some("q1".into())
            }
            .body(&ids),
            json!({"ids": ["a", "b"], "queue": "q1"})
        );
        assert_eq!(
            Action::Enqueue { queue: None }.body(&ids),
            json!({"ids": ["a", "b"]})
        );
        assert_eq!(
            Action::Delete { force: true }.body(&ids),
            json!({"ids": ["a", "b"], "force": true})
        );
        assert_eq!(
            Action::Tag {
                add: vec!["лучший".into()],
                remove: vec!["old".into()]
            }
            .body(&ids),
            json!({"ids": ["a", "b"], "add_tags": ["лучший"], "remove_tags": ["old"]})
        );
        assert_eq!(
            Action::Move {
                target: MoveTarget::Name("Neu/Projekt".into())
            }
            .body(&ids),
            json!({"ids": ["a", "b"], "project_name": "Neu/Projekt"})
        );
        assert_eq!(Action::Abort { force: false }.endpoint(), "tasks.stop_many");
        assert_eq!(
            Action::Reset {
                force: false,
                clear_all: true
            }
            .body(&ids)["clear_all"],
            true
        );
    }

    #[test]
    fn many_answers_become_outcomes() {
        let data = json!({
            "succeeded": [{"id": "a", "updated": 1}],
            "failed": [{"id": "b", "error": {"codes": [400, 110], "msg": "Invalid task status", "data": {}}}]
        });
        let o = outcomes_of(&data);
        assert_eq!(o["a"], Outcome::Done);
        assert_eq!(o["b"], Outcome::Refused("Invalid task status".into()));
        assert!(!o.contains_key("c"));
    }
}
