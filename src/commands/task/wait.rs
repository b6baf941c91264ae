//! `task wait`: poll until the tasks reach a final status, riding out server outages.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::comparison;
use super::query::ref_name;
use crate::api::Client;
use crate::api::lookup;
use crate::api::outage::Outage;
use crate::cli::TaskWaitArgs;
use crate::commands::Ctx;
use crate::error::{CliError, Exit};
use crate::output::Listing;

const FINAL_OK: &[&str] = &["completed", "published", "closed"];
const FINAL_BAD: &[&str] = &["failed", "stopped"];

/// The summary `task wait` prints and POSTs to --notify.
pub fn wait_summary(tasks: &[Value], waited: Duration, timed_out: bool) -> Value {
    let all_completed = !timed_out
        && tasks
            .iter()
            .all(|t| FINAL_OK.contains(&t["status"].as_str().unwrap_or("")));
    json!({
        "event": "clearml.task.wait",
        "all_completed": all_completed,
        "timed_out": timed_out,
        "waited_seconds": (waited.as_secs_f64() * 10.0).round() / 10.0,
        "tasks": tasks.iter().map(|t| json!({
            "id": t.get("id"),
            "name": t.get("name"),
            "status": t.get("status"),
            "status_reason": t.get("status_reason"),
            "status_message": t.get("status_message"),
            // null for "no project", whether the server sent null, "" or nothing
            "project": t.get("project").map(ref_name).filter(|n| !n.is_empty()),
        })).collect::<Vec<_>>(),
    })
}

pub async fn run(ctx: &Ctx, client: &Client, a: TaskWaitArgs) -> anyhow::Result<()> {
    let interval = crate::commands::parse_duration("--interval", &a.interval)?;
    let timeout = a
        .timeout
        .as_deref()
        .map(|t| crate::commands::parse_duration("--timeout", t))
        .transpose()?;
    if interval < MIN_WAIT_INTERVAL {
        return Err(CliError::usage(format!(
            "--interval {} is too short: poll at most once a second",
            a.interval
        ))
        .with_hint("e.g. --interval 10s")
        .into());
    }
    let notifier =
        crate::notify::Notifier::from_flag(a.hook.notify.as_deref(), a.hook.notify_format)?;
    let fields = [
        "id",
        "name",
        "status",
        "status_reason",
        "status_message",
        "project.name",
    ];
    let mut ids = Vec::new();
    for t in &a.tasks {
        let task = lookup::find_task(client, t, None, &fields).await?;
        ids.push(task["id"].as_str().unwrap_or_default().to_string());
    }
    let start = Instant::now();
    let mut last_status: Vec<String> = vec![String::new(); ids.len()];
    // How long the server may stay unreachable: until --timeout, else a grace period.
    let mut outage = Outage::new(
        interval,
        timeout.unwrap_or(OUTAGE_GRACE),
        timeout.map(|_| start),
    );
    let (tasks, timed_out) = loop {
        let polled = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": ids, "only_fields": fields}),
                "tasks",
                None,
            )
            .await;
        let found = match polled {
            Ok(found) => {
                if outage.answered() {
                    ctx.out.info("the server answers again");
                }
                found
            }
            Err(e) => {
                let msg = crate::error::one_line(&e);
                // A restart or a network blip: ride it out instead of failing the wait.
                let retry = outage.failed(e)?;
                if retry.first {
                    ctx.out.warn(format!(
                        "{msg}; still waiting (for up to {})",
                        humantime::format_duration(outage.limit())
                    ));
                }
                tokio::time::sleep(retry.pause).await;
                continue;
            }
        };
        // Keep the order the user gave.
        let tasks: Vec<Value> = ids
            .iter()
            .filter_map(|id| found.iter().find(|t| t["id"].as_str() == Some(id)).cloned())
            .collect();
        if tasks.len() != ids.len() {
            return Err(
                CliError::not_found("a waited-for task disappeared from the server").into(),
            );
        }
        for (i, t) in tasks.iter().enumerate() {
            let st = t["status"].as_str().unwrap_or("").to_string();
            if st != last_status[i] {
                ctx.out
                    .info(format!("{}: {st}", comparison::task_header(t)));
                last_status[i] = st;
            }
        }
        let done = tasks.iter().all(|t| {
            let st = t["status"].as_str().unwrap_or("");
            FINAL_OK.contains(&st) || FINAL_BAD.contains(&st)
        });
        if done {
            break (tasks, false);
        }
        if timeout.is_some_and(|t| start.elapsed() >= t) {
            break (tasks, true);
        }
        let mut sleep = interval;
        if let Some(t) = timeout {
            sleep = sleep.min(t.saturating_sub(start.elapsed()));
        }
        tokio::time::sleep(sleep).await;
    };
    let summary = wait_summary(&tasks, start.elapsed(), timed_out);
    let mut listing = Listing::new(["id", "name", "status", "reason"]);
    for t in &tasks {
        listing.push(
            vec![
                t["id"].as_str().unwrap_or("").into(),
                t["name"].as_str().unwrap_or("").into(),
                t["status"].as_str().unwrap_or("").into(),
                t["status_reason"].as_str().unwrap_or("").into(),
            ],
            json!({"id": t["id"], "name": t["name"], "status": t["status"], "status_reason": t["status_reason"]}),
        );
    }
    ctx.out.listing(&listing);
    if let Some(n) = &notifier {
        n.send_logged(client.http(), &ctx.out, &summary, &wait_text(&summary))
            .await;
    }
    let bad: Vec<String> = tasks
        .iter()
        .filter(|t| FINAL_BAD.contains(&t["status"].as_str().unwrap_or("")))
        .map(|t| {
            format!(
                "{} {}",
                comparison::task_header(t),
                t["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    // A known failure outranks a timeout: it is the more useful exit code (6).
    if !bad.is_empty() {
        return Err(CliError::new(
            Exit::WaitedTaskFailed,
            format!(
                "not all tasks completed: {}{}",
                bad.join(", "),
                if timed_out {
                    " (and the wait timed out)"
                } else {
                    ""
                }
            ),
        )
        .into());
    }
    if timed_out {
        return Err(CliError::failure(format!(
            "timed out after {} waiting for the tasks to finish",
            humantime::format_duration(Duration::from_secs(start.elapsed().as_secs()))
        ))
        .into());
    }
    Ok(())
}

/// The shortest `task wait --interval`: polling faster only loads the server.
const MIN_WAIT_INTERVAL: Duration = Duration::from_secs(1);
/// Without --timeout, how long `task wait` rides out an unreachable server.
pub const OUTAGE_GRACE: Duration = Duration::from_secs(600);

/// The one line a Slack notification of `task wait` carries.
fn wait_text(summary: &Value) -> String {
    let tasks: Vec<String> = summary["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "{} {}",
                t["name"].as_str().unwrap_or(""),
                t["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    format!(
        "clearml task wait: {}{}",
        tasks.join(", "),
        if summary["timed_out"] == true {
            " (timed out)"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_summary_counts_only_completed_as_success() {
        let ok = json!({"id": "a", "name": "a", "status": "completed"});
        let bad = json!({"id": "b", "name": "b", "status": "stopped"});
        let s = wait_summary(std::slice::from_ref(&ok), Duration::from_secs(3), false);
        assert_eq!(s["all_completed"], true);
        let s = wait_summary(&[ok.clone(), bad], Duration::from_secs(3), false);
        assert_eq!(s["all_completed"], false);
        assert_eq!(s["tasks"][1]["status"], "stopped");
        let s = wait_summary(&[ok], Duration::from_secs(3), true);
        assert_eq!(s["all_completed"], false);
        // "no project" is null however the server spelled it
        for project in [json!(null), json!(""), json!({"id": null, "name": ""})] {
            let t = json!({"id": "c", "name": "c", "status": "completed", "project": project});
            let s = wait_summary(&[t], Duration::from_secs(1), false);
            assert_eq!(s["tasks"][0]["project"], Value::Null, "{project}");
        }
    }
}
