//! The shapes older clients get (services/events.py): `events.get_task_log` below API 2.9
//! scrolls through the log by time (`from: head` = oldest first, the default, or `tail`)
//! and answers in `order` (default `desc`); `events.debug_images` below 2.7 answers one
//! task's images of its last `iters` iterations as a flat list, newest iteration first.
//! Both page along a `scroll_id`.

use super::super::super::Call;
use super::super::super::envelope::{ApiError, ApiResult};
use super::super::super::store::{EventOrder, LastItersPer};
use super::super::{opt_str, req_str};
use super::{batch_size, events_of, load_entity, save_scroll, scroll_pos};
use serde_json::{Value, json};

/// Events one page of the old debug images answer holds (the real server's default size).
const IMAGES_PAGE: usize = 500;

/// `events.get_task_log` 1.7–2.8 (`get_task_log_v1_7`, event_bll `scroll_task_events`).
pub fn task_log(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    load_entity(call, &task)?;
    let head = match opt_str(&call.body, "from").as_deref() {
        None | Some("" | "head") => true,
        Some(_) => false,
    };
    let order = match opt_str(&call.body, "order").as_deref() {
        None | Some("desc") => "desc",
        Some("asc") => "asc",
        Some(other) => {
            return Err(ApiError::validation(format!(
                "Invalid value for enum field: field=order, value={other}"
            )));
        }
    };
    let batch = batch_size(call, 500, 10_000);
    let (sid, pos) = scroll_pos(call);
    let by_time = if head {
        EventOrder::TimeAsc
    } else {
        EventOrder::TimeDesc
    };
    let (mut events, total) =
        call.store
            .event_page(events_of(&task, Some("log"), None), by_time, batch, pos)?;
    save_scroll(call, &sid, pos + events.len());
    // The batch comes in scroll order and is turned round when `order` differs.
    if (order == "asc") != head {
        events.reverse();
    }
    Ok(json!({"events": events, "returned": events.len(), "total": total, "scroll_id": sid}))
}

/// `events.debug_images` 1.8–2.6 (`get_debug_images_v1_8`): the images of the task's last
/// `iters` iterations, sorted by iteration, newest first.
pub fn debug_images(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    load_entity(call, &task)?;
    let iters = match call.body.get("iters") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::validation(format!("iters={v}: must be at least 1")))?,
    };
    let mut images = call.store.last_iter_events(
        "training_debug_image",
        std::slice::from_ref(&task),
        &Vec::new(),
        iters.min(usize::MAX as u64) as usize,
        LastItersPer::Task,
    )?;
    images.sort_by_key(|e| std::cmp::Reverse(e.get("iter").and_then(Value::as_i64).unwrap_or(0)));
    let total = images.len();
    let (sid, pos) = scroll_pos(call);
    let page: Vec<Value> = images.into_iter().skip(pos).take(IMAGES_PAGE).collect();
    save_scroll(call, &sid, pos + page.len());
    Ok(
        json!({"task": task, "images": page, "returned": page.len(), "total": total,
              "scroll_id": sid}),
    )
}
