//! Plotly JSON to [`Figure`]: picks what the first trace is, and reads every trace of that
//! kind; traces of other kinds are named in a note.

use super::{Bars, Figure, Heatmap, Kind, MAX_BARS, MAX_CELLS_SIDE, MAX_POINTS, MAX_TABLE_ROWS};
use crate::{Mode, Series, fmt_f64};
use serde_json::Value;

/// A stored `plot_str`: JSON, possibly with the bare `NaN`/`Infinity` Python writes.
pub fn parse_str(text: &str) -> Option<Figure> {
    let v: Value = serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&without_bare_non_finite(text)))
        .ok()?;
    v.get("data")?.as_array()?;
    Some(parse(&v))
}

/// `NaN`, `Infinity` and `-Infinity` outside strings replaced by `null`.
fn without_bare_non_finite(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_str, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if let Some(word) = ["-Infinity", "Infinity", "NaN"]
            .iter()
            .find(|w| rest.starts_with(**w))
        {
            out.push_str("null");
            rest = &rest[word.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A value as a number: JSON numbers, and numbers written as strings (`"nan"`, `"1e-3"`);
/// anything else is NaN (not drawn).
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => f64::NAN,
    }
}

/// A value as cell or label text.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map(fmt_f64).unwrap_or_else(|| n.to_string()),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// A Plotly title: a string or `{text}`.
fn title_of(v: &Value) -> String {
    v.as_str()
        .or_else(|| v["text"].as_str())
        .unwrap_or("")
        .to_string()
}

/// An axis title; matplotlib-converted figures name their axes `xaxis1`, `yaxis1`.
fn axis_title(layout: &Value, axis: &str) -> String {
    let t = title_of(&layout[axis]["title"]);
    if t.is_empty() {
        title_of(&layout[format!("{axis}1")]["title"])
    } else {
        t
    }
}

/// What kind of drawing a trace type is.
fn family(kind: &str) -> &str {
    match kind {
        "" | "scatter" | "scattergl" => "lines",
        "bar" | "histogram" => "bars",
        "heatmap" => "heatmap",
        "table" => "table",
        "scatter3d" | "surface" | "mesh3d" => "3d",
        other => other,
    }
}

/// A parsed figure.
pub fn parse(fig: &Value) -> Figure {
    let layout = &fig["layout"];
    let traces = list(&fig["data"]);
    let mut title = title_of(&layout["title"]);
    if title.is_empty() {
        title = layout["title.text"].as_str().unwrap_or("").to_string();
    }
    let mut f = Figure {
        title,
        x_label: axis_title(layout, "xaxis"),
        y_label: axis_title(layout, "yaxis"),
        kind: Kind::Other(Vec::new()),
        notes: Vec::new(),
    };
    let kind_of = |t: &Value| t["type"].as_str().unwrap_or("").to_string();
    let Some(first) = traces.first().map(kind_of) else {
        f.notes.push("The figure has no data.".into());
        return f;
    };
    let fam = family(&first).to_string();
    let (mine, others): (Vec<&Value>, Vec<&Value>) =
        traces.iter().partition(|t| family(&kind_of(t)) == fam);
    for t in &others {
        f.notes.push(format!(
            "A trace of type “{}” is not drawn here.",
            kind_of(t)
        ));
    }
    f.kind = match fam.as_str() {
        "lines" => Kind::Lines(mine.iter().enumerate().map(|(i, t)| line(i, t)).collect()),
        "bars" => Kind::Bars(bars(&mine, layout)),
        "heatmap" => Kind::Heatmap(heatmap(mine[0], layout, &mut f.notes)),
        "table" => table(mine[0], &mut f.notes),
        "3d" => three_d(&mine, &mut f.notes),
        _ => Kind::Other(mine.iter().map(|t| kind_of(t)).collect()),
    };
    f
}

/// Every `step`-th element, so that at most `max` are kept.
fn thin<T: Clone>(v: Vec<T>, max: usize) -> Vec<T> {
    if v.len() <= max {
        return v;
    }
    let step = v.len().div_ceil(max);
    v.into_iter().step_by(step).collect()
}

fn line(i: usize, t: &Value) -> Series {
    let y: Vec<f64> = list(&t["y"]).iter().map(num).collect();
    let x: Vec<f64> = match t["x"].as_array() {
        Some(x) => x.iter().map(num).collect(),
        None => (0..y.len()).map(|i| i as f64).collect(),
    };
    let n = x.len().min(y.len());
    let points: Vec<(f64, f64)> = thin(x.into_iter().zip(y).take(n).collect(), MAX_POINTS);
    let text: Vec<String> = match t["text"].as_array() {
        Some(a) if a.len() == n && n <= 100 => a.iter().map(text).collect(),
        _ => Vec::new(),
    };
    Series {
        label: t["name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("trace {i}")),
        x: points.iter().map(|p| p.0).collect(),
        y: points.iter().map(|p| p.1).collect(),
        mode: Mode::of_plotly(t["mode"].as_str()),
        text,
    }
}

fn bars(traces: &[&Value], layout: &Value) -> Bars {
    let mut categories: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, t) in traces.iter().enumerate() {
        // Horizontal bars carry their values in x and categories in y.
        let (cat, val) = if t["orientation"] == "h" {
            ("y", "x")
        } else {
            ("x", "y")
        };
        let values: Vec<f64> = list(&t[val]).iter().take(MAX_BARS).map(num).collect();
        let cats: Vec<String> = match t[cat].as_array() {
            Some(c) => c.iter().take(values.len()).map(text).collect(),
            None => (0..values.len()).map(|i| i.to_string()).collect(),
        };
        let mut row = vec![f64::NAN; categories.len()];
        for (c, v) in cats.into_iter().zip(values) {
            let at = match categories.iter().position(|k| *k == c) {
                Some(at) => at,
                None if categories.len() < MAX_BARS => {
                    categories.push(c);
                    row.push(f64::NAN);
                    categories.len() - 1
                }
                None => continue,
            };
            row[at] = v;
        }
        let name = t["name"].as_str().map(str::to_string);
        out.push((name.unwrap_or_else(|| format!("trace {i}")), row));
    }
    for (_, row) in &mut out {
        row.resize(categories.len(), f64::NAN);
    }
    Bars {
        categories,
        traces: out,
        stacked: matches!(layout["barmode"].as_str(), Some("stack" | "relative")),
    }
}

fn heatmap(t: &Value, layout: &Value, notes: &mut Vec<String>) -> Heatmap {
    let rows = list(&t["z"]);
    if rows.len() > MAX_CELLS_SIDE || rows.iter().any(|r| list(r).len() > MAX_CELLS_SIDE) {
        notes.push(format!(
            "Only the first {MAX_CELLS_SIDE} rows and columns are shown."
        ));
    }
    let z: Vec<Vec<f64>> = rows
        .iter()
        .take(MAX_CELLS_SIDE)
        .map(|r| list(r).iter().take(MAX_CELLS_SIDE).map(num).collect())
        .collect();
    let cols = z.iter().map(Vec::len).max().unwrap_or(0);
    let labels = |key: &str, n: usize| -> Vec<String> {
        let given: Vec<String> = list(&t[key]).iter().take(n).map(text).collect();
        (0..n)
            .map(|i| given.get(i).cloned().unwrap_or_else(|| i.to_string()))
            .collect()
    };
    Heatmap {
        x: labels("x", cols),
        y: labels("y", z.len()),
        reversed: layout["yaxis"]["autorange"] == "reversed",
        z,
    }
}

/// Plotly's table is column-major: `cells.values[col][row]`.
fn table(t: &Value, notes: &mut Vec<String>) -> Kind {
    let header: Vec<String> = list(&t["header"]["values"]).iter().map(cell).collect();
    let cols = list(&t["cells"]["values"]);
    let n = cols.iter().map(|c| list(c).len()).max().unwrap_or(0);
    if n > MAX_TABLE_ROWS {
        notes.push(format!("The first {MAX_TABLE_ROWS} of {n} rows are shown."));
    }
    let rows = (0..n.min(MAX_TABLE_ROWS))
        .map(|r| {
            cols.iter()
                .map(|c| list(c).get(r).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    Kind::Table { header, rows }
}

/// A header or cell value; a one-element list (a multi-row header) reads as its element.
fn cell(v: &Value) -> String {
    match v.as_array() {
        Some(a) => a.iter().map(text).collect::<Vec<_>>().join(" "),
        None => text(v),
    }
}

/// 3D traces as their data: points as x/y/z rows, a surface as its z grid.
fn three_d(traces: &[&Value], notes: &mut Vec<String>) -> Kind {
    notes.push("A 3D plot: it is shown here as its data.".into());
    let t = traces[0];
    if t["type"] == "surface" {
        let z = list(&t["z"]);
        let cols = z
            .iter()
            .map(|r| list(r).len())
            .max()
            .unwrap_or(0)
            .min(MAX_CELLS_SIDE);
        let mut header = vec!["y \\ x".to_string()];
        header.extend((0..cols).map(|c| c.to_string()));
        let rows = z
            .iter()
            .take(MAX_TABLE_ROWS)
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![i.to_string()];
                row.extend((0..cols).map(|c| list(r).get(c).map(text).unwrap_or_default()));
                row
            })
            .collect();
        return Kind::Table { header, rows };
    }
    let header = ["series", "x", "y", "z"].map(String::from).to_vec();
    let mut rows = Vec::new();
    for (i, t) in traces.iter().enumerate() {
        let name = t["name"].as_str().map(str::to_string);
        let name = name.unwrap_or_else(|| format!("trace {i}"));
        let (x, y, z) = (list(&t["x"]), list(&t["y"]), list(&t["z"]));
        for k in 0..x.len().min(y.len()).min(z.len()) {
            if rows.len() == MAX_TABLE_ROWS {
                notes.push(format!("The first {MAX_TABLE_ROWS} points are shown."));
                return Kind::Table { header, rows };
            }
            rows.push(vec![name.clone(), text(&x[k]), text(&y[k]), text(&z[k])]);
        }
    }
    Kind::Table { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_nan_and_string_numbers_read_as_not_drawn() {
        let f = parse_str(r#"{"data": [{"type": "scatter", "x": [0, 1, 2], "y": [NaN, "inf", -Infinity], "name": "NaN \"x\""}]}"#)
            .unwrap();
        let Kind::Lines(s) = f.kind else { panic!() };
        assert!(s[0].y[0].is_nan() && s[0].y[1].is_infinite() && s[0].y[2].is_nan());
        assert_eq!(s[0].label, "NaN \"x\"");
        assert!(parse_str("not json").is_none());
        assert!(parse_str("[1, 2]").is_none());
    }

    #[test]
    fn histograms_group_by_category_and_stack_on_request() {
        let f = parse(&json!({"data": [
            {"type": "bar", "name": "a", "x": ["кот", "Hund"], "y": [1, 2]},
            {"type": "bar", "name": "b", "x": ["Hund", "鸟"], "y": [3, 4]}],
            "layout": {"barmode": "stack", "title": {"text": "T"}, "xaxis": {"title": "X"}}}));
        let Kind::Bars(b) = f.kind else { panic!() };
        assert_eq!(b.categories, ["кот", "Hund", "鸟"]);
        assert_eq!(b.traces[1].1[1], 3.0);
        assert!(b.traces[1].1[0].is_nan() && b.stacked);
        assert_eq!((f.title.as_str(), f.x_label.as_str()), ("T", "X"));
    }

    #[test]
    fn tables_are_column_major_and_bounded() {
        let many: Vec<i64> = (0..5000).collect();
        let f = parse(
            &json!({"data": [{"type": "table", "header": {"values": ["a", ["b"]]},
            "cells": {"values": [many, ["x"]]}}], "layout": {"title.text": "S"}}),
        );
        let Kind::Table { header, rows } = f.kind else {
            panic!()
        };
        assert_eq!(header, ["a", "b"]);
        assert_eq!(rows.len(), MAX_TABLE_ROWS);
        assert_eq!(rows[0], ["0", "x"]);
        assert_eq!(rows[1], ["1", ""]);
        assert_eq!(f.title, "S");
        assert_eq!(f.notes.len(), 1);
    }

    #[test]
    fn three_d_becomes_data_with_a_note_and_other_types_are_named() {
        let f = parse(
            &json!({"data": [{"type": "scatter3d", "x": [1], "y": [2], "z": [3]},
                                       {"type": "pie"}]}),
        );
        let Kind::Table { rows, .. } = f.kind else {
            panic!()
        };
        assert_eq!(rows, [["trace 0", "1", "2", "3"]]);
        assert_eq!(f.notes.len(), 2, "{:?}", f.notes);
        let f = parse(&json!({"data": [{"type": "sankey"}]}));
        assert_eq!(f.kind, Kind::Other(vec!["sankey".into()]));
    }

    #[test]
    fn matplotlib_axes_and_huge_traces() {
        let x: Vec<i64> = (0..100_000).collect();
        let f = parse(
            &json!({"data": [{"type": "scatter", "x": x, "y": x, "mode": "markers"}],
            "layout": {"xaxis1": {"title": "Ось"}, "yaxis1": {"title": {"text": "y"}}}}),
        );
        assert_eq!((f.x_label.as_str(), f.y_label.as_str()), ("Ось", "y"));
        let Kind::Lines(s) = f.kind else { panic!() };
        assert!(s[0].x.len() <= MAX_POINTS && s[0].mode == Mode::Markers);
    }
}
