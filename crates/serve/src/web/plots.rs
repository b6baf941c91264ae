//! The Plots tab: the Plotly figures a task stored (`events.get_task_plots`), drawn as SVG
//! on the server (no chart library in the browser): line/scatter charts with markers and
//! axis titles, bar charts, heatmaps with their values, tables as HTML tables, 3D plots
//! as their data with a note. A figure that cannot be read is shown as its JSON.

use super::Ctx;
use super::layout::s;
use super::scalars::{Options, chart_box, web_look};
use crate::envelope::ApiError;
use clearml_chart::figure::{self, Figure, Kind};
use clearml_chart::{SvgLook, render_svg_with};
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

/// Characters of a figure's JSON shown when it cannot be drawn.
const RAW_CHARS: usize = 20_000;

/// The newest plot of every metric/variant of a task.
pub fn body(ctx: &Ctx, task: &str) -> Result<Markup, ApiError> {
    let data = ctx.api("events.get_task_plots", json!({"task": task, "iters": 1}))?;
    let plots = data["plots"].as_array().cloned().unwrap_or_default();
    Ok(html! {
        @if plots.is_empty() { p.muted { "No plots." } }
        div.charts {
            @for p in &plots { (plot(p)) }
        }
    })
}

/// One stored plot in its box: metric / variant, iteration, the drawing and its notes.
pub fn plot(event: &Value) -> Markup {
    let text = s(event, "plot_str");
    let fig = figure::parse_str(text);
    let kind = match fig.as_ref().map(|f| &f.kind) {
        Some(Kind::Lines(_)) => "lines",
        Some(Kind::Bars(_)) => "bars",
        Some(Kind::Heatmap(_)) => "heatmap",
        Some(Kind::Table { .. }) => "table",
        Some(Kind::Other(_)) | None => "raw",
    };
    html! {
        div.plot data-kind=(kind) {
            div.plothead {
                b { (s(event, "metric")) " / " (s(event, "variant")) }
                @if let Some(iter) = event["iter"].as_i64() { span.muted { " iteration " (iter) } }
            }
            @match &fig {
                Some(f) => {
                    @for note in &f.notes { p.muted.note { (note) } }
                    (drawing(f, text))
                }
                None => (raw(text)),
            }
        }
    }
}

fn drawing(f: &Figure, text: &str) -> Markup {
    let look = SvgLook {
        y_label: f.y_label.clone(),
        ..web_look(&Options::default())
    };
    match &f.kind {
        Kind::Lines(series) => {
            // Series named like matplotlib's `_line0` have no legend name.
            let legend = series.iter().any(|s| !s.label.starts_with('_'));
            let look = SvgLook {
                legend_width: if legend { look.legend_width } else { 20.0 },
                ..look
            };
            if legend {
                chart_box(&f.title, &f.x_label, series, &look)
            } else {
                let svg = render_svg_with(&f.title, &f.x_label, &unnamed(series), &look);
                html! { div.chartbox data-xfmt="iter" { (PreEscaped(svg)) } }
            }
        }
        Kind::Bars(b) => plain(figure::render_bars(
            &f.title, &f.x_label, &f.y_label, b, &look,
        )),
        Kind::Heatmap(m) => plain(figure::render_heatmap(
            &f.title, &f.x_label, &f.y_label, m, &look,
        )),
        Kind::Table { header, rows } => html! {
            @if !f.title.is_empty() { div.plottitle { (f.title) } }
            div.scroll {
                table.grid.plottable {
                    thead { tr { @for h in header { th { (h) } } } }
                    tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
                }
            }
        },
        Kind::Other(types) => html! {
            p.muted.note { "Plot type " (types.join(", ")) " is not drawn here; its data:" }
            (raw(text))
        },
    }
}

/// Series without legend names (the legend would only list `_line0`, ...).
fn unnamed(series: &[clearml_chart::Series]) -> Vec<clearml_chart::Series> {
    series
        .iter()
        .map(|s| clearml_chart::Series {
            label: String::new(),
            ..s.clone()
        })
        .collect()
}

fn plain(svg: String) -> Markup {
    html! { div.chartbox { (PreEscaped(svg)) } }
}

fn raw(text: &str) -> Markup {
    let shown: String = text.chars().take(RAW_CHARS).collect();
    html! { details { summary { "Plot data (Plotly JSON)" } pre.json { (shown) } } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(plot: Value) -> Value {
        json!({"metric": "<m>", "variant": "v", "iter": 0, "plot_str": plot.to_string()})
    }

    #[test]
    fn each_kind_is_drawn_and_text_is_escaped() {
        let line = plot(&event(json!({"data": [{"type": "scatter", "x": [1, 2], "y": [3.5, 4],
            "name": "a", "mode": "lines+markers"}], "layout": {"xaxis": {"title": {"text": "epoch"}}}})))
        .into_string();
        assert!(line.contains("<polyline") && line.matches("<circle").count() == 2);
        assert!(line.contains(">epoch<"));
        assert!(
            line.contains("&lt;m&gt;") && !line.contains("<m>"),
            "{line}"
        );
        let table = plot(&event(
            json!({"data": [{"type": "table", "header": {"values": ["<b>k</b>"]},
            "cells": {"values": [["<script>x</script>"]]}}]}),
        ))
        .into_string();
        assert!(table.contains("<th>&lt;b&gt;k&lt;/b&gt;</th>"), "{table}");
        assert!(table.contains("<td>&lt;script&gt;x&lt;/script&gt;</td>"));
        let other = plot(&event(json!({"data": [{"type": "sankey"}]}))).into_string();
        assert!(other.contains("Plot type sankey") && other.contains("<details>"));
        let broken = plot(&json!({"metric": "m", "variant": "v", "plot_str": "{not json"}));
        assert!(broken.into_string().contains("data-kind=\"raw\""));
    }
}
