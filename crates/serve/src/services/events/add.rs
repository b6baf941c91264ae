//! `events.add` / `add_batch`: validating, storing and folding reported events into their
//! task's (or model's) `last_metrics` and `last_iteration`.

use super::super::super::envelope::{ApiError, ApiResult};
use super::super::super::store::{Coll, NewEvent, Store};
use super::super::{now, now_ms, opt_bool, opt_str};
use super::{Call, EVENT_TYPES, SCALAR, SINGLE_VALUE_ITER, md5_hex};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Events refused, by reason, as the real server counts them (event_bll.add_events).
#[derive(Default)]
struct Refused {
    count: u64,
    info: Map<String, Value>,
}

impl Refused {
    fn add(&mut self, why: String) {
        self.count += 1;
        let n = self.info.get(&why).and_then(Value::as_u64).unwrap_or(0);
        self.info.insert(why, json!(n + 1));
    }
}

/// The events grouped by (model event?, id), the invalid ones counted in `refused`; a
/// model's events name it in `task` (or `model`). The checks and their error keys are the
/// real server's (event_bll.add_events).
fn group_events(events: Vec<Value>, refused: &mut Refused) -> HashMap<(bool, String), Vec<Value>> {
    let mut by_task: HashMap<(bool, String), Vec<Value>> = HashMap::new();
    for mut ev in events {
        let Some(kind) = ev.get("type").and_then(Value::as_str) else {
            refused.add("Event must have a 'type' field".into());
            continue;
        };
        let kind = kind.replace(' ', "_");
        if !EVENT_TYPES.contains(&kind.as_str()) {
            refused.add(format!("Invalid event type {kind}"));
            continue;
        }
        ev["type"] = json!(kind);
        let model_event = opt_bool(&ev, "model_event");
        if model_event && let Some(m) = ev.get("model").filter(|m| !m.is_null()).cloned() {
            ev["task"] = m;
        }
        if model_event && kind == "log" {
            refused.add("Task log events are not supported for models".into());
            continue;
        }
        match ev.get("task").and_then(Value::as_str) {
            Some(t) => by_task
                .entry((model_event, t.to_string()))
                .or_default()
                .push(ev),
            None => refused.add("Event must have a 'task' field".into()),
        }
    }
    by_task
}

pub(super) fn add_events(call: &mut Call, events: Vec<Value>) -> ApiResult {
    let mut refused = Refused::default();
    let by_task = group_events(events, &mut refused);
    // event_bll.py add_events: one id may not be both a task's and a model's.
    if let Some((_, id)) = by_task
        .keys()
        .find(|(model, id)| !model && by_task.contains_key(&(true, id.clone())))
    {
        return Err(ApiError::validation(format!(
            "Inconsistent model_event setting in the passed events: tasks={id}"
        )));
    }
    let mut added = 0;
    call.store.tx(|store| {
        for ((model_event, task_id), evs) in &by_task {
            added += store_events(store, *model_event, task_id, evs, &mut refused)?;
        }
        Ok::<(), ApiError>(())
    })?;
    if added == 0 {
        // Nothing stored: the real server's EventsNotAdded, naming each error and its count.
        let detail: Vec<String> = refused
            .info
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut e = ApiError::new(400, 131, "events not added");
        if !detail.is_empty() {
            e.msg.push_str(&format!(": {}", detail.join(", ")));
        }
        e.data = Value::Object(refused.info);
        return Err(e);
    }
    Ok(json!({"added": added, "errors": refused.count, "errors_info": refused.info}))
}

/// Store one task's (model's) events and fold them into its document; how many were
/// stored. A model's events update the model's last_metrics and last_iteration
/// (bll/model ModelBLL.update_statistics) as a task's do the task's.
fn store_events(
    store: &Store,
    model_event: bool,
    task_id: &str,
    evs: &[Value],
    refused: &mut Refused,
) -> Result<u64, ApiError> {
    let (coll, what) = if model_event {
        (Coll::Models, "model")
    } else {
        (Coll::Tasks, "task")
    };
    let Some(mut task) = store.get(coll, task_id)? else {
        for _ in evs {
            refused.add(format!("Invalid {what} id {task_id}"));
        }
        return Ok(0);
    };
    let mut changed = false;
    let mut added = 0;
    // The (metric, variant) pairs this batch has already folded in (see `fold_metric`).
    let mut in_batch = std::collections::HashSet::new();
    let known = key_counts(&task["last_metrics"]);
    for ev in evs {
        let kind = ev.get("type").and_then(Value::as_str).unwrap_or("log");
        let metric = opt_str(ev, "metric").unwrap_or_default();
        let variant = opt_str(ev, "variant").unwrap_or_default();
        let iter = ev.get("iter").and_then(Value::as_i64);
        let ts = ev
            .get("timestamp")
            .and_then(Value::as_f64)
            .map(|t| t as i64)
            .unwrap_or_else(now_ms);
        let value = ev.get("value").and_then(Value::as_f64);
        let mut doc = ev.clone();
        doc["timestamp"] = json!(ts);
        // event_bll.py:204: the label goes to last_metrics, not into the stored event.
        let label = doc
            .as_object_mut()
            .and_then(|o| o.remove("x_axis_label"))
            .filter(|l| l.is_string());
        if kind == SCALAR {
            let Some(v) = value else {
                refused.add("Scalar event must have a numeric 'value'".into());
                continue;
            };
            let it = iter.unwrap_or(0);
            if !task["last_metrics"].is_object() {
                task["last_metrics"] = json!({});
            }
            let entry = &mut task["last_metrics"][md5_hex(&metric)][md5_hex(&variant)];
            let first = in_batch.insert((metric.clone(), variant.clone()));
            let point = Point {
                value: v,
                iter: it,
                ts,
                label,
            };
            fold_metric(entry, &metric, &variant, &point, first);
            if it != SINGLE_VALUE_ITER && it > task["last_iteration"].as_i64().unwrap_or(0) {
                task["last_iteration"] = json!(it);
            }
            changed = true;
        } else if let Some(it) = iter.filter(|i| *i > task["last_iteration"].as_i64().unwrap_or(0))
        {
            task["last_iteration"] = json!(it);
            changed = true;
        }
        // Non-log events are keyed by task, type, metric, variant and iteration: a second
        // report of the same key replaces the first, as on the real server.
        if kind != "log" {
            store.replace_event_key(task_id, kind, &metric, &variant, iter)?;
        }
        store.insert_event(&NewEvent {
            task: task_id,
            kind,
            metric: &metric,
            variant: &variant,
            iter,
            ts,
            value,
            doc: &doc.to_string(),
        })?;
        added += 1;
    }
    if changed || model_event {
        order_new_keys(&mut task["last_metrics"], &known);
        task["last_update"] = json!(now());
        store.put(coll, &task)?;
    }
    Ok(added)
}

/// How many metric keys last_metrics holds, and how many variant keys each metric.
fn key_counts(last_metrics: &Value) -> (usize, HashMap<String, usize>) {
    let Some(m) = last_metrics.as_object() else {
        return (0, HashMap::new());
    };
    let variants = m
        .iter()
        .map(|(k, v)| (k.clone(), v.as_object().map_or(0, Map::len)))
        .collect();
    (m.len(), variants)
}

/// MongoDB (5.0 on) adds the new fields of one update in lexicographic order after the
/// existing ones, and the real server writes a batch's last_metrics in one update
/// (bll/task/utils.py:385-410): so metrics and variants first seen in this batch go after
/// the known ones, ordered by their hashed keys.
fn order_new_keys(last_metrics: &mut Value, known: &(usize, HashMap<String, usize>)) {
    fn sort_tail(map: &mut Map<String, Value>, keep: usize) {
        if map.len() <= keep + 1 {
            return;
        }
        let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
        entries[keep..].sort_by(|a, b| a.0.cmp(&b.0));
        map.extend(entries);
    }
    let Some(metrics) = last_metrics.as_object_mut() else {
        return;
    };
    sort_tail(metrics, known.0);
    for (key, variants) in metrics.iter_mut() {
        if let Some(v) = variants.as_object_mut() {
            sort_tail(v, known.1.get(key).copied().unwrap_or(0));
        }
    }
}

/// One scalar event as `fold_metric` takes it.
struct Point {
    value: f64,
    iter: i64,
    ts: i64,
    label: Option<Value>,
}

/// Update one last_metrics entry with a new scalar. `value` (and `x_axis_label`) follow
/// the latest (iteration, timestamp) of the event's own batch: the real server picks the
/// batch's latest event (event_bll.py:437-470) and then sets them unconditionally
/// (bll/task/utils.py:400), so a later batch wins even at a lower iteration, such as a
/// single value reported at the special iteration. min/max/first compare across batches.
fn fold_metric(entry: &mut Value, metric: &str, variant: &str, p: &Point, first_in_batch: bool) {
    let (value, iter, ts) = (p.value, p.iter, p.ts);
    if !entry.is_object() || entry.get("count").is_none() {
        *entry = json!({
            "metric": metric, "variant": variant, "value": value, "min_value": value,
            "min_value_iteration": iter, "max_value": value, "max_value_iteration": iter,
            "first_value": value, "first_value_iteration": iter, "mean_value": value, "count": 1,
            "_last_iter": iter, "_last_ts": ts,
        });
        if let Some(l) = &p.label {
            entry["x_axis_label"] = l.clone();
        }
        return;
    }
    let count = entry["count"].as_i64().unwrap_or(0);
    let mean = entry["mean_value"].as_f64().unwrap_or(value);
    entry["mean_value"] = json!((mean * count as f64 + value) / (count + 1) as f64);
    entry["count"] = json!(count + 1);
    if value < entry["min_value"].as_f64().unwrap_or(f64::INFINITY) {
        entry["min_value"] = json!(value);
        entry["min_value_iteration"] = json!(iter);
    }
    if value > entry["max_value"].as_f64().unwrap_or(f64::NEG_INFINITY) {
        entry["max_value"] = json!(value);
        entry["max_value_iteration"] = json!(iter);
    }
    if iter < entry["first_value_iteration"].as_i64().unwrap_or(i64::MAX) {
        entry["first_value"] = json!(value);
        entry["first_value_iteration"] = json!(iter);
    }
    let (li, lt) = (
        entry["_last_iter"].as_i64().unwrap_or(i64::MIN),
        entry["_last_ts"].as_i64().unwrap_or(0),
    );
    if first_in_batch || (iter, ts) >= (li, lt) {
        entry["value"] = json!(value);
        entry["_last_iter"] = json!(iter);
        entry["_last_ts"] = json!(ts);
        if let Some(l) = &p.label {
            entry["x_axis_label"] = l.clone();
        }
    }
}
