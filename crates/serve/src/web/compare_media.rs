//! The compare page's Plots and Debug samples tabs (`tab=plots`, `tab=samples`): a row
//! per metric / variant that any of the experiments reported, a column per experiment in
//! the page's order, each cell that experiment's newest plot of the row (from
//! `events.get_task_plots`, drawn as on the task's Plots tab), or its debug sample at the
//! iteration asked (`iter=`, the latest up to it; the newest without one, from
//! `events.get_debug_image_sample` as the task's viewer reads it). A cell an experiment
//! has nothing for says so, so the columns stay aligned.

use super::Ctx;
use super::layout::{self, s, url_part};
use super::samples::{self, Viewer};
use crate::envelope::ApiError;
use clearml_chart::comparison::task_header;
use maud::{Markup, html};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Rows (metric / variant pairs) a samples tab reads at most: each is a call per task.
const MAX_SAMPLE_ROWS: usize = 50;

/// The tab a compare page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Details,
    Plots,
    Samples,
}

impl Tab {
    pub fn parse(query: Option<&str>) -> Tab {
        match url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .find(|(k, _)| k == "tab")
            .map(|(_, v)| v.into_owned())
            .as_deref()
        {
            Some("plots") => Tab::Plots,
            Some("samples") => Tab::Samples,
            _ => Tab::Details,
        }
    }
}

/// The tab links of the page comparing `ids` (joined by commas).
pub fn tabs(ids: &str, on: Tab) -> Markup {
    let base = format!("?ids={}", url_part(ids));
    let tab = |suffix: &str, label: &str, this: Tab| {
        html! { a href={ (base) (suffix) } class=[(on == this).then_some("on")] { (label) } }
    };
    html! {
        nav.tabs #compare-tabs {
            (tab("", "Values and scalars", Tab::Details))
            (tab("&tab=plots", "Plots", Tab::Plots))
            (tab("&tab=samples", "Debug samples", Tab::Samples))
        }
    }
}

/// The table's head: an empty corner, then each experiment linked to its page.
fn head(tasks: &[Value], first: &str) -> Markup {
    html! {
        thead { tr {
            th { (first) }
            @for t in tasks {
                th { a href=(layout::task_href(t)) title=(task_header(t)) { (task_header(t)) } }
            }
        } }
    }
}

/// Each task's cells keyed by metric / variant, in the tasks' order.
type Cells = BTreeMap<(String, String), Vec<Option<Value>>>;

/// The Plots tab: each experiment's newest plot of every metric / variant.
pub fn plots(ctx: &Ctx, tasks: &[Value]) -> Result<Markup, ApiError> {
    let mut rows = Cells::new();
    for (i, t) in tasks.iter().enumerate() {
        let data = ctx.api(
            "events.get_task_plots",
            json!({"task": s(t, "id"), "iters": 1}),
        )?;
        for p in data["plots"].as_array().into_iter().flatten() {
            let key = (s(p, "metric").to_string(), s(p, "variant").to_string());
            let cells = rows.entry(key).or_insert_with(|| vec![None; tasks.len()]);
            // The newest of a task's plots of one variant (the call gives one per variant).
            if cells[i]
                .as_ref()
                .is_none_or(|old| old["iter"].as_i64() < p["iter"].as_i64())
            {
                cells[i] = Some(p.clone());
            }
        }
    }
    Ok(html! {
        @if rows.is_empty() { p.muted { "None of these experiments reported plots." } }
        @else {
            div.scroll { table.grid.sidebyside #compare-plots {
                (head(tasks, "Metric / variant"))
                tbody {
                    @for ((metric, variant), cells) in &rows {
                        tr {
                            th.rowhead { (metric) " / " (variant) }
                            @for c in cells {
                                td {
                                    @match c {
                                        Some(p) => (super::plots::plot(p)),
                                        None => span.muted.none { "no plot" },
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
    })
}

/// The Debug samples tab: each experiment's sample of every metric / variant at `iter`
/// (the latest up to it), the newest without one, and a slider over all their iterations.
pub fn samples(
    ctx: &Ctx,
    tasks: &[Value],
    ids: &str,
    iter: Option<i64>,
) -> Result<Markup, ApiError> {
    let ids_list: Vec<&str> = tasks.iter().map(|t| s(t, "id")).collect();
    let all = samples::metric_variants(ctx, &ids_list)?;
    let pairs: Vec<(&str, &str)> = all
        .iter()
        .flat_map(|(m, vs)| vs.iter().map(move |v| (m.as_str(), v.as_str())))
        .collect();
    if pairs.is_empty() {
        return Ok(html! { p.muted { "None of these experiments reported debug samples." } });
    }
    let mut viewers: Vec<Viewer> = ids_list.iter().map(|t| Viewer::new(ctx, t)).collect();
    let (mut lo, mut hi) = (None::<i64>, None::<i64>);
    let mut rows = Cells::new();
    for (m, v) in pairs.iter().take(MAX_SAMPLE_ROWS) {
        let mut cells = Vec::with_capacity(tasks.len());
        for viewer in viewers.iter_mut() {
            let found = viewer.at(m, v, iter)?;
            lo = lo.into_iter().chain(found.min).min();
            hi = hi.into_iter().chain(found.max).max();
            cells.push(Some(found.event).filter(Value::is_object));
        }
        rows.insert((m.to_string(), v.to_string()), cells);
    }
    let slider = html! {
        @if let (Some(lo), Some(hi)) = (lo, hi) {
            form.filters #samples-slider method="get" {
                input type="hidden" name="ids" value=(ids);
                input type="hidden" name="tab" value="samples";
                @let value = iter.unwrap_or(hi).clamp(lo, hi);
                label.slider { "Iteration "
                    input #iter-slider type="range" name="iter" min=(lo) max=(hi) step="1" value=(value);
                    output for="iter-slider" { (value) }
                }
                button type="submit" { "Show this iteration" }
                @if iter.is_some() {
                    a href={ "?ids=" (url_part(ids)) "&tab=samples" } { "Newest samples" }
                }
            }
        }
    };
    Ok(html! {
        (slider)
        p.muted {
            @match iter {
                Some(i) => { "Each experiment's latest sample up to iteration " (i) "." }
                None => { "Each experiment's newest sample." }
            }
            @if pairs.len() > MAX_SAMPLE_ROWS {
                " The first " (MAX_SAMPLE_ROWS) " of " (pairs.len()) " series."
            }
        }
        div.scroll { table.grid.sidebyside #compare-samples {
            (head(tasks, "Metric / variant"))
            tbody {
                @for ((metric, variant), cells) in &rows {
                    tr {
                        th.rowhead { (metric) " / " (variant) }
                        @for (t, c) in tasks.iter().zip(cells) {
                            td {
                                @match c {
                                    Some(e) => {
                                        @let to = format!("{}/output/debugImages{}", layout::task_href(t), samples::viewer_href(e, false));
                                        figure data-iter=(layout::number(&e["iter"])) {
                                            (samples::sample_file(ctx, e, Some(&to)))
                                            figcaption { "iteration " (layout::number(&e["iter"])) }
                                        }
                                    }
                                    None => span.muted.none { "no sample" },
                                }
                            }
                        }
                    }
                }
            }
        } }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_comes_from_the_query() {
        assert_eq!(Tab::parse(None), Tab::Details);
        assert_eq!(Tab::parse(Some("ids=a,b&tab=plots")), Tab::Plots);
        assert_eq!(Tab::parse(Some("tab=samples&iter=3")), Tab::Samples);
        assert_eq!(Tab::parse(Some("tab=%3Cx%3E")), Tab::Details);
        let nav = tabs("a,b", Tab::Plots).into_string();
        assert!(
            nav.contains(r#"<a href="?ids=a%2Cb&amp;tab=plots" class="on">"#),
            "{nav}"
        );
    }
}
