//! `task compare`: one merged table, rows = parameters and metrics, columns = tasks.
//! Pure: takes task documents (with `hyperparams` and `last_metrics`), returns rows.

use serde_json::Value;

use super::query::{fmt_f64, ref_name};
use crate::error::CliError;
use crate::output::Listing;
pub use clearml_chart::comparison::{Direction, Row, build_rows, direction, task_header};

/// `--better loss=min,accuracy=max`.
pub fn parse_better(specs: &[String]) -> Result<Vec<(String, Direction)>, CliError> {
    specs
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let (k, d) = s.split_once('=').ok_or_else(|| bad_better(s))?;
            let dir = match d.trim().to_lowercase().as_str() {
                "min" | "lower" | "low" => Direction::Min,
                "max" | "higher" | "high" => Direction::Max,
                _ => return Err(bad_better(s)),
            };
            Ok((k.trim().to_string(), dir))
        })
        .collect()
}

fn bad_better(s: &str) -> CliError {
    CliError::usage(format!("bad --better '{s}'"))
        .with_hint("write METRIC=min or METRIC=max, e.g. --better loss=min,accuracy=max")
}

fn cell(v: &Option<Value>) -> String {
    match v {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|i| i.to_string())
            .unwrap_or_else(|| n.as_f64().map(fmt_f64).unwrap_or_else(|| n.to_string())),
        Some(other) => other.to_string(),
    }
}

/// The terminal table: like `Listing::to_table`, but headers keep the tasks' own case.
pub fn to_table(l: &Listing) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    let mut headers = l.headers.clone();
    if let Some(first) = headers.first_mut() {
        *first = first.to_uppercase();
    }
    table.set_header(headers.iter().map(|h| crate::output::escape_control(h)));
    for row in &l.rows {
        table.add_row(row.iter().map(|c| crate::output::escape_control(c)));
    }
    table
        .to_string()
        .lines()
        .map(|line| {
            let t = line.trim_end();
            t.strip_prefix(' ').unwrap_or(t)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// CSV form: cells hold plain values (numbers stay numbers); the best task of a row is
/// named in a last `best` column.
pub fn to_csv_listing(tasks: &[Value], rows: &[Row], diff_only: bool) -> Listing {
    let mut headers = vec!["row".to_string()];
    headers.extend(tasks.iter().map(task_header));
    headers.push("best".to_string());
    let mut l = Listing::new(headers);
    for r in rows.iter().filter(|r| !diff_only || r.differs()) {
        let mut line = vec![r.label()];
        line.extend(r.values.iter().map(cell));
        line.push(r.best.map(|i| task_header(&tasks[i])).unwrap_or_default());
        l.push(line, Value::Null);
    }
    l
}

/// Table form; the best value gets a trailing ` *`.
pub fn to_listing(tasks: &[Value], rows: &[Row], diff_only: bool) -> Listing {
    let mut headers = vec!["row".to_string()];
    headers.extend(tasks.iter().map(task_header));
    let mut l = Listing::new(headers);
    for r in rows.iter().filter(|r| !diff_only || r.differs()) {
        let mut line = vec![r.label()];
        for (i, v) in r.values.iter().enumerate() {
            let mut c = cell(v);
            if r.best == Some(i) {
                c.push_str(" *");
            }
            line.push(c);
        }
        l.push(line, Value::Null);
    }
    l
}

/// The stable JSON form: `{"tasks": [{id, name, project}], "rows": [{kind, key, stat,
/// values: {task id: value}, best: task id|null, differs}]}`.
pub fn to_json(tasks: &[Value], rows: &[Row], diff_only: bool) -> Value {
    let ids: Vec<String> = tasks
        .iter()
        .map(|t| {
            t.get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let rows = rows
        .iter()
        .filter(|r| !diff_only || r.differs())
        .map(|r| super::json::ComparedRow {
            kind: r.kind.to_string(),
            key: r.key.clone(),
            stat: r.stat.map(str::to_string),
            values: ids
                .iter()
                .zip(&r.values)
                .map(|(id, v)| (id.clone(), v.clone().unwrap_or(Value::Null)))
                .collect(),
            best: r.best.map(|i| ids[i].clone()),
            differs: r.differs(),
        })
        .collect();
    let pass = |t: &Value, key: &str| t.get(key).cloned().unwrap_or(Value::Null);
    super::json::to_value(&super::json::Comparison {
        tasks: tasks
            .iter()
            .map(|t| super::json::ComparedTask {
                id: pass(t, "id"),
                name: pass(t, "name"),
                project: t.get("project").map(ref_name),
                status: pass(t, "status"),
            })
            .collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(id: &str, lr: &str, loss: f64, acc: f64) -> Value {
        json!({
            "id": id, "name": format!("t-{id}"),
            "hyperparams": {"Args": {
                "lr": {"section": "Args", "name": "lr", "value": lr},
                "epochs": {"section": "Args", "name": "epochs", "value": "10"}
            }},
            "last_metrics": {
                "h1": {"h2": {"metric": "loss", "variant": "train", "value": loss, "min_value": loss - 0.5, "max_value": 3.0}},
                "h3": {"h4": {"metric": "eval", "variant": "accuracy", "value": acc, "min_value": 0.1, "max_value": acc}}
            }
        })
    }

    #[test]
    fn merged_rows_with_best_marked() {
        let tasks = vec![
            task("aaaaaaaaaaaa", "0.1", 1.0, 0.8),
            task("bbbbbbbbbbbb", "0.01", 0.5, 0.9),
        ];
        let rows = build_rows(&tasks, &[]);
        let labels: Vec<String> = rows.iter().map(Row::label).collect();
        assert_eq!(
            labels,
            [
                "Args/epochs",
                "Args/lr",
                "eval/accuracy (last)",
                "eval/accuracy (min)",
                "eval/accuracy (max)",
                "loss/train (last)",
                "loss/train (min)",
                "loss/train (max)"
            ]
        );
        let l = to_listing(&tasks, &rows, false);
        assert_eq!(
            l.headers,
            [
                "row",
                "t-aaaaaaaaaaaa (aaaaaaaa)",
                "t-bbbbbbbbbbbb (bbbbbbbb)"
            ]
        );
        assert_eq!(l.rows[2], ["eval/accuracy (last)", "0.8", "0.9 *"]);
        assert_eq!(l.rows[5], ["loss/train (last)", "1", "0.5 *"]);
        assert_eq!(l.rows[6], ["loss/train (min)", "0.5", "0 *"]);
        // the max of a loss says nothing about which run is better
        assert_eq!(l.rows[7], ["loss/train (max)", "3", "3"]);
        assert_eq!(l.rows[4], ["eval/accuracy (max)", "0.8", "0.9 *"]);
        let table = to_table(&l);
        assert!(table.starts_with("ROW "), "{table}");
        assert!(
            table
                .lines()
                .next()
                .unwrap()
                .ends_with("t-bbbbbbbbbbbb (bbbbbbbb)"),
            "{table}"
        );
        // equal values: nobody is best
        assert_eq!(l.rows[3], ["eval/accuracy (min)", "0.1", "0.1"]);
        let diff = to_listing(&tasks, &rows, true);
        let diff_labels: Vec<&str> = diff.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            diff_labels,
            [
                "Args/lr",
                "eval/accuracy (last)",
                "eval/accuracy (max)",
                "loss/train (last)",
                "loss/train (min)"
            ]
        );
        let csv = to_csv_listing(&tasks, &rows, false);
        assert_eq!(csv.headers.last().unwrap(), "best");
        assert_eq!(
            csv.rows[5],
            ["loss/train (last)", "1", "0.5", "t-bbbbbbbbbbbb (bbbbbbbb)"]
        );
        assert_eq!(csv.rows[7], ["loss/train (max)", "3", "3", ""]);
        let j = to_json(&tasks, &rows, true);
        assert_eq!(j["rows"][0]["values"]["aaaaaaaaaaaa"], "0.1");
        assert_eq!(j["rows"][1]["best"], "bbbbbbbbbbbb");
    }

    #[test]
    fn explicit_direction_wins() {
        let better = parse_better(&["loss=max".into()]).unwrap();
        assert_eq!(direction("loss", "train", &better), Some(Direction::Max));
        assert_eq!(direction("loss", "train", &[]), Some(Direction::Min));
        assert_eq!(direction("eval", "top1_acc", &[]), Some(Direction::Max));
        assert_eq!(direction("val", "acc", &[]), Some(Direction::Max));
        assert_eq!(direction("lr", "value", &[]), None);
        assert!(parse_better(&["loss".into()]).is_err());
        assert!(parse_better(&["loss=up".into()]).is_err());
    }

    #[test]
    fn missing_values_stay_empty() {
        let tasks = vec![
            task("a1", "0.1", 1.0, 0.8),
            json!({"id": "b2", "name": "empty"}),
        ];
        let rows = build_rows(&tasks, &[]);
        let l = to_listing(&tasks, &rows, false);
        assert_eq!(l.rows[1], ["Args/lr", "0.1", ""]);
        assert_eq!(rows[1].best, None);
    }
}
