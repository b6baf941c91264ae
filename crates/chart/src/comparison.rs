//! `task compare`'s rows, pure: parameters and metrics side by side, the best task of a
//! metric marked. Shared by `clearml task compare` and the web UI's compare page, so both
//! show the same numbers. Takes task documents (with `hyperparams` and `last_metrics`).

use std::collections::BTreeSet;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Min,
    Max,
}

const LOWER_IS_BETTER: &[&str] = &[
    "loss",
    "error",
    "err",
    "mse",
    "mae",
    "rmse",
    "perplexity",
    "wer",
    "cer",
    "latency",
    "time",
];
const HIGHER_IS_BETTER: &[&str] = &[
    "acc",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "auc",
    "map",
    "iou",
    "score",
    "bleu",
    "dice",
    "reward",
    "r2",
];

/// Which direction is better for `title/series`: an explicit `--better` entry (matching the
/// title, the series or `title/series`), else a guess from common metric names.
pub fn direction(title: &str, series: &str, better: &[(String, Direction)]) -> Option<Direction> {
    let full = format!("{title}/{series}");
    if let Some((_, d)) = better
        .iter()
        .find(|(k, _)| k == &full || k == title || k == series)
    {
        return Some(*d);
    }
    let words: Vec<String> = full
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(LOWER_IS_BETTER) {
        Some(Direction::Min)
    } else if has(HIGHER_IS_BETTER) {
        Some(Direction::Max)
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// "param" or "metric".
    pub kind: &'static str,
    /// `Section/name` or `title/series`.
    pub key: String,
    /// For metrics: "last", "min" or "max".
    pub stat: Option<&'static str>,
    /// One per task; None when the task lacks it.
    pub values: Vec<Option<Value>>,
    /// Index of the task with the best value (metrics with a known direction).
    pub best: Option<usize>,
}

impl Row {
    pub fn label(&self) -> String {
        match self.stat {
            Some(s) => format!("{} ({s})", self.key),
            None => self.key.clone(),
        }
    }

    pub fn differs(&self) -> bool {
        self.values.windows(2).any(|w| w[0] != w[1])
    }
}

/// Build the merged rows: parameters sorted by `Section/name`, then metrics by
/// `title/series` with last/min/max each.
pub fn build_rows(tasks: &[Value], better: &[(String, Direction)]) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut params = BTreeSet::new();
    let mut metrics = BTreeSet::new();
    for t in tasks {
        if let Some(sections) = t.get("hyperparams").and_then(Value::as_object) {
            for (section, names) in sections {
                for name in names.as_object().into_iter().flat_map(|n| n.keys()) {
                    params.insert((section.clone(), name.clone()));
                }
            }
        }
        for e in metric_entries(t) {
            metrics.insert((str_of(e, "metric"), str_of(e, "variant")));
        }
    }
    for (section, name) in params {
        let values = tasks
            .iter()
            .map(|t| {
                t.pointer(&format!(
                    "/hyperparams/{}/{}/value",
                    escape(&section),
                    escape(&name)
                ))
                .cloned()
            })
            .collect();
        rows.push(Row {
            kind: "param",
            key: format!("{section}/{name}"),
            stat: None,
            values,
            best: None,
        });
    }
    for (title, series) in metrics {
        let dir = direction(&title, &series, better);
        for (stat, field) in [
            ("last", "value"),
            ("min", "min_value"),
            ("max", "max_value"),
        ] {
            let values: Vec<Option<Value>> = tasks
                .iter()
                .map(|t| {
                    metric_entries(t)
                        .find(|e| str_of(e, "metric") == title && str_of(e, "variant") == series)
                        .and_then(|e| e.get(field).cloned())
                        .filter(|v| !v.is_null())
                })
                .collect();
            // The best value is marked on the last value and on the best-ever (min for
            // lower-is-better, max for higher-is-better); the opposite extreme says nothing.
            let marked = match (stat, dir) {
                ("last", _) => dir,
                ("min", Some(Direction::Min)) | ("max", Some(Direction::Max)) => dir,
                _ => None,
            };
            let best = marked.and_then(|d| best_index(&values, d));
            rows.push(Row {
                kind: "metric",
                key: format!("{title}/{series}"),
                stat: Some(stat),
                values,
                best,
            });
        }
    }
    rows
}

fn metric_entries(task: &Value) -> impl Iterator<Item = &Value> {
    task.get("last_metrics")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_object)
        .flat_map(|v| v.values())
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// JSON pointer escaping of one path segment.
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The best task for a row; None when fewer than two tasks have a value or all are equal.
fn best_index(values: &[Option<Value>], dir: Direction) -> Option<usize> {
    let nums: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_ref().and_then(Value::as_f64).map(|f| (i, f)))
        .collect();
    if nums.len() < 2 || nums.iter().all(|(_, f)| *f == nums[0].1) {
        return None;
    }
    let pick = |a: f64, b: f64| match dir {
        Direction::Min => b < a,
        Direction::Max => b > a,
    };
    let mut best = nums[0];
    for &(i, f) in &nums[1..] {
        if pick(best.1, f) {
            best = (i, f);
        }
    }
    Some(best.0)
}

/// Column header of a task: `name (first 8 of id)`.
pub fn task_header(task: &Value) -> String {
    let id = task.get("id").and_then(Value::as_str).unwrap_or("");
    let name = task.get("name").and_then(Value::as_str).unwrap_or("");
    format!("{name} ({})", &id[..id.len().min(8)])
}
