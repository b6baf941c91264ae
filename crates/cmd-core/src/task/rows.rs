//! The rows of `task list`: a task's table cells with its JSON object (`row_json`), and
//! for `--json` the object alone, serialized straight from the task (`JsonRows`) so a
//! page of 500 tasks is written out as it arrives, without building a value per row
//! (`JsonRows::make` reads the task's text in place).

use std::borrow::Cow;

use clearml_output::JsonArray;
use clearml_wire::raw;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
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
    /// The task's top-level keys `make` picks: `id`, then each field's.
    picked: Vec<&'static str>,
}

impl<'a> JsonRows<'a> {
    pub fn new(columns: &'a [Column]) -> Self {
        let mut plan = JsonRows {
            columns,
            fields: Vec::new(),
            metrics: Vec::new(),
            params: Vec::new(),
            picked: Vec::new(),
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
        plan.picked = std::iter::once("id")
            .chain(plan.fields.iter().map(|(k, _)| top_level_key(k)))
            .collect();
        plan
    }

    /// The object of one task, to serialize.
    pub fn row<'t>(&'t self, task: &'t Value) -> JsonRow<'t> {
        JsonRow { plan: self, task }
    }

    /// One task's object as [`JsonArray::make`] writes it, made from the task's JSON text
    /// as its page arrives: the same bytes as [`JsonRows::row`] of the parsed task. Plain
    /// fields are picked out of the text and written as they stand where that prints the
    /// same; metric and parameter columns, and a task that is not an object, go through
    /// the parsed task.
    pub fn make(&self, task: &RawValue) -> serde_json::Result<Vec<u8>> {
        if self.metrics.is_empty()
            && self.params.is_empty()
            && let Some(row) = self.in_place(task)?
        {
            return Ok(JsonArray::make(&row));
        }
        let task: Value = serde_json::from_str(task.get())?;
        Ok(JsonArray::make(&self.row(&task)))
    }

    fn in_place<'t>(&self, task: &'t RawValue) -> serde_json::Result<Option<InPlace<'t>>> {
        let Some(picked) = raw::pick(task.get(), &self.picked)? else {
            return Ok(None);
        };
        let mut entries = Vec::with_capacity(picked.len());
        entries.push(("id", as_stored(picked[0])?));
        for ((key, i), text) in self.fields.iter().zip(&picked[1..]) {
            entries.push((*key, field_in_place(&self.columns[*i], key, *text)?));
        }
        Ok(Some(InPlace(entries)))
    }
}

/// Where a field column's value sits in the task (`queue` under `execution`).
fn top_level_key(key: &str) -> &str {
    if key == "queue" { "execution" } else { key }
}

/// A field's JSON, as [`cell`] gives it, from the text of the task's top-level `key`.
fn field_in_place<'t>(
    column: &Column,
    key: &str,
    text: Option<&'t RawValue>,
) -> serde_json::Result<Out<'t>> {
    Ok(match key {
        // A reference shows its name (its id without one); null stays null.
        "project" | "user" => match text {
            None => Out::Null,
            Some(t) if t.get() == "null" => Out::Null,
            Some(t) => Out::Text(ref_name_in_place(t)?),
        },
        // The rarer columns with their own reading: through the one parsed field.
        "queue" | "parent" | "tags" => {
            let mut task = Map::new();
            if let Some(t) = text {
                task.insert(top_level_key(key).into(), serde_json::from_str(t.get())?);
            }
            Out::Value(cell(&Value::Object(task), column, false).1)
        }
        _ => as_stored(text)?,
    })
}

/// [`super::query::ref_name`] of a reference's text.
fn ref_name_in_place(text: &RawValue) -> serde_json::Result<Cow<'_, str>> {
    if let Some(s) = raw::string_of(text) {
        return Ok(s);
    }
    Ok(match raw::pick(text.get(), &["name", "id"])? {
        Some(fields) => fields
            .into_iter()
            .flatten()
            .find_map(raw::string_of)
            .unwrap_or_default(),
        None => Cow::Borrowed(""),
    })
}

/// A value shown as the server stored it: its text when that prints the same.
fn as_stored(text: Option<&RawValue>) -> serde_json::Result<Out<'_>> {
    Ok(match text {
        None => Out::Null,
        Some(t) if raw::reprints_as_is(t) => Out::Raw(t),
        Some(t) => Out::Value(serde_json::from_str(t.get())?),
    })
}

/// A task's `--json` object read in place (see [`JsonRows::make`]).
struct InPlace<'t>(Vec<(&'static str, Out<'t>)>);

/// One value of an [`InPlace`] row.
enum Out<'t> {
    Null,
    /// Text that prints as it stands.
    Raw(&'t RawValue),
    Text(Cow<'t, str>),
    Value(Value),
}

impl Serialize for InPlace<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (key, value) in &self.0 {
            m.serialize_entry(key, value)?;
        }
        m.end()
    }
}

impl Serialize for Out<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Null => s.serialize_unit(),
            Out::Raw(t) => t.serialize(s),
            Out::Text(t) => s.serialize_str(t),
            Out::Value(v) => v.serialize(s),
        }
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

    /// A task's object made from its text equals the one written from the parsed task,
    /// byte for byte, whatever the server sent: escapes, floats, huge and negative-zero
    /// numbers, nested values, references of every shape, repeated keys, missing fields.
    #[test]
    fn rows_made_from_the_text_equal_rows_written_from_the_parsed_task() {
        let texts = [
            task().to_string(),
            serde_json::to_string_pretty(&task()).unwrap(),
            r#"{"id":"6aab","name":"Задача \u00e9 \"q\" \/ \t","status":"in_progress","type":7,
                "project":{"id":"p1","name":"Проект über 项目"},"user":{"id":"u1"},
                "last_update":null,"last_iteration":-0,"comment":1.50,"started":1e3,
                "completed":123456789012345678901,"created":-12,"status_message":{"a":[1,{"b":"ü"}]}}"#
                .to_string(),
            r#"{"id":7,"name":"x","project":"p-id","user":{"name":5,"id":"u-id"},"tags":["a",1,"标签"],
                "execution":{"queue":"q-id"},"parent":{"id":"par","name":"Родитель"}}"#
                .to_string(),
            r#"{"project":{"name":null},"user":12,"name":"first","name":"second","id":null,
                "execution":{"queue":{"name":"only name"}},"parent":null,"tags":null}"#
                .to_string(),
            r#"{"project":{"name":"n\u00fc","id":"i"},"user":{},"execution":[],"tags":"not a list"}"#
                .to_string(),
            r#"{ "id" : "spaced" , "name" : "a" , "status" : true }"#.to_string(),
            "{}".to_string(),
            r#"["not","an","object"]"#.to_string(),
            r#""a string""#.to_string(),
            "null".to_string(),
        ];
        let specs: &[&[&str]] = &[
            &[],
            &[
                "id",
                "name",
                "project",
                "status",
                "type",
                "user",
                "last_update",
            ],
            &[
                "tags",
                "queue",
                "parent",
                "project",
                "user",
                "comment",
                "started",
                "completed",
                "created",
                "iteration",
                "status message",
                "name",
                "type",
            ],
            &["name", "metric:loss/train", "param:Args/lr", "project"],
            &["updated", "updated", "name"],
        ];
        for spec in specs {
            let specs: Vec<String> = spec.iter().map(|s| s.to_string()).collect();
            let cols = parse_columns(&specs).unwrap();
            let plan = JsonRows::new(&cols);
            for text in &texts {
                let raw: &RawValue = serde_json::from_str(text).unwrap();
                let parsed: Value = serde_json::from_str(text).unwrap();
                let made = plan.make(raw).unwrap();
                let written = JsonArray::make(&plan.row(&parsed));
                assert_eq!(
                    String::from_utf8(made).unwrap(),
                    String::from_utf8(written).unwrap(),
                    "{spec:?} of {text}"
                );
            }
        }
    }

    /// The same over every task list a real clearml-server 2.3 answered in the recordings
    /// (tests/data/real-server): its escapes, dates and reference shapes.
    #[test]
    fn rows_made_from_real_server_answers_equal_rows_written_from_the_parsed_tasks() {
        use std::collections::HashMap;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/real-server/quirks");
        let specs: &[&[&str]] = &[
            &[],
            &[
                "tags",
                "queue",
                "parent",
                "project",
                "user",
                "comment",
                "started",
                "completed",
                "created",
                "iteration",
                "status message",
                "name",
                "type",
            ],
        ];
        let mut tasks_seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let case: Value =
                serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap())
                    .unwrap();
            for exchange in case["exchanges"].as_array().into_iter().flatten() {
                let Some(body) = exchange["body"].as_str() else {
                    continue;
                };
                let Ok(answer) = serde_json::from_str::<HashMap<String, Box<RawValue>>>(body)
                else {
                    continue;
                };
                let Some(data) = answer.get("data") else {
                    continue;
                };
                let Ok(mut data) =
                    serde_json::from_str::<HashMap<String, Box<RawValue>>>(data.get())
                else {
                    continue;
                };
                let Some(list) = data.remove("tasks") else {
                    continue;
                };
                let Ok(tasks) = serde_json::from_str::<Vec<&RawValue>>(list.get()) else {
                    continue;
                };
                for spec in specs {
                    let specs: Vec<String> = spec.iter().map(|s| s.to_string()).collect();
                    let cols = parse_columns(&specs).unwrap();
                    let plan = JsonRows::new(&cols);
                    for raw in &tasks {
                        let parsed: Value = serde_json::from_str(raw.get()).unwrap();
                        assert_eq!(
                            String::from_utf8(plan.make(raw).unwrap()).unwrap(),
                            String::from_utf8(JsonArray::make(&plan.row(&parsed))).unwrap(),
                            "{spec:?} of {}",
                            raw.get()
                        );
                    }
                }
                tasks_seen += tasks.len();
            }
        }
        assert!(
            tasks_seen >= 15,
            "only {tasks_seen} recorded tasks found in {dir:?}"
        );
    }

    #[test]
    fn table_cells_still_format_dates() {
        let cols = parse_columns(&["updated".into(), "project".into()]).unwrap();
        let (row, _) = row_json(&task(), &cols);
        assert_eq!(row, ["2026-11-27 01:07:48Z", "Проект"]);
    }
}
