//! The frame every SVG chart draws in: the plot box, data-to-pixel scales (linear or
//! log), grid lines with nice ticks, and the axis titles.

use crate::ticks::{self, Tick};
use crate::xml_escape;
use std::fmt::Write;

/// One axis's data range and how it maps.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    /// Log10 axis (`lo`, `hi` are then positive data values).
    pub log: bool,
}

impl Scale {
    /// Where `v` falls, 0 at `lo` to 1 at `hi`.
    pub fn frac(&self, v: f64) -> f64 {
        let f = |x: f64| if self.log { x.log10() } else { x };
        let (a, b) = (f(self.lo), f(self.hi));
        if b == a { 0.5 } else { (f(v) - a) / (b - a) }
    }

    /// Ticks for this axis: nice numbers, powers of ten, or wall-clock times.
    pub fn ticks(&self, time: bool, target: usize) -> Vec<Tick> {
        if self.log {
            ticks::log_ticks(self.lo, self.hi)
        } else if time {
            // Time labels are longer but the steps coarser: a few more fit.
            ticks::time_ticks(self.lo, self.hi, target + 2)
        } else {
            ticks::nice_ticks(self.lo, self.hi, target)
        }
    }
}

/// The plot box inside the SVG and its two scales.
pub struct Frame {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub x: Scale,
    pub y: Scale,
}

impl Frame {
    pub fn px(&self, x: f64) -> f64 {
        self.left + self.x.frac(x) * self.width
    }

    pub fn py(&self, y: f64) -> f64 {
        self.top + self.height - self.y.frac(y) * self.height
    }
}

/// What the axes look like: the class attribute text for grid lines and text (empty
/// without classes), whether x is wall-clock time, and the axis titles.
pub struct AxisText<'a> {
    pub grid: &'a str,
    pub text: &'a str,
    pub x_time: bool,
    /// Tick the x axis (bar charts label their categories themselves).
    pub x_ticks: bool,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// Grid lines and tick labels of both axes, and the axis titles under and left of the box.
pub fn draw(svg: &mut String, f: &Frame, a: &AxisText, total_height: f64) {
    let (grid, text) = (a.grid, a.text);
    let bottom = f.top + f.height;
    let x_ticks = if a.x_ticks {
        f.x.ticks(a.x_time, 5)
    } else {
        Vec::new()
    };
    for t in x_ticks {
        let px = f.px(t.value);
        let _ = writeln!(
            svg,
            r##"<line{grid} x1="{px:.1}" y1="{}" x2="{px:.1}" y2="{bottom:.1}" stroke="#eee"/><text{text} x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            f.top,
            bottom + 16.0,
            xml_escape(&t.label)
        );
    }
    for t in f.y.ticks(false, 5) {
        let py = f.py(t.value);
        let _ = writeln!(
            svg,
            r##"<line{grid} x1="{}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#eee"/><text{text} x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            f.left,
            f.left + f.width,
            f.left - 6.0,
            py + 4.0,
            xml_escape(&t.label)
        );
    }
    let _ = writeln!(
        svg,
        r#"<text{text} x="{}" y="{}" text-anchor="middle">{}</text>"#,
        f.left + f.width / 2.0,
        total_height - 10.0,
        xml_escape(a.x_label)
    );
    if !a.y_label.is_empty() {
        let (x, y) = (14.0, f.top + f.height / 2.0);
        let _ = writeln!(
            svg,
            r#"<text{text} x="{x}" y="{y}" text-anchor="middle" transform="rotate(-90 {x} {y})">{}</text>"#,
            xml_escape(a.y_label)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_scales_map_decades_evenly() {
        let s = Scale {
            lo: 1.0,
            hi: 100.0,
            log: true,
        };
        assert_eq!(s.frac(10.0), 0.5);
        let lin = Scale {
            lo: 0.0,
            hi: 4.0,
            log: false,
        };
        assert_eq!(lin.frac(1.0), 0.25);
    }
}
