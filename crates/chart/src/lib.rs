//! Scalar curves: a character chart for the terminal and SVG line charts, shared by
//! `task compare --plot/--svg`, `pipeline stats --svg` and the web UI of `server serve`.
//! Pure rendering; the data comes from `events.scalar_metrics_iter_histogram`.

pub mod comparison;
pub mod dag;

use std::fmt::Write;

/// A number as tables and axis ticks show it: integers without a fraction, tiny or huge
/// values in exponent form, others with at most 6 decimals.
pub fn fmt_f64(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else if f.abs() < 1e-4 || f.abs() >= 1e15 {
        format!("{f:.4e}")
    } else {
        let s = format!("{f:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

const MARKS: &[char] = &['*', '+', 'o', 'x', '#', '@', '%', '&'];
const COLORS: &[&str] = &[
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

struct Bounds {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

fn bounds(series: &[Series]) -> Option<Bounds> {
    let xs = series
        .iter()
        .flat_map(|s| s.x.iter().copied())
        .filter(|v| v.is_finite());
    let ys = series
        .iter()
        .flat_map(|s| s.y.iter().copied())
        .filter(|v| v.is_finite());
    let (x0, x1) = min_max(xs)?;
    let (mut y0, mut y1) = min_max(ys)?;
    if y0 == y1 {
        y0 -= 0.5;
        y1 += 0.5;
    }
    Some(Bounds {
        x0,
        x1: if x1 == x0 { x0 + 1.0 } else { x1 },
        y0,
        y1,
    })
}

fn min_max(it: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    it.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((a.min(v), b.max(v))),
    })
}

/// y at x by linear interpolation between the neighbouring points (None outside the data).
fn interpolate(s: &Series, x: f64) -> Option<f64> {
    let n = s.x.len().min(s.y.len());
    if n == 0 || x < s.x[0] || x > s.x[n - 1] {
        return None;
    }
    let i = s.x[..n].partition_point(|&v| v < x);
    if i < n && s.x[i] == x {
        return Some(s.y[i]);
    }
    if i == 0 {
        return Some(s.y[0]);
    }
    let (xa, xb, ya, yb) = (s.x[i - 1], s.x[i], s.y[i - 1], s.y[i]);
    Some(ya + (yb - ya) * (x - xa) / (xb - xa))
}

/// A `width` x `height` character chart with a y axis, x range and a legend.
pub fn render_text(title: &str, series: &[Series], width: usize, height: usize) -> String {
    let Some(b) = bounds(series) else {
        return format!("{title}: no data\n");
    };
    let mut grid = vec![vec![' '; width]; height];
    for (si, s) in series.iter().enumerate() {
        let mark = MARKS[si % MARKS.len()];
        // One sample per character column, at the row nearest its value.
        let cells = (0..width).filter_map(|col| {
            let x = b.x0 + (b.x1 - b.x0) * col as f64 / (width.max(2) - 1) as f64;
            let y = interpolate(s, x)?;
            let frac = (y - b.y0) / (b.y1 - b.y0);
            let row = ((1.0 - frac) * (height - 1) as f64).round() as usize;
            Some((row.min(height - 1), col))
        });
        for (row, col) in cells {
            grid[row][col] = mark;
        }
    }
    let labels = [fmt_f64(b.y1), fmt_f64((b.y0 + b.y1) / 2.0), fmt_f64(b.y0)];
    let lw = labels.iter().map(String::len).max().unwrap_or(1);
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    for (r, line) in grid.iter().enumerate() {
        let label = if r == 0 {
            &labels[0]
        } else if r == height / 2 {
            &labels[1]
        } else if r == height - 1 {
            &labels[2]
        } else {
            ""
        };
        let text: String = line.iter().collect();
        let _ = writeln!(out, "{label:>lw$} |{}", text.trim_end());
    }
    let _ = writeln!(out, "{:>lw$} +{}", "", "-".repeat(width));
    let left = fmt_f64(b.x0);
    let right = fmt_f64(b.x1);
    let gap = width.saturating_sub(left.len() + right.len());
    let _ = writeln!(out, "{:>lw$}  {left}{}{right}", "", " ".repeat(gap));
    for (si, s) in series.iter().enumerate() {
        let _ = writeln!(out, "  {} {}", MARKS[si % MARKS.len()], s.label);
    }
    out
}

/// Text for an XML attribute or element (the SVG charts, the web UI's DAG).
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

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
    /// How x tick labels read (numbers, or times for a wall-clock axis).
    pub x_ticks: fn(f64) -> String,
    /// Adds `data-x0`/`data-x1`/`data-y0`/`data-y1` and the plot's box to the `<svg>`
    /// element, so a script can map the pointer back to data coordinates.
    pub data_bounds: bool,
}

impl Default for SvgLook {
    fn default() -> Self {
        SvgLook {
            width: 900.0,
            height: 480.0,
            legend_width: 200.0,
            background: Some("white"),
            classes: false,
            x_ticks: fmt_f64,
            data_bounds: false,
        }
    }
}

/// A standalone SVG line chart with axes, ticks and a legend.
pub fn render_svg(title: &str, x_label: &str, series: &[Series]) -> String {
    render_svg_with(title, x_label, series, &SvgLook::default())
}

/// ` class="name"` when the look asks for classes.
fn class(look: &SvgLook, name: &str) -> String {
    if look.classes {
        format!(r#" class="{name}""#)
    } else {
        String::new()
    }
}

/// An SVG line chart drawn as `look` says.
pub fn render_svg_with(title: &str, x_label: &str, series: &[Series], look: &SvgLook) -> String {
    let (w, h) = (look.width, look.height);
    let (ml, mr, mt, mb) = (70.0, look.legend_width, 40.0, 50.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let b = bounds(series);
    let mut svg = String::new();
    let data = match (&b, look.data_bounds) {
        (Some(b), true) => format!(
            r#" data-x0="{}" data-x1="{}" data-y0="{}" data-y1="{}" data-plot="{ml} {mt} {pw} {ph}""#,
            b.x0, b.x1, b.y0, b.y1
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12"{}{data}>"#,
        class(look, "chart")
    );
    if let Some(fill) = look.background {
        let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="{fill}"/>"#);
    }
    let text = class(look, "t");
    let _ = writeln!(
        svg,
        r#"<text{text} x="{}" y="24" font-size="16" text-anchor="middle">{}</text>"#,
        ml + pw / 2.0,
        xml_escape(title)
    );
    let Some(b) = b else {
        let _ = writeln!(
            svg,
            r#"<text{text} x="{ml}" y="{}">no data</text></svg>"#,
            mt + 20.0
        );
        return svg;
    };
    let sx = |x: f64| ml + (x - b.x0) / (b.x1 - b.x0) * pw;
    let sy = |y: f64| mt + ph - (y - b.y0) / (b.y1 - b.y0) * ph;
    let _ = writeln!(
        svg,
        r##"<rect{} x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##,
        class(look, "frame")
    );
    let grid = class(look, "grid");
    for i in 0..=5 {
        let f = i as f64 / 5.0;
        let (xv, yv) = (b.x0 + (b.x1 - b.x0) * f, b.y0 + (b.y1 - b.y0) * f);
        let (px, py) = (sx(xv), sy(yv));
        let _ = writeln!(
            svg,
            r##"<line{grid} x1="{px:.1}" y1="{mt}" x2="{px:.1}" y2="{:.1}" stroke="#eee"/><text{text} x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            mt + ph,
            mt + ph + 16.0,
            (look.x_ticks)(xv)
        );
        let _ = writeln!(
            svg,
            r##"<line{grid} x1="{ml}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#eee"/><text{text} x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            ml + pw,
            ml - 6.0,
            py + 4.0,
            fmt_f64(yv)
        );
    }
    let _ = writeln!(
        svg,
        r#"<text{text} x="{}" y="{}" text-anchor="middle">{}</text>"#,
        ml + pw / 2.0,
        h - 10.0,
        xml_escape(x_label)
    );
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<String> =
            s.x.iter()
                .zip(&s.y)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| format!("{:.2},{:.2}", sx(*x), sy(*y)))
                .collect();
        let label = if look.data_bounds {
            format!(r#" data-label="{}""#, xml_escape(&s.label))
        } else {
            String::new()
        };
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="1.5"{label} points="{}"/>"#,
            points.join(" ")
        );
        let ly = mt + 10.0 + 18.0 * i as f64;
        let lx = ml + pw + 12.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="3"/><text{text} x="{}" y="{}">{}</text>"#,
            lx + 18.0,
            lx + 24.0,
            ly + 4.0,
            xml_escape(&s.label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Exponential moving average with bias correction (as TensorBoard and the ClearML web
/// app smooth curves): `weight` 0 leaves the values as they are, towards 1 smooths more.
/// Non-finite values pass through and do not disturb the average.
pub fn smooth(ys: &[f64], weight: f64) -> Vec<f64> {
    let weight = weight.clamp(0.0, 0.999);
    if weight == 0.0 {
        return ys.to_vec();
    }
    let (mut last, mut n) = (0.0, 0);
    ys.iter()
        .map(|&y| {
            if !y.is_finite() {
                return y;
            }
            last = last * weight + (1.0 - weight) * y;
            n += 1;
            last / (1.0 - weight.powi(n))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(label: &str, ys: &[f64]) -> Series {
        Series {
            label: label.into(),
            x: (0..ys.len()).map(|i| i as f64).collect(),
            y: ys.to_vec(),
        }
    }

    #[test]
    fn text_chart_places_extremes_on_first_and_last_rows() {
        let out = render_text(
            "loss/train",
            &[line("a", &[10.0, 5.0, 0.0]), line("b", &[0.0, 0.0, 0.0])],
            11,
            5,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "loss/train");
        // a falls from the top-left to the bottom-right; b runs along the bottom.
        assert_eq!(lines[1], "10 |**");
        assert_eq!(lines[3], " 5 |    ***", "{out}");
        // drawn later, b covers a where they meet
        assert_eq!(lines[5], " 0 |+++++++++++", "{out}");
        assert_eq!(lines[6], "   +-----------");
        assert_eq!(lines[7], "    0         2");
        assert_eq!(lines[8], "  * a");
        assert_eq!(lines[9], "  + b");
    }

    #[test]
    fn empty_data_says_so() {
        assert_eq!(render_text("m", &[], 10, 4), "m: no data\n");
        assert!(render_svg("m", "iteration", &[]).contains("no data"));
    }

    #[test]
    fn svg_has_one_polyline_per_series_and_escapes_labels() {
        let svg = render_svg(
            "loss <train>",
            "iteration",
            &[line("a&b", &[1.0, 2.0]), line("c", &[2.0, 1.0])],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("loss &lt;train&gt;"));
        assert!(svg.contains(">a&amp;b<"));
        // first point of "a" at the left edge, bottom of the plot
        assert!(
            svg.contains(r#"points="70.00,430.00 700.00,40.00""#),
            "{svg}"
        );
    }

    /// `task compare --svg` writes exactly what it wrote before the drawing moved here
    /// (files made by the earlier code, kept as they were).
    #[test]
    fn standalone_svg_is_byte_identical_to_the_files_of_before() {
        let s = |label: &str, x: Vec<f64>, y: Vec<f64>| Series {
            label: label.into(),
            x,
            y,
        };
        let series = vec![
            s(
                "run <1> & co",
                (0..50).map(|i| i as f64 * 2.0).collect(),
                (0..50)
                    .map(|i| 1.0 / (1.0 + i as f64) + (i as f64 * 0.7).sin() * 0.05)
                    .collect(),
            ),
            s(
                "Обучение 训练",
                vec![0.0, 10.0, 20.0, 30.0, 99.0],
                vec![0.9, f64::NAN, 0.4, -0.25, 1.5e-7],
            ),
            s("flat", vec![5.0], vec![0.5]),
        ];
        assert_eq!(
            render_svg("loss/train \"q\"", "iteration", &series),
            include_str!("golden_compare.svg")
        );
        assert_eq!(
            render_svg("none", "iteration", &[]),
            include_str!("golden_empty.svg")
        );
    }

    #[test]
    fn smoothing_keeps_constants_and_damps_jumps() {
        assert_eq!(smooth(&[2.0, 2.0, 2.0], 0.9), vec![2.0, 2.0, 2.0]);
        let s = smooth(&[0.0, 10.0], 0.5);
        assert_eq!(s[0], 0.0);
        assert!(s[1] > 0.0 && s[1] < 10.0, "{s:?}");
        assert_eq!(smooth(&[1.0, 3.0], 0.0), vec![1.0, 3.0]);
        assert!(smooth(&[1.0, f64::NAN, 1.0], 0.5)[1].is_nan());
    }

    #[test]
    fn web_look_has_classes_and_bounds_and_no_background() {
        let look = SvgLook {
            background: None,
            classes: true,
            data_bounds: true,
            ..SvgLook::default()
        };
        let svg = render_svg_with("m", "x", &[line("a", &[1.0, 2.0])], &look);
        assert!(!svg.contains("fill=\"white\""));
        assert!(svg.contains(r#"class="chart" data-x0="0" data-x1="1" data-y0="1" data-y1="2""#));
        assert!(svg.contains(r#"<text class="t""#));
    }

    #[test]
    fn interpolation_between_points() {
        let s = Series {
            label: "s".into(),
            x: vec![0.0, 10.0],
            y: vec![0.0, 100.0],
        };
        assert_eq!(interpolate(&s, 2.5), Some(25.0));
        assert_eq!(interpolate(&s, 11.0), None);
    }
}
