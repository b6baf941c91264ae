//! When an API request is asked again, and how long to wait first.
//!
//! The SDK (clearml 2.1 `backend_api`) sends every call as a GET, so urllib3 treats all of
//! them as idempotent: it repeats any call, writes included, on 429/502/503/509 and on read
//! errors (240 times, backoff up to 120 s), and loops on 503 forever ("maintenance"); 500
//! and 504 are not in its list. We keep its codes for what is safe and bound the rest:
//!
//! - the request never left (connection refused, DNS, TLS): always repeat;
//! - 429 and 503 say the server did not take the request: always repeat, honouring
//!   Retry-After;
//! - 500, 502, 504, a connection reset or a body cut short may come after the server acted
//!   on the request: repeat reads only. Repeating `tasks.create` could create two tasks;
//! - a timeout is never repeated: the wait is already as long as the person allowed.

use std::time::Duration;

/// How one attempt went wrong, as far as asking again is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Failed before the request was sent (connect, DNS, TLS handshake).
    NotSent,
    /// An HTTP status without a usable answer.
    Status(u16),
    /// The connection broke after the request was sent (reset, body cut short).
    Lost,
    /// No answer within the request timeout.
    TimedOut,
}

/// Longest wait a server's Retry-After can impose between two attempts.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Whether `endpoint` may be sent again after `failure`.
pub fn may_retry(endpoint: &str, failure: Failure) -> bool {
    match failure {
        Failure::NotSent | Failure::Status(429 | 503) => true,
        Failure::Status(500 | 502 | 504) | Failure::Lost => is_idempotent(endpoint),
        Failure::Status(_) | Failure::TimedOut => false,
    }
}

/// Whether the status is one that [`may_retry`] can repeat (for some endpoint).
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// The wait before attempt `attempt + 1`: the server's Retry-After (seconds, capped), else
/// 250 ms doubling up to 4 s.
pub fn backoff(attempt: u32, retry_after: Option<&str>) -> Duration {
    retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER))
        .unwrap_or(Duration::from_millis(250 << attempt.min(4)))
}

/// Whether repeating `endpoint` cannot change anything on the server.
pub fn is_idempotent(endpoint: &str) -> bool {
    let action = endpoint.rsplit('.').next().unwrap_or(endpoint);
    action.starts_with("get")
        || matches!(
            endpoint,
            "debug.ping"
                | "server.info"
                // a second login only issues a second token
                | "auth.login"
                | "events.scalar_metrics_iter_histogram"
                | "events.multi_task_scalar_metrics_iter_histogram"
                | "events.vector_metrics_iter_histogram"
                | "events.debug_images"
                | "events.plots"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_repeated_only_when_the_server_cannot_have_acted() {
        for write in ["tasks.create", "events.add_batch", "models.edit"] {
            assert!(may_retry(write, Failure::NotSent));
            assert!(may_retry(write, Failure::Status(503)));
            assert!(may_retry(write, Failure::Status(429)));
            assert!(!may_retry(write, Failure::Status(500)), "{write}");
            assert!(!may_retry(write, Failure::Status(502)), "{write}");
            assert!(!may_retry(write, Failure::Status(504)), "{write}");
            assert!(!may_retry(write, Failure::Lost), "{write}");
        }
        for read in [
            "tasks.get_all_ex",
            "models.get_by_id",
            "debug.ping",
            "events.scalar_metrics_iter_histogram",
        ] {
            for status in [500, 502, 503, 504, 429] {
                assert!(may_retry(read, Failure::Status(status)), "{read} {status}");
            }
            assert!(may_retry(read, Failure::Lost), "{read}");
            assert!(!may_retry(read, Failure::TimedOut), "{read}");
            assert!(!may_retry(read, Failure::Status(400)), "{read}");
        }
    }

    #[test]
    fn backoff_is_bounded() {
        assert_eq!(backoff(0, None), Duration::from_millis(250));
        assert_eq!(backoff(2, None), Duration::from_secs(1));
        assert_eq!(backoff(30, None), Duration::from_secs(4));
        assert_eq!(backoff(0, Some("2")), Duration::from_secs(2));
        assert_eq!(backoff(0, Some("86400")), MAX_RETRY_AFTER);
        // an HTTP date is not understood: the usual backoff
        assert_eq!(
            backoff(1, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Duration::from_millis(500)
        );
    }
}
