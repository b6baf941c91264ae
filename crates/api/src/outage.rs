//! Riding out an unreachable server while waiting on it (`task wait`, `pipeline run`):
//! a restart or a network blip must not fail a wait that has hours left. The caller
//! reports; this only decides whether to retry and how long to pause first.

use std::time::{Duration, Instant};

use crate::{Kind, kind_of};

/// The longest pause between attempts while the server is unreachable.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What to do after a failed call.
#[derive(Debug)]
pub struct Retry {
    /// Pause this long, then call again.
    pub pause: Duration,
    /// This failure began the outage (the moment to tell the user once).
    pub first: bool,
}

/// The state of one outage at a time.
#[derive(Debug)]
pub struct Outage {
    interval: Duration,
    limit: Duration,
    /// With an overall deadline, the outage may last until it; else `limit` from its start.
    overall_start: Option<Instant>,
    since: Option<Instant>,
}

impl Outage {
    /// `interval`: the normal poll interval (the first pause); `limit`: how long the server
    /// may stay unreachable; `overall_start`: count `limit` from here instead of from the
    /// outage's start (a --timeout on the whole wait).
    pub fn new(interval: Duration, limit: Duration, overall_start: Option<Instant>) -> Self {
        Outage {
            interval,
            limit,
            overall_start,
            since: None,
        }
    }

    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// A call answered: true if that ends an outage.
    pub fn answered(&mut self) -> bool {
        self.since.take().is_some()
    }

    /// A call failed: retry after a pause if the server is only unreachable and the
    /// limit is not reached; else the error to give up with.
    pub fn failed(&mut self, err: anyhow::Error) -> Result<Retry, anyhow::Error> {
        if kind_of(&err) != Some(Kind::Unreachable) {
            return Err(err);
        }
        let first = self.since.is_none();
        let since = *self.since.get_or_insert_with(Instant::now);
        let gone = match self.overall_start {
            Some(start) => start.elapsed(),
            None => since.elapsed(),
        };
        if gone >= self.limit {
            return Err(err.context(format!(
                "the server was unreachable for {} while waiting",
                humantime::format_duration(Duration::from_secs(since.elapsed().as_secs()))
            )));
        }
        // Back off as the outage lasts: double every 10 s, up to MAX_BACKOFF.
        let backoff = (self.interval * 2u32.pow(since.elapsed().as_secs().min(60) as u32 / 10))
            .min(MAX_BACKOFF);
        Ok(Retry {
            pause: backoff.min(self.limit.saturating_sub(gone)),
            first,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientError;

    #[test]
    fn only_unreachable_is_ridden_out() {
        let mut o = Outage::new(Duration::from_millis(10), Duration::from_secs(60), None);
        assert!(o.failed(ClientError::not_found("x").into()).is_err());
        let r = o.failed(ClientError::unreachable("down").into()).unwrap();
        assert!(r.first);
        assert_eq!(r.pause, Duration::from_millis(10));
        assert!(
            !o.failed(ClientError::unreachable("down").into())
                .unwrap()
                .first
        );
        assert!(o.answered());
        assert!(!o.answered());
    }

    #[test]
    fn gives_up_at_the_limit() {
        let mut o = Outage::new(Duration::from_millis(10), Duration::ZERO, None);
        let e = o
            .failed(ClientError::unreachable("down").into())
            .unwrap_err();
        assert_eq!(kind_of(&e), Some(Kind::Unreachable));
        assert!(format!("{e:#}").contains("unreachable for"));
    }
}
