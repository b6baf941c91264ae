//! `serving.*`: model-serving containers (clearml-serving) register and report here; the
//! real server keeps each entry in Redis for its `timeout`, so they live in memory and
//! expire the same way, and the endpoint summaries are computed from the live entries.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::{now, req_str};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The real server's default registration timeout (10 minutes).
const DEFAULT_TIMEOUT_SEC: i64 = 600;
/// Bounds the memory clients can make the server hold: entries beyond it are refused.
const MAX_CONTAINERS: usize = 10_000;
/// Fields of a registration or report kept in the entry (the schema's serving model).
const ENTRY_FIELDS: &[&str] = &[
    "container_id",
    "endpoint_name",
    "endpoint_url",
    "model_name",
    "model_source",
    "model_version",
    "preprocess_artifact",
    "input_type",
    "input_size",
    "tags",
    "system_tags",
    "reference",
    "uptime_sec",
    "requests_num",
    "requests_min",
    "latency_ms",
    "machine_stats",
];

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "register_container" => register(call, false),
        "container_status_report" => register(call, true),
        "unregister_container" => unregister(call),
        "get_endpoints" => Ok(json!({"endpoints": endpoints(call)})),
        "get_loading_instances" => Ok(json!({"instances": loading(call)})),
        "get_endpoint_details" => details(call),
        "get_endpoint_metrics_history" => metrics_history(call),
        _ => return None,
    })
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The live entries (expired ones are dropped, as Redis drops them).
fn live<'a>(call: &Call<'a>) -> std::sync::MutexGuard<'a, HashMap<String, Value>> {
    let mut map = call.state.serving.lock().unwrap_or_else(|p| p.into_inner());
    let t = now_secs();
    map.retain(|_, e| e["expires"].as_i64().unwrap_or(0) > t);
    map
}

fn register(call: &mut Call, is_report: bool) -> ApiResult {
    let body = &call.body;
    let id = req_str(body, "container_id")?;
    req_str(body, "endpoint_name")?;
    req_str(body, "model_name")?;
    if is_report && body["endpoint_url"].as_str().is_none_or(str::is_empty) {
        return Err(ApiError::validation(
            "Missing required field 'endpoint_url'",
        ));
    }
    let timeout = match body.get("timeout") {
        None | Some(Value::Null) => DEFAULT_TIMEOUT_SEC,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => n,
            _ => return Err(ApiError::validation(format!("timeout={v}: must be >=1"))),
        },
    };
    let mut entry = Map::new();
    for f in ENTRY_FIELDS {
        if let Some(v) = body.get(*f).filter(|v| !v.is_null()) {
            entry.insert(f.to_string(), v.clone());
        }
    }
    let t = now();
    let mut map = live(call);
    let previous = map.get(&id).cloned();
    if previous.is_none() && map.len() >= MAX_CONTAINERS {
        return Err(ApiError::validation(format!(
            "more than {MAX_CONTAINERS} serving containers are registered; unregister some first"
        )));
    }
    // A report keeps the registration's time and timeout; a registration starts anew.
    let (register_time, register_timeout, registered_at) = match (&previous, is_report) {
        (Some(p), true) => (
            p["register_time"].clone(),
            p["register_timeout"].as_i64().unwrap_or(timeout),
            p["registered_at"].as_i64().unwrap_or_else(now_secs),
        ),
        (None, true) => (json!(t), DEFAULT_TIMEOUT_SEC, now_secs()),
        _ => (json!(t), timeout, now_secs()),
    };
    entry.insert("register_time".into(), register_time);
    entry.insert("register_timeout".into(), json!(register_timeout));
    entry.insert("registered_at".into(), json!(registered_at));
    entry.insert("last_activity_time".into(), json!(t));
    entry.insert("expires".into(), json!(now_secs() + register_timeout));
    map.insert(id, Value::Object(entry));
    Ok(json!({}))
}

fn unregister(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "container_id")?;
    // The real server's default (`container_auto_unregister`) accepts an unknown id.
    live(call).remove(&id);
    Ok(json!({}))
}

/// The entries serving one URL (`None` = still loading: no URL yet), oldest first.
fn by_url(map: &HashMap<String, Value>, url: Option<&str>) -> Vec<Value> {
    let mut list: Vec<Value> = map
        .values()
        .filter(|e| e["endpoint_url"].as_str().filter(|u| !u.is_empty()) == url)
        .cloned()
        .collect();
    list.sort_by_key(|e| e["registered_at"].as_i64());
    list
}

fn max_of(entries: &[Value], field: &str) -> Value {
    entries
        .iter()
        .map(|e| &e[field])
        .filter(|v| !v.is_null())
        .max_by(|a, b| match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.as_str().cmp(&b.as_str()),
        })
        .cloned()
        .unwrap_or(Value::Null)
}

fn summary(entries: &[Value]) -> Value {
    let values = |f: &str| -> Vec<f64> { entries.iter().filter_map(|e| e[f].as_f64()).collect() };
    let avg = |f: &str, digits: i32| {
        let v = values(f);
        if v.is_empty() {
            return Value::Null;
        }
        let a = v.iter().sum::<f64>() / v.len() as f64;
        let scale = 10f64.powi(digits);
        if digits == 0 {
            json!(a.round() as i64)
        } else {
            json!((a * scale).round() / scale)
        }
    };
    let first = &entries[0];
    json!({
        "endpoint": first["endpoint_name"], "model": first["model_name"],
        "url": first["endpoint_url"], "instances": entries.len(),
        "uptime_sec": max_of(entries, "uptime_sec"),
        "requests": values("requests_num").iter().sum::<f64>() as i64,
        "requests_min": avg("requests_min", 2),
        "latency_ms": avg("latency_ms", 0),
        "last_update": max_of(entries, "last_activity_time"),
    })
}

fn endpoints(call: &Call) -> Vec<Value> {
    let map = live(call);
    let mut urls: Vec<&str> = map
        .values()
        .filter_map(|e| e["endpoint_url"].as_str().filter(|u| !u.is_empty()))
        .collect();
    urls.sort_unstable();
    urls.dedup();
    urls.iter()
        .map(|u| summary(&by_url(&map, Some(u))))
        .collect()
}

fn loading(call: &Call) -> Vec<Value> {
    let map = live(call);
    let t = now_secs();
    by_url(&map, None)
        .iter()
        .map(|e| {
            json!({
                "id": e["container_id"], "endpoint": e["endpoint_name"], "url": e["endpoint_url"],
                "model": e["model_name"], "model_source": e["model_source"],
                "model_version": e["model_version"], "preprocess_artifact": e["preprocess_artifact"],
                "input_type": e["input_type"], "input_size": e["input_size"],
                "uptime_sec": e["uptime_sec"],
                "age_sec": t - e["registered_at"].as_i64().unwrap_or(t),
                "last_update": e["last_activity_time"],
            })
        })
        .collect()
}

fn no_containers(url: &str) -> ApiError {
    ApiError::new(
        400,
        1052,
        format!("No container instances found for service url: url={url}"),
    )
}

fn details(call: &mut Call) -> ApiResult {
    let url = req_str(&call.body, "endpoint_url")?;
    let map = live(call);
    let entries = by_url(&map, Some(&url));
    let Some(first) = entries.first() else {
        return Err(no_containers(&url));
    };
    let count = |v: &Value| match v {
        Value::Null => 0,
        Value::Array(a) => a.len(),
        _ => 1,
    };
    let instances: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "id": e["container_id"], "uptime_sec": e["uptime_sec"],
                "requests": e["requests_num"], "requests_min": e["requests_min"],
                "latency_ms": e["latency_ms"], "last_update": e["last_activity_time"],
                "reference": e.get("reference").cloned().unwrap_or(json!([])),
                "cpu_count": count(&e["machine_stats"]["cpu_usage"]),
                "gpu_count": count(&e["machine_stats"]["gpu_usage"]),
            })
        })
        .collect();
    Ok(json!({
        "endpoint": first["endpoint_name"], "model": first["model_name"], "url": first["endpoint_url"],
        "preprocess_artifact": first["preprocess_artifact"], "input_type": first["input_type"],
        "input_size": first["input_size"], "model_source": first["model_source"],
        "model_version": first["model_version"],
        "uptime_sec": max_of(&entries, "uptime_sec"),
        "last_update": max_of(&entries, "last_activity_time"),
        "instances": instances,
    }))
}

/// Each `metric_type` and its chart title (bll/serving/stats.py `agg_fields`).
const METRIC_TITLES: &[(&str, &str)] = &[
    ("requests", "Number of Requests"),
    ("requests_min", "Requests per Minute"),
    ("latency_ms", "Average Latency (ms)"),
    ("cpu_count", "CPU Count"),
    ("gpu_count", "GPU Count"),
    ("cpu_util", "Average CPU Load (%)"),
    ("gpu_util", "Average GPU Utilization (%)"),
    ("ram_total", "RAM Total (GB)"),
    ("ram_used", "RAM Used (GB)"),
    ("ram_free", "RAM Free (GB)"),
    ("gpu_ram_total", "GPU RAM Total (GB)"),
    ("gpu_ram_used", "GPU RAM Used (GB)"),
    ("gpu_ram_free", "GPU RAM Free (GB)"),
    ("network_rx", "Network Throughput RX (MBps)"),
    ("network_tx", "Network Throughput TX (MBps)"),
];

/// The shortest chart interval the real server computes (services.serving
/// min_chart_interval_sec, 40 by default).
const MIN_CHART_INTERVAL: i64 = 40;

/// The real server charts reports stored over time; `serve` keeps only the latest report
/// of each container, so the history is empty but shaped as bll/serving/stats.py
/// get_endpoint_metrics answers: the interval at least 40 s, the metric's chart title.
fn metrics_history(call: &mut Call) -> ApiResult {
    let body = &call.body;
    for f in ["from_date", "to_date", "interval"] {
        if body.get(f).is_none_or(Value::is_null) {
            return Err(ApiError::missing_field(f));
        }
    }
    let url = req_str(body, "endpoint_url")?;
    let metric = body["metric_type"].as_str().unwrap_or("requests");
    let Some((_, title)) = METRIC_TITLES.iter().find(|(m, _)| *m == metric) else {
        return Err(ApiError::validation(format!(
            "metric_type={metric}: not one of {}",
            METRIC_TITLES
                .iter()
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let (from, to) = (body["from_date"].as_f64(), body["to_date"].as_f64());
    if from.zip(to).is_some_and(|(f, t)| f >= t) {
        return Err(ApiError::new(
            400,
            16,
            "invalid value for fields: from_date must be less than to_date",
        ));
    }
    let interval = body["interval"]
        .as_i64()
        .unwrap_or(1)
        .max(MIN_CHART_INTERVAL);
    let map = live(call);
    if by_url(&map, Some(&url)).is_empty() {
        return Err(no_containers(&url));
    }
    Ok(json!({
        "computed_interval": interval,
        "total": {"title": title, "dates": [], "values": []},
        "instances": {},
    }))
}
