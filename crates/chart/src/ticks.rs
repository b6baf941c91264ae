//! Axis ticks people can read: steps of 1, 2, 2.5 or 5 × 10^k on number axes (never
//! 99.8 or 0.957516), powers of ten on log axes, and on a wall-clock axis steps of whole
//! milliseconds, seconds, minutes, hours or days labelled as finely as the step needs (a
//! two-second run's ticks do not all read the same second).

/// One tick: where it sits (in data units) and what it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// The step multipliers a nice number axis uses, per decade.
const MANTISSAS: &[f64] = &[1.0, 2.0, 2.5, 5.0, 10.0];

/// The nice step for `span` that gives at most about `target` intervals.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span.abs() / target.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let decade = 10f64.powf(raw.log10().floor());
    let m = MANTISSAS
        .iter()
        .copied()
        .find(|m| m * decade >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0);
    m * decade
}

/// Ticks at multiples of a nice step inside `[lo, hi]`, about `target` intervals apart.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    if hi == lo {
        return vec![Tick {
            value: lo,
            label: crate::fmt_f64(lo),
        }];
    }
    let step = nice_step(hi - lo, target);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .take(1000)
        .map(|k| tick(k as f64 * step, step))
        .collect()
}

fn tick(value: f64, step: f64) -> Tick {
    Tick {
        value,
        label: number_label(value, step),
    }
}

/// `v` written with just the digits a step of `step` needs: `0.25`, `1500`, `2.5e-7`.
pub fn number_label(v: f64, step: f64) -> String {
    if v.abs() < step.abs() * 1e-6 || v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().max(step.abs());
    let step_exp = if step > 0.0 {
        step.log10().floor() as i32
    } else {
        mag.log10().floor() as i32
    };
    // A 2.5 step needs one digit more than its decade.
    let extra = i32::from(step > 0.0 && (step / 10f64.powi(step_exp) - 2.5).abs() < 1e-6);
    if !(1e-4..1e6).contains(&mag) {
        let digits = (mag.log10().floor() as i32 - step_exp + extra).clamp(0, 12) as usize;
        return trim_exponent(&format!("{v:.digits$e}"));
    }
    let decimals = (extra - step_exp).clamp(0, 12) as usize;
    format!("{v:.decimals$}")
}

/// `1.50e6` → `1.5e6`; `2.00e-7` → `2e-7`.
fn trim_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => s.to_string(),
    }
}

/// Ticks of a log axis over positive `[lo, hi]`: the powers of ten inside, with 2× and
/// 5× ones added when fewer than three powers fit, and a narrow range (less than a
/// factor of 2 or 5) ticked at nice linear steps.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let out = decade_ticks(lo, hi);
    if out.len() < 2 && lo > 0.0 && hi > lo {
        return nice_ticks(lo, hi, 4);
    }
    out
}

fn decade_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    if !(lo > 0.0 && hi >= lo && hi.is_finite()) {
        return Vec::new();
    }
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let few = b - a < 3;
    let mut out = Vec::new();
    for e in a..=b.min(a + 400) {
        let decade = 10f64.powi(e);
        let ms: &[f64] = if few { &[1.0, 2.0, 5.0] } else { &[1.0] };
        for m in ms {
            let v = m * decade;
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                out.push(tick(v, decade));
            }
        }
    }
    out
}

const SECOND: f64 = 1000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;
/// Steps of a wall-clock axis, in milliseconds.
const TIME_STEPS: &[f64] = &[
    1.0,
    2.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
    500.0,
    SECOND,
    2.0 * SECOND,
    5.0 * SECOND,
    10.0 * SECOND,
    15.0 * SECOND,
    30.0 * SECOND,
    MINUTE,
    2.0 * MINUTE,
    5.0 * MINUTE,
    10.0 * MINUTE,
    15.0 * MINUTE,
    30.0 * MINUTE,
    HOUR,
    2.0 * HOUR,
    3.0 * HOUR,
    6.0 * HOUR,
    12.0 * HOUR,
    DAY,
    2.0 * DAY,
    7.0 * DAY,
    30.0 * DAY,
    365.0 * DAY,
];

/// Ticks of a wall-clock axis over `[lo, hi]` (milliseconds since the epoch, UTC), at
/// whole steps, labelled `HH:MM:SS.mmm`, `HH:MM:SS`, `HH:MM` or with the date as the
/// step needs.
pub fn time_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    let span = hi - lo;
    let step = TIME_STEPS
        .iter()
        .copied()
        .find(|s| span / s <= target.max(1) as f64)
        .unwrap_or(365.0 * DAY);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let with_date = span >= DAY;
    (first..=last)
        .take(1000)
        .map(|k| {
            let value = k as f64 * step;
            Tick {
                value,
                label: clock_label(value, step, with_date),
            }
        })
        .collect()
}

/// A time on a wall-clock axis whose ticks are `step` apart.
pub fn clock_label(ms: f64, step: f64, with_date: bool) -> String {
    let c = Civil::of(ms);
    let date = format!("{:04}-{:02}-{:02}", c.year, c.month, c.day);
    if step >= DAY {
        return date;
    }
    let mut s = format!("{:02}:{:02}", c.hour, c.minute);
    if step < MINUTE {
        s += &format!(":{:02}", c.second);
    }
    if step < SECOND {
        let digits = if step >= 100.0 {
            1
        } else if step >= 10.0 {
            2
        } else {
            3
        };
        let frac = format!("{:03}", c.milli);
        s += &format!(".{}", &frac[..digits]);
    }
    if with_date {
        format!("{} {s}", &date[5..])
    } else {
        s
    }
}

/// A UTC date and time of day, from milliseconds since the epoch.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    milli: u32,
}

impl Civil {
    fn of(ms: f64) -> Civil {
        let ms = ms.round() as i64;
        let days = ms.div_euclid(86_400_000);
        let rest = ms.rem_euclid(86_400_000);
        // Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's method).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: (rest / 3_600_000) as u32,
            minute: (rest / 60_000 % 60) as u32,
            second: (rest / 1000 % 60) as u32,
            milli: (rest % 1000) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn steps_are_one_two_two_and_a_half_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(499.0, 5), 100.0);
        assert_eq!(nice_step(998.0, 5), 200.0);
        assert_eq!(nice_step(12.0, 5), 2.5);
        assert_eq!(nice_step(0.04, 5), 0.01);
        assert_eq!(nice_step(0.02, 5), 0.005);
        for span in [0.0123, 0.957516, 3.0, 99.8, 499.0, 998.0, 1.23e7, 7e-9] {
            let step = nice_step(span, 5);
            let m = step / 10f64.powf(step.log10().floor());
            assert!(
                MANTISSAS.iter().any(|n| (n - m).abs() < 1e-9),
                "{span}: {step}"
            );
        }
    }

    #[test]
    fn the_issues_iteration_axes_get_round_ticks() {
        // 500 iterations (0..=499) used to tick at 0, 99.8, 199.6, ...
        assert_eq!(
            labels(&nice_ticks(0.0, 499.0, 5)),
            ["0", "100", "200", "300", "400"]
        );
        assert_eq!(
            labels(&nice_ticks(0.0, 998.0, 5)),
            ["0", "200", "400", "600", "800"]
        );
        // An accuracy curve between 0.957516 and 0.99.
        assert_eq!(
            labels(&nice_ticks(0.957516, 0.99, 5)),
            ["0.96", "0.97", "0.98", "0.99"]
        );
        assert_eq!(
            labels(&nice_ticks(0.0, 12.0, 5)),
            ["0", "2.5", "5.0", "7.5", "10.0"]
        );
        assert_eq!(
            labels(&nice_ticks(-1.0, 1.0, 4)),
            ["-1.0", "-0.5", "0", "0.5", "1.0"]
        );
    }

    #[test]
    fn huge_tiny_and_degenerate_ranges() {
        assert_eq!(
            labels(&nice_ticks(0.0, 3.2e7, 4)),
            ["0", "1e7", "2e7", "3e7"]
        );
        assert_eq!(
            labels(&nice_ticks(1e-6, 4e-6, 3)),
            ["1e-6", "2e-6", "3e-6", "4e-6"]
        );
        assert_eq!(labels(&nice_ticks(2.5, 2.5, 5)), ["2.5"]);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        assert!(nice_ticks(0.0, f64::INFINITY, 5).is_empty());
        assert!(nice_ticks(-f64::MAX, f64::MAX, 5).len() <= 1000);
    }

    #[test]
    fn log_axes_tick_at_powers_of_ten() {
        assert_eq!(
            labels(&log_ticks(0.001, 10.0)),
            ["0.001", "0.01", "0.1", "1", "10"]
        );
        assert_eq!(labels(&log_ticks(1.5, 30.0)), ["2", "5", "10", "20"]);
        assert!(log_ticks(0.0, 1.0).is_empty());
        assert_eq!(
            labels(&log_ticks(0.957, 0.99)),
            ["0.96", "0.97", "0.98", "0.99"]
        );
    }

    #[test]
    fn wall_clock_ticks_differ_on_short_runs() {
        // 2026-12-06 02:15:08.100 to 02:15:10.900: the issue's six "02:15:08" ticks.
        let t0 = 1_796_523_308_100.0;
        let t = time_ticks(t0, t0 + 2800.0, 6);
        let l = labels(&t);
        assert_eq!(
            l,
            [
                "02:15:08.5",
                "02:15:09.0",
                "02:15:09.5",
                "02:15:10.0",
                "02:15:10.5"
            ]
        );
        // A run of 40 minutes ticks in whole minutes.
        let t = time_ticks(t0, t0 + 40.0 * MINUTE, 6);
        assert_eq!(labels(&t), ["02:20", "02:30", "02:40", "02:50"]);
        // One of two minutes, in seconds.
        let t = time_ticks(t0, t0 + 2.0 * MINUTE, 6);
        assert_eq!(labels(&t)[0], "02:15:30");
        // Three days: dates.
        let t = time_ticks(t0, t0 + 3.0 * DAY, 6);
        assert_eq!(labels(&t)[0], "12-06 12:00");
        let mut seen = std::collections::HashSet::new();
        assert!(t.iter().all(|x| seen.insert(x.label.clone())));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(clock_label(0.0, DAY, false), "1970-01-01");
        assert_eq!(clock_label(951_782_400_000.0, DAY, false), "2000-02-29");
        assert_eq!(clock_label(1_796_523_308_100.0, SECOND, false), "02:15:08");
    }
}
