//! The rows of `task list`: a task's table cells with its JSON object (`row_json`), and
//! for `--json` the object alone, serialized straight from the task (`JsonRows`) so a
//! page of 500 tasks is written out as it arrives, without building a value per row.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::query::{Column, cell};

/// One task as the stable JSON of `task list --json`: the shown plain columns under their
/// keys, metric columns under `metrics["Title/Series"] = {last,min,max}`, parameter columns
/// under `params["Section/name"]`; with the table cells.
pub fn row_json(task: &Value, columns: &[Column]) -> (Vec<String>, Value) {
    let mut shape = super::json::TaskRow {
        id: task.get("id").cloned().unwrap_or(Value::Null),
        columns: Map::new(),
        metrics: None,
        params: None,
    };
    let mut row = Vec::with_capacity(columns.len());
    for c in columns {
        let (text, json) = cell(task, c, true);
        row.push(text);
        match c {
            // `id` always comes first; as a column it only restates it.
            Column::Field(f) if f.key == "id" => shape.id = json,
            Column::Field(f) => {
                shape.columns.insert(f.key.into(), json);
            }
            Column::Metric { .. } => {
                shape
                    .metrics
                    .get_or_insert_with(Map::new)
                    .insert(c.header(), json);
            }
            Column::Param { .. } => {
                shape
                    .params
                    .get_or_insert_with(Map::new)
                    .insert(c.header(), json);
            }
        }
    }
    (row, shape.into_value())
}

/// Where the keys of a `task list --json` object come from, worked out once per listing:
/// the object `row_json` builds, key for key. A key named by several columns (`updated`
/// and `last_update`, a column given twice) keeps its first place; the columns naming it
/// are the same column, so they give the same value.
pub struct JsonRows<'a> {
    columns: &'a [Column],
    fields: Vec<(&'static str, usize)>,
    metrics: Vec<(String, usize)>,
    params: Vec<(String, usize)>,
}

impl<'a> JsonRows<'a> {
    pub fn new(columns: &'a [Column]) -> Self {
        let mut plan = JsonRows {
            columns,
            fields: Vec::new(),
            metrics: Vec::new(),
            params: Vec::new(),
        };
        for (i, c) in columns.iter().enumerate() {
            match c {
                // `id` is always the first key, the task's own id.
                Column::Field(f) if f.key == "id" => {}
                Column::Field(f) => {
                    if !plan.fields.iter().any(|(k, _)| *k == f.key) {
                        plan.fields.push((f.key, i));
                    }
                }
                Column::Metric { .. } => add_once(&mut plan.metrics, c.header(), i),
                Column::Param { .. } => add_once(&mut plan.params, c.header(), i),
            }
        }
        plan
    }

    /// The object of one task, to serialize.
    pub fn row<'t>(&'t self, task: &'t Value) -> JsonRow<'t> {
        JsonRow { plan: self, task }
    }
}

fn add_once(keys: &mut Vec<(String, usize)>, key: String, i: usize) {
    if !keys.iter().any(|(k, _)| *k == key) {
        keys.push((key, i));
    }
}

/// One task's `--json` object (see [`JsonRows`]).
pub struct JsonRow<'t> {
    plan: &'t JsonRows<'t>,
    task: &'t Value,
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let plan = self.plan;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", self.task.get("id").unwrap_or(&Value::Null))?;
        for (key, i) in &plan.fields {
            m.serialize_entry(key, &cell(self.task, &plan.columns[*i], false).1)?;
        }
        for (name, keys) in [("metrics", &plan.metrics), ("params", &plan.params)] {
            if !keys.is_empty() {
                m.serialize_entry(name, &Group { row: self, keys })?;
            }
        }
        m.end()
    }
}

/// The `metrics` or `params` object of a row.
struct Group<'r, 't> {
    row: &'r JsonRow<'t>,
    keys: &'r [(String, usize)],
}

impl Serialize for Group<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.keys.len()))?;
        for (key, i) in self.keys {
            let column = &self.row.plan.columns[*i];
            m.serialize_entry(key, &cell(self.row.task, column, false).1)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::super::query::parse_columns;
    use super::*;
    use serde_json::json;

    fn task() -> Value {
        json!({
            "id": "6aab", "name": "Задача-über-任务 \"quoted\"\n", "status": "created",
            "last_update": "2026-11-27T01:07:48.872000+00:00",
            "project": {"id": "4c15", "name": "Проект"},
            "tags": ["标签", 3, "x"],
            "execution": {"queue": {"id": "q1", "name": "Очередь"}},
            "last_metrics": {"81513effdf5790b79549208838404407": {"61b3a8faa9c1091806675c230a9abe64":
                {"metric": "loss", "variant": "train", "value": 8, "min_value": 8, "max_value": 10}}},
            "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": "0.001"}}}
        })
    }

    /// The `--json` object written from the task equals `row_json`'s value, byte for
    /// byte, and that value equals the serialized `TaskRow` shape.
    #[test]
    fn json_rows_are_written_as_row_json_builds_them() {
        let specs: &[&[&str]] = &[
            &[],
            &[
                "status",
                "metric:loss/train",
                "name",
                "param:Args/lr",
                "id",
                "updated",
            ],
            &[
                "name",
                "last_update",
                "updated",
                "name",
                "param:Args/lr",
                "param:Args/lr",
            ],
            &[
                "tags",
                "queue",
                "parent",
                "project",
                "user",
                "metric:loss/none",
                "param:X/y",
            ],
            &["metric:loss/train", "metric:loss/train", "comment"],
        ];
        for spec in specs {
            let specs: Vec<String> = spec.iter().map(|s| s.to_string()).collect();
            let cols = parse_columns(&specs).unwrap();
            for t in [task(), json!({"id": "bare"}), json!({})] {
                let (_, full) = row_json(&t, &cols);
                let shape: super::super::json::TaskRow =
                    serde_json::from_value(full.clone()).unwrap();
                let typed = serde_json::to_string(&super::super::json::to_value(&shape)).unwrap();
                let built = serde_json::to_string(&full).unwrap();
                let plan = JsonRows::new(&cols);
                let written = serde_json::to_string(&plan.row(&t)).unwrap();
                assert_eq!(built, typed, "{spec:?}");
                assert_eq!(written, built, "{spec:?}");
                let pretty = serde_json::to_string_pretty(&plan.row(&t)).unwrap();
                assert_eq!(pretty, serde_json::to_string_pretty(&full).unwrap());
            }
        }
        let cols = parse_columns(&["name".into(), "updated".into()]).unwrap();
        let written = serde_json::to_string(&JsonRows::new(&cols).row(&task())).unwrap();
        assert_eq!(
            written,
            r#"{"id":"6aab","name":"Задача-über-任务 \"quoted\"\n","last_update":"2026-11-27T01:07:48.872000+00:00"}"#
        );
    }

    #[test]
    fn table_cells_still_format_dates() {
        let cols = parse_columns(&["updated".into(), "project".into()]).unwrap();
        let (row, _) = row_json(&task(), &cols);
        assert_eq!(row, ["2026-11-27 01:07:48Z", "Проект"]);
    }
}
