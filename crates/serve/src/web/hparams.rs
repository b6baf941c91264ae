//! The compare page's Hyperparameters section: parallel coordinates (an axis per
//! parameter that differs between the experiments, then the metrics chosen with `pc=`,
//! repeatable) and a scatter of one parameter (`sx=`) against one metric (`sy=`). Both
//! are server-drawn SVG from the same rows as the table above them, so the numbers are
//! the table's; the choice is a GET form, so a view is a link.

use super::compare::legend;
use clearml_chart::Series;
use clearml_chart::comparison::{Row, task_header};
use clearml_chart::parallel::{self, Axis};
use maud::{Markup, PreEscaped, html};
use serde_json::Value;

/// The query keys this section reads.
pub const KEYS: &[&str] = &["pc", "sx", "sy"];
/// Parameter axes drawn at most (the rest are listed as left out).
const MAX_PARAM_AXES: usize = 30;
/// Metric axes drawn when none is chosen.
const DEFAULT_METRIC_AXES: usize = 3;

/// The query's pairs other than `ids` and `except`: hidden fields for a form that
/// changes only its own keys and keeps the rest of the view.
pub fn kept(query: Option<&str>, except: &[&str]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k != "ids" && !except.contains(&k.as_ref()))
        .take(200)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A table cell's value as an axis reads it.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn axis(row: &Row) -> Axis {
    Axis {
        label: row.label(),
        values: row.values.iter().map(|v| v.as_ref().map(text)).collect(),
    }
}

/// The section, for the tasks of the page in order (`ids`: their ids joined by commas).
pub fn section(
    tasks: &[Value],
    rows: &[Row],
    query: Option<&str>,
    ids: &str,
    hidden: &[(String, String)],
) -> Markup {
    let pairs: Vec<(String, String)> = kept(query, &[]);
    let asked = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let params: Vec<&Row> = rows.iter().filter(|r| r.kind == "param").collect();
    let metrics: Vec<&Row> = rows.iter().filter(|r| r.kind == "metric").collect();
    let differing: Vec<&Row> = params.iter().copied().filter(|r| r.differs()).collect();
    let chosen = asked("pc");
    let metric_axes: Vec<&Row> = if chosen.is_empty() {
        metrics
            .iter()
            .copied()
            .filter(|r| r.stat == Some("last"))
            .take(DEFAULT_METRIC_AXES)
            .collect()
    } else {
        metrics
            .iter()
            .copied()
            .filter(|r| chosen.contains(&r.label()))
            .collect()
    };
    let mut axes: Vec<Axis> = differing
        .iter()
        .take(MAX_PARAM_AXES)
        .map(|r| axis(r))
        .collect();
    axes.extend(metric_axes.iter().map(|r| axis(r)));
    let labels: Vec<String> = tasks.iter().map(task_header).collect();
    let task_ids: Vec<String> = tasks
        .iter()
        .map(|t| t["id"].as_str().unwrap_or_default().to_string())
        .collect();
    // The scatter: the parameter asked for, else the first that differs; the metric asked
    // for, else the first last value.
    let sx = asked("sx")
        .first()
        .and_then(|k| params.iter().find(|r| &r.label() == k))
        .or(differing.first())
        .or(params.first())
        .copied();
    let sy = asked("sy")
        .first()
        .and_then(|k| metrics.iter().find(|r| &r.label() == k))
        .or(metric_axes.first())
        .or(metrics.first())
        .copied();
    let swatches: Vec<Series> = labels
        .iter()
        .map(|l| Series {
            label: l.clone(),
            ..Series::default()
        })
        .collect();
    html! {
        h2 { "Hyperparameters" }
        (axes_form(ids, hidden, &params, &metrics, &metric_axes, (sx, sy)))
        @if axes.is_empty() {
            p.muted { "No hyperparameter differs and no metric is reported." }
        } @else {
            @if differing.is_empty() {
                p.muted { "No hyperparameter differs between these experiments." }
            }
            @if differing.len() > MAX_PARAM_AXES {
                p.muted { (differing.len() - MAX_PARAM_AXES) " more differing parameters are left out." }
            }
            div.withlegend #pcoords {
                div.chartbox { (PreEscaped(parallel::parallel_svg(&axes, &labels, &task_ids))) }
                (legend(&swatches))
            }
        }
        @if let (Some(x), Some(y)) = (sx, sy) {
            div.chartbox #scatter {
                (PreEscaped(parallel::scatter_svg(&axis(x), &axis(y), &labels)))
            }
        }
    }
}

/// The form choosing the metric axes and the scatter's parameter and metric; `ids` and
/// `hidden` carry the rest of the page's state.
fn axes_form(
    ids: &str,
    hidden: &[(String, String)],
    params: &[&Row],
    metrics: &[&Row],
    metric_axes: &[&Row],
    (sx, sy): (Option<&Row>, Option<&Row>),
) -> Markup {
    html! {
        form.filters #hpform method="get" {
            input type="hidden" name="ids" value=(ids);
            @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
            label { "Metric axes "
                select name="pc" multiple size="4" {
                    @for r in metrics {
                        @let l = r.label();
                        option value=(l) selected[metric_axes.iter().any(|m| m.label() == l)] { (l) }
                    }
                }
            }
            label { "Scatter: parameter "
                select name="sx" {
                    @for r in params {
                        @let l = r.label();
                        option value=(l) selected[sx.is_some_and(|x| x.label() == l)] { (l) }
                    }
                }
            }
            label { "against metric "
                select name="sy" {
                    @for r in metrics {
                        @let l = r.label();
                        option value=(l) selected[sy.is_some_and(|y| y.label() == l)] { (l) }
                    }
                }
            }
            button type="submit" { "Apply" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_leaves_out_ids_and_the_keys_a_form_sets() {
        assert_eq!(
            kept(Some("ids=a,b&pc=x%26y&smooth=0.6&sx=p"), KEYS),
            [("smooth".to_string(), "0.6".to_string())]
        );
        assert_eq!(
            kept(Some("ids=a&pc=l&diff=1"), &["smooth"]),
            [
                ("pc".to_string(), "l".to_string()),
                ("diff".to_string(), "1".to_string())
            ]
        );
    }
}
