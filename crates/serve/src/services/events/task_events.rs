//! `events.get_task_events` and `events.download_task_log`, as the real server answers them
//! (services/events.py, bll/event/events_iterator.py).

use super::super::super::Call;
use super::super::super::envelope::{ApiError, ApiResult, raw_reply};
use super::super::super::store::IterPage;
use super::super::{opt_str, req_str};
use super::{EVENT_TYPES, metric_selection};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Most events one page returns before the rest of its last iteration (the real server's
/// `max_raw_scalars_size`).
const MAX_BATCH: u64 = 10_000;

/// What a `get_task_events` scroll id carries: where the next page starts, the total of
/// the first call and that call's query (a scroll continues the query it began, as on the
/// real server). It travels to the client and back, so the server keeps no state for it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Scroll {
    /// The last iteration returned; `None` once a page came back empty.
    from: Option<i64>,
    total: Option<usize>,
    request: Value,
}

fn invalid_scroll(id: &str) -> ApiError {
    ApiError::new(400, 1104, format!("Invalid scroll id: scroll_id={id}"))
}

fn decode_scroll(id: &str) -> Result<Scroll, ApiError> {
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid_scroll(id))?;
    serde_json::from_slice(&bytes).map_err(|_| invalid_scroll(id))
}

fn encode_scroll(s: &Scroll) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(s).unwrap_or_default())
}

/// `events.get_task_events`: the task's events by iteration, oldest first (`order: asc`,
/// the default) or newest first (`desc`), `batch_size` (500) at a time plus the rest of the
/// last page's iteration; `scroll_id` continues after the last iteration returned with the
/// first call's query (only `batch_size` may change). `total` is counted on the first call
/// unless `count_total` is false (then null) and kept along the scroll.
pub fn task_events(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    super::load_entity(call, &task)?;
    let (request, from, total, first) =
        match opt_str(&call.body, "scroll_id").filter(|s| !s.is_empty()) {
            None => {
                let mut request = call.body.clone();
                if let Some(o) = request.as_object_mut() {
                    o.remove("scroll_id");
                    o.remove("task");
                }
                (request, None, None, true)
            }
            Some(id) => {
                let scroll = decode_scroll(&id)?;
                let Some(from) = scroll.from else {
                    return Ok(json!({"events": [], "returned": 0, "total": scroll.total,
                    "scroll_id": id}));
                };
                let mut request = scroll.request;
                if let Some(b) = call.body.get("batch_size").filter(|b| b.is_u64()) {
                    request["batch_size"] = b.clone();
                }
                (request, Some(from), scroll.total, false)
            }
        };
    let earlier = match request.get("order").and_then(Value::as_str) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "Invalid value for enum field: field=order, value={other}"
            )));
        }
    };
    let kind = match request.get("event_type").and_then(Value::as_str) {
        None | Some("*") => None,
        Some(k) if EVENT_TYPES.contains(&k) => Some(k.to_string()),
        Some(other) => {
            return Err(ApiError::validation(format!(
                "Invalid value for enum field: field=event_type, value={other}"
            )));
        }
    };
    let selection = metric_selection(&request);
    let total = if first && request.get("count_total") != Some(&Value::Bool(false)) {
        Some(
            call.store
                .count_task_events(&task, kind.as_deref(), &selection)?,
        )
    } else {
        total
    };
    let batch = request
        .get("batch_size")
        .and_then(Value::as_u64)
        .unwrap_or(500)
        .clamp(1, MAX_BATCH) as usize;
    let events = call.store.iter_page(IterPage {
        task: &task,
        kind: kind.as_deref(),
        selection: &selection,
        from,
        earlier,
        batch,
    })?;
    let last = events
        .last()
        .map(|e| e.get("iter").and_then(Value::as_i64).unwrap_or(0));
    let scroll_id = encode_scroll(&Scroll {
        from: last,
        total,
        request,
    });
    Ok(
        json!({"events": events, "returned": events.len(), "total": total,
        "scroll_id": scroll_id}),
    )
}

/// The placeholders a text line format may name.
const LOG_FIELDS: &[&str] = &["asctime", "timestamp", "level", "worker", "msg"];

/// Fill `{name}` placeholders of a Python `str.format` line format (`{{`/`}}` are braces);
/// `Err` = the names that are no log field, or a malformed format.
fn format_line(format: &str, ev: &Value) -> Result<String, ApiError> {
    let mut out = String::new();
    let mut unknown = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => {
                            return Err(ApiError::new(
                                400,
                                16,
                                "invalid value for fields (invalid line format): error=expected '}' before end of string",
                            ));
                        }
                    }
                }
                if !LOG_FIELDS.contains(&name.as_str()) {
                    unknown.push(name);
                    continue;
                }
                match ev.get(&name) {
                    None | Some(Value::Null) => out.push_str("None"),
                    Some(Value::String(s)) => out.push_str(s),
                    Some(v) => out.push_str(&v.to_string()),
                }
            }
            '}' => {
                return Err(ApiError::new(
                    400,
                    16,
                    "invalid value for fields (invalid line format): error=Single '}' encountered in format string",
                ));
            }
            c => out.push(c),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::new(
            400,
            16,
            format!(
                "invalid value for fields (undefined placeholders in line format): placeholders=({})",
                unknown.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// `events.download_task_log`: the whole task log, oldest first, as a `task_<id>.log`
/// text attachment: one JSON object per line (`line_type: json`, the default; `timestamp`
/// renamed `asctime`, without `type` and `task`) or `line_format` filled per event
/// (`line_type: text`; placeholders asctime, timestamp, level, worker, msg).
pub fn download_task_log(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    super::load_entity(call, &task)?;
    let line_type = opt_str(&call.body, "line_type")
        .unwrap_or_else(|| "json".into())
        .to_lowercase();
    let is_json = line_type == "json";
    let line_format = match call.body.get("line_format") {
        None | Some(Value::Null) => "{asctime} {worker} {level} {msg}".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if !is_json {
        if line_format.is_empty() {
            return Err(ApiError::new(
                400,
                11,
                "missing required fields (line_format is required for plain text lines)",
            ));
        }
        format_line(&line_format, &json!({}))?;
    }
    let line_format = format!("{}\n", line_format.trim_end_matches('\n'));
    let mut text = String::new();
    let mut from = None;
    loop {
        let page = call.store.log_page(super::super::super::store::LogPage {
            task: &task,
            selection: &[],
            from_ts: from,
            earlier: false,
            batch: 1000,
        })?;
        let Some(last) = page.0.last() else { break };
        from = last.get("timestamp").and_then(Value::as_i64);
        for mut ev in page.0 {
            if let Some(o) = ev.as_object_mut() {
                let ts = o.remove("timestamp").unwrap_or(Value::Null);
                o.insert("asctime".into(), ts);
                if is_json {
                    o.remove("type");
                    o.remove("task");
                }
            }
            if is_json {
                text.push_str(&ev.to_string());
                text.push('\n');
            } else {
                text.push_str(&format_line(&line_format, &ev)?);
            }
        }
        if from.is_none() {
            break;
        }
    }
    Ok(raw_reply("text/plain", &format!("task_{task}.log"), text))
}
