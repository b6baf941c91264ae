//! `events.debug_images` (2.7+) and `events.plots`: pages of iterations of debug images or
//! plots for several tasks, the newest first, then further back (or forward) along a
//! scroll. Per task the scroll remembers the variants there were when it started (an image
//! whose file was overwritten later is left out) and the iterations handed out so far, as
//! the real server's metric events iterator does.

use super::super::super::Call;
use super::super::super::envelope::{ApiError, ApiResult};
use super::super::super::store::{IterBound, VariantState};
use super::super::{new_id, opt_bool, opt_str};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Iterations a page may hold at most.
const MAX_ITERS: i64 = 1000;

#[derive(Serialize, Deserialize)]
struct TaskScroll {
    task: String,
    variants: Vec<VariantState>,
    last_min_iter: Option<i64>,
    last_max_iter: Option<i64>,
}

/// Metrics and the variants of each to read (no variants = all of them); empty = all metrics.
type Selection = Vec<(String, Vec<String>)>;

/// The request's `metrics` as task → selection in request order; a task requested without
/// a metric gets all of its metrics.
fn requested(body: &Value) -> Result<Vec<(String, Selection)>, ApiError> {
    let items = body
        .get("metrics")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::validation("metrics: at least one task metric is required"))?;
    // (task, selection, whether a request for all its metrics came too)
    let mut out: Vec<(String, Selection, bool)> = Vec::new();
    for it in items {
        let task = it
            .get("task")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::missing_field("metrics.task"))?
            .to_string();
        let idx = match out.iter().position(|(t, _, _)| *t == task) {
            Some(i) => i,
            None => {
                out.push((task, Vec::new(), false));
                out.len() - 1
            }
        };
        match it.get("metric").and_then(Value::as_str) {
            Some(m) => {
                let variants = super::super::id_list(it, "variants");
                let entry = &mut out[idx].1;
                entry.retain(|(em, _)| em != m);
                entry.push((m.to_string(), variants));
            }
            None => out[idx].2 = true,
        }
    }
    Ok(out
        .into_iter()
        .map(|(t, metrics, all)| (t, if all { Vec::new() } else { metrics }))
        .collect())
}

/// `images` = debug images, else plots.
pub fn page(call: &mut Call, images: bool) -> ApiResult {
    let tasks = requested(&call.body)?;
    let count = call.body.get("iters").and_then(Value::as_i64).unwrap_or(1);
    if !(1..=MAX_ITERS).contains(&count) {
        return Err(ApiError::validation(format!(
            "iters={count}: must be between 1 and {MAX_ITERS}"
        )));
    }
    super::load_entities(call, tasks.iter().map(|(t, _)| t.clone()).collect())?;
    let init = |call: &Call| -> Result<Vec<TaskScroll>, ApiError> {
        tasks
            .iter()
            .map(|(task, selection)| {
                Ok(TaskScroll {
                    task: task.clone(),
                    variants: call.store.event_variant_states(task, images, selection)?,
                    last_min_iter: None,
                    last_max_iter: None,
                })
            })
            .collect()
    };
    let given = opt_str(&call.body, "scroll_id").filter(|s| !s.is_empty());
    let stored = given
        .as_deref()
        .and_then(|id| call.state.sample_state(id))
        .and_then(|s| serde_json::from_value::<Vec<TaskScroll>>(s).ok());
    let (id, mut scrolls) = match (given, stored) {
        (Some(id), Some(s)) if !opt_bool(&call.body, "refresh") => (id, s),
        (Some(id), Some(_)) => (id, init(call)?),
        _ => (new_id(), init(call)?),
    };
    let navigate_earlier = call
        .body
        .get("navigate_earlier")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut out = Vec::new();
    for scroll in scrolls.iter_mut() {
        let iterations = task_page(call, scroll, images, navigate_earlier, count as usize)?;
        out.push(json!({"task": scroll.task, "iterations": iterations}));
    }
    let state = serde_json::to_value(&scrolls).map_err(ApiError::internal)?;
    call.state.put_sample_state(&id, state);
    Ok(json!({"metrics": out, "scroll_id": id}))
}

/// One task's next iterations, newest first; moves its scroll past them.
fn task_page(
    call: &Call,
    scroll: &mut TaskScroll,
    images: bool,
    navigate_earlier: bool,
    count: usize,
) -> Result<Vec<Value>, ApiError> {
    if scroll.variants.is_empty() {
        return Ok(Vec::new());
    }
    // The first page always starts at the newest iteration.
    let earlier = navigate_earlier || scroll.last_max_iter.is_none();
    let bound = match (earlier, scroll.last_min_iter, scroll.last_max_iter) {
        (true, Some(min), _) => IterBound::Before(min),
        (false, _, Some(max)) => IterBound::After(max),
        _ => IterBound::Any,
    };
    let mut metrics: Vec<String> = scroll.variants.iter().map(|v| v.metric.clone()).collect();
    metrics.dedup();
    let valid = |e: &Value| {
        scroll.variants.iter().any(|v| {
            e["metric"] == v.metric.as_str()
                && e["variant"] == v.variant.as_str()
                && v.last_invalid
                    .is_none_or(|i| e["iter"].as_i64().unwrap_or(0) > i)
        })
    };
    let mut iterations: Vec<(i64, Vec<Value>)> = call
        .store
        .iteration_events(&scroll.task, images, &metrics, bound, earlier, count)?
        .into_iter()
        .map(|(it, events)| (it, events.into_iter().filter(valid).collect::<Vec<_>>()))
        .filter(|(_, events)| !events.is_empty())
        .collect();
    iterations.sort_by_key(|it| std::cmp::Reverse(it.0));
    if let (Some(first), Some(last)) = (iterations.first(), iterations.last()) {
        scroll.last_max_iter = Some(first.0);
        scroll.last_min_iter = Some(last.0);
    }
    Ok(iterations
        .into_iter()
        .map(|(it, events)| json!({"iter": it, "events": events}))
        .collect())
}
