//! `task logs`: a task's console as `docker logs` prints a container's, through
//! `events.get_task_log` (API 2.9+: pages keyed by timestamp, no scroll), and the "last
//! lines of a failed task" that `task wait` and `pipeline run` print.

use std::time::Duration;

use serde_json::{Value, json};

use super::json::LogLine;
use super::select;
use crate::Ctx;
use crate::api::Client;
use crate::cli::TaskLogsArgs;
use crate::error::{CliError, Exit};
use crate::output::Format;

/// Log events per request when reading forward (the real server caps a page at 10,000).
const PAGE: usize = 1000;
/// How often `-f` asks for new lines and the task's status.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);
const FINAL_OK: &[&str] = &["completed", "published", "closed"];
const FINAL_BAD: &[&str] = &["failed", "stopped"];

impl LogLine {
    fn from_event(e: &Value) -> LogLine {
        LogLine {
            timestamp: e["timestamp"].as_i64().unwrap_or_default(),
            level: e["level"].as_str().unwrap_or("info").to_string(),
            worker: e["worker"].as_str().map(str::to_string),
            msg: e["msg"].as_str().unwrap_or_default().to_string(),
        }
    }
}

/// Events after `after` (epoch ms, exclusive), oldest first, every page.
async fn forward(client: &Client, task: &str, after: Option<i64>) -> anyhow::Result<Vec<LogLine>> {
    let mut out: Vec<LogLine> = Vec::new();
    let mut from = after;
    loop {
        let mut body =
            json!({"task": task, "batch_size": PAGE, "navigate_earlier": false, "order": "asc"});
        if let Some(ts) = from {
            body["from_timestamp"] = json!(ts);
        }
        let data = client.call("events.get_task_log", &body).await?;
        let page: Vec<LogLine> = data["events"]
            .as_array()
            .into_iter()
            .flatten()
            .map(LogLine::from_event)
            .collect();
        let n = page.len();
        // The server completes a page with every event of its last timestamp, so the next
        // page starts strictly after it without losing ties.
        if let Some(last) = page.last() {
            from = Some(last.timestamp);
        }
        out.extend(page);
        if n < PAGE {
            return Ok(out);
        }
    }
}

/// The last `lines` console lines of a task (an event may hold several lines), oldest first.
pub async fn last_lines(client: &Client, task: &str, lines: usize) -> anyhow::Result<Vec<String>> {
    if lines == 0 {
        return Ok(Vec::new());
    }
    let events = latest_lines(client, task, lines).await?;
    Ok(events.iter().flat_map(|e| split_lines(&e.msg)).collect())
}

/// The events holding the last `n` console lines of a task, oldest first (the first may
/// have lost its earlier lines).
async fn latest_lines(client: &Client, task: &str, n: usize) -> anyhow::Result<Vec<LogLine>> {
    // Each event is at least one line: `n` events always hold enough.
    let body =
        json!({"task": task, "batch_size": n.max(1), "navigate_earlier": true, "order": "asc"});
    let data = client.call("events.get_task_log", &body).await?;
    let mut events: Vec<LogLine> = data["events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(LogLine::from_event)
        .collect();
    events.sort_by_key(|e| e.timestamp);
    Ok(keep_last_lines(events, n))
}

/// A message's lines without the trailing newline the SDK keeps.
fn split_lines(msg: &str) -> Vec<String> {
    msg.trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect()
}

/// For a task that failed or was stopped: its reason, its last console lines and the command
/// that shows the rest, on stderr (`task wait`, `pipeline run`).
pub async fn explain_failure(ctx: &Ctx, client: &Client, task: &Value, lines: usize) {
    let id = task["id"].as_str().unwrap_or_default();
    let name = task["name"].as_str().unwrap_or_default();
    let status = task["status"].as_str().unwrap_or_default();
    let reason = task["status_reason"].as_str().unwrap_or_default();
    let short = &id[..id.len().min(8)];
    let mut text = format!("--- {name} ({short}) {status}");
    if !reason.is_empty() {
        text.push_str(&format!(": {reason}"));
    }
    if lines > 0 {
        match last_lines(client, id, lines).await {
            Ok(l) if l.is_empty() => text.push_str("\n(no console output)"),
            Ok(l) => {
                text.push_str(&format!("\nlast {} console line(s):\n", l.len()));
                // Escape sequences a task printed must not drive this terminal.
                let shown: Vec<String> =
                    l.iter().map(|x| crate::output::escape_control(x)).collect();
                text.push_str(&shown.join("\n"));
            }
            Err(e) => text.push_str(&format!(
                "\n(cannot read its console: {})",
                crate::error::one_line(&e)
            )),
        }
    }
    text.push_str(&format!("\n--- all of it: clearml task logs {id}"));
    ctx.out.info(text);
}

/// Fails when stdout's reader has gone, so that `task logs -f ID | grep -m1 x` ends.
fn print(ctx: &Ctx, lines: &[LogLine], timestamps: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for l in lines {
        if ctx.out.format == Format::Json {
            writeln!(out, "{}", super::json::to_value(l))?;
            continue;
        }
        let stamp = if timestamps {
            chrono::DateTime::from_timestamp_millis(l.timestamp)
                .map(|t| format!("{} ", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")))
                .unwrap_or_default()
        } else {
            String::new()
        };
        for line in split_lines(&l.msg) {
            writeln!(out, "{stamp}{line}")?;
        }
    }
    out.flush()
}

/// Keep the last `n` lines of `events` (the first kept event may lose its earlier lines).
fn keep_last_lines(events: Vec<LogLine>, n: usize) -> Vec<LogLine> {
    let mut kept = Vec::new();
    let mut count = 0;
    for mut e in events.into_iter().rev() {
        if count >= n {
            break;
        }
        let lines = split_lines(&e.msg);
        if count + lines.len() > n {
            e.msg = lines[lines.len() - (n - count)..].join("\n");
            count = n;
        } else {
            count += lines.len();
        }
        kept.push(e);
    }
    kept.reverse();
    kept
}

pub async fn run(ctx: &Ctx, client: &Client, a: TaskLogsArgs) -> anyhow::Result<()> {
    let since = match &a.since {
        Some(s) => {
            // An RFC 3339 time keeps its milliseconds; dates and durations as `task list`.
            let t = match chrono::DateTime::parse_from_rfc3339(s.trim()) {
                Ok(t) => t,
                Err(_) => {
                    let t = super::query::parse_time_bound(s, chrono::Utc::now())?;
                    chrono::DateTime::parse_from_rfc3339(&t)
                        .expect("parse_time_bound gives RFC 3339")
                }
            };
            // from_timestamp is exclusive.
            Some(t.timestamp_millis() - 1)
        }
        None => None,
    };
    let task = select::one(client, &a.task).await?;
    let mut lines = match a.tail {
        Some(n) => {
            // The last lines at or after --since: those of the last `n` that are new enough.
            let mut events = latest_lines(client, &task.id, n).await?;
            events.retain(|e| since.is_none_or(|s| e.timestamp > s));
            events
        }
        None => forward(client, &task.id, since).await?,
    };
    let mut last_ts = lines.last().map(|l| l.timestamp).or(since);
    print(ctx, &lines, a.timestamps)?;
    if !a.follow {
        return Ok(());
    }
    loop {
        let status = task_status(client, &task.id).await?;
        // New lines first, then (if the task has ended) one last read: lines written just
        // before the status changed are never lost.
        lines = forward(client, &task.id, last_ts).await?;
        if let Some(l) = lines.last() {
            last_ts = Some(l.timestamp);
        }
        print(ctx, &lines, a.timestamps)?;
        if FINAL_OK.contains(&status.0.as_str()) {
            ctx.out
                .info(format!("task {} {}", task.short_id(), status.0));
            return Ok(());
        }
        if FINAL_BAD.contains(&status.0.as_str()) {
            let reason = if status.1.is_empty() {
                String::new()
            } else {
                format!(": {}", status.1)
            };
            return Err(CliError::new(
                Exit::WaitedTaskFailed,
                format!(
                    "task '{}' ({}) {}{reason}",
                    task.name,
                    task.short_id(),
                    status.0
                ),
            )
            .into());
        }
        tokio::time::sleep(FOLLOW_INTERVAL).await;
    }
}

/// (status, status_reason) of a task.
async fn task_status(client: &Client, id: &str) -> anyhow::Result<(String, String)> {
    let found = client
        .get_all(
            "tasks.get_all_ex",
            &json!({"id": [id], "only_fields": ["id", "status", "status_reason"]}),
            "tasks",
            Some(1),
        )
        .await?;
    let t = found
        .first()
        .ok_or_else(|| CliError::not_found(format!("task {id} disappeared from the server")))?;
    Ok((
        t["status"].as_str().unwrap_or_default().to_string(),
        t["status_reason"].as_str().unwrap_or_default().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: i64, msg: &str) -> LogLine {
        LogLine {
            timestamp: ts,
            level: "info".into(),
            worker: None,
            msg: msg.into(),
        }
    }

    #[test]
    fn tail_counts_lines_not_events() {
        let events = vec![ev(1, "a\nb\nc\n"), ev(2, "d"), ev(3, "e\nf\n")];
        let kept = keep_last_lines(events.clone(), 4);
        let text: Vec<String> = kept.iter().flat_map(|e| split_lines(&e.msg)).collect();
        assert_eq!(text, ["c", "d", "e", "f"]);
        assert_eq!(kept[0].timestamp, 1);
        assert_eq!(keep_last_lines(events.clone(), 100).len(), 3);
        assert!(keep_last_lines(events, 0).is_empty());
    }

    #[test]
    fn messages_lose_only_their_trailing_newline() {
        assert_eq!(split_lines("Эпоха 1\r\n"), ["Эпоха 1"]);
        assert_eq!(split_lines("a\n\nb\n"), ["a", "", "b"]);
        assert_eq!(split_lines(""), [""]);
    }
}
