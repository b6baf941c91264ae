//! The scalar histogram calls (`events.scalar_metrics_iter_histogram` and its
//! multi-task form): a task's scalar rows grouped by metric and variant, averaged into at
//! most `samples` buckets per series, as JSON for the API and as numbers for the pages.

use super::{SCALAR, SINGLE_VALUE_ITER, id_list, load_entity, md5_hex, multi_tasks, req_str};
use crate::Call;
use crate::envelope::{ApiError, ApiResult};
use crate::store::Store;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// (iteration, timestamp ms, value) points of one scalar series.
pub(super) type Points = Vec<(i64, i64, f64)>;
/// Scalar series keyed by (metric, variant).
pub(super) type SeriesByName = BTreeMap<(String, String), Points>;

pub(super) fn scalar_rows(
    store: &Store,
    task: &str,
    metrics: Option<&[(String, Vec<String>)]>,
) -> Result<SeriesByName, ApiError> {
    let mut out = SeriesByName::new();
    // Rows come grouped by metric and variant: the series being filled is looked up (and
    // its names allocated) once per series, not once per point.
    let mut current: Option<((String, String), Points)> = None;
    let mut add = |m: &str, v: &str, i: i64, t: i64, val: f64| {
        if i == SINGLE_VALUE_ITER {
            return;
        }
        if let Some(((cm, cv), pts)) = &mut current
            && cm == m
            && cv == v
        {
            pts.push((i, t, val));
            return;
        }
        if let Some(filter) = metrics
            && !filter
                .iter()
                .any(|(fm, fv)| fm == m && (fv.is_empty() || fv.iter().any(|x| x == v)))
        {
            return;
        }
        if let Some((key, pts)) = current.take() {
            out.entry(key).or_default().extend(pts);
        }
        current = Some(((m.to_string(), v.to_string()), vec![(i, t, val)]));
    };
    match metrics {
        // Only the rows of the metrics asked for are read.
        Some(filter) => {
            let names: std::collections::BTreeSet<&str> =
                filter.iter().map(|(m, _)| m.as_str()).collect();
            for m in names {
                store.for_each_scalar_ref(task, SCALAR, Some(m), &mut add)?;
            }
        }
        None => store.for_each_scalar_ref(task, SCALAR, None, &mut add)?,
    }
    if let Some((key, pts)) = current {
        out.entry(key).or_default().extend(pts);
    }
    Ok(out)
}

pub(super) type MetricsFilter = Option<Vec<(String, Vec<String>)>>;

fn metrics_filter(body: &Value) -> MetricsFilter {
    let list = body.get("metrics")?.as_array()?;
    let f: Vec<(String, Vec<String>)> = list
        .iter()
        .filter_map(|m| {
            Some((
                m.get("metric")?.as_str()?.to_string(),
                id_list(m, "variants"),
            ))
        })
        .collect();
    (!f.is_empty()).then_some(f)
}

/// The histogram's buckets of one metric/variant as the real server gives them: when
/// there are `samples` points or more, x values are grouped into buckets of a width that
/// leaves at most `samples` of them over the range (aligned to multiples of the width),
/// each bucket's y the average of its points; fewer points keep one bucket per distinct
/// x. x is the iteration (`by_iter`) or the timestamp (ms).
pub fn buckets(points: &[(i64, i64, f64)], by_iter: bool, samples: usize) -> Vec<(i64, f64)> {
    let mut xy: Vec<(i64, f64)> = points
        .iter()
        .map(|(i, t, v)| (if by_iter { *i } else { *t }, *v))
        .collect();
    let interval = match (xy.iter().map(|p| p.0).min(), xy.iter().map(|p| p.0).max()) {
        (Some(lo), Some(hi)) => bucket_width(xy.len(), lo, hi, samples),
        _ => 1,
    };
    for p in &mut xy {
        p.0 = p.0.div_euclid(interval) * interval;
    }
    // Rows come in iteration order, so the buckets are runs; a time axis may need a sort
    // (stable: each bucket sums its values in the order they came, as before).
    if !xy.windows(2).all(|w| w[0].0 <= w[1].0) {
        xy.sort_by_key(|p| p.0);
    }
    let mut buckets: Vec<(i64, f64, usize)> = Vec::with_capacity(xy.len().min(samples.max(1)));
    for (x, y) in xy {
        match buckets.last_mut() {
            Some(b) if b.0 == x => {
                b.1 += y;
                b.2 += 1;
            }
            _ => buckets.push((x, y, 1)),
        }
    }
    buckets
        .into_iter()
        .map(|(x, sum, n)| (x, sum / n as f64))
        .collect()
}

/// [`buckets`] as the API answers them: `key` picks x: iteration, timestamp (ms) or the
/// timestamp as an ISO string.
fn series(points: &[(i64, i64, f64)], key: &str, samples: usize) -> (Vec<Value>, Vec<Value>) {
    buckets(points, key == "iter", samples)
        .into_iter()
        .map(|(x, y)| {
            let x = if key == "iso_time" {
                json!(
                    chrono::DateTime::from_timestamp_millis(x)
                        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                        .unwrap_or_default()
                )
            } else {
                json!(x)
            };
            (x, json!(y))
        })
        .unzip()
}

/// The bucket width for `n` points from x `lo` to `hi`: 1 (every distinct x) below
/// `samples` points, else wide enough to leave at most `samples` buckets.
fn bucket_width(n: usize, lo: i64, hi: i64, samples: usize) -> i64 {
    if samples > 0 && n >= samples {
        let range = (hi - lo + 1) as f64;
        ((range / samples as f64).ceil() as i64).max(1)
    } else {
        1
    }
}

/// What both scalar-histogram calls read from the request: the sample budget, the x-axis
/// key and the optional metric/variant filter.
pub(super) fn histogram_params(body: &Value) -> Result<(usize, String, MetricsFilter), ApiError> {
    let samples = match body.get("samples") {
        None | Some(Value::Null) => 2000,
        Some(v) => match v.as_i64() {
            Some(n @ 1..=6000) => n as usize,
            _ => {
                return Err(ApiError::validation(format!(
                    "samples={v}: must be between 1 and 6000"
                )));
            }
        },
    };
    let key = scalar_key(body)?;
    Ok((samples, key, metrics_filter(body)))
}

/// The `key` of scalar reads: `iter` (default), `timestamp` or `iso_time`.
pub(super) fn scalar_key(body: &Value) -> Result<String, ApiError> {
    match body.get("key") {
        None | Some(Value::Null) => Ok("iter".into()),
        Some(Value::String(k)) if ["iter", "timestamp", "iso_time"].contains(&k.as_str()) => {
            Ok(k.clone())
        }
        Some(other) => Err(ApiError::validation(format!(
            "key={other}: must be one of iter, timestamp, iso_time"
        ))),
    }
}

pub(super) fn iter_histogram(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    let doc = load_entity(call, &task)?;
    let (samples, key, filter) = histogram_params(&call.body)?;
    let mut out = Map::new();
    for ((m, v), pts) in scalar_rows(call.store, &task, filter.as_deref())? {
        let (x, y) = series(&pts, &key, samples);
        let mut data = json!({"name": v, "x": x, "y": y});
        // bll/event/event_metrics.py:121-125: the variant's x_axis_label from last_metrics.
        let label = &doc["last_metrics"][md5_hex(&m)][md5_hex(&v)]["x_axis_label"];
        if label.is_string() {
            data["x_axis_label"] = label.clone();
        }
        out.entry(m).or_insert_with(|| json!({}))[&v] = data;
    }
    Ok(Value::Object(out))
}

pub(super) fn multi_task_histogram(call: &mut Call) -> ApiResult {
    let tasks = multi_tasks(call)?;
    let (samples, key, filter) = histogram_params(&call.body)?;
    let mut out = Map::new();
    for (t, doc) in tasks {
        for ((m, v), pts) in scalar_rows(call.store, &t, filter.as_deref())? {
            let (x, y) = series(&pts, &key, samples);
            let entry = out.entry(m).or_insert_with(|| json!({}));
            if !entry[&v].is_object() {
                entry[&v] = json!({});
            }
            entry[&v][&t] =
                json!({"name": doc["name"], "x": Value::Array(x), "y": Value::Array(y)});
        }
    }
    Ok(json!({"metrics": out}))
}

/// One task's averaged curve of a metric/variant.
pub struct Curve {
    pub task: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// Each metric (in the order first reported) with each of its variants (likewise) and
/// their curves in task order.
pub type Curves = Vec<(String, Vec<(String, Vec<Curve>)>)>;

/// Add a task's curve of metric `m`, variant `v` to `out`, keeping the order in which
/// metrics and variants first came.
pub(super) fn add_curve(out: &mut Curves, m: String, v: String, curve: Curve) {
    let at = match out.iter().position(|(name, _)| *name == m) {
        Some(at) => at,
        None => {
            out.push((m, Vec::new()));
            out.len() - 1
        }
    };
    let variants = &mut out[at].1;
    match variants.iter_mut().find(|(name, _)| *name == v) {
        Some((_, curves)) => curves.push(curve),
        None => variants.push((v, vec![curve])),
    }
}

/// `events.multi_task_scalar_metrics_iter_histogram`'s answer as numbers rather than
/// JSON (the same tasks, checks, buckets and order), for the compare page, which drew
/// 300 curves from 75,000 JSON values it had built only to read them back. x is the
/// iteration, or the timestamp (ms) for any other `key`.
pub fn multi_task_curves(call: &mut Call) -> Result<Curves, ApiError> {
    let tasks = multi_tasks(call)?;
    let (samples, key, filter) = histogram_params(&call.body)?;
    let mut out: Curves = Vec::new();
    for (t, _) in tasks {
        for ((m, v), pts) in scalar_rows(call.store, &t, filter.as_deref())? {
            let (x, y) = buckets(&pts, key == "iter", samples)
                .into_iter()
                .map(|(x, y)| (x as f64, y))
                .unzip();
            let curve = Curve {
                task: t.clone(),
                x,
                y,
            };
            add_curve(&mut out, m, v, curve);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn buckets_average_in_x_order_whatever_order_the_points_came_in() {
        // (iteration, timestamp, value): by time the rows are not in order.
        let pts = [
            (0, 30, 1.0),
            (0, 10, 3.0),
            (1, 20, 5.0),
            (2, 5, 7.0),
            (3, 40, 9.0),
        ];
        let (x, y) = series(&pts, "iter", 100);
        assert_eq!(
            (x, y),
            (
                vec![json!(0), json!(1), json!(2), json!(3)],
                vec![json!(2.0), json!(5.0), json!(7.0), json!(9.0)]
            )
        );
        let (x, y) = series(&pts, "timestamp", 100);
        assert_eq!(x, [json!(5), json!(10), json!(20), json!(30), json!(40)]);
        assert_eq!(
            y,
            [json!(7.0), json!(3.0), json!(5.0), json!(1.0), json!(9.0)]
        );
        // Two buckets of width 2 over iterations 0..3.
        let (x, y) = series(&pts, "iter", 2);
        assert_eq!(
            (x, y),
            (vec![json!(0), json!(2)], vec![json!(3.0), json!(8.0)])
        );
        assert_eq!(bucket_width(500, 0, 499, 400), 2);
        assert_eq!(bucket_width(399, 0, 499, 400), 1);
    }
}
