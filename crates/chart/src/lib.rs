//! Scalar curves: a character chart for the terminal and SVG line charts, shared by
//! `task compare --plot/--svg`, `pipeline stats --svg` and the web UI of `server serve`.
//! Pure rendering; the data comes from `events.scalar_metrics_iter_histogram`.

pub mod axes;
pub mod comparison;
pub mod dag;
pub mod figure;
mod fixed;
mod lines;
pub mod palette;
pub mod parallel;
pub mod ticks;

pub use lines::{SvgLook, render_svg, render_svg_with};
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

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Drawn as a line, as markers, or both (Plotly's scatter `mode`).
    pub mode: Mode,
    /// A label per point, drawn beside it (empty: none).
    pub text: Vec<String>,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Lines,
    Markers,
    LinesMarkers,
}

impl Mode {
    /// Plotly's `mode` text (`lines`, `markers`, `lines+markers`, ...); lines when absent.
    pub fn of_plotly(mode: Option<&str>) -> Mode {
        let m = mode.unwrap_or("lines");
        match (m.contains("lines"), m.contains("markers")) {
            (true, true) => Mode::LinesMarkers,
            (false, true) => Mode::Markers,
            _ => Mode::Lines,
        }
    }
}

const MARKS: &[char] = &['*', '+', 'o', 'x', '#', '@', '%', '&'];

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

pub(crate) fn min_max(it: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
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
            ..Series::default()
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

    /// `task compare --svg` writes exactly these files (the curves as the drawing wrote
    /// them before it moved here; the ticks since at nice numbers, issue 25).
    #[test]
    fn standalone_svg_is_byte_identical_to_the_golden_files() {
        let s = |label: &str, x: Vec<f64>, y: Vec<f64>| Series {
            label: label.into(),
            x,
            y,
            ..Series::default()
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
            ..Series::default()
        };
        assert_eq!(interpolate(&s, 2.5), Some(25.0));
        assert_eq!(interpolate(&s, 11.0), None);
    }
}
