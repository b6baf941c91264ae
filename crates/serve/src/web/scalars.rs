//! Charts on the pages: scalar curves per metric (all series, smoothing, x axis iteration
//! or wall-clock time) drawn by `clearml_chart`, and stored plots. Curves are read through
//! `events.scalar_metrics_iter_histogram`, which averages them down to a few thousand
//! points per series as the real server's histogram endpoint does, so a task with 100,000
//! points draws as fast as one with a thousand.

use super::Ctx;
use super::layout::{self, s};
use crate::envelope::ApiError;
use clearml_chart::{self as chart, Series, SvgLook};
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

/// Points per series a page asks for: about one per pixel of a chart's width.
pub const SAMPLES: usize = 1000;

/// What the scalar charts' form asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Exponential smoothing weight, 0 (none) to 0.99.
    pub smooth: f64,
    /// Wall-clock x axis instead of iterations.
    pub time: bool,
}

impl Options {
    pub fn parse(query: &Option<String>) -> Options {
        let mut o = Options {
            smooth: 0.0,
            time: false,
        };
        for (k, v) in url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "smooth" => {
                    o.smooth = v
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .unwrap_or(0.0)
                        .clamp(0.0, 0.99)
                }
                "x" => o.time = v == "time",
                _ => {}
            }
        }
        o
    }

    /// The histogram call's x-axis key.
    pub fn key(&self) -> &'static str {
        if self.time { "timestamp" } else { "iter" }
    }

    fn x_label(&self) -> &'static str {
        if self.time { "time (UTC)" } else { "iteration" }
    }

    /// The form that changes them (GET, so a chart view is a link).
    pub fn form(&self, hidden: &[(&str, &str)]) -> Markup {
        const WEIGHTS: &[f64] = &[0.0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99];
        html! {
            form.filters method="get" {
                @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
                label { "Smoothing "
                    select name="smooth" {
                        @for w in WEIGHTS {
                            option value=(w) selected[(*w - self.smooth).abs() < 1e-9] { (w) }
                        }
                    }
                }
                label { "X axis "
                    select name="x" {
                        option value="iter" selected[!self.time] { "Iterations" }
                        option value="time" selected[self.time] { "Wall time" }
                    }
                }
                button type="submit" { "Apply" }
            }
        }
    }
}

/// The web look of a chart: themed by the page's CSS, pointer data for the hover script.
fn look(time: bool) -> SvgLook {
    SvgLook {
        width: 820.0,
        height: 380.0,
        legend_width: 190.0,
        background: None,
        classes: true,
        x_ticks: if time { layout::clock } else { chart::fmt_f64 },
        data_bounds: true,
    }
}

/// One chart in its box.
pub fn chart_box(title: &str, x_label: &str, series: &[Series], time: bool) -> Markup {
    let svg = chart::render_svg_with(title, x_label, series, &look(time));
    html! {
        div.chartbox data-xfmt=(if time { "time" } else { "iter" }) { (PreEscaped(svg)) }
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// A series from the histogram's `{x, y}`, smoothed as asked.
fn series(label: String, curve: &Value, o: &Options) -> Series {
    Series {
        label,
        x: numbers(&curve["x"]),
        y: chart::smooth(&numbers(&curve["y"]), o.smooth),
    }
}

/// Every metric of a task, one chart each with all its series.
pub fn task_charts(ctx: &Ctx, task: &str, o: &Options) -> Result<Markup, ApiError> {
    let data = ctx.api(
        "events.scalar_metrics_iter_histogram",
        json!({"task": task, "samples": SAMPLES, "key": o.key()}),
    )?;
    let metrics = data.as_object().cloned().unwrap_or_default();
    Ok(html! {
        (o.form(&[]))
        @if metrics.is_empty() { p.muted { "No scalars reported." } }
        div.charts #scalars {
            @for (metric, variants) in &metrics {
                @let list: Vec<Series> = variants.as_object().into_iter().flatten()
                    .map(|(v, curve)| series(v.clone(), curve, o)).collect();
                div.withlegend {
                    (chart_box(metric, o.x_label(), &list, o.time))
                    (super::compare::legend(&list))
                }
            }
        }
    })
}

/// Overlaid curves of several tasks, one chart per metric: each task's series labelled
/// `name (id) series`, as `clearml task compare --plot` labels them.
pub fn compare_charts(
    ctx: &Ctx,
    tasks: &[Value],
    samples: usize,
    o: &Options,
) -> Result<Markup, ApiError> {
    let ids: Vec<&str> = tasks.iter().map(|t| s(t, "id")).collect();
    let data = ctx.api(
        "events.multi_task_scalar_metrics_iter_histogram",
        json!({"tasks": ids, "samples": samples, "key": o.key()}),
    )?;
    let metrics = data["metrics"].as_object().cloned().unwrap_or_default();
    Ok(html! {
        @if metrics.is_empty() { p.muted { "No scalars reported." } }
        div.charts #scalars {
            @for (metric, variants) in &metrics {
                @let list = compare_series(tasks, variants, o);
                div.withlegend {
                    (chart_box(metric, o.x_label(), &list, o.time))
                    (super::compare::legend(&list))
                }
            }
        }
    })
}

/// A metric's series in task order, then by series name.
fn compare_series(tasks: &[Value], variants: &Value, o: &Options) -> Vec<Series> {
    let mut out = Vec::new();
    for t in tasks {
        let label = clearml_chart::comparison::task_header(t);
        for (variant, by_task) in variants.as_object().into_iter().flatten() {
            if let Some(curve) = by_task.get(s(t, "id")) {
                out.push(series(format!("{label} {variant}"), curve, o));
            }
        }
    }
    out
}

/// A stored plot: line/scatter traces with numbers drawn as a chart, anything else
/// (tables, histograms, images) shown as the stored Plotly JSON.
pub fn plot(event: &Value) -> Markup {
    let text = s(event, "plot_str");
    let title = format!("{} / {}", s(event, "metric"), s(event, "variant"));
    let parsed: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    match plot_series(&parsed) {
        Some((series, x_label)) => chart_box(&title, &x_label, &series, false),
        None => {
            let shown: String = text.chars().take(20_000).collect();
            html! {
                div.chartbox.plot {
                    b { (title) }
                    @if let Some(iter) = event["iter"].as_i64() { span.muted { " iteration " (iter) } }
                    details { summary { "Plot data (Plotly JSON)" } pre.json { (shown) } }
                }
            }
        }
    }
}

/// The traces of a Plotly figure as series, when every trace is x/y numbers.
fn plot_series(fig: &Value) -> Option<(Vec<Series>, String)> {
    let traces = fig["data"].as_array().filter(|d| !d.is_empty())?;
    let mut out = Vec::new();
    for (i, t) in traces.iter().enumerate() {
        if !matches!(t["type"].as_str(), None | Some("scatter" | "scattergl")) {
            return None;
        }
        let y: Vec<f64> = t["y"]
            .as_array()?
            .iter()
            .map(Value::as_f64)
            .collect::<Option<_>>()?;
        let x: Vec<f64> = match t["x"].as_array() {
            Some(x) => x.iter().map(Value::as_f64).collect::<Option<_>>()?,
            None => (0..y.len()).map(|i| i as f64).collect(),
        };
        let label = t["name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("trace {i}"));
        out.push(Series { label, x, y });
    }
    let axis = &fig["layout"]["xaxis"]["title"];
    let x_label = axis["text"].as_str().or(axis.as_str()).unwrap_or("");
    Some((out, x_label.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_the_query_are_bounded() {
        let o = Options::parse(&Some("smooth=5&x=time".into()));
        assert_eq!(
            o,
            Options {
                smooth: 0.99,
                time: true
            }
        );
        assert_eq!(o.key(), "timestamp");
        let o = Options::parse(&Some("smooth=NaN".into()));
        assert_eq!(o.smooth, 0.0);
    }

    #[test]
    fn numeric_scatter_plots_become_series_and_others_stay_json() {
        let fig = json!({"data": [{"type": "scatter", "x": [1, 2], "y": [3.5, 4], "name": "a"}],
                         "layout": {"xaxis": {"title": {"text": "epoch"}}}});
        let (series, x) = plot_series(&fig).unwrap();
        assert_eq!(series[0].y, vec![3.5, 4.0]);
        assert_eq!(x, "epoch");
        assert!(plot_series(&json!({"data": [{"type": "table", "cells": {}}]})).is_none());
        let ev = json!({"metric": "<m>", "variant": "v", "plot_str": "{\"data\": [{\"type\": \"heatmap\"}]}"});
        let out = plot(&ev).into_string();
        assert!(out.contains("&lt;m&gt;") && !out.contains("<m>"), "{out}");
    }
}
