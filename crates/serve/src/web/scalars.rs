//! Charts on the pages: scalar curves per metric (all series, smoothing, x axis iteration
//! or wall-clock time) drawn by `clearml_chart`. Curves come from
//! `services::events::drawn_curves`: a series longer than a chart can show is read from
//! its stored buckets and drawn at about one point per pixel, keeping its spikes and its
//! ends, so a task with 100,000 points draws as fast as one with a thousand.

use super::Ctx;
use super::layout::{self, s};
use crate::envelope::ApiError;
use crate::services::events::Curve;
use clearml_chart::{self as chart, Series, SvgLook};
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

/// Points per series a page asks for: about one per pixel of a chart's width.
pub const SAMPLES: usize = 1000;

/// What the scalar charts' form and links ask for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// Exponential smoothing weight, 0 (none) to 0.99.
    pub smooth: f64,
    /// Wall-clock x axis instead of iterations.
    pub time: bool,
    /// A log10 y axis (`y=log`).
    pub log: bool,
    /// The x window (`xmin`, `xmax`): a zoom a link can keep.
    pub x_min: Option<f64>,
    pub x_max: Option<f64>,
    /// Metrics whose group opens with the page (`metric=`, repeatable).
    pub open: Vec<String>,
    /// `part=metric`: only the charts of `open`, for a group opened on the page.
    pub fragment: bool,
}

/// Groups drawn with the page when a task has many metrics (what the first screen shows:
/// a chart is 380 px high); the rest load when opened. With 4, a page of 40 metrics of
/// 2,000 points cost the server 2.6 times a page of 3 series of 500 (release build).
const OPEN_GROUPS: usize = 2;
/// Up to this many metrics, every group is drawn with the page.
const ALL_OPEN_UP_TO: usize = 8;

fn finite(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|f| f.is_finite())
}

impl Options {
    pub fn parse(query: &Option<String>) -> Options {
        let mut o = Options::default();
        for (k, v) in url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "smooth" => o.smooth = finite(&v).unwrap_or(0.0).clamp(0.0, 0.99),
                "x" => o.time = v == "time",
                "y" => o.log = v == "log",
                "xmin" => o.x_min = finite(&v),
                "xmax" => o.x_max = finite(&v),
                "metric" if o.open.len() < 100 => o.open.push(v.into_owned()),
                "part" => o.fragment = v == "metric",
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

    /// The view's parameters (not the open groups) as a query string, for links.
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if self.smooth > 0.0 {
            q.append_pair("smooth", &self.smooth.to_string());
        }
        if self.time {
            q.append_pair("x", "time");
        }
        if self.log {
            q.append_pair("y", "log");
        }
        if let Some(v) = self.x_min {
            q.append_pair("xmin", &v.to_string());
        }
        if let Some(v) = self.x_max {
            q.append_pair("xmax", &v.to_string());
        }
        q.finish()
    }

    /// The form that changes them (GET, so a chart view is a link).
    pub fn form(&self, hidden: &[(&str, &str)]) -> Markup {
        const WEIGHTS: &[f64] = &[0.0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99];
        let bound = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
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
                label { "Y scale "
                    select name="y" {
                        option value="linear" selected[!self.log] { "Linear" }
                        option value="log" selected[self.log] { "Log" }
                    }
                }
                label { "X from " input.num type="text" name="xmin" size="8" value=(bound(self.x_min)); }
                label { "to " input.num type="text" name="xmax" size="8" value=(bound(self.x_max)); }
                button type="submit" { "Apply" }
                @if self.x_min.is_some() || self.x_max.is_some() {
                    " " a.unzoom href={ "?" (Options { x_min: None, x_max: None, ..self.clone() }.query()) } { "Reset zoom" }
                }
            }
        }
    }
}

/// The web look of a chart: themed by the page's CSS, pointer data for the hover,
/// legend and zoom script.
pub fn web_look(o: &Options) -> SvgLook {
    SvgLook {
        width: 820.0,
        height: 380.0,
        legend_width: 190.0,
        background: None,
        classes: true,
        x_time: o.time,
        data_bounds: true,
        log_y: o.log,
        x_range: (o.x_min, o.x_max),
        ..SvgLook::default()
    }
}

/// One chart in its box.
pub fn chart_box(title: &str, x_label: &str, series: &[Series], look: &SvgLook) -> Markup {
    let svg = chart::render_svg_with(title, x_label, series, look);
    html! {
        div.chartbox data-xfmt=(if look.x_time { "time" } else { "iter" }) { (PreEscaped(svg)) }
    }
}

/// A task's Scalars tab: its single values as a Summary table, then a group per metric.
/// With many metrics only the first groups are drawn with the page; the others are
/// fetched (`part=metric`) when opened, so the first paint stays small.
pub fn task_charts(ctx: &Ctx, task: &str, o: &Options) -> Result<Markup, ApiError> {
    if o.fragment {
        let charts = metric_charts(ctx, task, o, &o.open)?;
        return Ok(html! { @for (_, chart) in &charts { (chart) } });
    }
    let (names, any_single) = metric_index(ctx, task)?;
    let singles = if any_single {
        single_values(ctx, task)?
    } else {
        Vec::new()
    };
    let eager: Vec<String> = if names.len() <= ALL_OPEN_UP_TO {
        names.clone()
    } else {
        let asked = names
            .iter()
            .skip(OPEN_GROUPS)
            .filter(|n| o.open.contains(n));
        names
            .iter()
            .take(OPEN_GROUPS)
            .chain(asked)
            .cloned()
            .collect()
    };
    let drawn = if eager.is_empty() {
        Vec::new()
    } else {
        metric_charts(ctx, task, o, &eager)?
    };
    let query = o.query();
    let amp = if query.is_empty() { "" } else { "&" };
    Ok(html! {
        (summary_table(&singles))
        (o.form(&[]))
        @if names.is_empty() { p.muted { "No scalars reported." } }
        div #scalars {
            @for name in &names {
                @if let Some((_, chart)) = drawn.iter().find(|(m, _)| m == name) {
                    details.metric open { summary { (name) } div.charts { (chart) } }
                } @else {
                    @let metric = layout::url_part(name);
                    details.metric.lazy data-src={ "?" (query) (amp) "part=metric&metric=" (metric) } {
                        summary { (name) }
                        // Without the script: a link to the page with this group drawn.
                        a.nojs href={ "?" (query) (amp) "metric=" (metric) } { "Show " (name) }
                    }
                }
            }
        }
    })
}

/// The chart of each metric in `names` (all its series), by metric name.
fn metric_charts(
    ctx: &Ctx,
    task: &str,
    o: &Options,
    names: &[String],
) -> Result<Vec<(String, Markup)>, ApiError> {
    let filter: Vec<Value> = names.iter().map(|m| json!({"metric": m})).collect();
    let metrics = ctx.call(
        "events.multi_task_scalar_metrics_iter_histogram",
        json!({"tasks": [task], "samples": SAMPLES, "key": o.key(), "metrics": filter}),
        |call| crate::services::events::drawn_curves(call, o.log),
    )?;
    let look = web_look(o);
    Ok(metrics
        .into_iter()
        .map(|(metric, variants)| {
            let list: Vec<Series> = variants
                .into_iter()
                .flat_map(|(v, curves)| curves.into_iter().map(move |c| (v.clone(), c)))
                .map(|(v, c)| Series {
                    label: v,
                    x: c.x,
                    y: chart::smooth(&c.y, o.smooth),
                    ..Series::default()
                })
                .collect();
            let chart = chart_box(&metric, o.x_label(), &list, &look);
            (metric, chart)
        })
        .collect())
}

/// `(name, value)` of every `report_single_value`.
fn single_values(ctx: &Ctx, task: &str) -> Result<Vec<(String, Value)>, ApiError> {
    let data = ctx.api(
        "events.get_task_single_value_metrics",
        json!({"tasks": [task]}),
    )?;
    Ok(data["tasks"][0]["values"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| (s(v, "variant").to_string(), v["value"].clone()))
        .collect())
}

/// The iteration `report_single_value` reports at.
const SINGLE_VALUE_ITER: i64 = -(1 << 31);

/// The task's metrics with curves, sorted, and whether it reported any single value:
/// read from its `last_metrics` (one document), not by scanning its events, which for
/// 40 metrics of 2,000 points took longer than drawing the page.
fn metric_index(ctx: &Ctx, task: &str) -> Result<(Vec<String>, bool), ApiError> {
    let data = ctx.api(
        "tasks.get_all_ex",
        json!({"id": [task], "only_fields": ["id", "last_metrics"], "search_hidden": true}),
    )?;
    let mut names = std::collections::BTreeSet::new();
    let mut any_single = false;
    let entries = data["tasks"][0]["last_metrics"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_object)
        .flat_map(|v| v.values());
    for e in entries {
        let single = e["first_value_iteration"].as_i64() == Some(SINGLE_VALUE_ITER);
        any_single |= single;
        // A series of single values only has no curve.
        if !(single && e["count"].as_i64() == Some(1)) {
            names.insert(s(e, "metric").to_string());
        }
    }
    Ok((names.into_iter().collect(), any_single))
}

fn summary_table(singles: &[(String, Value)]) -> Markup {
    html! {
        @if !singles.is_empty() {
            h3 { "Summary" }
            table.grid #summary {
                thead { tr { th { "Name" } th.num { "Value" } } }
                tbody {
                    @for (name, value) in singles {
                        tr { td { (name) } td.num { (layout::number(value)) } }
                    }
                }
            }
        }
    }
}

/// Overlaid curves of several tasks, one chart per metric: each task's series labelled
/// `name (id) series`, as `clearml task compare --plot` labels them. The curves are the
/// multi-task histogram call's, read as numbers (`multi_task_curves`), not as JSON.
pub fn compare_charts(
    ctx: &Ctx,
    tasks: &[Value],
    samples: usize,
    o: &Options,
) -> Result<Markup, ApiError> {
    let ids: Vec<&str> = tasks.iter().map(|t| s(t, "id")).collect();
    let metrics = ctx.call(
        "events.multi_task_scalar_metrics_iter_histogram",
        json!({"tasks": ids, "samples": samples, "key": o.key()}),
        |call| crate::services::events::drawn_curves(call, o.log),
    )?;
    let look = web_look(o);
    Ok(html! {
        @if metrics.is_empty() { p.muted { "No scalars reported." } }
        div.charts #scalars {
            @for (metric, variants) in metrics {
                @let list = compare_series(tasks, variants, o);
                div.withlegend {
                    (chart_box(&metric, o.x_label(), &list, &look))
                    (super::compare::legend(&list))
                }
            }
        }
    })
}

/// A metric's series in task order, then by series name.
fn compare_series(
    tasks: &[Value],
    variants: Vec<(String, Vec<Curve>)>,
    o: &Options,
) -> Vec<Series> {
    let mut variants: Vec<(String, Vec<Option<Curve>>)> = variants
        .into_iter()
        .map(|(v, curves)| (v, curves.into_iter().map(Some).collect()))
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        let label = clearml_chart::comparison::task_header(t);
        for (variant, curves) in &mut variants {
            let Some(curve) = curves
                .iter_mut()
                .find(|c| c.as_ref().is_some_and(|c| c.task == s(t, "id")))
                .and_then(Option::take)
            else {
                continue;
            };
            out.push(Series {
                label: format!("{label} {variant}"),
                x: curve.x,
                y: chart::smooth(&curve.y, o.smooth),
                ..Series::default()
            });
        }
    }
    out
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
                time: true,
                ..Options::default()
            }
        );
        assert_eq!(o.key(), "timestamp");
        let o = Options::parse(&Some("smooth=NaN".into()));
        assert_eq!(o.smooth, 0.0);
        let o = Options::parse(&Some(
            "y=log&xmin=10&xmax=inf&metric=a%26b&part=metric".into(),
        ));
        assert!(o.log && o.fragment);
        assert_eq!((o.x_min, o.x_max), (Some(10.0), None));
        assert_eq!(o.open, ["a&b"]);
        assert_eq!(o.query(), "y=log&xmin=10");
    }
}
