//! `task wait`: poll until the tasks reach a final status, riding out server outages.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::query::ref_name;
use super::{comparison, json};
use crate::api::Client;
use crate::api::lookup;
use crate::api::outage::Outage;
use crate::cli::TaskWaitArgs;
use crate::error::{CliError, Exit};
use crate::output::Listing;
use clearml_cmd_core::Ctx;

const FINAL_OK: &[&str] = &["completed", "published", "closed"];
const FINAL_BAD: &[&str] = &["failed", "stopped"];

/// The summary `task wait` prints and POSTs to --notify.
pub fn wait_summary(tasks: &[Value], waited: Duration, timed_out: bool) -> Value {
    let all_completed = !timed_out
        && tasks
            .iter()
            .all(|t| FINAL_OK.contains(&t["status"].as_str().unwrap_or("")));
    let pass = |t: &Value, key: &str| t.get(key).cloned().unwrap_or(Value::Null);
    json::to_value(&json::WaitSummary {
        event: "clearml.task.wait".into(),
        all_completed,
        timed_out,
        waited_seconds: (waited.as_secs_f64() * 10.0).round() / 10.0,
        tasks: tasks
            .iter()
            .map(|t| json::SummaryTask {
                id: pass(t, "id"),
                name: pass(t, "name"),
                status: pass(t, "status"),
                status_reason: pass(t, "status_reason"),
                status_message: pass(t, "status_message"),
                // null for "no project", whether the server sent null, "" or nothing
                project: t.get("project").map(ref_name).filter(|n| !n.is_empty()),
            })
            .collect(),
    })
}

pub async fn run(ctx: &Ctx, client: &Client, a: TaskWaitArgs) -> anyhow::Result<()> {
    let interval = clearml_cmd_core::parse_duration("--interval", &a.interval)?;
    let timeout = a
        .timeout
        .as_deref()
        .map(|t| clearml_cmd_core::parse_duration("--timeout", t))
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
    let mut ids = Vec::new();
    for t in &a.tasks {
        let task = lookup::find_task(client, t, None, &WAIT_FIELDS).await?;
        ids.push(task["id"].as_str().unwrap_or_default().to_string());
    }
    let mut poller = Poller::new(ids, interval, timeout);
    let (tasks, timed_out) = poller.until_final(ctx, client).await?;
    let waited = poller.start.elapsed();
    print_final(ctx, &tasks);
    for t in tasks.iter().filter(|t| FINAL_BAD.contains(&status_of(t))) {
        super::logs::explain_failure(ctx, client, t, a.log_lines).await;
    }
    if let Some(n) = &notifier {
        let summary = wait_summary(&tasks, waited, timed_out);
        n.send_logged(client.http(), &ctx.out, &summary, &wait_text(&summary))
            .await;
    }
    outcome(&tasks, poller.start, timed_out)
}

const WAIT_FIELDS: [&str; 6] = [
    "id",
    "name",
    "status",
    "status_reason",
    "status_message",
    "project.name",
];

/// Polls the waited-for tasks every `interval` until all are final or `timeout` passes,
/// riding out an unreachable server, and tells each status change on stderr.
struct Poller {
    ids: Vec<String>,
    interval: Duration,
    timeout: Option<Duration>,
    start: Instant,
    last_status: Vec<String>,
    /// How long the server may stay unreachable: until --timeout, else a grace period.
    outage: Outage,
}

impl Poller {
    fn new(ids: Vec<String>, interval: Duration, timeout: Option<Duration>) -> Poller {
        let start = Instant::now();
        Poller {
            last_status: vec![String::new(); ids.len()],
            ids,
            interval,
            timeout,
            start,
            outage: Outage::new(
                interval,
                timeout.unwrap_or(OUTAGE_GRACE),
                timeout.map(|_| start),
            ),
        }
    }

    /// The tasks as last polled, and whether the wait timed out.
    async fn until_final(
        &mut self,
        ctx: &Ctx,
        client: &Client,
    ) -> anyhow::Result<(Vec<Value>, bool)> {
        loop {
            let Some(tasks) = self.poll(ctx, client).await? else {
                continue;
            };
            self.tell_changes(ctx, &tasks);
            if tasks.iter().all(is_final) {
                return Ok((tasks, false));
            }
            if self.timeout.is_some_and(|t| self.start.elapsed() >= t) {
                return Ok((tasks, true));
            }
            tokio::time::sleep(self.pause()).await;
        }
    }

    /// The tasks in the order given; None after an unreachable server's pause.
    async fn poll(&mut self, ctx: &Ctx, client: &Client) -> anyhow::Result<Option<Vec<Value>>> {
        let polled = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": self.ids, "only_fields": WAIT_FIELDS}),
                "tasks",
                None,
            )
            .await;
        let found = match polled {
            Ok(found) => {
                if self.outage.answered() {
                    ctx.out.info("the server answers again");
                }
                found
            }
            Err(e) => {
                let msg = crate::error::one_line(&e);
                // A restart or a network blip: ride it out instead of failing the wait.
                let retry = self.outage.failed(e)?;
                if retry.first {
                    ctx.out.warn(format!(
                        "{msg}; still waiting (for up to {})",
                        humantime::format_duration(self.outage.limit())
                    ));
                }
                tokio::time::sleep(retry.pause).await;
                return Ok(None);
            }
        };
        // Keep the order the user gave.
        let tasks: Vec<Value> = self
            .ids
            .iter()
            .filter_map(|id| found.iter().find(|t| t["id"].as_str() == Some(id)).cloned())
            .collect();
        if tasks.len() != self.ids.len() {
            return Err(
                CliError::not_found("a waited-for task disappeared from the server").into(),
            );
        }
        Ok(Some(tasks))
    }

    fn tell_changes(&mut self, ctx: &Ctx, tasks: &[Value]) {
        for (t, last) in tasks.iter().zip(self.last_status.iter_mut()) {
            let st = t["status"].as_str().unwrap_or("").to_string();
            if st != *last {
                ctx.out
                    .info(format!("{}: {st}", comparison::task_header(t)));
                *last = st;
            }
        }
    }

    /// The interval, cut short so the wait ends at --timeout.
    fn pause(&self) -> Duration {
        match self.timeout {
            Some(t) => self.interval.min(t.saturating_sub(self.start.elapsed())),
            None => self.interval,
        }
    }
}

fn status_of(t: &Value) -> &str {
    t["status"].as_str().unwrap_or("")
}

fn is_final(t: &Value) -> bool {
    FINAL_OK.contains(&status_of(t)) || FINAL_BAD.contains(&status_of(t))
}

fn print_final(ctx: &Ctx, tasks: &[Value]) {
    let mut listing = Listing::new(["id", "name", "status", "reason"]);
    for t in tasks {
        listing.push(
            vec![
                t["id"].as_str().unwrap_or("").into(),
                t["name"].as_str().unwrap_or("").into(),
                status_of(t).into(),
                t["status_reason"].as_str().unwrap_or("").into(),
            ],
            json::to_value(&json::WaitedTask {
                id: t["id"].clone(),
                name: t["name"].clone(),
                status: t["status"].clone(),
                status_reason: t["status_reason"].clone(),
            }),
        );
    }
    ctx.out.listing(&listing);
}

/// Exit 6 if a task failed or was stopped, 1 on a timeout, else success.
fn outcome(tasks: &[Value], start: Instant, timed_out: bool) -> anyhow::Result<()> {
    let bad: Vec<String> = tasks
        .iter()
        .filter(|t| FINAL_BAD.contains(&status_of(t)))
        .map(|t| format!("{} {}", comparison::task_header(t), status_of(t)))
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
