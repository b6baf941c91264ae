//! Heatmaps (`report_confusion_matrix`, `report_surface` seen from above): a cell per
//! value, coloured from light to dark, the value written in it when the cells are large
//! enough to read.

use super::Heatmap;
use crate::lines::{SvgLook, class, open};
use crate::{fmt_f64, min_max, xml_escape};
use std::fmt::Write;

/// Values are written into cells up to this many cells.
const MAX_VALUE_CELLS: usize = 900;

/// The fill for `f` in 0..=1: white-ish blue to dark blue.
fn color(f: f64) -> String {
    let f = if f.is_finite() {
        f.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(247.0, 8.0),
        mix(251.0, 48.0),
        mix(255.0, 107.0)
    )
}

/// A heatmap as an SVG element.
pub fn render_heatmap(
    title: &str,
    x_label: &str,
    y_label: &str,
    m: &Heatmap,
    look: &SvgLook,
) -> String {
    let (w, h) = (look.width, look.height);
    let (ml, mr, mt, mb) = (110.0, 20.0, 40.0, 60.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let mut svg = String::new();
    open(&mut svg, look, "", title, ml + pw / 2.0);
    let text = class(look, "t");
    let rows = m.z.len();
    let cols = m.x.len();
    let values = m.z.iter().flatten().copied().filter(|v| v.is_finite());
    let Some((lo, hi)) = min_max(values).filter(|_| rows > 0 && cols > 0) else {
        let _ = writeln!(
            svg,
            r#"<text{text} x="{ml}" y="{}">no data</text></svg>"#,
            mt + 20.0
        );
        return svg;
    };
    let (cw, ch) = (pw / cols as f64, ph / rows as f64);
    let write_values = rows * cols <= MAX_VALUE_CELLS && cw >= 18.0 && ch >= 12.0;
    let top_of = |r: usize| {
        let slot = if m.reversed { r } else { rows - 1 - r };
        mt + slot as f64 * ch
    };
    for (r, row) in m.z.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let f = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let (x, y) = (ml + c as f64 * cw, top_of(r));
            let label = if v.is_finite() {
                fmt_f64(v)
            } else {
                String::new()
            };
            let _ = write!(
                svg,
                r#"<rect class="cell" x="{x:.2}" y="{y:.2}" width="{cw:.2}" height="{ch:.2}" fill="{}"><title>{} / {}: {label}</title></rect>"#,
                color(f),
                xml_escape(&m.y[r]),
                xml_escape(&m.x[c])
            );
            if write_values && v.is_finite() {
                let ink = if f > 0.5 { "white" } else { "black" };
                let _ = write!(
                    svg,
                    r#"<text class="value" x="{:.2}" y="{:.2}" text-anchor="middle" fill="{ink}">{label}</text>"#,
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0
                );
            }
        }
        svg.push('\n');
    }
    axis_labels(&mut svg, m, &text, (ml, mt, cw, ch), &top_of);
    let _ = writeln!(
        svg,
        r#"<text{text} x="{}" y="{}" text-anchor="middle">{}</text>"#,
        ml + pw / 2.0,
        h - 10.0,
        xml_escape(x_label)
    );
    if !y_label.is_empty() {
        let (x, y) = (14.0, mt + ph / 2.0);
        let _ = writeln!(
            svg,
            r#"<text{text} x="{x}" y="{y}" text-anchor="middle" transform="rotate(-90 {x} {y})">{}</text>"#,
            xml_escape(y_label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Column labels under the cells and row labels left of them (when they fit).
fn axis_labels(
    svg: &mut String,
    m: &Heatmap,
    text: &str,
    (ml, mt, cw, ch): (f64, f64, f64, f64),
    top_of: &dyn Fn(usize) -> f64,
) {
    let bottom = mt + ch * m.y.len() as f64;
    let every_x = (40.0 / cw).ceil().max(1.0) as usize;
    for (c, label) in m.x.iter().enumerate().step_by(every_x) {
        let short: String = label.chars().take(12).collect();
        let _ = write!(
            svg,
            r#"<text{text} x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            ml + (c as f64 + 0.5) * cw,
            bottom + 16.0,
            xml_escape(&short)
        );
    }
    let every_y = (14.0 / ch).ceil().max(1.0) as usize;
    for (r, label) in m.y.iter().enumerate().step_by(every_y) {
        let short: String = label.chars().take(14).collect();
        let _ = write!(
            svg,
            r#"<text{text} x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            ml - 6.0,
            top_of(r) + ch / 2.0 + 4.0,
            xml_escape(&short)
        );
    }
    svg.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(reversed: bool) -> Heatmap {
        Heatmap {
            x: vec!["кот".into(), "<Hund>".into()],
            y: vec!["кот".into(), "<Hund>".into()],
            z: vec![vec![50.0, 2.0], vec![f64::NAN, 45.0]],
            reversed,
        }
    }

    #[test]
    fn a_cell_per_value_with_the_value_written_in() {
        let svg = render_heatmap("K", "pred", "true", &matrix(false), &SvgLook::default());
        assert_eq!(svg.matches(r#"<rect class="cell""#).count(), 4);
        assert_eq!(svg.matches(r#"<text class="value""#).count(), 3);
        assert!(svg.contains(">50</text>") && svg.contains(">45</text>"));
        assert!(svg.contains("&lt;Hund&gt;") && !svg.contains("<Hund>"));
        // the darkest cell is the largest value
        assert!(
            svg.contains(r##"fill="#08306b"><title>кот / кот: 50"##),
            "{svg}"
        );
    }

    #[test]
    fn row_zero_is_at_the_bottom_unless_reversed() {
        let y_of_first = |svg: &str| {
            let at = svg.find(r#"<rect class="cell""#).unwrap();
            svg[at..]
                .split("y=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        let up = render_heatmap("", "", "", &matrix(false), &SvgLook::default());
        let down = render_heatmap("", "", "", &matrix(true), &SvgLook::default());
        assert_eq!(y_of_first(&down), "40.00");
        assert_ne!(y_of_first(&up), "40.00");
    }
}
