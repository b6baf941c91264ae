//! `events.*`: scalars, logs, plots and debug images in one table; scalars also update the
//! task's `last_metrics` (keyed by md5 of metric and variant) and `last_iteration`.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, EventOrder, EventSelect, LastItersPer, LogPage};
use super::shared::task::{load, load_all};
use super::{id_list, new_id, now_ms, opt_bool, opt_str, req_str};
use md5::{Digest, Md5};

mod add;
mod drawn;
mod histogram;
mod iterations;
mod legacy;
mod samples;
mod task_events;
use add::add_events;
pub use drawn::drawn_curves;
pub use histogram::Curve;
use histogram::{iter_histogram, multi_task_histogram, scalar_key};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

pub const SCALAR: &str = "training_stats_scalar";
/// The event types the real server stores (its EventType values).
pub(super) const EVENT_TYPES: &[&str] = &[
    SCALAR,
    "training_stats_vector",
    "training_debug_image",
    "plot",
    "log",
];
/// Iteration the SDK uses for single-value ("Summary") metrics.
const SINGLE_VALUE_ITER: i64 = -(1 << 31);

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "add" => {
            let ev = call.body.clone();
            add_events(call, vec![ev])
        }
        "add_batch" => {
            // A one-line batch parses as a plain JSON object: it is then the only event.
            let evs = call.lines.take().unwrap_or_else(|| {
                if call.body.get("task").is_some() {
                    vec![call.body.clone()]
                } else {
                    Vec::new()
                }
            });
            if evs.is_empty() {
                // The real service refuses an empty batch before looking at any event.
                return Some(Err(ApiError::new(
                    400,
                    17,
                    "batch request contains no items",
                )));
            }
            add_events(call, evs)
        }
        "get_task_latest_scalar_values" => latest_scalar_values(call),
        "scalar_metrics_iter_histogram" => iter_histogram(call),
        "multi_task_scalar_metrics_iter_histogram" => multi_task_histogram(call),
        "get_scalar_metrics_and_variants" => metrics_and_variants(call, SCALAR),
        "get_vector_metrics_and_variants" => Ok(json!({"metrics": []})),
        "get_task_metrics" => task_metrics(call),
        "get_task_log" if call.version < (2, 9) => legacy::task_log(call),
        "get_task_log" => task_log(call),
        "get_task_events" => task_events::task_events(call),
        "download_task_log" => task_events::download_task_log(call),
        "get_scalar_metric_data" => scalar_metric_data(call),
        "scalar_metrics_iter_raw" => iter_raw(call),
        "get_task_plots" => task_plots(call),
        "get_multi_task_plots" => multi_task_plots(call),
        "debug_images" if call.version < (2, 7) => legacy::debug_images(call),
        "debug_images" => iterations::page(call, true),
        "plots" => iterations::page(call, false),
        "get_debug_image_sample" => samples::get_debug_image(call),
        "next_debug_image_sample" => samples::next_debug_image(call),
        "get_plot_sample" => samples::get_plot(call),
        "next_plot_sample" => samples::next_plot(call),
        "get_task_single_value_metrics" => single_value_metrics(call),
        "delete_for_task" => {
            let task = match req_str(&call.body, "task") {
                Ok(t) => t,
                Err(e) => return Some(Err(e)),
            };
            if let Err(e) = check_unlocked(call, &task) {
                return Some(Err(e));
            }
            call.store
                .delete_task_events(&task)
                .map(|n| json!({"deleted": n}))
                .map_err(Into::into)
        }
        "clear_scroll" => Ok(json!({})),
        "clear_task_log" => clear_task_log(call),
        "get_multi_task_metrics" => multi_task_metrics(call),
        _ => return None,
    })
}

pub fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// The task an events query names or, with `model_events: true`, the model (services/
/// events.py `_assert_task_or_model_exists`: 400/201 for an unknown model).
pub(super) fn load_entity(call: &Call, id: &str) -> Result<Value, ApiError> {
    if opt_bool(&call.body, "model_events") {
        call.store
            .get(Coll::Models, id)?
            .ok_or_else(|| ApiError::invalid_model(id))
    } else {
        load(call.store, id)
    }
}

/// `load_entity` for several ids: every one must exist.
pub(super) fn load_entities(
    call: &Call,
    ids: Vec<String>,
) -> Result<Vec<(String, Value)>, ApiError> {
    if !opt_bool(&call.body, "model_events") {
        return load_all(call.store, ids);
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match call.store.get(Coll::Models, &id)? {
            Some(d) => out.push((id, d)),
            None => missing.push(id),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::new(
            400,
            201,
            format!("Invalid model id: ids={}", missing.join(",")),
        ));
    }
    Ok(out)
}

/// The `tasks` of a multi-task call: 1 to 100 ids (a comma-separated string is split);
/// every one must exist (400/101 naming the missing ones otherwise).
fn multi_tasks(call: &Call) -> Result<Vec<(String, Value)>, ApiError> {
    let ids: Vec<String> = match call.body.get("tasks") {
        Some(Value::String(s)) => s.split(',').map(|t| t.trim().to_string()).collect(),
        _ => id_list(&call.body, "tasks"),
    };
    if ids.is_empty() || ids.len() > 100 {
        return Err(ApiError::validation(
            "tasks: between 1 and 100 task ids are required",
        ));
    }
    load_entities(call, ids)
}

/// `events.get_multi_task_metrics`: the metrics the tasks reported (events of `event_type`,
/// any type by default), each with its variants, sorted.
fn multi_task_metrics(call: &mut Call) -> ApiResult {
    let ids: Vec<String> = multi_tasks(call)?.into_iter().map(|(t, _)| t).collect();
    let kind = event_type(&call.body)?;
    let mut metrics: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for (_, m, v) in call
        .store
        .event_metric_variants(&ids, kind.as_deref(), None)?
    {
        metrics.entry(m).or_default().insert(v);
    }
    let out: Vec<Value> = metrics
        .into_iter()
        .map(|(m, v)| json!({"metric": m, "variants": v}))
        .collect();
    Ok(json!({"metrics": out}))
}

/// `event_type` of a request: one of the event types, or `*`/absent for any.
fn event_type(body: &Value) -> Result<Option<String>, ApiError> {
    match body.get("event_type") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) if t == "*" => Ok(None),
        Some(Value::String(t)) if EVENT_TYPES.contains(&t.as_str()) => Ok(Some(t.clone())),
        Some(other) => Err(ApiError::validation(format!(
            "event_type={other}: must be one of {}",
            EVENT_TYPES.join(", ")
        ))),
    }
}

fn latest_scalar_values(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    let doc = load_entity(call, &task)?;
    let mut metrics: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for vars in doc["last_metrics"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, v)| v)
    {
        for e in vars.as_object().into_iter().flatten().map(|(_, e)| e) {
            let m = e["metric"].as_str().unwrap_or_default().to_string();
            metrics.entry(m).or_default().push(json!({
                "name": e["variant"], "last_value": e["value"], "last_10_value": e["value"],
            }));
        }
    }
    let last_ts = call.store.last_event_time(&task, SCALAR)?;
    Ok(json!({
        "metrics": metrics.into_iter().map(|(n, v)| json!({"name": n, "variants": v})).collect::<Vec<_>>(),
        "last_iter": doc["last_iteration"], "name": doc["name"], "status": doc["status"],
        "last_timestamp": last_ts.map(|t| t as f64),
    }))
}

/// `get_scalar_metrics_and_variants` / `get_vector_metrics_and_variants`: each metric the
/// task reported with the list of its variants.
fn metrics_and_variants(call: &mut Call, kind: &str) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, m, v) in
        call.store
            .event_metric_variants(std::slice::from_ref(&task), Some(kind), None)?
    {
        out.entry(m).or_default().push(v);
    }
    Ok(json!({"metrics": out}))
}

/// `events.get_task_metrics`: per task, the metrics of its events of `event_type`
/// (single-value scalars left out, as the real server does).
fn task_metrics(call: &mut Call) -> ApiResult {
    let kind = event_type(&call.body)?;
    let mut out = Vec::new();
    for t in id_list(&call.body, "tasks") {
        let names: std::collections::BTreeSet<String> = call
            .store
            .event_metric_variants(
                std::slice::from_ref(&t),
                kind.as_deref(),
                Some(SINGLE_VALUE_ITER),
            )?
            .into_iter()
            .map(|(_, m, _)| m)
            .collect();
        out.push(json!({"task": t, "metrics": names}));
    }
    Ok(json!({"metrics": out}))
}

/// Resume position of an events scroll.
fn scroll_pos(call: &Call) -> (String, usize) {
    let given = opt_str(&call.body, "scroll_id");
    match call.state.scroll_get(given.as_deref()) {
        Some(pos) => (given.unwrap_or_default(), pos),
        None => (new_id(), 0),
    }
}

fn save_scroll(call: &Call, id: &str, pos: usize) {
    call.state.scroll_put(id, pos);
}

fn events_of<'a>(task: &'a str, kind: Option<&'a str>, metric: Option<&'a str>) -> EventSelect<'a> {
    EventSelect { task, kind, metric }
}

/// The request's `batch_size`, `default` when absent, kept within 1..=`max`.
fn batch_size(call: &Call, default: u64, max: u64) -> usize {
    call.body
        .get("batch_size")
        .and_then(Value::as_u64)
        .unwrap_or(default)
        .clamp(1, max) as usize
}

/// `events.get_task_log` (2.9+): `batch_size` log events (5000 by default) from the newest
/// (`navigate_earlier`, the default) or the oldest, or from just past `from_timestamp`, of
/// the requested `metrics` (2.30); `order` reverses the batch when it goes against the
/// direction. There is no scroll: clients page with `from_timestamp`.
fn task_log(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    load_entity(call, &task)?;
    let batch = batch_size(call, 5000, 10_000);
    let earlier = call
        .body
        .get("navigate_earlier")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let from_ts =
        match call.body.get("from_timestamp") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| {
                ApiError::validation(format!("from_timestamp={v}: must be a number"))
            })? as i64),
        };
    let selection = metric_selection(&call.body);
    let (mut events, total) = call.store.log_page(LogPage {
        task: &task,
        selection: &selection,
        from_ts,
        earlier,
        batch,
    })?;
    match opt_str(&call.body, "order").as_deref() {
        None => {}
        Some("asc") if earlier => events.reverse(),
        Some("desc") if !earlier => events.reverse(),
        Some("asc" | "desc") => {}
        Some(other) => {
            return Err(ApiError::validation(format!(
                "order={other}: must be asc or desc"
            )));
        }
    }
    Ok(json!({"events": events, "returned": events.len(), "total": total}))
}

/// Events of a published (or publishing) task are not changed unless `allow_locked`.
fn check_unlocked(call: &Call, task: &str) -> Result<(), ApiError> {
    let doc = load(call.store, task)?;
    if ["published", "publishing"].contains(&doc["status"].as_str().unwrap_or_default())
        && !opt_bool(&call.body, "allow_locked")
    {
        return Err(ApiError::new(
            400,
            101,
            format!("Cannot update events for a published task: id={task}"),
        ));
    }
    Ok(())
}

/// `events.clear_task_log`: delete the task's log events (older than `threshold_sec`
/// seconds when given; of `include_metrics` only, keeping `exclude_metrics`, 2.30). A
/// published task's log stays unless `allow_locked`.
fn clear_task_log(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    check_unlocked(call, &task)?;
    let before = call
        .body
        .get("threshold_sec")
        .and_then(Value::as_i64)
        .filter(|s| *s > 0)
        .map(|s| now_ms() - s.saturating_mul(1000));
    let deleted = call.store.clear_log(
        &task,
        before,
        &id_list(&call.body, "include_metrics"),
        &id_list(&call.body, "exclude_metrics"),
    )?;
    Ok(json!({"deleted": deleted}))
}

fn scalar_metric_data(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    let metric = req_str(&call.body, "metric")?;
    let (sid, pos) = scroll_pos(call);
    let (events, total) = call.store.event_page(
        events_of(&task, Some(SCALAR), Some(&metric)),
        EventOrder::IterAsc,
        10_000,
        pos,
    )?;
    save_scroll(call, &sid, pos + events.len());
    Ok(json!({"events": events, "returned": events.len(), "total": total, "scroll_id": sid}))
}

/// `events.scalar_metrics_iter_raw`: one metric's scalar points in x order (single-value
/// ones included), per variant `{<key>: [x…], y: [value…]}`, in batches along a scroll;
/// `total` only with `count_total`.
fn iter_raw(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    load_entity(call, &task)?;
    let metric = call.body.get("metric").cloned().unwrap_or(Value::Null);
    let m = metric
        .get("metric")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing_field("metric"))?
        .to_string();
    let variants = id_list(&metric, "variants");
    let given = match call.body.get("batch_size").and_then(Value::as_i64) {
        Some(b) if b < 0 => {
            return Err(ApiError::validation(
                "batch_size should be non negative number",
            ));
        }
        Some(b) if b > 0 => Some(b as usize),
        _ => None,
    };
    let key = scalar_key(&call.body)?;
    // services/events.py scalar_metrics_iter_raw keeps the first request (its batch_size)
    // and the total in the scroll: later calls without them page alike.
    let scroll = opt_str(&call.body, "scroll_id")
        .and_then(|id| Some((call.state.sample_state(&raw_scroll_key(&id))?, id)));
    let (sid, pos, first_batch, mut total) = match &scroll {
        Some((st, id)) => (
            id.clone(),
            st["pos"].as_u64().unwrap_or(0) as usize,
            st["batch"].as_u64().map(|b| b as usize),
            st.get("total").cloned().filter(|t| !t.is_null()),
        ),
        None => (new_id(), 0, None, None),
    };
    let batch = given.or(first_batch).unwrap_or(10_000).min(200_000);
    let (points, count) =
        call.store
            .scalar_points(&task, &m, &variants, key == "iter", batch, pos)?;
    if total.is_none() && opt_bool(&call.body, "count_total") {
        total = Some(json!(count));
    }
    let state = json!({"pos": pos + points.len(), "batch": batch, "total": total});
    call.state.put_sample_state(&raw_scroll_key(&sid), state);
    let mut out = Map::new();
    for (_, v, iter, ts, value) in &points {
        let entry = out
            .entry(v.clone())
            .or_insert_with(|| json!({key.as_str(): [], "y": []}));
        let x = if key == "iter" {
            json!(iter)
        } else {
            json!(ts)
        };
        if let Some(a) = entry[key.as_str()].as_array_mut() {
            a.push(x);
        }
        if let Some(a) = entry["y"].as_array_mut() {
            a.push(json!(value));
        }
    }
    Ok(json!({
        "variants": out, "total": total.unwrap_or(Value::Null),
        "returned": points.len(), "scroll_id": sid,
    }))
}

/// Where an iter_raw scroll's state is kept (beside the sample viewers' states, which
/// expire alike).
fn raw_scroll_key(id: &str) -> String {
    format!("scalar_metrics_iter_raw:{id}")
}

/// The `metrics` of a plots or log request (`[{metric, variants}]`) as a selection.
pub(super) fn metric_selection(body: &Value) -> Vec<(String, Vec<String>)> {
    body.get("metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let metric = m.get("metric").and_then(Value::as_str)?;
            Some((metric.to_string(), id_list(m, "variants")))
        })
        .collect()
}

/// `iters` of a plots request: 1 by default, at most 1000.
fn plot_iters(body: &Value) -> Result<usize, ApiError> {
    match body.get("iters").and_then(Value::as_i64) {
        None => Ok(1),
        Some(n @ 1..=1000) => Ok(n as usize),
        Some(n) => Err(ApiError::validation(format!(
            "iters={n}: must be between 1 and 1000"
        ))),
    }
}

/// `events.get_task_plots`: each variant's last `iters` plots, by metric and variant.
fn task_plots(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    load_entity(call, &task)?;
    let plots = call.store.last_plots(
        std::slice::from_ref(&task),
        &metric_selection(&call.body),
        plot_iters(&call.body)?,
        LastItersPer::Variant,
    )?;
    Ok(json!({"plots": plots, "returned": plots.len(), "total": plots.len(), "scroll_id": null}))
}

/// `events.get_multi_task_plots`: the plots of the tasks' last `iters` iterations (per
/// task and metric unless `last_iters_per_task_metric` is false), nested as
/// metric → variant → task → iteration → `{name, plots}`.
fn multi_task_plots(call: &mut Call) -> ApiResult {
    let names: Map<String, Value> = multi_tasks(call)?
        .into_iter()
        .map(|(t, doc)| (t, doc["name"].clone()))
        .collect();
    let tasks: Vec<String> = names.keys().cloned().collect();
    let per = if call
        .body
        .get("last_iters_per_task_metric")
        .and_then(Value::as_bool)
        .unwrap_or(true)
    {
        LastItersPer::TaskMetric
    } else {
        LastItersPer::Task
    };
    let iters = plot_iters(&call.body)?;
    let plots = call
        .store
        .last_plots(&tasks, &metric_selection(&call.body), iters, per)?;
    let total = plots.len();
    let mut out = json!({});
    let mut per_variant: HashMap<(String, String, String), usize> = HashMap::new();
    for p in plots {
        let key = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        let (m, v, t) = (key("metric"), key("variant"), key("task"));
        let seen = per_variant
            .entry((m.clone(), v.clone(), t.clone()))
            .or_default();
        if *seen >= iters {
            continue;
        }
        *seen += 1;
        let iter = p["iter"].as_i64().unwrap_or(0).to_string();
        // Indexing a JSON object by a missing key inserts it (as null, then an object).
        let slot = &mut out[&m][&v][&t][&iter];
        if slot.is_null() {
            *slot = json!({"name": names.get(&t), "plots": []});
        }
        if let Some(a) = slot["plots"].as_array_mut() {
            a.push(p.clone());
        }
    }
    Ok(json!({"plots": out, "returned": total, "total": total, "scroll_id": null}))
}

fn single_value_metrics(call: &mut Call) -> ApiResult {
    // event_metrics.py _get_task_single_value_metrics: `metrics` narrows to those metrics
    // (and their `variants` when listed).
    let wanted = metric_selection(&call.body);
    let keep = |metric: &str, variant: &str| {
        wanted.is_empty()
            || wanted
                .iter()
                .any(|(m, vs)| m == metric && (vs.is_empty() || vs.iter().any(|v| v == variant)))
    };
    let mut out = Vec::new();
    for t in id_list(&call.body, "tasks") {
        let Ok(doc) = load_entity(call, &t) else {
            continue;
        };
        let values: Vec<Value> = call
            .store
            .values_at_iteration(&t, SCALAR, SINGLE_VALUE_ITER)?
            .into_iter()
            .filter(|(metric, variant, _, _)| keep(metric, variant))
            .map(|(metric, variant, value, ts)| {
                json!({"metric": metric, "variant": variant, "value": value, "timestamp": ts})
            })
            .collect();
        if !values.is_empty() {
            out.push(json!({"task": t, "task_name": doc["name"], "values": values}));
        }
    }
    Ok(json!({"tasks": out}))
}
