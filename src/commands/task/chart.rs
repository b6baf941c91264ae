//! Scalar curves of several tasks: a character chart for the terminal and an SVG file.
//! Pure rendering; the data comes from `events.scalar_metrics_iter_histogram`.

use std::fmt::Write;

use super::query::fmt_f64;

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

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A standalone SVG line chart with axes, ticks and a legend.
pub fn render_svg(title: &str, x_label: &str, series: &[Series]) -> String {
    let (w, h) = (900.0, 480.0);
    let (ml, mr, mt, mb) = (70.0, 200.0, 40.0, 50.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="24" font-size="16" text-anchor="middle">{}</text>"#,
        ml + pw / 2.0,
        xml_escape(title)
    );
    let Some(b) = bounds(series) else {
        let _ = writeln!(
            svg,
            r#"<text x="{ml}" y="{}">no data</text></svg>"#,
            mt + 20.0
        );
        return svg;
    };
    let sx = |x: f64| ml + (x - b.x0) / (b.x1 - b.x0) * pw;
    let sy = |y: f64| mt + ph - (y - b.y0) / (b.y1 - b.y0) * ph;
    let _ = writeln!(
        svg,
        r##"<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##
    );
    for i in 0..=5 {
        let f = i as f64 / 5.0;
        let (xv, yv) = (b.x0 + (b.x1 - b.x0) * f, b.y0 + (b.y1 - b.y0) * f);
        let (px, py) = (sx(xv), sy(yv));
        let _ = writeln!(
            svg,
            r##"<line x1="{px:.1}" y1="{mt}" x2="{px:.1}" y2="{:.1}" stroke="#eee"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            mt + ph,
            mt + ph + 16.0,
            fmt_f64(xv)
        );
        let _ = writeln!(
            svg,
            r##"<line x1="{ml}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#eee"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            ml + pw,
            ml - 6.0,
            py + 4.0,
            fmt_f64(yv)
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
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
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{}"/>"#,
            points.join(" ")
        );
        let ly = mt + 10.0 + 18.0 * i as f64;
        let lx = ml + pw + 12.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="3"/><text x="{}" y="{}">{}</text>"#,
            lx + 18.0,
            lx + 24.0,
            ly + 4.0,
            xml_escape(&s.label)
        );
    }
    svg.push_str("</svg>\n");
    svg
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
