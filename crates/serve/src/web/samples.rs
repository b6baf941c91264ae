//! The Debug samples tab (`output/debugImages`, the real web app's path) and its viewer.
//!
//! The tab lists the newest iterations' samples (`events.debug_images`, as the real app's
//! grid does), or with `iter=N` each variant's sample at iteration N or the latest before
//! it; `metric=` keeps one metric. A sample opens the viewer (`variant=` with `metric=`):
//! the file at full size, an iteration slider over that variant's iterations, and
//! previous/next links for the neighbouring sample and iteration. The viewer reads through
//! the real server's viewer calls, `events.get_debug_image_sample` and
//! `events.next_debug_image_sample` (the real app's arrow keys), and every step is a plain
//! link or GET form, so it works without the script, which only adds the arrow keys and
//! submits the slider when it is let go.

use super::Ctx;
use super::layout::{self, s};
use crate::envelope::ApiError;
use maud::{Markup, html};
use serde_json::{Value, json};

/// Iterations the newest-first grid shows (a page of them).
const GRID_ITERATIONS: usize = 5;
/// The last page of the grid: the call reads at most 1,000 iterations.
const MAX_PAGE: usize = 1000 / GRID_ITERATIONS - 2;
/// Variants a grid reads at most (one viewer call each).
const MAX_VARIANTS: usize = 200;
const IMAGE: &str = "training_debug_image";

/// What the tab's URL asks for.
#[derive(Debug, Default, PartialEq)]
pub struct Query {
    /// `metric=`: the grid's one metric, or the viewed sample's metric.
    pub metric: Option<String>,
    /// `variant=`: the viewer on `metric`/`variant` (present, even empty).
    pub variant: Option<String>,
    /// `iter=`: the iteration shown (that or the latest before it).
    pub iter: Option<i64>,
    /// `one=1`: the viewer steps within its metric (it came from a one-metric grid).
    pub one: bool,
    /// `page=N`: the newest-first grid's page (0: the newest iterations, 1: the ones
    /// before them, ...).
    pub page: usize,
}

impl Query {
    pub fn parse(query: Option<&str>) -> Query {
        let mut q = Query::default();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "metric" if !v.is_empty() => q.metric = Some(v.into_owned()),
                "variant" => q.variant = Some(v.into_owned()),
                "iter" => q.iter = v.trim().parse().ok(),
                "one" => q.one = v == "1",
                "page" => q.page = v.trim().parse::<usize>().unwrap_or(0).min(MAX_PAGE),
                _ => {}
            }
        }
        q
    }
}

/// A query string of `pairs` (empty values left out), with its `?`.
fn href(pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs
        .iter()
        .filter(|(k, v)| !v.is_empty() || *k == "variant")
    {
        q.append_pair(k, v);
    }
    format!("?{}", q.finish())
}

/// The viewer's link to a sample event.
pub(super) fn viewer_href(e: &Value, one: bool) -> String {
    let iter = e["iter"]
        .as_i64()
        .map(|i| i.to_string())
        .unwrap_or_default();
    href(&[
        ("metric", s(e, "metric")),
        ("variant", s(e, "variant")),
        ("iter", &iter),
        ("one", if one { "1" } else { "" }),
    ])
}

/// The tab's body for `q`.
pub fn body(ctx: &Ctx, task: &str, q: &Query) -> Result<Markup, ApiError> {
    match (&q.metric, &q.variant) {
        (Some(metric), Some(variant)) => viewer(ctx, task, metric, variant, q),
        _ => grid(ctx, task, q),
    }
}

/// `(metric, variants)` of the tasks' samples (any of them), sorted.
pub(super) fn metric_variants(
    ctx: &Ctx,
    tasks: &[&str],
) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    let data = ctx.api(
        "events.get_multi_task_metrics",
        json!({"tasks": tasks, "event_type": IMAGE}),
    )?;
    Ok(data["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let variants = m["variants"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            (s(m, "metric").to_string(), variants)
        })
        .collect())
}

/// One viewer (a scroll of the server's) over a task's samples.
pub(super) struct Viewer<'a> {
    ctx: &'a Ctx<'a>,
    task: &'a str,
    /// Navigation within the viewed metric only.
    one: bool,
    scroll: String,
}

/// A `get_debug_image_sample` answer: the event (null when none) and the variant's range.
pub(super) struct Sample {
    pub event: Value,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl<'a> Viewer<'a> {
    /// A viewer over all of `task`'s samples.
    pub(super) fn new(ctx: &'a Ctx<'a>, task: &'a str) -> Viewer<'a> {
        Viewer {
            ctx,
            task,
            one: false,
            scroll: String::new(),
        }
    }

    /// The variant's sample at `iter` or the latest before it (the latest without one).
    pub(super) fn at(
        &mut self,
        metric: &str,
        variant: &str,
        iter: Option<i64>,
    ) -> Result<Sample, ApiError> {
        let mut body = json!({"task": self.task, "metric": metric, "variant": variant,
                              "navigate_current_metric": self.one, "scroll_id": self.scroll});
        if let Some(i) = iter {
            body["iteration"] = json!(i);
        }
        let r = self.ctx.api("events.get_debug_image_sample", body)?;
        self.scroll = s(&r, "scroll_id").to_string();
        Ok(Sample {
            event: r["event"].clone(),
            min: r["min_iteration"].as_i64(),
            max: r["max_iteration"].as_i64(),
        })
    }

    /// From the sample of `metric`/`variant` at `iter`, the next one (the previous one
    /// with `earlier`), or the first of the next iteration with `next_iteration`; null
    /// at either end.
    fn step(
        &mut self,
        at: (&str, &str, i64),
        earlier: bool,
        next_iteration: bool,
    ) -> Result<Value, ApiError> {
        self.at(at.0, at.1, Some(at.2))?;
        let r = self.ctx.api(
            "events.next_debug_image_sample",
            json!({"task": self.task, "scroll_id": self.scroll,
                   "navigate_earlier": earlier, "next_iteration": next_iteration}),
        )?;
        Ok(r["event"].clone())
    }
}

/// A sample's file: the image when this server's file server has it, a link for other
/// files and hosts (nothing from elsewhere loads with the page; a stored HTML file opens
/// sandboxed by the file server), the text of a URI a browser cannot open.
pub(super) fn sample_file(ctx: &Ctx, e: &Value, link_to: Option<&str>) -> Markup {
    let url = s(e, "url");
    let alt = format!("{} / {}", s(e, "metric"), s(e, "variant"));
    let web = url.starts_with("http://") || url.starts_with("https://");
    html! {
        @if ctx.is_own_file(url) && is_image(url) {
            a href=(link_to.unwrap_or(url)) { img src=(url) alt=(alt) loading="lazy"; }
        } @else if web {
            a.external href=(url) rel="noreferrer noopener" target="_blank" { (url) }
        } @else {
            code { (url) }
        }
    }
}

/// Whether a file's name is an image type a browser draws (audio, video and HTML samples
/// are links: the page's policy loads images only).
fn is_image(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    // No extension: the SDK's images always have one, but an image is the likelier guess.
    !path.rsplit('/').next().unwrap_or("").contains('.')
        || matches!(
            ext,
            "png"
                | "jpg"
                | "jpeg"
                | "gif"
                | "webp"
                | "bmp"
                | "svg"
                | "avif"
                | "ico"
                | "tif"
                | "tiff"
        )
}

/// Two forms: the metric (keeping the iteration), and the iteration slider over `range`
/// (keeping the metric).
fn filter_forms(all: &[(String, Vec<String>)], q: &Query, range: Option<(i64, i64)>) -> Markup {
    let one = q.metric.is_some();
    let metric = q.metric.as_deref().unwrap_or("");
    html! {
        form.filters #samples-filter method="get" {
            label { "Metric "
                select name="metric" {
                    option value="" selected[!one] { "All metrics" }
                    @for (m, _) in all {
                        option value=(m) selected[q.metric.as_ref() == Some(m)] { (m) }
                    }
                }
            }
            @if let Some(i) = q.iter { input type="hidden" name="iter" value=(i); }
            button type="submit" { "Show" }
        }
        @if let Some((lo, hi)) = range {
            form.filters #samples-slider method="get" {
                @if one { input type="hidden" name="metric" value=(metric); }
                @let value = q.iter.unwrap_or(hi).clamp(lo, hi);
                label.slider { "Iteration "
                    input #iter-slider type="range" name="iter" min=(lo) max=(hi) step="1" value=(value);
                    output for="iter-slider" { (value) }
                }
                button type="submit" { "Show this iteration" }
                @if q.iter.is_some() {
                    a href=(href(&[("metric", metric)])) { "Newest iterations" }
                }
            }
        }
    }
}

/// The grid: the filter form and slider, then the newest iterations or one iteration.
fn grid(ctx: &Ctx, task: &str, q: &Query) -> Result<Markup, ApiError> {
    let all = metric_variants(ctx, &[task])?;
    if all.is_empty() {
        return Ok(html! { p.muted { "No debug images." } });
    }
    let chosen: Vec<&(String, Vec<String>)> = all
        .iter()
        .filter(|(m, _)| q.metric.as_ref().is_none_or(|f| f == m))
        .collect();
    let one = q.metric.is_some();
    let mut viewer = Viewer {
        ctx,
        task,
        one,
        scroll: String::new(),
    };
    // Each variant's sample at the iteration asked (or its latest) and its range.
    let mut samples: Vec<Sample> = Vec::new();
    let pairs = chosen
        .iter()
        .flat_map(|(m, vs)| vs.iter().map(move |v| (m.as_str(), v.as_str())));
    let total = pairs.clone().count();
    for (m, v) in pairs.take(MAX_VARIANTS) {
        samples.push(viewer.at(m, v, q.iter)?);
    }
    let lo = samples.iter().filter_map(|x| x.min).min();
    let hi = samples.iter().filter_map(|x| x.max).max();
    let metric = q.metric.as_deref().unwrap_or("");
    let form = filter_forms(&all, q, lo.zip(hi));
    if chosen.is_empty() {
        return Ok(html! { (form) p.muted { "No debug images of this metric." } });
    }
    let capped = html! {
        @if total > MAX_VARIANTS {
            p.muted { "The first " (MAX_VARIANTS) " of " (total) " series; pick a metric to see the others." }
        }
    };
    let Some(iter) = q.iter else {
        return Ok(html! { (form) (capped) (newest(ctx, task, q.metric.as_deref(), q.page)?) });
    };
    // One iteration: each series' sample there or the latest before it.
    let shown: Vec<&Value> = samples
        .iter()
        .map(|x| &x.event)
        .filter(|e| e.is_object())
        .collect();
    let here = shown
        .iter()
        .max_by_key(|e| e["iter"].as_i64().unwrap_or(i64::MIN))
        .map(|e| {
            (
                s(e, "metric"),
                s(e, "variant"),
                e["iter"].as_i64().unwrap_or(0),
            )
        });
    let (mut before, mut after) = (Value::Null, Value::Null);
    if let Some(at) = here {
        before = viewer.step(at, true, true)?;
        after = viewer.step(at, false, true)?;
    }
    let step_link = |e: &Value, label: &str, rel: &str| {
        let to = e["iter"].as_i64().map(|i| i.to_string());
        html! {
            @match to {
                Some(i) => a.step href=(href(&[("metric", metric), ("iter", &i)])) data-key=(rel) { (label) },
                None => span.muted { (label) },
            }
        }
    };
    Ok(html! {
        (form)
        (capped)
        div.pager {
            (step_link(&before, "◀ Earlier iteration", "ArrowDown"))
            span { "At iteration " b { (iter) } " (each series' latest sample up to it)" }
            (step_link(&after, "Later iteration ▶", "ArrowUp"))
        }
        @if shown.is_empty() { p.muted { "No samples up to iteration " (iter) "." } }
        div.images #samples {
            @for e in &shown {
                @let to = viewer_href(e, one);
                figure {
                    (sample_file(ctx, e, Some(&to)))
                    figcaption {
                        a href=(to) { (s(e, "metric")) " / " (s(e, "variant")) }
                        " · iteration " (layout::number(&e["iter"]))
                    }
                }
            }
        }
    })
}

/// The newest iterations, newest first, as the real app's grid opens; page `page` is the
/// `GRID_ITERATIONS` iterations before page `page - 1`'s (the real app scrolls down to
/// them), with links to the newer and older pages.
fn newest(ctx: &Ctx, task: &str, metric: Option<&str>, page: usize) -> Result<Markup, ApiError> {
    let mut selection = json!({"task": task});
    if let Some(m) = metric {
        selection["metric"] = json!(m);
    }
    // The page's iterations and one more, which tells whether there is an older page.
    let upto = GRID_ITERATIONS * (page + 1);
    let data = ctx.api(
        "events.debug_images",
        json!({"metrics": [selection], "iters": upto + 1}),
    )?;
    let all = data["metrics"][0]["iterations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let older = all.len() > upto;
    let iterations: Vec<&Value> = all
        .iter()
        .skip(upto - GRID_ITERATIONS)
        .take(GRID_ITERATIONS)
        .collect();
    let one = metric.is_some();
    let page_link = |to: usize, label: &str, key: &str| {
        let to = to.to_string();
        html! {
            a.step href=(href(&[("metric", metric.unwrap_or("")), ("page", if to == "0" { "" } else { &to })])) data-key=(key) { (label) }
        }
    };
    let pager = html! {
        @if page > 0 || older {
            div.pager #grid-pages {
                @if page > 0 { (page_link(page - 1, "◀ Newer iterations", "ArrowUp")) }
                @else { span.muted { "◀ Newer iterations" } }
                span { "Page " (page + 1) }
                @if older { (page_link(page + 1, "Older iterations ▶", "ArrowDown")) }
                @else { span.muted { "Older iterations ▶" } }
            }
        }
    };
    Ok(html! {
        @if iterations.is_empty() { p.muted { "No debug images." } }
        (pager)
        @for it in &iterations {
            h3 { "Iteration " (layout::number(&it["iter"])) }
            div.images {
                @for e in it["events"].as_array().into_iter().flatten() {
                    @let to = viewer_href(e, one);
                    figure {
                        (sample_file(ctx, e, Some(&to)))
                        figcaption { a href=(to) { (s(e, "metric")) " / " (s(e, "variant")) } }
                    }
                }
            }
        }
    })
}

/// The viewer on one series: the sample at full size, its iteration slider, and links to
/// the neighbouring samples.
fn viewer(
    ctx: &Ctx,
    task: &str,
    metric: &str,
    variant: &str,
    q: &Query,
) -> Result<Markup, ApiError> {
    let mut v = Viewer {
        ctx,
        task,
        one: q.one,
        scroll: String::new(),
    };
    let found = v.at(metric, variant, q.iter)?;
    let back = href(&[
        ("metric", if q.one { metric } else { "" }),
        ("iter", &q.iter.map(|i| i.to_string()).unwrap_or_default()),
    ]);
    let e = &found.event;
    let title = html! { h2.sample { (metric) " / " (variant) } };
    if !e.is_object() {
        return Ok(html! {
            p { a href=(back) { "All debug samples" } }
            (title)
            p.muted { "No sample of this series" @if let Some(i) = q.iter { " up to iteration " (i) } "." }
        });
    }
    let iter = e["iter"].as_i64().unwrap_or(0);
    let at = (metric, variant, iter);
    let steps = [
        (v.step(at, true, false)?, "◀ Previous", "ArrowLeft"),
        (v.step(at, false, false)?, "Next ▶", "ArrowRight"),
        (v.step(at, true, true)?, "Earlier iteration", "ArrowDown"),
        (v.step(at, false, true)?, "Later iteration", "ArrowUp"),
    ];
    let link = |(to, label, key): &(Value, &str, &str)| {
        html! {
            @if to.is_object() {
                a.step href=(viewer_href(to, q.one)) data-key=(key) title=(format!("{} / {} · iteration {}", s(to, "metric"), s(to, "variant"), layout::number(&to["iter"]))) { (label) }
            } @else {
                span.muted { (label) }
            }
        }
    };
    let url = s(e, "url");
    let (lo, hi) = (found.min.unwrap_or(iter), found.max.unwrap_or(iter));
    Ok(html! {
        p { a href=(back) { "All debug samples" } }
        (title)
        div.pager #sample-steps {
            @for st in &steps { (link(st)) }
        }
        form.filters #sample-slider method="get" {
            input type="hidden" name="metric" value=(metric);
            input type="hidden" name="variant" value=(variant);
            @if q.one { input type="hidden" name="one" value="1"; }
            label.slider { "Iteration "
                input #iter-slider type="range" name="iter" min=(lo) max=(hi) step="1" value=(iter);
                output for="iter-slider" { (iter) }
            }
            span.muted { (lo) "–" (hi) }
            button type="submit" { "Show" }
        }
        figure.sample #sample data-iter=(iter) {
            (sample_file(ctx, e, None))
            figcaption {
                (metric) " / " (variant) " · iteration " (iter)
                @if ctx.is_own_file(url) { " · " a href=(url) target="_blank" rel="noopener" { "Open the file" } }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_a_grid_or_a_viewer() {
        assert_eq!(Query::parse(None), Query::default());
        let q = Query::parse(Some("metric=%3Cb%3E%D0%BC&variant=&iter=12&one=1"));
        assert_eq!(q.metric.as_deref(), Some("<b>м"));
        assert_eq!(q.variant.as_deref(), Some(""));
        assert_eq!((q.iter, q.one), (Some(12), true));
        let q = Query::parse(Some("metric=&iter=x"));
        assert_eq!((q.metric, q.iter), (None, None));
        // The series' names go into links percent-encoded.
        let e = json!({"metric": "a&b=c", "variant": "ü/v", "iter": 3});
        assert_eq!(
            viewer_href(&e, false),
            "?metric=a%26b%3Dc&variant=%C3%BC%2Fv&iter=3"
        );
    }

    #[test]
    fn only_image_files_are_drawn() {
        assert!(is_image("http://h/a/b.PNG?x=1"));
        assert!(is_image("http://h/a/sample"));
        assert!(!is_image("http://h/a/page.html"));
        assert!(!is_image("http://h/a/clip.mp4"));
    }
}
