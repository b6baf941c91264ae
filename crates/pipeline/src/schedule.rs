//! When `pipeline schedule` fires: a cron expression (croner: the five standard fields, the
//! `@daily`-style names, and an optional leading seconds field) read in a time zone
//! (chrono-tz; UTC by default, as the SDK's TaskScheduler). DST gaps and repeats are the
//! crate's business, not ours.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;

#[derive(Debug, Clone)]
pub struct Schedule {
    pub expr: String,
    pub tz: Tz,
    cron: Cron,
}

impl Schedule {
    /// `tz` is an IANA name (`Europe/Moscow`); errors name the part that is wrong.
    pub fn parse(expr: &str, tz: &str) -> Result<Schedule, String> {
        let tz: Tz = tz.parse().map_err(|_| {
            format!("--tz '{tz}' is not an IANA time zone (e.g. Europe/Moscow, UTC)")
        })?;
        let cron = Cron::new(expr.trim())
            .with_seconds_optional()
            .parse()
            .map_err(|e| format!("--cron '{expr}' is not a cron expression: {e}"))?;
        Ok(Schedule {
            expr: expr.trim().to_string(),
            tz,
            cron,
        })
    }

    /// The first fire time strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&t.with_timezone(&self.tz), false)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The next `n` fire times after `t`, in the schedule's zone.
    pub fn upcoming(&self, t: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n);
        let mut at = t;
        while out.len() < n {
            let Some(next) = self.next_after(at) else {
                break;
            };
            out.push(next.with_timezone(&self.tz));
            at = next;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn nightly_in_moscow_is_23_utc() {
        let s = Schedule::parse("0 2 * * *", "Europe/Moscow").unwrap();
        let from = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let next = s.next_after(from).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap());
        let five = s.upcoming(from, 5);
        assert_eq!(five.len(), 5);
        assert_eq!(
            five[4].with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 12, 4, 23, 0, 0).unwrap()
        );
    }

    #[test]
    fn names_seconds_and_dst() {
        let s = Schedule::parse("@daily", "UTC").unwrap();
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            s.next_after(from).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap()
        );
        let s = Schedule::parse("*/2 * * * * *", "UTC").unwrap();
        assert_eq!(
            s.next_after(from).unwrap(),
            from + chrono::Duration::seconds(2)
        );
        // Berlin leaves summer time on 2026-10-25: 02:30 local exists twice, fires once.
        let s = Schedule::parse("30 2 * * *", "Europe/Berlin").unwrap();
        let from = Utc.with_ymd_and_hms(2026, 10, 24, 12, 0, 0).unwrap();
        let next = s.next_after(from).unwrap();
        let after = s.next_after(next).unwrap();
        assert!(
            after - next >= chrono::Duration::hours(23),
            "{next} {after}"
        );
        assert!(Schedule::parse("61 * * * *", "UTC").is_err());
        assert!(
            Schedule::parse("0 2 * * *", "Mars/Olympus")
                .unwrap_err()
                .contains("--tz")
        );
    }
}
