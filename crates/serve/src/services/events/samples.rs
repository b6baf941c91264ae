//! The debug-image and plot viewers: `get_debug_image_sample` / `get_plot_sample` open a
//! viewer on one variant (metric) at an iteration, `next_debug_image_sample` /
//! `next_plot_sample` step from there to the neighbouring variant (metric) or iteration.
//! The viewer's state (what is viewed, and each variant's iteration range when it opened)
//! lives under the returned `scroll_id`, as the real server keeps it in Redis.

use super::super::super::Call;
use super::super::super::envelope::{ApiError, ApiResult};
use super::super::super::store::{IterBound, VariantRange};
use super::super::{new_id, opt_bool, opt_str, req_str};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What a viewer looks at. Plots are viewed per metric: their ranges have an empty variant.
#[derive(Serialize, Deserialize)]
struct Viewer {
    task: String,
    metric: String,
    variant: String,
    iteration: Option<i64>,
    navigate_current_metric: bool,
    ranges: Vec<VariantRange>,
}

impl Viewer {
    /// The ranges navigation may visit: the current metric's, or all.
    fn navigable(&self) -> impl Iterator<Item = &VariantRange> {
        self.ranges
            .iter()
            .filter(move |r| !self.navigate_current_metric || r.metric == self.metric)
    }

    fn range_of(&self, metric: &str, variant: &str) -> Option<&VariantRange> {
        self.ranges
            .iter()
            .find(|r| r.metric == metric && r.variant == variant)
    }
}

fn invalid_scroll(id: &str, why: &str) -> ApiError {
    ApiError::new(400, 1104, format!("Invalid scroll id{why}: scroll_id={id}"))
}

fn ranges(
    call: &Call,
    plots: bool,
    task: &str,
    metric: Option<&str>,
) -> Result<Vec<VariantRange>, ApiError> {
    Ok(if plots {
        call.store
            .plot_metric_ranges(task, metric)?
            .into_iter()
            .map(|(metric, min, max)| VariantRange {
                metric,
                variant: String::new(),
                min,
                max,
            })
            .collect()
    } else {
        call.store.image_variant_ranges(task, metric)?
    })
}

/// The viewer a `get_*_sample` call names: the stored one when its scroll id is known (it
/// must look at the same task, and metric when navigating one metric), else a new one.
fn open_viewer(call: &Call, plots: bool) -> Result<(String, Viewer), ApiError> {
    let task = req_str(&call.body, "task")?;
    let metric = req_str(&call.body, "metric")?;
    let variant = if plots {
        String::new()
    } else {
        req_str(&call.body, "variant")?
    };
    super::load_entity(call, &task)?;
    let current_only = call
        .body
        .get("navigate_current_metric")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let scope = |m: &str| current_only.then(|| m.to_string());
    let stored = opt_str(&call.body, "scroll_id")
        .filter(|s| !s.is_empty())
        .and_then(|id| call.state.sample_state(&id).map(|s| (id, s)));
    let (id, mut viewer) = match stored {
        Some((id, s)) => {
            let v: Viewer = serde_json::from_value(s).map_err(ApiError::internal)?;
            if v.task != task
                || v.navigate_current_metric != current_only
                || (current_only && v.metric != metric)
            {
                return Err(invalid_scroll(
                    &id,
                    " (task and metric stored in the state do not match the passed ones)",
                ));
            }
            (id, v)
        }
        None => {
            let ranges = ranges(call, plots, &task, scope(&metric).as_deref())?;
            let v = Viewer {
                task: task.clone(),
                metric: metric.clone(),
                variant: variant.clone(),
                iteration: None,
                navigate_current_metric: current_only,
                ranges,
            };
            (new_id(), v)
        }
    };
    if opt_bool(&call.body, "refresh") {
        viewer.ranges = ranges(call, plots, &task, scope(&metric).as_deref())?;
    }
    viewer.metric = metric;
    viewer.variant = variant;
    Ok((id, viewer))
}

/// The viewer of a `next_*_sample` call (it must exist and look at the same task).
fn stored_viewer(call: &Call) -> Result<(String, Viewer), ApiError> {
    let task = req_str(&call.body, "task")?;
    super::load_entity(call, &task)?;
    let id = opt_str(&call.body, "scroll_id").unwrap_or_default();
    let viewer: Viewer = call
        .state
        .sample_state(&id)
        .map(serde_json::from_value)
        .transpose()
        .map_err(ApiError::internal)?
        .filter(|v: &Viewer| v.task == task)
        .ok_or_else(|| invalid_scroll(&id, ""))?;
    Ok((id, viewer))
}

/// `{scroll_id, <what>, min_iteration, max_iteration}` with the range of the viewed
/// variant (null when it has none).
fn answer(id: &str, viewer: &Viewer, key: &str, found: Value) -> Value {
    let range = viewer.range_of(&viewer.metric, &viewer.variant);
    json!({
        "scroll_id": id, key: found,
        "min_iteration": range.map(|r| r.min), "max_iteration": range.map(|r| r.max),
    })
}

/// Move the viewer to an event found (its metric, variant and iteration).
fn move_to(viewer: &mut Viewer, event: &Value) {
    viewer.metric = event["metric"].as_str().unwrap_or_default().to_string();
    if !viewer.ranges.iter().all(|r| r.variant.is_empty()) {
        viewer.variant = event["variant"].as_str().unwrap_or_default().to_string();
    }
    viewer.iteration = event["iter"].as_i64();
}

fn save(call: &Call, id: &str, viewer: &Viewer) -> Result<(), ApiError> {
    let state = serde_json::to_value(viewer).map_err(ApiError::internal)?;
    call.state.put_sample_state(id, state);
    Ok(())
}

/// `navigate_earlier` of a `next_*` call (the default: true).
fn navigate_earlier(call: &Call) -> bool {
    call.body
        .get("navigate_earlier")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// The iterations past `iter`: before it when navigating earlier, else after it.
fn past(iter: i64, earlier: bool) -> IterBound {
    if earlier {
        IterBound::Before(iter)
    } else {
        IterBound::After(iter)
    }
}

/// The answer of a `next_*` call that found nothing: the viewer stays where it was.
fn nothing(id: &str, key: &str, empty: Value) -> Value {
    json!({"scroll_id": id, key: empty, "min_iteration": null, "max_iteration": null})
}

/// `events.get_debug_image_sample`: the variant's image at `iteration` or the latest
/// before it (the latest without one), within the variant's range.
pub fn get_debug_image(call: &mut Call) -> ApiResult {
    let (id, mut viewer) = open_viewer(call, false)?;
    let iteration = call.body.get("iteration").and_then(Value::as_i64);
    let found = match viewer.range_of(&viewer.metric, &viewer.variant).cloned() {
        Some(range) => {
            let bound = iteration.map_or(IterBound::Any, IterBound::UpTo);
            call.store
                .image_step(&viewer.task, std::slice::from_ref(&range), bound, true)?
        }
        None => None,
    };
    if let Some(e) = &found {
        move_to(&mut viewer, e);
    }
    save(call, &id, &viewer)?;
    Ok(answer(&id, &viewer, "event", found.unwrap_or(Value::Null)))
}

/// `events.next_debug_image_sample`: the next variant's image at the same iteration (by
/// metric and variant; the previous one with `navigate_earlier`, the default), else the
/// first (last) image of the next (previous) iteration; `next_iteration` skips to the
/// iteration step directly. Nothing found: the viewer stays and `event` is null.
pub fn next_debug_image(call: &mut Call) -> ApiResult {
    let (id, mut viewer) = stored_viewer(call)?;
    let earlier = navigate_earlier(call);
    let Some(iter) = viewer.iteration else {
        return Ok(nothing(&id, "event", json!(null)));
    };
    let here = (viewer.metric.clone(), viewer.variant.clone());
    let same_iter = || -> Vec<VariantRange> {
        viewer
            .navigable()
            .filter(|r| {
                let key = (r.metric.clone(), r.variant.clone());
                (if earlier { key < here } else { key > here }) && r.min <= iter
            })
            .cloned()
            .collect()
    };
    let other_iter: Vec<VariantRange> = viewer
        .navigable()
        .filter(|r| !earlier || r.min < iter)
        .cloned()
        .collect();
    let step_iter = past(iter, earlier);
    let mut found = None;
    if !opt_bool(&call.body, "next_iteration") {
        found = call
            .store
            .image_step(&viewer.task, &same_iter(), IterBound::At(iter), earlier)?;
    }
    if found.is_none() {
        found = call
            .store
            .image_step(&viewer.task, &other_iter, step_iter, earlier)?;
    }
    let Some(event) = found else {
        return Ok(nothing(&id, "event", json!(null)));
    };
    move_to(&mut viewer, &event);
    save(call, &id, &viewer)?;
    Ok(answer(&id, &viewer, "event", event))
}

/// `events.get_plot_sample`: the metric's plots at `iteration` or the latest before it.
pub fn get_plot(call: &mut Call) -> ApiResult {
    let (id, mut viewer) = open_viewer(call, true)?;
    let iteration = call.body.get("iteration").and_then(Value::as_i64);
    let mut events = Vec::new();
    if viewer.range_of(&viewer.metric, "").is_some() {
        let bound = iteration.map_or(IterBound::Any, IterBound::UpTo);
        events = call
            .store
            .plot_step(&viewer.task, Some(&viewer.metric), bound, None, true)?;
    }
    if let Some(e) = events.first() {
        move_to(&mut viewer, e);
    }
    save(call, &id, &viewer)?;
    Ok(answer(&id, &viewer, "events", json!(events)))
}

/// `events.next_plot_sample`: the plots of the next metric of the same iteration (when all
/// metrics are navigated) or of the next iteration; previous ones with `navigate_earlier`.
pub fn next_plot(call: &mut Call) -> ApiResult {
    let (id, mut viewer) = stored_viewer(call)?;
    let earlier = navigate_earlier(call);
    let Some(iter) = viewer.iteration else {
        return Ok(nothing(&id, "events", json!([])));
    };
    let bound = past(iter, earlier);
    let metric = viewer
        .navigate_current_metric
        .then(|| viewer.metric.clone());
    let same_iter = (!opt_bool(&call.body, "next_iteration") && metric.is_none())
        .then_some((iter, viewer.metric.as_str()));
    let events =
        call.store
            .plot_step(&viewer.task, metric.as_deref(), bound, same_iter, earlier)?;
    let Some(first) = events.first() else {
        return Ok(nothing(&id, "events", json!([])));
    };
    let first = first.clone();
    move_to(&mut viewer, &first);
    save(call, &id, &viewer)?;
    Ok(answer(&id, &viewer, "events", json!(events)))
}
