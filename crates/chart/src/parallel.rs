//! Many experiments' hyperparameters at a glance, for the web UI's compare page:
//! parallel coordinates (an axis per parameter or metric, a polyline per experiment) and a
//! parameter-vs-metric scatter (a labelled point per experiment). An axis whose values are
//! all numbers is scaled between its extremes with nice ticks; any other axis lists its
//! distinct values as categories. Experiment `i` is drawn in `palette::color(i)`, the
//! colour of its swatch in the page's legend. Every name and value is escaped.

use crate::ticks::{self, Tick};
use crate::{min_max, palette, xml_escape};
use std::fmt::Write;

/// An axis: a parameter or a metric, with one value per experiment (`None`: not set).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Axis {
    pub label: String,
    pub values: Vec<Option<String>>,
}

/// How an axis places its values.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// All values numeric: a linear scale from the smallest to the largest.
    Num { lo: f64, hi: f64 },
    /// Distinct values, sorted, evenly spaced.
    Cat(Vec<String>),
}

fn number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

impl Axis {
    fn kind(&self) -> Kind {
        let present = || self.values.iter().flatten();
        let nums: Option<Vec<f64>> = present().map(|v| number(v)).collect();
        match nums.and_then(|n| min_max(n.into_iter())) {
            Some((lo, hi)) => Kind::Num { lo, hi },
            None => {
                let mut cats: Vec<String> = present().cloned().collect();
                cats.sort();
                cats.dedup();
                Kind::Cat(cats)
            }
        }
    }

    fn has_missing(&self) -> bool {
        self.values.iter().any(Option::is_none)
    }
}

impl Kind {
    /// Where `v` falls along the axis, 0 (bottom or left) to 1. `pad` keeps the extremes
    /// off the ends (a scatter's frame); without it they sit on the ends (an axis line).
    fn frac(&self, v: &str, pad: bool) -> Option<f64> {
        let f = match self {
            Kind::Num { lo, hi } => {
                let x = number(v)?;
                if hi == lo { 0.5 } else { (x - lo) / (hi - lo) }
            }
            Kind::Cat(cats) => {
                let i = cats.iter().position(|c| c == v)? as f64;
                let n = cats.len() as f64;
                if pad {
                    return Some((i + 0.5) / n);
                }
                if cats.len() == 1 { 0.5 } else { i / (n - 1.0) }
            }
        };
        Some(if pad { 0.05 + 0.9 * f } else { f })
    }

    /// Tick marks: nice numbers, or every category (`value`: its index).
    fn ticks(&self) -> Vec<Tick> {
        match self {
            Kind::Num { lo, hi } => ticks::nice_ticks(*lo, *hi, 4),
            Kind::Cat(cats) => cats
                .iter()
                .enumerate()
                .map(|(i, c)| Tick {
                    value: i as f64,
                    label: c.clone(),
                })
                .collect(),
        }
    }

    /// A tick's place along the axis, as [`Kind::frac`].
    fn tick_frac(&self, t: &Tick, pad: bool) -> f64 {
        match self {
            Kind::Num { .. } => self.frac(&t.value.to_string(), pad).unwrap_or(0.0),
            Kind::Cat(cats) => self.frac(&cats[t.value as usize], pad).unwrap_or(0.0),
        }
    }

    /// The axis's scale as attributes (`p`: a prefix for the names), for scripts and tests.
    fn data(&self, p: &str) -> String {
        match self {
            Kind::Num { lo, hi } => {
                format!(r#" data-{p}kind="num" data-{p}lo="{lo}" data-{p}hi="{hi}""#)
            }
            Kind::Cat(c) => format!(r#" data-{p}kind="cat" data-{p}n="{}""#, c.len()),
        }
    }
}

/// `s` cut to `n` characters (an ellipsis marks the cut).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

const TOP: f64 = 64.0;
const PLOT_H: f64 = 300.0;
const MARGIN: f64 = 96.0;
/// Below an axis: where experiments without a value cross it.
const MISSING_GAP: f64 = 26.0;

/// Parallel coordinates: `axes` left to right, a polyline per experiment (`labels[i]`,
/// its tooltip; `ids[i]`, a `data-task` attribute) crossing every axis at its value, or
/// at the axis's "n/a" mark below it when the experiment has none.
pub fn parallel_svg(axes: &[Axis], labels: &[String], ids: &[String]) -> String {
    let k = axes.len();
    let spacing = if k > 1 {
        (900.0 / (k - 1) as f64).max(150.0)
    } else {
        0.0
    };
    let width = (2.0 * MARGIN + spacing * k.saturating_sub(1) as f64).max(420.0);
    let first_x = if k > 1 { MARGIN } else { width / 2.0 };
    let bottom = TOP + PLOT_H;
    let missing_y = bottom + MISSING_GAP;
    let height = missing_y + 24.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart pcoords" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" data-top="{TOP}" data-bottom="{bottom}" data-missing="{missing_y}">"#
    );
    let kinds: Vec<Kind> = axes.iter().map(Axis::kind).collect();
    let xs: Vec<f64> = (0..k).map(|a| first_x + spacing * a as f64).collect();
    let title_chars = ((spacing.max(180.0) - 10.0) / 7.0) as usize;
    for ((axis, kind), x) in axes.iter().zip(&kinds).zip(&xs) {
        let _ = write!(
            svg,
            r#"<g class="axis" data-label="{}" data-x="{x}"{}><title>{}</title>"#,
            xml_escape(&axis.label),
            kind.data(""),
            xml_escape(&axis.label)
        );
        let _ = write!(
            svg,
            r##"<text class="t" x="{x}" y="{}" text-anchor="middle" font-weight="600">{}</text><line class="frame" x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}" stroke="#888"/>"##,
            TOP - 20.0,
            xml_escape(&clip(&axis.label, title_chars)),
        );
        let ticks = kind.ticks();
        // Every category keeps its mark; when they crowd, only some keep a label.
        let every = (ticks.len() as f64 * 13.0 / PLOT_H).ceil().max(1.0) as usize;
        for (n, t) in ticks.iter().enumerate() {
            let y = bottom - kind.tick_frac(t, false) * PLOT_H;
            let shown = if n % every == 0 {
                ""
            } else {
                r#" visibility="hidden""#
            };
            let _ = write!(
                svg,
                r##"<line class="frame" x1="{}" y1="{y:.2}" x2="{x}" y2="{y:.2}" stroke="#888"/><text class="t tick" x="{}" y="{:.2}" text-anchor="end" data-v="{}" data-y="{y:.2}"{shown}>{}</text>"##,
                x - 4.0,
                x - 6.0,
                y + 4.0,
                xml_escape(&t.label),
                xml_escape(&clip(&t.label, 14)),
            );
        }
        if axis.has_missing() {
            let _ = write!(
                svg,
                r#"<text class="t muted" x="{}" y="{:.2}" text-anchor="end">n/a</text>"#,
                x - 6.0,
                missing_y + 4.0
            );
        }
        svg.push_str("</g>\n");
    }
    for (i, label) in labels.iter().enumerate() {
        let points: Vec<String> = axes
            .iter()
            .zip(&kinds)
            .zip(&xs)
            .map(|((axis, kind), x)| {
                let y = axis
                    .values
                    .get(i)
                    .cloned()
                    .flatten()
                    .and_then(|v| kind.frac(&v, false))
                    .map_or(missing_y, |f| bottom - f * PLOT_H);
                format!("{x:.2},{y:.2}")
            })
            .collect();
        let id = ids.get(i).map(String::as_str).unwrap_or_default();
        let _ = writeln!(
            svg,
            r#"<polyline class="pc" fill="none" stroke="{}" stroke-width="1.6" data-i="{i}" data-task="{}" points="{}"><title>{}</title></polyline>"#,
            palette::color(i),
            xml_escape(id),
            points.join(" "),
            xml_escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A scatter of `y` against `x`: a point per experiment that has both values, in its
/// colour, labelled with its name (`labels[i]`) when there are few enough to read.
pub fn scatter_svg(x: &Axis, y: &Axis, labels: &[String]) -> String {
    let (width, height) = (820.0, 440.0);
    let (ml, mt, mr, mb) = (90.0, 20.0, 40.0, 56.0);
    let (pw, ph) = (width - ml - mr, height - mt - mb);
    let (kx, ky) = (x.kind(), y.kind());
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart scatter" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" data-box="{ml} {mt} {pw} {ph}"{}{}>"#,
        kx.data("x"),
        ky.data("y"),
    );
    let _ = writeln!(
        svg,
        r##"<rect class="frame" x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##
    );
    for t in kx.ticks() {
        let px = ml + kx.tick_frac(&t, true) * pw;
        let _ = writeln!(
            svg,
            r##"<line class="grid" x1="{px:.2}" y1="{mt}" x2="{px:.2}" y2="{}" stroke="#eee"/><text class="t" x="{px:.2}" y="{}" text-anchor="middle">{}</text>"##,
            mt + ph,
            mt + ph + 16.0,
            xml_escape(&clip(&t.label, 16))
        );
    }
    for t in ky.ticks() {
        let py = mt + ph - ky.tick_frac(&t, true) * ph;
        let _ = writeln!(
            svg,
            r##"<line class="grid" x1="{ml}" y1="{py:.2}" x2="{}" y2="{py:.2}" stroke="#eee"/><text class="t" x="{}" y="{:.2}" text-anchor="end">{}</text>"##,
            ml + pw,
            ml - 6.0,
            py + 4.0,
            xml_escape(&clip(&t.label, 12))
        );
    }
    let _ = writeln!(
        svg,
        r#"<text class="t" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        ml + pw / 2.0,
        height - 12.0,
        xml_escape(&x.label)
    );
    let (lx, ly) = (16.0, mt + ph / 2.0);
    let _ = writeln!(
        svg,
        r#"<text class="t" x="{lx}" y="{ly}" text-anchor="middle" transform="rotate(-90 {lx} {ly})">{}</text>"#,
        xml_escape(&y.label)
    );
    let value = |a: &Axis, i: usize| a.values.get(i).cloned().flatten();
    let drawn: Vec<(usize, f64, f64)> = (0..labels.len())
        .filter_map(|i| {
            let fx = kx.frac(&value(x, i)?, true)?;
            let fy = ky.frac(&value(y, i)?, true)?;
            Some((i, ml + fx * pw, mt + ph - fy * ph))
        })
        .collect();
    let named = drawn.len() <= 40;
    for &(i, px, py) in &drawn {
        let tip = format!(
            "{}\n{}: {}\n{}: {}",
            labels[i],
            x.label,
            value(x, i).unwrap_or_default(),
            y.label,
            value(y, i).unwrap_or_default()
        );
        let _ = write!(
            svg,
            r#"<g class="pt" data-i="{i}"><title>{}</title><circle cx="{px:.2}" cy="{py:.2}" r="5" fill="{}"/>"#,
            xml_escape(&tip),
            palette::color(i),
        );
        if named {
            let _ = write!(
                svg,
                r#"<text class="t" x="{:.2}" y="{:.2}" font-size="11">{}</text>"#,
                px + 7.0,
                py - 6.0,
                xml_escape(&clip(&labels[i], 28))
            );
        }
        svg.push_str("</g>\n");
    }
    let left_out = labels.len() - drawn.len();
    if left_out > 0 {
        let _ = writeln!(
            svg,
            r#"<text class="t muted" x="{}" y="{}" text-anchor="end">{left_out} without both values</text>"#,
            ml + pw - 4.0,
            mt + 14.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(label: &str, values: &[Option<&str>]) -> Axis {
        Axis {
            label: label.into(),
            values: values.iter().map(|v| v.map(str::to_string)).collect(),
        }
    }

    /// The `(x, y)` points of the polyline of experiment `i`.
    fn line(svg: &str, i: usize) -> Vec<(f64, f64)> {
        let tag = format!(r#"data-i="{i}" "#);
        let rest = &svg[svg.find(&tag).unwrap()..];
        let pts = rest.split("points=\"").nth(1).unwrap().split('"').next();
        pts.unwrap()
            .split(' ')
            .map(|p| {
                let (a, b) = p.split_once(',').unwrap();
                (a.parse().unwrap(), b.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn numbers_scale_between_extremes_and_text_is_categories() {
        let axes = [
            axis("lr", &[Some("0.1"), Some("0.3"), Some("0.2")]),
            axis("opt <b>", &[Some("sgd"), Some("adam"), None]),
            axis("Größe", &[Some("5"), Some("5"), Some("5")]),
        ];
        let labels = ["a".to_string(), "b".into(), "c".into()];
        let svg = parallel_svg(&axes, &labels, &["1".into(), "2".into(), "3".into()]);
        let bottom = TOP + PLOT_H;
        // a: lr at the bottom, sgd the top category (after adam), 5 in the middle
        assert_eq!(
            line(&svg, 0),
            [
                (MARGIN, bottom),
                (MARGIN + 450.0, TOP),
                (MARGIN + 900.0, TOP + PLOT_H / 2.0)
            ]
        );
        assert_eq!(line(&svg, 1)[0], (MARGIN, TOP));
        assert_eq!(line(&svg, 1)[1], (MARGIN + 450.0, bottom));
        // c has no optimizer: it crosses at the n/a mark
        assert_eq!(line(&svg, 2)[0], (MARGIN, (bottom + TOP) / 2.0));
        assert_eq!(line(&svg, 2)[1], (MARGIN + 450.0, bottom + MISSING_GAP));
        assert!(svg.contains(">n/a<"));
        assert!(svg.contains(r#"data-label="opt &lt;b&gt;""#));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.contains(r#"data-kind="cat" data-n="2""#));
        assert!(svg.contains(r#"data-kind="num" data-lo="0.1" data-hi="0.3""#));
    }

    #[test]
    fn nan_and_booleans_are_categories_and_long_names_are_clipped() {
        let a = axis("x", &[Some("NaN"), Some("1")]);
        assert_eq!(a.kind(), Kind::Cat(vec!["1".into(), "NaN".into()]));
        assert_eq!(
            axis("b", &[Some("True")]).kind(),
            Kind::Cat(vec!["True".into()])
        );
        assert_eq!(clip("Обучение训练", 4), "Обу…");
        assert_eq!(clip("ab", 4), "ab");
    }

    #[test]
    fn scatter_places_each_experiment_and_says_who_lacks_a_value() {
        let x = axis("lr", &[Some("0"), Some("10"), None]);
        let y = axis("loss", &[Some("1"), Some("3"), Some("2")]);
        let labels = ["a <i>".to_string(), "b".into(), "c".into()];
        let svg = scatter_svg(&x, &y, &labels);
        assert_eq!(svg.matches("<circle").count(), 2);
        // 90 + 0.05 * 690, 20 + 364 - 0.05 * 364
        assert!(svg.contains(r#"cx="124.50" cy="365.80""#), "{svg}");
        assert!(svg.contains(r#"cx="745.50" cy="38.20""#), "{svg}");
        assert!(svg.contains(">1 without both values<"));
        assert!(svg.contains("a &lt;i&gt;"));
        assert!(svg.contains(r#"data-xkind="num" data-xlo="0" data-xhi="10" data-ykind="num""#));
    }
}
