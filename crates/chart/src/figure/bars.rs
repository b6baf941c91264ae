//! Bar charts (`report_histogram`): categories along x, one bar per trace side by side or
//! stacked, each bar titled with its category and value for the pointer.

use super::Bars;
use crate::axes::{self, AxisText, Frame, Scale};
use crate::lines::{SvgLook, class, open};
use crate::{fmt_f64, min_max, palette, xml_escape};
use std::fmt::Write;

/// Category labels written under the axis at most (every k-th beyond).
const MAX_LABELS: usize = 24;

/// The value range bars cover: from 0 (or below) to the highest bar top.
fn value_range(b: &Bars) -> Option<(f64, f64)> {
    let tops: Vec<f64> = if b.stacked {
        (0..b.categories.len())
            .flat_map(|c| {
                let vals = b
                    .traces
                    .iter()
                    .map(move |t| t.1[c])
                    .filter(|v| v.is_finite());
                let pos: f64 = vals.clone().filter(|v| *v > 0.0).sum();
                let neg: f64 = vals.filter(|v| *v < 0.0).sum();
                [pos, neg]
            })
            .collect()
    } else {
        b.traces
            .iter()
            .flat_map(|t| t.1.iter().copied())
            .filter(|v| v.is_finite())
            .collect()
    };
    let (lo, hi) = min_max(tops.into_iter())?;
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    Some(if lo == hi { (lo, lo + 1.0) } else { (lo, hi) })
}

/// A bar chart as an SVG element.
pub fn render_bars(title: &str, x_label: &str, y_label: &str, b: &Bars, look: &SvgLook) -> String {
    let (w, h) = (look.width, look.height);
    let (ml, mt, mb) = (70.0, 40.0, 50.0);
    let mr = if b.traces.len() > 1 {
        look.legend_width
    } else {
        20.0
    };
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let mut svg = String::new();
    open(&mut svg, look, "", title, ml + pw / 2.0);
    let text = class(look, "t");
    let Some((lo, hi)) = value_range(b) else {
        let _ = writeln!(
            svg,
            r#"<text{text} x="{ml}" y="{}">no data</text></svg>"#,
            mt + 20.0
        );
        return svg;
    };
    let n = b.categories.len().max(1) as f64;
    let frame = Frame {
        left: ml,
        top: mt,
        width: pw,
        height: ph,
        x: Scale {
            lo: 0.0,
            hi: n,
            log: false,
        },
        y: Scale { lo, hi, log: false },
    };
    let grid = class(look, "grid");
    // Only the value axis gets grid lines; categories are labelled one by one below.
    let axis_text = AxisText {
        grid: &grid,
        text: &text,
        x_time: false,
        x_ticks: false,
        x_label,
        y_label,
    };
    let _ = writeln!(
        svg,
        r##"<rect{} x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##,
        class(look, "frame")
    );
    axes::draw(&mut svg, &frame, &axis_text, h);
    let every = b.categories.len().div_ceil(MAX_LABELS).max(1);
    for (c, label) in b.categories.iter().enumerate().step_by(every) {
        let short: String = label.chars().take(14).collect();
        let _ = writeln!(
            svg,
            r#"<g><title>{2}</title><text{text} x="{0:.1}" y="{1:.1}" text-anchor="middle">{3}</text></g>"#,
            frame.px(c as f64 + 0.5),
            mt + ph + 16.0,
            xml_escape(label),
            xml_escape(&short)
        );
    }
    draw_bars(&mut svg, &frame, b);
    if b.traces.len() > 1 {
        for (i, (name, _)) in b.traces.iter().enumerate() {
            let (lx, ly) = (ml + pw + 12.0, mt + 10.0 + 18.0 * i as f64);
            let _ = writeln!(
                svg,
                r#"<rect x="{lx}" y="{}" width="14" height="10" fill="{}"/><text{text} x="{}" y="{}">{}</text>"#,
                ly - 5.0,
                palette::color(i),
                lx + 20.0,
                ly + 4.0,
                xml_escape(name)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn draw_bars(svg: &mut String, f: &Frame, b: &Bars) {
    let k = b.traces.len().max(1) as f64;
    let mut base_pos = vec![0.0; b.categories.len()];
    let mut base_neg = vec![0.0; b.categories.len()];
    for (i, (name, values)) in b.traces.iter().enumerate() {
        let color = palette::color(i);
        let _ = write!(svg, r#"<g class="bars" fill="{color}">"#);
        for (c, &v) in values.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let (x0, width, from) = if b.stacked {
                let base = if v >= 0.0 {
                    &mut base_pos[c]
                } else {
                    &mut base_neg[c]
                };
                let from = *base;
                *base += v;
                (c as f64 + 0.1, 0.8, from)
            } else {
                (c as f64 + 0.1 + 0.8 * i as f64 / k, 0.8 / k, 0.0)
            };
            let (px0, px1) = (f.px(x0), f.px(x0 + width));
            let (y_a, y_b) = (f.py(from), f.py(from + v));
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{px0:.2}" y="{:.2}" width="{:.2}" height="{:.2}"><title>{}: {}{}</title></rect>"#,
                y_a.min(y_b),
                (px1 - px0).max(0.5),
                (y_a - y_b).abs(),
                xml_escape(&b.categories[c]),
                fmt_f64(v),
                if k > 1.0 {
                    format!(" ({})", xml_escape(name))
                } else {
                    String::new()
                }
            );
        }
        svg.push_str("</g>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rect_per_finite_value_and_labels_escaped() {
        let b = Bars {
            categories: vec!["<b>fish</b>".into(), "Hund".into(), "鸟".into()],
            traces: vec![
                ("a".into(), vec![3.0, f64::NAN, 9.0]),
                ("b".into(), vec![1.0, 2.0, -1.0]),
            ],
            stacked: false,
        };
        let svg = render_bars("Verteilung", "x", "Anzahl", &b, &SvgLook::default());
        assert_eq!(svg.matches(r#"<rect class="bar""#).count(), 5);
        assert!(svg.contains("&lt;b&gt;fish&lt;/b&gt;: 3 (a)"), "{svg}");
        assert!(!svg.contains("<b>"));
        // Values from -1 to 9 with nice ticks.
        assert!(svg.contains(">0<") && svg.contains(">8<"), "{svg}");
    }

    #[test]
    fn stacked_bars_sit_on_each_other() {
        let b = Bars {
            categories: vec!["a".into()],
            traces: vec![("p".into(), vec![1.0]), ("q".into(), vec![3.0])],
            stacked: true,
        };
        let svg = render_bars("", "", "", &b, &SvgLook::default());
        // The y axis reaches 4, the sum.
        assert!(svg.contains(">4<"), "{svg}");
    }
}
