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

    /// The URL as messages show it: the path and query (where a Slack-style webhook keeps
    /// its token) masked as secrets are, a password in it too; scheme, host and port
    /// stay readable.
    pub fn shown(&self) -> String {
        let Ok(u) = reqwest::Url::parse(&self.url) else {
            return crate::output::mask_secret(&self.url);
        };
        let mut rest = u.path().to_string();
        if let Some(q) = u.query() {
            rest = format!("{rest}?{q}");
        }
        let user = match (u.username(), u.password()) {
            ("", None) => String::new(),
            (name, None) => format!("{name}@"),
            (name, Some(_)) => format!("{name}:{}@", crate::api::redact::MASK),
        };
        let host = u.host_str().unwrap_or_default();
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        let rest = match rest.strip_prefix('/') {
            Some("") => rest,
            Some(path) => format!("/{}", crate::output::mask_secret(path)),
            None => crate::output::mask_secret(&rest),
        };
        format!("{}://{user}{host}{port}{rest}", u.scheme())
    }

    /// `text` (a transport error naming the URL) with the URL as [`Notifier::shown`].
    fn without_url(&self, text: &str) -> String {
        let shown = self.shown();
        let mut text = text.replace(&self.url, &shown);
        if let Ok(u) = reqwest::Url::parse(&self.url) {
            text = text.replace(u.as_str(), &shown);
        }
        crate::api::redact_urls(&text)
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
                Err(e) => last = self.without_url(&e.to_string()),
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
            Delivery::Delivered { .. } => out.info(format!("notified {}", self.shown())),
            Delivery::Failed { attempts, last } => out.warn(format!(
                "--notify {} not delivered after {attempts} attempt{}: {last}",
                self.shown(),
                if attempts == 1 { "" } else { "s" }
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_shown_with_its_path_masked() {
        let shown = |url: &str| Notifier::new(url, Format::Slack).unwrap().shown();
        assert_eq!(
            shown("https://hooks.slack.com/services/T0001/B0002/XyzSecretToken"),
            "https://hooks.slack.com/serv***"
        );
        assert_eq!(shown("http://127.0.0.1:9/hook"), "http://127.0.0.1:9/***");
        assert_eq!(shown("https://h.example/"), "https://h.example/");
        assert_eq!(
            shown("https://u:pw@h.example:8443/x?token=Секрет-токен"),
            "https://u:***@h.example:8443/x?to***"
        );
    }

    #[tokio::test]
    async fn a_transport_error_does_not_repeat_the_url() {
        // A port nothing listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let n = Notifier::new(
            &format!("http://127.0.0.1:{port}/services/XyzSecretToken"),
            Format::Json,
        )
        .unwrap();
        let http = reqwest::Client::new();
        let Delivery::Failed { last, .. } = n.send(&http, &json!({}), "").await else {
            panic!("delivered to a closed port");
        };
        assert!(!last.contains("XyzSecretToken"), "{last}");
    }

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
