//! Durations as users type them everywhere (`--timeout`, `--request-timeout`, `--since`,
//! `time_limit` in a pipeline file): a bare number is seconds, as `docker compose` takes
//! it, anything else is humantime (`90s`, `5m`, `2h 30m`). One parser, so every flag
//! accepts the same forms.

use std::time::Duration;

/// `text` as a duration; the error says what was wrong, without the flag's name (the
/// caller adds the context it knows).
pub fn parse(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<f64>() {
        // NaN and infinities fail the range check too.
        return if (0.0..1e12).contains(&secs) {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(format!("'{text}': not a usable number of seconds"))
        };
    }
    humantime::parse_duration(t).map_err(|e| format!("'{text}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::time::Duration;

    #[test]
    fn bare_numbers_are_seconds_and_units_still_work() {
        assert_eq!(parse("120").unwrap(), Duration::from_secs(120));
        assert_eq!(parse("1.5").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse(" 90s ").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("2h 30m").unwrap(), Duration::from_secs(9000));
        for bad in ["-5", "NaN", "inf", "5 parsecs", "", "1e13"] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
    }
}
