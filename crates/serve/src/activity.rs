//! In-memory activity the real server keeps in Redis and Elasticsearch: registered workers
//! (expiring after their timeout), the machine statistics workers report, and samples of
//! queue lengths and waiting times taken whenever a queue changes. The samples are also
//! written to the database (the real server keeps them in Elasticsearch) and read back at
//! start, so the charts survive a restart; registered workers do not (they register
//! again). The sample logs are bounded so a long-running server stays small.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Most samples of each log kept (the oldest go first).
const MAX_WORKER_SAMPLES: usize = 100_000;
const MAX_QUEUE_SAMPLES: usize = 50_000;
/// The real server's default worker registration timeout (seconds).
pub const DEFAULT_WORKER_TIMEOUT: i64 = 600;
/// Its smallest chart interval for worker statistics (seconds).
const MIN_CHART_INTERVAL: i64 = 40;
/// Queue metrics look back this far before `from_date` (seconds), as the real server does.
const QUEUE_METRICS_BEFORE: f64 = 3600.0;

/// One reported machine statistic value.
struct WorkerSample {
    ts_ms: i64,
    worker: String,
    has_task: bool,
    category: String,
    metric: String,
    variant: String,
    value: f64,
}

/// A queue's state at one moment.
struct QueueSample {
    ts_ms: i64,
    queue: String,
    avg_waiting: f64,
    length: usize,
}

#[derive(Default)]
pub struct Activity {
    /// Worker id → worker document (internal keys start with `_`).
    workers: HashMap<String, Value>,
    worker_stats: VecDeque<WorkerSample>,
    queue_metrics: VecDeque<QueueSample>,
    /// Samples logged since the last `take_unsaved`, as (kind, ms, JSON).
    unsaved: Vec<(&'static str, i64, String)>,
}

/// The activity table's kinds, and how many samples of each are kept.
const WORKER_KIND: &str = "worker_stats";
const QUEUE_KIND: &str = "queue_metrics";
const KEPT: [(&str, usize); 2] = [
    (WORKER_KIND, MAX_WORKER_SAMPLES),
    (QUEUE_KIND, MAX_QUEUE_SAMPLES),
];

impl WorkerSample {
    fn to_json(&self) -> String {
        json!({"w": self.worker, "t": self.has_task, "c": self.category, "m": self.metric,
               "v": self.variant, "x": self.value})
        .to_string()
    }
    fn from_json(ts_ms: i64, doc: &str) -> Option<Self> {
        let d: Value = serde_json::from_str(doc).ok()?;
        Some(WorkerSample {
            ts_ms,
            worker: d["w"].as_str()?.to_string(),
            has_task: d["t"].as_bool().unwrap_or(false),
            category: d["c"].as_str()?.to_string(),
            metric: d["m"].as_str()?.to_string(),
            variant: d["v"].as_str()?.to_string(),
            value: d["x"].as_f64()?,
        })
    }
}

impl QueueSample {
    fn to_json(&self) -> String {
        json!({"q": self.queue, "a": self.avg_waiting, "l": self.length}).to_string()
    }
    fn from_json(ts_ms: i64, doc: &str) -> Option<Self> {
        let d: Value = serde_json::from_str(doc).ok()?;
        Some(QueueSample {
            ts_ms,
            queue: d["q"].as_str()?.to_string(),
            avg_waiting: d["a"].as_f64()?,
            length: d["l"].as_u64()? as usize,
        })
    }
}

/// The reports a `from`..`to` (seconds) statistics query reads, in ms. The real server's
/// range is whole seconds with `to`'s second included to its last millisecond
/// (`dates_range` in `apiserver/bll/query/builder.py`: `gte`/`lte` of `int()` seconds in
/// `epoch_second`, and Elasticsearch rounds an `lte` bound up), so a report stamped within
/// the second a client calls "now" is in range.
fn seconds_range(from: f64, to: f64) -> (i64, i64) {
    ((from as i64) * 1000, (to as i64) * 1000 + 999)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Does `id` match a worker pattern with `*` and `?` wildcards?
fn glob_match(pattern: &str, id: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = id.chars().collect();
    // dp[j]: pattern[..i] matches s[..j]
    let mut dp = vec![false; s.len() + 1];
    dp[0] = true;
    for &c in &p {
        let mut next = vec![false; s.len() + 1];
        if c == '*' {
            let mut any = false;
            for j in 0..=s.len() {
                any |= dp[j];
                next[j] = any;
            }
        } else {
            for j in 1..=s.len() {
                next[j] = dp[j - 1] && (c == '?' || c == s[j - 1]);
            }
            if c == '?' {
                // `?` may also match nothing, as the server's `.?` translation does.
                for j in 0..=s.len() {
                    next[j] |= dp[j];
                }
            }
        }
        dp = next;
    }
    dp[s.len()]
}

/// Does a worker's tag list pass a filter list (`tag` = one of these required, `-tag` =
/// excluded)?
fn tags_pass(have: &Value, filter: &[String]) -> bool {
    let have: Vec<&str> = have
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let (exclude, include): (Vec<&String>, Vec<&String>) =
        filter.iter().partition(|t| t.starts_with('-'));
    (include.is_empty() || include.iter().any(|t| have.contains(&t.as_str())))
        && !exclude.iter().any(|t| have.contains(&&t[1..]))
}

/// Query of `workers.get_all` / `get_count`.
#[derive(Default)]
pub struct WorkerQuery {
    pub last_seen: Option<i64>,
    pub tags: Vec<String>,
    pub system_tags: Vec<String>,
    pub pattern: Option<String>,
}

impl Activity {
    /// Samples saved by an earlier run (oldest first; unreadable rows are passed over).
    fn restore(&mut self, kind: &str, rows: Vec<(i64, String)>) {
        for (ts, doc) in rows {
            match kind {
                WORKER_KIND => self.worker_stats.extend(WorkerSample::from_json(ts, &doc)),
                QUEUE_KIND => self.queue_metrics.extend(QueueSample::from_json(ts, &doc)),
                _ => {}
            }
        }
    }

    /// Read back the samples an earlier run saved in `store`.
    pub fn load(store: &super::store::Store) -> super::store::StoreResult<Activity> {
        let mut act = Activity::default();
        for (kind, keep) in KEPT {
            act.restore(kind, store.load_activity(kind, keep)?);
        }
        Ok(act)
    }

    /// Write the samples logged since the last save to `store`.
    pub fn save(&mut self, store: &super::store::Store) -> super::store::StoreResult<()> {
        let unsaved = std::mem::take(&mut self.unsaved);
        for (kind, keep) in KEPT {
            let rows: Vec<(i64, String)> = unsaved
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, ts, doc)| (*ts, doc.clone()))
                .collect();
            store.append_activity(kind, &rows, keep)?;
        }
        Ok(())
    }

    fn expire_workers(&mut self) {
        let now = now_ms();
        self.workers
            .retain(|_, w| w["_expires_ms"].as_i64().is_none_or(|e| e > now));
    }

    /// Store a worker document; it expires `timeout` seconds after now.
    pub fn put_worker(&mut self, id: &str, mut doc: Value, timeout: i64) {
        doc["register_timeout"] = json!(timeout);
        doc["_expires_ms"] = json!(now_ms() + timeout.saturating_mul(1000));
        self.workers.insert(id.to_string(), doc);
    }

    /// A live worker's document.
    pub fn worker(&mut self, id: &str) -> Option<Value> {
        self.expire_workers();
        self.workers.get(id).cloned()
    }

    pub fn remove_worker(&mut self, id: &str) -> bool {
        self.workers.remove(id).is_some()
    }

    /// Live workers matching the query, without internal keys.
    pub fn workers(&mut self, q: &WorkerQuery) -> Vec<Value> {
        self.expire_workers();
        let since = q
            .last_seen
            .filter(|s| *s > 0)
            .map(|s| now_ms() - s.max(1) * 1000);
        let mut out: Vec<Value> = self
            .workers
            .iter()
            .filter(|(id, w)| {
                since.is_none_or(|t| w["_last_activity_ms"].as_i64().unwrap_or(0) >= t)
                    && (q.tags.is_empty() || tags_pass(&w["tags"], &q.tags))
                    && (q.system_tags.is_empty() || tags_pass(&w["system_tags"], &q.system_tags))
                    && q.pattern.as_deref().is_none_or(|p| glob_match(p, id))
            })
            .map(|(_, w)| {
                let mut w = w.clone();
                if let Some(o) = w.as_object_mut() {
                    o.retain(|k, _| !k.starts_with('_'));
                }
                w
            })
            .collect();
        out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        out
    }

    /// Log a status report's machine statistics (`timestamp` in ms since the epoch): each
    /// list value is one sample per resource (variant "0", "1", …), a scalar is "total".
    pub fn log_machine_stats(&mut self, worker: &str, ts_ms: i64, has_task: bool, stats: &Value) {
        let Some(stats) = stats.as_object() else {
            return;
        };
        for (field, value) in stats {
            let category = field.split('_').next().unwrap_or(field).to_string();
            let mut push = |variant: String, v: f64| {
                if self.worker_stats.len() >= MAX_WORKER_SAMPLES {
                    self.worker_stats.pop_front();
                }
                let sample = WorkerSample {
                    ts_ms,
                    worker: worker.to_string(),
                    has_task,
                    category: category.clone(),
                    metric: field.clone(),
                    variant,
                    value: v,
                };
                self.unsaved.push((WORKER_KIND, ts_ms, sample.to_json()));
                self.worker_stats.push_back(sample);
            };
            match value {
                Value::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        if let Some(v) = v.as_f64() {
                            push(i.to_string(), v);
                        }
                    }
                }
                // A zero or missing value is not logged, as on the real server.
                other => {
                    if let Some(v) = other.as_f64().filter(|v| *v != 0.0) {
                        push("total".into(), v);
                    }
                }
            }
        }
    }

    /// `workers.get_metric_keys`: category → metric names reported (by these workers).
    pub fn metric_keys(&self, workers: &[String]) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in self
            .worker_stats
            .iter()
            .filter(|s| workers.is_empty() || workers.contains(&s.worker))
        {
            out.entry(s.category.clone())
                .or_default()
                .insert(s.metric.clone());
        }
        out
    }

    /// Bucket starts (ms) from `from` to `to` (seconds) by `interval` seconds, aligned to the
    /// epoch as a fixed-interval date histogram is, without the last bucket when it starts
    /// within the final 90% of an interval before `to` (it is incomplete).
    fn buckets(from: f64, to: f64, interval: i64) -> Vec<i64> {
        let step = interval * 1000;
        let first = ((from as i64) * 1000).div_euclid(step) * step;
        let last = ((to as i64) * 1000).div_euclid(step) * step;
        let cutoff = ((to - 0.9 * interval as f64) * 1000.0) as i64;
        (0..)
            .map(|i| first + i * step)
            .take_while(|b| *b <= last)
            .filter(|b| *b < cutoff)
            .collect()
    }

    /// `workers.get_activity_report`: per interval, how many workers reported statistics
    /// (`active_only`: while running a task).
    pub fn activity_report(&self, from: f64, to: f64, interval: i64, active_only: bool) -> Value {
        let interval = interval.max(MIN_CHART_INTERVAL);
        // bll/workers/stats.py:288-290 compares the last bucket's key (epoch ms) with
        // `to_date - 0.9 * interval` in seconds, so the real server always drops the last
        // of the range's buckets (tests/automated/test_workers.py expects 10 of 400 s / 40).
        let step_ms = interval * 1000;
        let first = ((from as i64) * 1000).div_euclid(step_ms) * step_ms;
        let last = ((to as i64) * 1000).div_euclid(step_ms) * step_ms;
        let buckets: Vec<i64> = (first..last).step_by(step_ms as usize).collect();
        let step = interval * 1000;
        let mut per: HashMap<i64, BTreeSet<&str>> = HashMap::new();
        let (lo, hi) = seconds_range(from, to);
        for s in self
            .worker_stats
            .iter()
            .filter(|s| s.ts_ms >= lo && s.ts_ms <= hi && (!active_only || s.has_task))
        {
            per.entry(s.ts_ms.div_euclid(step) * step)
                .or_default()
                .insert(&s.worker);
        }
        let counts: Vec<usize> = buckets
            .iter()
            .map(|b| per.get(b).map_or(0, BTreeSet::len))
            .collect();
        json!({"dates": buckets, "counts": counts})
    }

    /// `workers.get_stats`: per worker and metric, the requested aggregations per interval.
    pub fn stats(
        &self,
        from: f64,
        to: f64,
        interval: i64,
        items: &[(String, String)],
        workers: &[String],
        split_by_resource: bool,
    ) -> Value {
        let interval = interval.max(MIN_CHART_INTERVAL);
        let buckets = Self::buckets(from, to, interval);
        let step = interval * 1000;
        let (lo, hi) = seconds_range(from, to);
        // worker → metric → [stat]
        let mut out: BTreeMap<String, BTreeMap<String, Vec<Value>>> = BTreeMap::new();
        for (key, agg) in items {
            let mut per_worker: BTreeMap<&str, Vec<&WorkerSample>> = BTreeMap::new();
            for s in self.worker_stats.iter().filter(|s| {
                &s.metric == key
                    && s.ts_ms >= lo
                    && s.ts_ms <= hi
                    && (workers.is_empty() || workers.contains(&s.worker))
            }) {
                per_worker.entry(&s.worker).or_default().push(s);
            }
            for (worker, samples) in per_worker {
                let aggregate = |vals: &[f64]| -> f64 {
                    if vals.is_empty() {
                        return 0.0;
                    }
                    match agg.as_str() {
                        "min" => vals.iter().copied().fold(f64::INFINITY, f64::min),
                        "max" => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        _ => vals.iter().sum::<f64>() / vals.len() as f64,
                    }
                };
                let in_bucket = |b: i64, s: &&WorkerSample| s.ts_ms.div_euclid(step) * step == b;
                let values: Vec<f64> = buckets
                    .iter()
                    .map(|b| {
                        let v: Vec<f64> = samples
                            .iter()
                            .filter(|s| in_bucket(*b, s))
                            .map(|s| s.value)
                            .collect();
                        aggregate(&v)
                    })
                    .collect();
                let mut resource_series = Vec::new();
                if split_by_resource && key.starts_with("gpu_") {
                    let variants: BTreeSet<&str> =
                        samples.iter().map(|s| s.variant.as_str()).collect();
                    if variants.len() > 1 {
                        for v in variants {
                            let vals: Vec<f64> = buckets
                                .iter()
                                .map(|b| {
                                    let x: Vec<f64> = samples
                                        .iter()
                                        .filter(|s| s.variant == v && in_bucket(*b, s))
                                        .map(|s| s.value)
                                        .collect();
                                    aggregate(&x)
                                })
                                .collect();
                            resource_series.push(json!({"name": v, "values": vals}));
                        }
                    }
                }
                out.entry(worker.to_string())
                    .or_default()
                    .entry(key.clone())
                    .or_default()
                    .push(
                        json!({"aggregation": agg, "dates": buckets, "values": values,
                        "resource_series": resource_series}),
                    );
            }
        }
        let workers: Vec<Value> = out
            .into_iter()
            .map(|(w, metrics)| {
                let metrics: Vec<Value> = metrics
                    .into_iter()
                    .map(|(m, stats)| json!({"metric": m, "stats": stats}))
                    .collect();
                json!({"worker": w, "metrics": metrics})
            })
            .collect();
        json!({"workers": workers})
    }

    /// Record a queue's state now (its entries' `added` times give the waiting times).
    pub fn log_queue(&mut self, queue: &Value) {
        let now = chrono::Utc::now();
        let waits: Vec<f64> = queue["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["added"].as_str())
            .filter_map(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
            .map(|a| (now - a.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0)
            .collect();
        let avg = if waits.is_empty() {
            0.0
        } else {
            waits.iter().sum::<f64>() / waits.len() as f64
        };
        if self.queue_metrics.len() >= MAX_QUEUE_SAMPLES {
            self.queue_metrics.pop_front();
        }
        let sample = QueueSample {
            ts_ms: now.timestamp_millis(),
            queue: queue["id"].as_str().unwrap_or_default().to_string(),
            avg_waiting: avg,
            length: waits.len(),
        };
        self.unsaved
            .push((QUEUE_KIND, sample.ts_ms, sample.to_json()));
        self.queue_metrics.push_back(sample);
    }

    /// `queues.get_queue_metrics`: per interval, each queue's sample with the longest
    /// average wait (and its length). With `per_queue` false the queues are combined into
    /// one series `total`: lengths summed, waits averaged weighted by length, a queue with no
    /// sample in an interval counting with its previous one.
    pub fn queue_metrics(
        &self,
        from: f64,
        to: f64,
        interval: i64,
        queues: &[String],
        per_queue: bool,
    ) -> Vec<Value> {
        let step = interval.max(1) * 1000;
        let (lo, hi) = (
            ((from - QUEUE_METRICS_BEFORE) * 1000.0) as i64,
            (to * 1000.0) as i64,
        );
        // bucket → queue → (avg, len)
        let mut buckets: BTreeMap<i64, BTreeMap<&str, (f64, usize)>> = BTreeMap::new();
        for s in self
            .queue_metrics
            .iter()
            .filter(|s| s.ts_ms >= lo && s.ts_ms <= hi && queues.contains(&s.queue))
        {
            let slot = buckets
                .entry(s.ts_ms.div_euclid(step) * step)
                .or_default()
                .entry(&s.queue)
                .or_insert((f64::NEG_INFINITY, 0));
            if (s.avg_waiting, s.length) > *slot {
                *slot = (s.avg_waiting, s.length);
            }
        }
        let chart_start = ((from - interval as f64) * 1000.0) as i64;
        let series = |points: Vec<(i64, f64, usize)>| -> Map<String, Value> {
            let mut m = Map::new();
            m.insert(
                "dates".into(),
                json!(points.iter().map(|p| p.0).collect::<Vec<_>>()),
            );
            m.insert(
                "avg_waiting_times".into(),
                json!(points.iter().map(|p| p.1).collect::<Vec<_>>()),
            );
            m.insert(
                "queue_lengths".into(),
                json!(points.iter().map(|p| p.2).collect::<Vec<_>>()),
            );
            m
        };
        if per_queue {
            return queues
                .iter()
                .filter(|q| buckets.values().any(|m| m.contains_key(q.as_str())))
                .map(|q| {
                    let points: Vec<(i64, f64, usize)> = buckets
                        .iter()
                        .filter(|(b, _)| **b >= chart_start)
                        .filter_map(|(b, m)| m.get(q.as_str()).map(|(a, l)| (*b, *a, *l)))
                        .collect();
                    let mut v = series(points);
                    v.insert("queue".into(), json!(q));
                    Value::Object(v)
                })
                .collect();
        }
        let mut last: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
        let mut points = Vec::new();
        for (b, m) in &buckets {
            for (q, v) in m {
                last.insert(q, *v);
            }
            if *b < chart_start {
                continue;
            }
            let total: usize = last.values().map(|v| v.1).sum();
            let avg = if total == 0 {
                0.0
            } else {
                last.values()
                    .map(|(a, l)| a * *l as f64 / total as f64)
                    .sum()
            };
            points.push((*b, avg, total));
        }
        let mut v = series(points);
        v.insert("queue".into(), json!("total"));
        vec![Value::Object(v)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_patterns_and_tag_filters() {
        assert!(glob_match("test_*", "test_worker"));
        assert!(glob_match("*:gpu?", "host:gpu1"));
        assert!(!glob_match("test_*", "prod_worker"));
        let tags = json!(["application"]);
        assert!(tags_pass(&tags, &["application".into(), "test".into()]));
        assert!(!tags_pass(&tags, &["test".into()]));
        assert!(!tags_pass(&tags, &["-application".into()]));
    }

    #[test]
    fn activity_buckets_drop_the_incomplete_last_interval() {
        let start = 1_700_000_000.0;
        let b = Activity::buckets(start, start + 400.0, 40);
        assert_eq!(b.len(), 10, "{b:?}");
        assert!(b.windows(2).all(|w| w[1] - w[0] == 40_000));
    }
}
