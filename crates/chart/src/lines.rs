//! SVG line and scatter charts: series as polylines, markers or both, on nice-tick axes
//! (linear or log y, an optional x window), with a legend whose entries a page's script
//! can toggle.

use crate::axes::{self, AxisText, Frame, Scale};
use crate::{Mode, Series, fixed, min_max, palette, xml_escape};
use std::fmt::Write;

/// Markers drawn per series at most; a longer series is thinned evenly (a marker per
/// pixel column is already more than the eye separates).
const MAX_MARKERS: usize = 2000;

/// How an SVG chart looks. [`SvgLook::default`] is the standalone file of
/// `task compare --svg` (white background, fixed colours); the web UI draws on its page's
/// background and themes the rest with CSS classes.
pub struct SvgLook {
    pub width: f64,
    pub height: f64,
    /// Room right of the plot for the legend.
    pub legend_width: f64,
    /// The background rectangle's fill; `None` draws none (the page's shows through).
    pub background: Option<&'static str>,
    /// Class names on the frame, grid lines and text, so a page's CSS can theme them
    /// (empty: none, as in the standalone file).
    pub classes: bool,
    /// The x axis is wall-clock time (milliseconds since the epoch, ticks as times).
    pub x_time: bool,
    /// Adds `data-x0`/`data-x1`/`data-y0`/`data-y1` and the plot's box to the `<svg>`
    /// element, so a script can map the pointer back to data coordinates.
    pub data_bounds: bool,
    /// A log10 y axis: values that are not positive are left out.
    pub log_y: bool,
    /// Only this x window (either end open); the y range follows the points inside.
    pub x_range: (Option<f64>, Option<f64>),
    /// The y axis's title (none when empty).
    pub y_label: String,
}

impl Default for SvgLook {
    fn default() -> Self {
        SvgLook {
            width: 900.0,
            height: 480.0,
            legend_width: 200.0,
            background: Some("white"),
            classes: false,
            x_time: false,
            data_bounds: false,
            log_y: false,
            x_range: (None, None),
            y_label: String::new(),
        }
    }
}

/// A standalone SVG line chart with axes, ticks and a legend.
pub fn render_svg(title: &str, x_label: &str, series: &[Series]) -> String {
    render_svg_with(title, x_label, series, &SvgLook::default())
}

/// ` class="name"` when the look asks for classes.
pub(crate) fn class(look: &SvgLook, name: &str) -> String {
    if look.classes {
        format!(r#" class="{name}""#)
    } else {
        String::new()
    }
}

impl SvgLook {
    /// Whether a point is drawn: finite, inside the x window, positive on a log axis.
    fn shows(&self, x: f64, y: f64) -> bool {
        let (lo, hi) = self.x_range;
        x.is_finite()
            && y.is_finite()
            && lo.is_none_or(|lo| x >= lo)
            && hi.is_none_or(|hi| x <= hi)
            && (!self.log_y || y > 0.0)
    }

    /// The scales of the points shown (None: no point to show).
    fn scales(&self, series: &[Series]) -> Option<(Scale, Scale)> {
        let shown = || {
            series
                .iter()
                .flat_map(|s| s.x.iter().zip(&s.y))
                .filter(|(x, y)| self.shows(**x, **y))
        };
        let (mut x0, mut x1) = min_max(shown().map(|(x, _)| *x))?;
        let (mut y0, mut y1) = min_max(shown().map(|(_, y)| *y))?;
        if let (Some(lo), Some(hi)) = self.x_range {
            (x0, x1) = (lo, hi);
        }
        if x1 == x0 {
            x1 = x0 + 1.0;
        }
        if y0 == y1 {
            (y0, y1) = if self.log_y {
                (y0 / 2.0, y1 * 2.0)
            } else {
                (y0 - 0.5, y1 + 0.5)
            };
        }
        let x = Scale {
            lo: x0,
            hi: x1,
            log: false,
        };
        let y = Scale {
            lo: y0,
            hi: y1,
            log: self.log_y,
        };
        Some((x, y))
    }
}

/// The `<svg>` element's start, the background and the title (centred at `title_x`).
pub(crate) fn open(svg: &mut String, look: &SvgLook, attrs: &str, title: &str, title_x: f64) {
    let (w, h) = (look.width, look.height);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12"{}{attrs}>"#,
        class(look, "chart")
    );
    if let Some(fill) = look.background {
        let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="{fill}"/>"#);
    }
    let _ = writeln!(
        svg,
        r#"<text{} x="{title_x}" y="24" font-size="16" text-anchor="middle">{}</text>"#,
        class(look, "t"),
        xml_escape(title)
    );
}

/// An SVG line chart drawn as `look` says.
pub fn render_svg_with(title: &str, x_label: &str, series: &[Series], look: &SvgLook) -> String {
    let (w, h) = (look.width, look.height);
    let (ml, mr, mt, mb) = (70.0, look.legend_width, 40.0, 50.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let scales = look.scales(series);
    let mut svg = String::new();
    let data = match (&scales, look.data_bounds) {
        (Some((x, y)), true) => format!(
            r#" data-x0="{}" data-x1="{}" data-y0="{}" data-y1="{}"{} data-plot="{ml} {mt} {pw} {ph}""#,
            x.lo,
            x.hi,
            y.lo,
            y.hi,
            if y.log { r#" data-ylog="1""# } else { "" }
        ),
        _ => String::new(),
    };
    open(&mut svg, look, &data, title, ml + pw / 2.0);
    let text = class(look, "t");
    let Some((x, y)) = scales else {
        let _ = writeln!(
            svg,
            r#"<text{text} x="{ml}" y="{}">no data</text></svg>"#,
            mt + 20.0
        );
        return svg;
    };
    let frame = Frame {
        left: ml,
        top: mt,
        width: pw,
        height: ph,
        x,
        y,
    };
    let _ = writeln!(
        svg,
        r##"<rect{} x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##,
        class(look, "frame")
    );
    let grid = class(look, "grid");
    let axis_text = AxisText {
        grid: &grid,
        text: &text,
        x_time: look.x_time,
        x_ticks: true,
        x_label,
        y_label: &look.y_label,
    };
    axes::draw(&mut svg, &frame, &axis_text, h);
    for (i, s) in series.iter().enumerate() {
        draw_series(&mut svg, &frame, look, i, s);
        if s.label.is_empty() {
            continue;
        }
        legend_entry(&mut svg, look, &text, ml + pw + 12.0, mt, i, s);
    }
    svg.push_str("</svg>\n");
    svg
}

/// One series: its polyline and/or markers, tagged with its index for the legend toggle.
fn draw_series(svg: &mut String, f: &Frame, look: &SvgLook, i: usize, s: &Series) {
    let color = palette::color(i);
    let points: Vec<(f64, f64)> =
        s.x.iter()
            .zip(&s.y)
            .filter(|(x, y)| look.shows(**x, **y))
            .map(|(x, y)| (f.px(*x), f.py(*y)))
            .collect();
    let tag = if look.data_bounds {
        format!(r#" data-label="{}" data-i="{i}""#, xml_escape(&s.label))
    } else {
        String::new()
    };
    if s.mode != Mode::Markers {
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="1.5"{tag} points=""#
        );
        svg.reserve(points.len() * 14);
        for (k, (x, y)) in points.iter().enumerate() {
            if k > 0 {
                svg.push(' ');
            }
            fixed::push_2(svg, *x);
            svg.push(',');
            fixed::push_2(svg, *y);
        }
        svg.push_str("\"/>\n");
    }
    if s.mode != Mode::Lines {
        let every = points.len().div_ceil(MAX_MARKERS).max(1);
        let _ = write!(svg, r#"<g class="markers" fill="{color}"{tag}>"#);
        for (x, y) in points.iter().step_by(every) {
            let _ = write!(svg, r#"<circle cx="{x:.2}" cy="{y:.2}" r="3"/>"#);
        }
        svg.push_str("</g>\n");
    }
    // Point labels (a dataset genealogy's node names), when every point has one.
    if !s.text.is_empty() && s.text.len() == s.x.len() {
        let text = class(look, "t");
        for ((x, y), label) in s.x.iter().zip(&s.y).zip(&s.text) {
            if look.shows(*x, *y) {
                let _ = writeln!(
                    svg,
                    r#"<text{text} x="{:.2}" y="{:.2}" text-anchor="middle">{}</text>"#,
                    f.px(*x),
                    f.py(*y) - 8.0,
                    xml_escape(label)
                );
            }
        }
    }
}

fn legend_entry(
    svg: &mut String,
    look: &SvgLook,
    text: &str,
    lx: f64,
    top: f64,
    i: usize,
    s: &Series,
) {
    let color = palette::color(i);
    let ly = top + 10.0 + 18.0 * i as f64;
    let entry = format!(
        r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="3"/><text{text} x="{}" y="{}">{}</text>"#,
        lx + 18.0,
        lx + 24.0,
        ly + 4.0,
        xml_escape(&s.label)
    );
    if look.data_bounds {
        // A page's script shows and hides the series when its entry is clicked.
        let _ = writeln!(
            svg,
            r#"<g class="legend" data-i="{i}" tabindex="0"><title>show/hide</title>{entry}</g>"#
        );
    } else {
        let _ = writeln!(svg, "{entry}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(label: &str, x: &[f64], y: &[f64], mode: Mode) -> Series {
        Series {
            label: label.into(),
            x: x.to_vec(),
            y: y.to_vec(),
            mode,
            ..Series::default()
        }
    }

    #[test]
    fn markers_and_lines_follow_the_mode() {
        let xs = [0.0, 1.0, 2.0];
        let svg = render_svg(
            "m",
            "x",
            &[
                s("a", &xs, &[1.0, 2.0, 3.0], Mode::Markers),
                s("b", &xs, &[3.0, 2.0, 1.0], Mode::LinesMarkers),
                s("c", &xs, &[2.0, 2.0, 2.0], Mode::Lines),
            ],
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 6);
    }

    #[test]
    fn huge_marker_series_are_thinned() {
        let n = 100_000;
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let svg = render_svg("m", "x", &[s("a", &x, &x, Mode::Markers)]);
        let count = svg.matches("<circle").count();
        assert!((MAX_MARKERS / 2..=MAX_MARKERS).contains(&count), "{count}");
    }

    #[test]
    fn log_axis_drops_non_positive_values_and_ticks_decades() {
        let look = SvgLook {
            log_y: true,
            ..SvgLook::default()
        };
        let svg = render_svg_with(
            "m",
            "x",
            &[s(
                "a",
                &[0.0, 1.0, 2.0, 3.0],
                &[-1.0, 0.01, 1.0, 100.0],
                Mode::Lines,
            )],
            &look,
        );
        for label in [">0.01<", ">0.1<", ">1<", ">10<", ">100<"] {
            assert!(svg.contains(label), "{label}: {svg}");
        }
        // three points on the line: the negative one is left out
        let points = svg.split("points=\"").nth(1).unwrap();
        assert_eq!(points.split('"').next().unwrap().split(' ').count(), 3);
    }

    #[test]
    fn an_x_window_keeps_the_points_inside() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let look = SvgLook {
            x_range: (Some(10.0), Some(19.0)),
            data_bounds: true,
            ..SvgLook::default()
        };
        let svg = render_svg_with("m", "x", &[s("a", &x, &x, Mode::Lines)], &look);
        assert!(
            svg.contains(r#"data-x0="10" data-x1="19" data-y0="10" data-y1="19""#),
            "{svg}"
        );
        let points = svg.split("points=\"").nth(1).unwrap();
        assert_eq!(points.split('"').next().unwrap().split(' ').count(), 10);
        assert!(svg.contains(r#"<g class="legend" data-i="0""#));
    }
}
