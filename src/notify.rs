//! The one `--notify` webhook sender of `task wait`, `pipeline run` and `pipeline schedule`:
//! a JSON summary (or Slack's incoming-webhook `{"text": ...}`) POSTed with bounded retries.
//! A notification that cannot be delivered is reported to the caller, never fatal.

use std::time::Duration;

use serde_json::{Value, json};

use crate::error::CliError;

/// The body shape: our JSON summary, or Slack's incoming-webhook message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Slack,
}

/// Attempts per notification: a receiver restarting behind a load balancer gets a few
/// seconds, a dead one does not hold a scheduler up for long.
pub const ATTEMPTS: u32 = 4;
/// One attempt's limit: a receiver that accepts and never answers costs at most this.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Backoff before the second attempt; doubled after each failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub struct Notifier {
    pub url: String,
    pub format: Format,
}

/// How a notification ended, for the caller's one log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Delivered {
        attempts: u32,
    },
    /// Every attempt failed; the last answer or transport error.
    Failed {
        attempts: u32,
        last: String,
    },
}

impl Notifier {
    /// From the flags: None without --notify; a bad URL is a usage error now, not hours later.
    pub fn from_flag(url: Option<&str>, format: Format) -> Result<Option<Notifier>, CliError> {
        url.map(|u| Notifier::new(u, format)).transpose()
    }

    /// Checked before waiting or scheduling, not hours later.
    pub fn new(url: &str, format: Format) -> Result<Notifier, CliError> {
        match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(Notifier {
                url: url.to_string(),
                format,
            }),
            _ => Err(
                CliError::usage(format!("--notify '{url}' is not an http(s) URL"))
                    .with_hint("e.g. --notify https://hooks.example.com/clearml"),
            ),
        }
    }

    /// The request body: the summary itself, or `{"text": text}` for Slack.
    pub fn body(&self, summary: &Value, text: &str) -> Value {
        match self.format {
            Format::Json => summary.clone(),
            Format::Slack => json!({ "text": text }),
        }
    }

    /// POST with retries on transport errors, 429 and 5xx; a 4xx other than 429 is final
    /// (the receiver will not change its mind).
    pub async fn send(&self, http: &reqwest::Client, summary: &Value, text: &str) -> Delivery {
        let body = self.body(summary, text);
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            let sent = http
                .post(&self.url)
                .json(&body)
                .timeout(TIMEOUT)
                .send()
                .await;
            match sent.map(|r| r.status().as_u16()) {
                Ok(s) if (200..300).contains(&s) => {
                    return Delivery::Delivered { attempts: attempt };
                }
                Ok(s) => {
                    last = format!("HTTP {s}");
                    if s != 429 && s < 500 {
                        return Delivery::Failed {
                            attempts: attempt,
                            last,
                        };
                    }
                }
                Err(e) => last = crate::api::redact_urls(&e.to_string()),
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Delivery::Failed {
            attempts: ATTEMPTS,
            last,
        }
    }

    /// Send and log the result on stderr through `out`.
    pub async fn send_logged(
        &self,
        http: &reqwest::Client,
        out: &crate::output::Output,
        summary: &Value,
        text: &str,
    ) {
        match self.send(http, summary, text).await {
            Delivery::Delivered { .. } => out.info(format!("notified {}", self.url)),
            Delivery::Failed { attempts, last } => out.warn(format!(
                "--notify {} not delivered after {attempts} attempt{}: {last}",
                self.url,
                if attempts == 1 { "" } else { "s" }
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_shape_is_text_only() {
        let n = Notifier::new("http://127.0.0.1:9/x", Format::Slack).unwrap();
        assert_eq!(n.body(&json!({"a": 1}), "hé"), json!({"text": "hé"}));
        let n = Notifier::new("https://h/x", Format::Json).unwrap();
        assert_eq!(n.body(&json!({"a": 1}), "x"), json!({"a": 1}));
        assert!(Notifier::new("ftp://h/x", Format::Json).is_err());
        assert!(Notifier::new("hooks", Format::Json).is_err());
    }
}
