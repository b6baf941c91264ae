//! The experiments table's chosen columns: any hyperparameter, or any metric's last, min
//! or max value, each named in the URL (`col=`, repeatable) so a view is a link; and the
//! table as CSV.

use super::layout::{self, s};
use crate::services::events::md5_hex;
use serde_json::Value;
use std::collections::BTreeSet;

/// Columns offered in the picker at most (the first by kind and name).
const MAX_OFFERED: usize = 300;
/// Columns shown when the URL names none: the first metrics' last values.
const DEFAULT_METRICS: usize = 12;
/// Columns one URL may ask for.
pub const MAX_CHOSEN: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    /// A hyperparameter: section and name.
    Param(String, String),
    /// A metric's series: metric, variant and which value (`last`, `min`, `max`).
    Metric(String, String, Stat),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stat {
    Last,
    Min,
    Max,
}

impl Stat {
    fn name(self) -> &'static str {
        match self {
            Stat::Last => "last",
            Stat::Min => "min",
            Stat::Max => "max",
        }
    }

    /// The field of a `last_metrics` entry that holds it.
    fn field(self) -> &'static str {
        match self {
            Stat::Last => "value",
            Stat::Min => "min_value",
            Stat::Max => "max_value",
        }
    }
}

impl Column {
    /// `hp|<section>|<name>` or `metric|<metric>|<variant>|<last|min|max>`; anything else
    /// is no column.
    pub fn parse(spec: &str) -> Option<Column> {
        let parts: Vec<&str> = spec.split('|').collect();
        match parts.as_slice() {
            ["hp", section, name] => Some(Column::Param(section.to_string(), name.to_string())),
            ["metric", m, v, stat] => {
                let stat = match *stat {
                    "last" => Stat::Last,
                    "min" => Stat::Min,
                    "max" => Stat::Max,
                    _ => return None,
                };
                Some(Column::Metric(m.to_string(), v.to_string(), stat))
            }
            _ => None,
        }
    }

    pub fn spec(&self) -> String {
        match self {
            Column::Param(sec, name) => format!("hp|{sec}|{name}"),
            Column::Metric(m, v, st) => format!("metric|{m}|{v}|{}", st.name()),
        }
    }

    pub fn title(&self) -> String {
        match self {
            Column::Param(sec, name) => format!("{sec}/{name}"),
            Column::Metric(m, v, Stat::Last) => format!("{m} / {v}"),
            Column::Metric(m, v, st) => format!("{m} / {v} ({})", st.name()),
        }
    }

    /// The API sort key for a metric's last value (the table sorts by those).
    pub fn sort_key(&self) -> Option<String> {
        match self {
            Column::Metric(m, v, Stat::Last) => {
                Some(format!("last_metrics.{}.{}.value", md5_hex(m), md5_hex(v)))
            }
            _ => None,
        }
    }

    /// The task's value in this column (null when it has none).
    pub fn value<'a>(&self, task: &'a Value) -> &'a Value {
        match self {
            Column::Param(sec, name) => &task["hyperparams"][sec][name]["value"],
            Column::Metric(m, v, st) => metric_entries(task)
                .find(|e| s(e, "metric") == m && s(e, "variant") == v)
                .map_or(&Value::Null, |e| &e[st.field()]),
        }
    }

    /// The value as the table shows it.
    pub fn cell(&self, task: &Value) -> String {
        match self.value(task) {
            Value::String(text) => text.clone(),
            v => layout::number(v),
        }
    }

    pub fn numeric(&self) -> bool {
        matches!(self, Column::Metric(..))
    }
}

fn metric_entries(task: &Value) -> impl Iterator<Item = &Value> {
    task["last_metrics"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, v)| v.as_object().into_iter().flatten().map(|(_, e)| e))
}

/// Every column the tasks have: their hyperparameters, then each metric series' last,
/// min and max.
pub fn offered(tasks: &[Value]) -> Vec<Column> {
    let mut params = BTreeSet::new();
    let mut metrics = BTreeSet::new();
    for t in tasks {
        for (sec, ps) in t["hyperparams"].as_object().into_iter().flatten() {
            for name in ps.as_object().into_iter().flatten().map(|(k, _)| k) {
                params.insert(Column::Param(sec.clone(), name.clone()));
            }
        }
        for e in metric_entries(t) {
            for st in [Stat::Last, Stat::Min, Stat::Max] {
                let (m, v) = (s(e, "metric").to_string(), s(e, "variant").to_string());
                metrics.insert(Column::Metric(m, v, st));
            }
        }
    }
    params
        .into_iter()
        .chain(metrics)
        .take(MAX_OFFERED)
        .collect()
}

/// The columns when the URL names none: the first metrics' last values, as before.
pub fn defaults(tasks: &[Value]) -> Vec<Column> {
    offered(tasks)
        .into_iter()
        .filter(|c| matches!(c, Column::Metric(_, _, Stat::Last)))
        .take(DEFAULT_METRICS)
        .collect()
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`,
/// `-`, `@` or tab (a formula to a spreadsheet) gets a `'` first, unless it is a number.
pub fn csv_field(text: &str) -> String {
    let formula =
        text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Rows as CSV (CRLF line ends, as RFC 4180 has them).
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn specs_round_trip_and_values_are_found() {
        let task = json!({
            "hyperparams": {"Args": {"lr": {"value": "0.1"}}},
            "last_metrics": {"a": {"b": {"metric": "loss", "variant": "train",
                                          "value": 0.5, "min_value": 0.25, "max_value": 2.0}}}
        });
        for spec in [
            "hp|Args|lr",
            "metric|loss|train|min",
            "metric|loss|train|last",
        ] {
            let c = Column::parse(spec).unwrap();
            assert_eq!(c.spec(), spec);
        }
        assert_eq!(Column::parse("hp|Args|lr").unwrap().cell(&task), "0.1");
        assert_eq!(
            Column::parse("metric|loss|train|min").unwrap().cell(&task),
            "0.25"
        );
        assert_eq!(
            Column::parse("metric|loss|train|max").unwrap().cell(&task),
            "2"
        );
        assert_eq!(
            Column::parse("metric|loss|nope|max").unwrap().cell(&task),
            ""
        );
        for bad in ["", "hp|x", "metric|a|b|median", "other|a|b"] {
            assert_eq!(Column::parse(bad), None, "{bad}");
        }
        assert_eq!(offered(std::slice::from_ref(&task)).len(), 4);
        assert_eq!(defaults(&[task]).len(), 1);
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(
            csv(&[vec![
                "a,b".into(),
                "say \"hi\"".into(),
                "=cmd()".into(),
                "-1.5".into()
            ]]),
            "\"a,b\",\"say \"\"hi\"\"\",'=cmd(),-1.5\r\n"
        );
    }
}
