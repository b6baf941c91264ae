//! Series colours that do not repeat: the eight classic chart colours first (so charts
//! with few series, and the files `task compare --svg` wrote before, stay as they were),
//! then hues stepped by the golden angle, which spreads any number of them around the
//! colour wheel without two landing close, at three lightness and saturation levels.

/// The first colours, in order.
const FIRST: &[&str] = &[
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];
/// 360° / φ²: successive hues never come back near an earlier one.
const GOLDEN_ANGLE: f64 = 137.507_764_050_037_85;

/// The colour of series `i` (0-based), as an SVG/CSS colour.
pub fn color(i: usize) -> String {
    if let Some(c) = FIRST.get(i) {
        return (*c).to_string();
    }
    let (hue, sat, light) = hsl(i - FIRST.len());
    format!("hsl({hue:.1},{sat}%,{light}%)")
}

/// The k-th colour after the first ones: (hue°, saturation %, lightness %). Lightness
/// cycles with every hue, saturation every three hues, so neighbours differ twice over.
fn hsl(k: usize) -> (f64, u32, u32) {
    let hue = (15.0 + k as f64 * GOLDEN_ANGLE) % 360.0;
    (hue, [70, 55, 85][(k / 3) % 3], [42, 56, 32][k % 3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_series_get_a_hundred_distinct_colours() {
        let all: Vec<String> = (0..100).map(color).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 100);
        assert_eq!(color(0), "#1f77b4");
        assert_eq!(color(7), "#17becf");
        // Two generated colours of the same lightness and saturation are at least 3° of
        // hue apart (a visible step), for the first 92 after the classic eight.
        for a in 0..92 {
            for b in a + 1..92 {
                let (ha, sa, la) = hsl(a);
                let (hb, sb, lb) = hsl(b);
                let d = (ha - hb).abs().min(360.0 - (ha - hb).abs());
                assert!(sa != sb || la != lb || d >= 3.0, "{a} {b}: {d}");
            }
        }
    }
}
