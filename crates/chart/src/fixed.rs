//! Pixel coordinates with two decimals, written without `format!`: a compare of 100
//! experiments writes about 150,000 of them, and the formatting machinery's exact
//! decimal expansion was a large share of drawing the page. The text is the same as
//! `format!("{v:.2}")` gives (the unit tests compare them); the rare values where the
//! two could differ (negative, tiny, huge, not finite, or within a hair of a rounding
//! tie) are handed to `format!` itself.

use std::fmt::Write;

/// Largest value written directly: its hundredths fit in a `u64` with room to spare,
/// and the product `v * 100` is exact to far better than the tie guard below.
const DIRECT_MAX: f64 = 1e12;
/// How close to a half hundredth counts as a possible tie (left to `format!`).
const TIE_GUARD: f64 = 1e-6;

/// Appends `v` as `{v:.2}` formats it.
pub fn push_2(out: &mut String, v: f64) {
    let scaled = v * 100.0;
    let fraction = scaled - scaled.floor();
    if !(0.5..DIRECT_MAX).contains(&scaled) || (fraction - 0.5).abs() < TIE_GUARD {
        let _ = write!(out, "{v:.2}");
        return;
    }
    let hundredths = scaled.round() as u64;
    push_u64(out, hundredths / 100);
    let cents = (hundredths % 100) as u8;
    out.push('.');
    out.push(char::from(b'0' + cents / 10));
    out.push(char::from(b'0' + cents % 10));
}

/// Appends the decimal digits of `n`.
fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two(v: f64) -> String {
        let mut s = String::new();
        push_2(&mut s, v);
        s
    }

    #[test]
    fn same_text_as_format_for_pixel_values_and_edge_cases() {
        let edges = [
            0.0,
            -0.0,
            0.004,
            0.005,
            0.0051,
            0.125,
            0.135,
            1.005,
            2.675,
            9.995,
            99.995,
            10.0,
            -1.5,
            -0.001,
            1e11,
            9.99e11,
            1e12,
            1e13,
            1e300,
            0.1 + 0.2,
            819.999_999_9,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            f64::EPSILON,
        ];
        for v in edges {
            assert_eq!(two(v), format!("{v:.2}"), "{v:e}");
        }
        // Every pixel position of a chart at steps that hit ties and their neighbours.
        let mut x = 0.0f64;
        while x < 1000.0 {
            for v in [x, x + 0.005, x - 1e-9, x + 1e-9, x / 3.0, x * 0.37] {
                assert_eq!(two(v), format!("{v:.2}"), "{v:e}");
            }
            x += 0.0625;
        }
        // Pseudo-random values over many magnitudes (a fixed xorshift sequence).
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64;
            let v = mantissa * 10f64.powi((state % 14) as i32 - 2);
            assert_eq!(two(v), format!("{v:.2}"), "{v:e}");
        }
    }
}
