//! Reading a task's events from a live server page by page, as a real clearml-server
//! answers them.
//!
//! Console lines go through `events.get_task_log` only, every other kind through
//! `events.get_task_events` with its own `event_type`. The real server sorts
//! `get_task_events` by iteration and fails (500, `'iter'`) once a batch reaches an event
//! without one, and the SDK's console lines have none: all types at once, or `log` alone
//! there, cannot be read (issue 19 item 3).
//!
//! A page is bounded and the reader keeps only where it is, so a copy can hand each page
//! to the target before it asks for the next. A source that stops advancing (the same page
//! again, a timestamp that does not move) or answers past the total it reported is
//! refused instead of being read forever.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use clearml_api::Client;

/// The kinds read with `events.get_task_events`, each on its own.
pub const METRIC_KINDS: &[&str] = &[
    "training_stats_scalar",
    "training_stats_vector",
    "training_debug_image",
    "plot",
];
/// Events asked for per page.
pub const EVENTS_PAGE: usize = 2000;
/// The real server's totals stop counting here (`total` is then "this many or more").
pub const TOTAL_CAP: u64 = 10_000;

/// Where a reading of one task's events stands: which kind, the scroll or the timestamp
/// to go on from, what was read of the kind and what its last page looked like.
#[derive(Debug, Default)]
pub struct Cursor {
    /// Index into METRIC_KINDS; `METRIC_KINDS.len()` is the console log, past it: done.
    kind: usize,
    scroll: Option<String>,
    from_ts: Option<f64>,
    /// Events read of the current kind.
    read: u64,
    /// The previous page of the current kind (first and last event, length).
    last_page: Option<(String, String, usize)>,
    /// The current kind has no more pages (its last one came without a scroll id, or
    /// brought the count to the total).
    ended: bool,
    /// Scroll ids handed out by the server, freed at the end.
    scrolls: HashSet<String>,
    /// The first call of an archive-backed reading hands out everything at once.
    pub(super) started: bool,
}

impl Cursor {
    pub fn new() -> Cursor {
        Cursor::default()
    }

    fn next_kind(&mut self) {
        self.kind += 1;
        self.scroll = None;
        self.from_ts = None;
        self.read = 0;
        self.last_page = None;
        self.ended = false;
    }
}

/// The next page of the task's events on the server `client` talks to, or an empty list
/// when all are read. Pages of one kind come oldest first; kinds one after another.
pub async fn next_page(
    client: &Client,
    task: &str,
    cur: &mut Cursor,
) -> anyhow::Result<Vec<Value>> {
    loop {
        if cur.kind > METRIC_KINDS.len() {
            free_scrolls(client, cur).await;
            return Ok(Vec::new());
        }
        if cur.ended {
            cur.next_kind();
            continue;
        }
        let (page, total) = if cur.kind < METRIC_KINDS.len() {
            metric_page(client, task, cur).await?
        } else {
            log_page(client, task, cur).await?
        };
        if page.is_empty() {
            cur.next_kind();
            continue;
        }
        let kind = kind_name(cur.kind);
        let shape = (
            page[0].to_string(),
            page[page.len() - 1].to_string(),
            page.len(),
        );
        if cur.last_page.as_ref() == Some(&shape) {
            anyhow::bail!(
                "{} sent the same page of task {task}'s {kind} events twice: its events cannot be read to the end (a fault of that server)",
                client.api_host()
            );
        }
        cur.last_page = Some(shape);
        cur.read += page.len() as u64;
        if total < TOTAL_CAP && cur.read > total {
            anyhow::bail!(
                "{} sent more of task {task}'s {kind} events ({}) than the {total} it reported: stopped reading (a fault of that server)",
                client.api_host(),
                cur.read
            );
        }
        if total < TOTAL_CAP && cur.read == total {
            // All of this kind: no call to learn that the next page is empty.
            cur.ended = true;
        }
        return Ok(page);
    }
}

fn kind_name(kind: usize) -> &'static str {
    METRIC_KINDS.get(kind).copied().unwrap_or("console")
}

/// One `events.get_task_events` page of the cursor's kind, and the total reported.
async fn metric_page(
    client: &Client,
    task: &str,
    cur: &mut Cursor,
) -> anyhow::Result<(Vec<Value>, u64)> {
    let mut body = json!({"task": task, "event_type": METRIC_KINDS[cur.kind],
                          "batch_size": EVENTS_PAGE, "order": "asc"});
    if let Some(s) = &cur.scroll {
        body["scroll_id"] = json!(s);
    }
    let mut data = client.call("events.get_task_events", &body).await?;
    let page = take_events(&mut data);
    let total = data["total"].as_u64().unwrap_or(u64::MAX);
    cur.scroll = data["scroll_id"].as_str().map(str::to_string);
    match &cur.scroll {
        Some(s) => {
            cur.scrolls.insert(s.clone());
        }
        // No way to ask for more: this page is the last of the kind.
        None => cur.ended = true,
    }
    Ok((page, total))
}

/// One `events.get_task_log` page (console lines, oldest first, strictly after the last
/// timestamp read; the server adds the rest of a timestamp a page would split), and the
/// total reported.
async fn log_page(
    client: &Client,
    task: &str,
    cur: &mut Cursor,
) -> anyhow::Result<(Vec<Value>, u64)> {
    let mut body = json!({"task": task, "batch_size": EVENTS_PAGE, "navigate_earlier": false});
    if let Some(ts) = cur.from_ts {
        body["from_timestamp"] = json!(ts);
    }
    let mut data = client.call("events.get_task_log", &body).await?;
    let page = take_events(&mut data);
    let total = data["total"].as_u64().unwrap_or(u64::MAX);
    if let Some(last) = page.last() {
        let ts = last["timestamp"].as_f64().ok_or_else(|| {
            anyhow::anyhow!(
                "{} sent a console line of task {task} without a timestamp: its log cannot be paged (a fault of that server)",
                client.api_host()
            )
        })?;
        if cur.from_ts.is_some_and(|from| ts <= from) {
            anyhow::bail!(
                "{}: the console log of task {task} does not advance past timestamp {ts}: stopped reading (a fault of that server)",
                client.api_host()
            );
        }
        cur.from_ts = Some(ts);
    }
    Ok((page, total))
}

fn take_events(data: &mut Value) -> Vec<Value> {
    match data.get_mut("events").map(Value::take) {
        Some(Value::Array(v)) => v,
        _ => Vec::new(),
    }
}

/// Free the server's scrolls early (they would expire on their own).
async fn free_scrolls(client: &Client, cur: &mut Cursor) {
    for s in cur.scrolls.drain() {
        let _ = client
            .call("events.clear_scroll", &json!({"scroll_id": s}))
            .await;
    }
}

/// How many events the task has: each kind's total, console lines by `get_task_log`.
/// A kind at the real server's cap makes the sum at least [`TOTAL_CAP`] (not exact).
pub async fn event_total(client: &Client, task: &str) -> anyhow::Result<u64> {
    let mut sum = 0u64;
    for kind in METRIC_KINDS {
        let data = client
            .call(
                "events.get_task_events",
                &json!({"task": task, "event_type": kind, "batch_size": 1, "order": "asc"}),
            )
            .await?;
        sum = sum.saturating_add(data["total"].as_u64().unwrap_or(0));
    }
    let data = client
        .call(
            "events.get_task_log",
            &json!({"task": task, "batch_size": 1, "navigate_earlier": false}),
        )
        .await?;
    Ok(sum.saturating_add(data["total"].as_u64().unwrap_or(0)))
}

/// A digest of each event the task has on `client`'s server ([`super::rewrite::event_digest`],
/// counted): what a copy compares with, page by page, without holding the events.
pub async fn target_event_digests(
    client: &Client,
    task: &str,
) -> anyhow::Result<HashMap<[u8; 16], usize>> {
    let mut have = HashMap::new();
    let mut cursor = Cursor::new();
    loop {
        let page = next_page(client, task, &mut cursor).await?;
        if page.is_empty() {
            return Ok(have);
        }
        for ev in &page {
            *have.entry(super::rewrite::event_digest(ev)).or_default() += 1;
        }
    }
}
