//! The REST client: auth.login and token refresh, the {meta, data} envelope, typed
//! errors, retries, timeouts, TLS options, and a pager past the server's 500-item cap.
//! It never prints.
//!
//! (Skeleton: the foundation work fills it in.)
