//! How the three ports take connections: our own accept loop over hyper's HTTP/1
//! connection (what `axum::serve` does, plus the bounds it lacks). A client address may
//! hold at most `MAX_CONNECTIONS_PER_IP` connections (over all ports; more are closed when
//! accepted), a request head must arrive within `HEADER_READ_TIMEOUT` (hyper's own timer,
//! which also ends idle kept-alive connections), and every request body is a [`PacedBody`]:
//! one that stalls or trickles is cut. So slow clients hold a task and a socket each, for a
//! bounded time, and nothing any other client needs.

use super::limits;
use hyper::body::{Body, Bytes, Frame, SizeHint};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Open connections per client address over all ports, and in all.
#[derive(Default)]
pub struct ConnectionCounts {
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    /// When a refusal was last logged (seconds since the epoch): one line per 10 s at
    /// most, so refusals cannot flood the log.
    last_warned: AtomicU64,
}

/// One admitted connection; dropping it frees its place.
pub struct Admitted {
    counts: Arc<ConnectionCounts>,
    ip: IpAddr,
}

impl ConnectionCounts {
    /// A place for one more connection from `ip`, unless it (or the server) is at its bound.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admitted> {
        let ip = ip.to_canonical();
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per_ip) = &mut *open;
        let mine = per_ip.entry(ip).or_insert(0);
        if *mine >= limits::MAX_CONNECTIONS_PER_IP || *total >= limits::MAX_CONNECTIONS {
            if *mine == 0 {
                per_ip.remove(&ip);
            }
            drop(open);
            self.warn_refused(ip);
            return None;
        }
        *mine += 1;
        *total += 1;
        Some(Admitted {
            counts: self.clone(),
            ip,
        })
    }

    fn warn_refused(&self, ip: IpAddr) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let last = self.last_warned.load(Ordering::Relaxed);
        if now >= last + 10
            && self
                .last_warned
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                "refusing connections from {ip}: over {} open from one address or {} in all",
                limits::MAX_CONNECTIONS_PER_IP,
                limits::MAX_CONNECTIONS
            );
        }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per_ip) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

/// What a refused connection is told before it is closed (it may not read it).
const REFUSED: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/// Serve `app` on `listener` until `shutdown` resolves; then stop accepting, let each
/// connection finish its request in flight, and return once all are closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    counts: Arc<ConnectionCounts>,
    shutdown: impl Future<Output = ()>,
) {
    use tower::ServiceExt;
    // Each connection holds a receiver: `closed()` on the sender waits for all of them.
    let (all_closed_tx, all_closed_rx) = tokio::sync::watch::channel(());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait rather than spin.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(admitted) = counts.admit(peer.ip()) else {
            let _ = stream.try_write(REFUSED);
            continue;
        };
        let app = app
            .clone()
            .map_request(|req: axum::http::Request<hyper::body::Incoming>| req.map(PacedBody::new));
        let mut stop = stop_rx.clone();
        let all_closed = all_closed_rx.clone();
        tokio::spawn(async move {
            let _admitted = admitted;
            let _all_closed = all_closed;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits::HEADER_READ_TIMEOUT)
                .max_header_size(limits::MAX_HEAD_BYTES);
            let conn = builder.serve_connection(
                hyper_util::rt::TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(app),
            );
            tokio::pin!(conn);
            let mut stopping = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!("connection from {peer}: {e}");
                        }
                        break;
                    }
                    changed = stop.changed(), if !stopping => {
                        stopping = true;
                        if changed.is_ok() {
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(all_closed_rx);
    all_closed_tx.closed().await;
}

/// A client that goes away while its answer is being written (a download it stops
/// reading and closes, as the SDK may) must cost that connection only. Hyper writes
/// responses with `writev`, which raises SIGPIPE on a connection the peer has reset; at
/// SIGPIPE's default disposition that signal killed the whole server (exit 141). The
/// `clearml` binary keeps it ignored for every command; the server makes sure of it for
/// any other embedder: the write fails with EPIPE and only that connection is closed.
pub fn ignore_sigpipe() {
    // SAFETY: setting a signal's disposition to "ignore" has no handler to run.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Let this process hold as many sockets as the connection bounds allow (the soft limit
/// is often 1024, below them); the hard limit stays the system's.
pub fn raise_open_file_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        let wanted = (limits::MAX_CONNECTIONS as libc::rlim_t + 1024).min(lim.rlim_max);
        if lim.rlim_cur < wanted {
            lim.rlim_cur = wanted;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// The error a [`PacedBody`] ends with when its client stalls or trickles.
#[derive(Debug)]
pub struct TooSlow {
    pub received: u64,
}

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body arrived too slowly ({} bytes; a body may pause at most {} s and \
             must average {} bytes/s after its first {} s); send it faster or in smaller parts",
            self.received,
            limits::BODY_IDLE_TIMEOUT.as_secs(),
            limits::BODY_MIN_RATE,
            limits::BODY_GRACE.as_secs()
        )
    }
}

impl std::error::Error for TooSlow {}

/// Whether `e` (or what caused it) is a [`TooSlow`].
pub fn is_too_slow(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if e.is::<TooSlow>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A request body that fails with [`TooSlow`] when the client sends nothing for
/// `BODY_IDLE_TIMEOUT`, or, past `BODY_GRACE`, averages under `BODY_MIN_RATE`. Only the
/// time the server waited for the client's bytes counts: a handler that reads late (while
/// it waits for its memory budget, or writes to disk) does not make a client too slow.
pub struct PacedBody<B> {
    inner: B,
    received: u64,
    /// Time spent waiting for bytes, the current wait excluded.
    waited: Duration,
    /// When the current wait began.
    waiting_since: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<B> PacedBody<B> {
    pub fn new(inner: B) -> Self {
        PacedBody {
            inner,
            received: 0,
            waited: Duration::ZERO,
            waiting_since: None,
            timer: None,
        }
    }

    /// When the current wait (begun at `since`) has lasted too long.
    fn deadline(&self, since: Instant) -> Instant {
        let idle = since + limits::BODY_IDLE_TIMEOUT;
        let earned = limits::BODY_GRACE
            + Duration::from_secs_f64(self.received as f64 / limits::BODY_MIN_RATE as f64);
        let rate = since + earned.saturating_sub(self.waited);
        idle.min(rate)
    }

    fn too_slow(&self) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Poll::Ready(Some(Err(Box::new(TooSlow {
            received: self.received,
        }))))
    }
}

impl<B> Body for PacedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                if let Some(since) = this.waiting_since.take() {
                    this.waited += since.elapsed();
                }
                if let Some(Ok(f)) = &frame
                    && let Some(data) = f.data_ref()
                {
                    this.received += data.len() as u64;
                }
                Poll::Ready(frame.map(|r| r.map_err(Into::into)))
            }
            Poll::Pending => {
                let now = Instant::now();
                let since = *this.waiting_since.get_or_insert(now);
                let deadline = this.deadline(since);
                if now >= deadline {
                    return this.too_slow();
                }
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.deadline() != deadline {
                    timer.as_mut().reset(deadline);
                }
                if timer.as_mut().poll(cx).is_ready() {
                    return this.too_slow();
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_is_bounded_and_places_come_back() {
        let counts = Arc::new(ConnectionCounts::default());
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let held: Vec<Admitted> = (0..limits::MAX_CONNECTIONS_PER_IP)
            .map(|_| counts.admit(a).expect("under the bound"))
            .collect();
        assert!(counts.admit(a).is_none());
        // The same address written as IPv4-mapped IPv6 is the same client.
        assert!(counts.admit("::ffff:127.0.0.2".parse().unwrap()).is_none());
        // Others are not affected.
        let other = counts.admit("127.0.0.1".parse().unwrap());
        assert!(other.is_some());
        drop(held);
        assert!(counts.admit(a).is_some());
        drop(other);
        let open = counts.open.lock().unwrap();
        assert_eq!(open.0, 0);
        assert!(open.1.is_empty(), "{:?}", open.1);
    }
}
