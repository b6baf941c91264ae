//! The workers' reported utilization over the last hour (CPU, GPU and memory, in %),
//! one chart per worker, from `workers.get_stats` (the machine statistics an agent sends
//! with its status reports).

use super::Ctx;
use crate::envelope::ApiError;
use clearml_chart::{Series, SvgLook, render_svg_with};
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The window drawn and its buckets (seconds).
const WINDOW: i64 = 3600;
const INTERVAL: i64 = 60;
/// Workers charted at most.
const MAX_WORKERS: usize = 20;

/// metric key → bucket start (ms) → average, for one worker.
type Stats = BTreeMap<String, BTreeMap<i64, f64>>;

fn per_worker(reply: &Value) -> BTreeMap<String, Stats> {
    let mut out: BTreeMap<String, Stats> = BTreeMap::new();
    for w in reply["workers"].as_array().into_iter().flatten() {
        let entry = out
            .entry(w["worker"].as_str().unwrap_or("").to_string())
            .or_default();
        for m in w["metrics"].as_array().into_iter().flatten() {
            let Some(st) = m["stats"].get(0) else {
                continue;
            };
            let dates = st["dates"].as_array().cloned().unwrap_or_default();
            let values = st["values"].as_array().cloned().unwrap_or_default();
            let series = entry
                .entry(m["metric"].as_str().unwrap_or("").to_string())
                .or_default();
            for (d, v) in dates.iter().zip(&values) {
                // Bucket starts in ms, as the real server's date histogram keys are (its
                // schema says seconds; `_extract_results` in `bll/workers/stats.py`
                // passes Elasticsearch's millisecond keys through).
                if let (Some(d), Some(v)) = (d.as_i64(), v.as_f64()) {
                    series.insert(d, v);
                }
            }
        }
    }
    out
}

/// CPU, GPU and memory use in %, at the buckets where the worker reported anything (the
/// server answers 0 for a bucket without reports).
fn series(stats: &Stats) -> Vec<Series> {
    let get = |k: &str, t: i64| stats.get(k).and_then(|m| m.get(&t)).copied().unwrap_or(0.0);
    let times: Vec<i64> = stats
        .values()
        .flat_map(|m| m.iter().filter(|(_, v)| **v != 0.0).map(|(t, _)| *t))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let line = |label: &str, f: &dyn Fn(i64) -> Option<f64>| {
        let (x, y): (Vec<f64>, Vec<f64>) = times
            .iter()
            .filter_map(|&t| f(t).map(|v| (t as f64, v)))
            .unzip();
        Series {
            label: label.into(),
            x,
            y,
            ..Series::default()
        }
    };
    let memory = |t: i64| {
        let (used, free) = (get("memory_used", t), get("memory_free", t));
        (used + free > 0.0).then(|| 100.0 * used / (used + free))
    };
    vec![
        line("CPU %", &|t| Some(get("cpu_usage", t))),
        line("GPU %", &|t| Some(get("gpu_usage", t))),
        line("Memory %", &memory),
    ]
    .into_iter()
    .filter(|s| s.y.iter().any(|v| *v != 0.0))
    .collect()
}

/// The Utilization section of the workers page.
pub fn section(ctx: &Ctx, workers: &[Value], now_s: i64) -> Result<Markup, ApiError> {
    let ids: Vec<&str> = workers
        .iter()
        .filter_map(|w| w["id"].as_str())
        .take(MAX_WORKERS)
        .collect();
    if ids.is_empty() {
        return Ok(html! {});
    }
    let items: Vec<Value> = ["cpu_usage", "gpu_usage", "memory_used", "memory_free"]
        .iter()
        .map(|k| json!({"key": k, "aggregation": "avg"}))
        .collect();
    // The server leaves out the interval `to_date` falls in while it is under 90% over
    // (as the real one does), so the window ends where the current interval ends: the
    // latest reports are drawn, as that interval's average so far.
    let to = (now_s.div_euclid(INTERVAL) + 1) * INTERVAL;
    let reply = ctx.api(
        "workers.get_stats",
        json!({"worker_ids": ids, "items": items, "interval": INTERVAL,
               "from_date": to - WINDOW, "to_date": to}),
    )?;
    let stats = per_worker(&reply);
    let look = SvgLook {
        background: None,
        classes: true,
        x_time: true,
        width: 720.0,
        height: 300.0,
        legend_width: 110.0,
        data_bounds: true,
        ..SvgLook::default()
    };
    Ok(html! {
        h2 #utilization { "Utilization (last hour)" }
        @let charted: Vec<(&&str, Vec<Series>)> = ids.iter()
            .map(|w| (w, stats.get(*w).map(series).unwrap_or_default()))
            .filter(|(_, s)| !s.is_empty()).collect();
        @if charted.is_empty() { p.muted { "No machine statistics reported in the last hour." } }
        div.charts {
            @for (w, list) in &charted {
                div.chartbox.utilization data-worker=(w) {
                    (PreEscaped(render_svg_with(w, "time (UTC)", list, &look)))
                }
            }
        }
    })
}
