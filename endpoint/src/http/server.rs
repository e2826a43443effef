//! Serving connections with limits, so that idle or slow clients cannot
//! starve the others: how many connections are served at once, in all and
//! from one client address, how long a client may take to send its
//! request headers (also between requests on a kept-alive connection) and
//! its body, and how large a body may be.
//!
//! And closing a connection so that its last answer arrives: when an
//! answer comes before the request's body was read (a `413` for a body over
//! the limit, a `408`), the connection is closed in stages, as RFC 9112
//! section 9.6 tells servers to: the answer and a FIN first, then what the
//! client still sends is read and thrown away until it closes (at most for
//! the body timeout). Closed at once, the kernel would answer the client's
//! next bytes with a reset, and a client still writing its body would get
//! a broken pipe instead of the answer (hyper reads no further than it is
//! asked to, and leaves this to the server: hyperium/hyper#3078).

use super::state::lock;
use crate::config::Limits;
use axum::body::Body;
use axum::Router;
use hyper::body::{Body as _, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Raises the soft limit on open files to the hard one (as far as the
/// system allows), so that many clients at once do not run the process
/// out of file descriptors; returns the limit in force.
pub fn raise_open_files() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// How many connections the kernel keeps waiting to be accepted: a burst
/// of connections (a client opening a thousand at once) does not make the
/// kernel drop other clients' SYNs, which they would send again only after
/// a second. The system's `net.core.somaxconn` caps it.
const BACKLOG: u32 = 4096;

/// Listens on `addr` (an address or `host:port`) with a listen queue of
/// [`BACKLOG`].
pub async fn listen(addr: &str) -> io::Result<TcpListener> {
    let mut failure = io::Error::new(io::ErrorKind::InvalidInput, "no address to listen on");
    for addr in tokio::net::lookup_host(addr).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(addr) {
            Ok(()) => return socket.listen(BACKLOG),
            Err(err) => failure = err,
        }
    }
    Err(failure)
}

/// Serves `app` on `listener` until `shutdown` completes: HTTP/1.1, at most
/// `limits.max_connections` connections at once and at most
/// `limits.max_connections_per_address` from one client address (further
/// ones are closed as soon as they are accepted), each closed when its
/// client is slower than `limits.header_timeout` to send request headers.
/// Errors accepting a connection (out of file descriptors, say) are
/// reported and the server goes on.
///
/// On shutdown it stops accepting, lets every connection finish the
/// request it is serving (idle kept-alive ones close at once), and waits
/// for them at most `limits.shutdown_grace`; returns whether they all
/// finished in time.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> bool {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = Arc::new(PerAddress::default());
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // One address holding many connections (slow or idle on purpose)
        // does not take the places of everyone else.
        let Some(place) = per_address.take(peer.ip(), limits.max_connections_per_address) else {
            tracing::debug!(client = %peer.ip(), "too many connections from one address: closed");
            if crate::telemetry::metrics_on() {
                metrics::counter!("loyalty_connections_refused_total", "reason" => "per_address")
                    .increment(1);
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let unread = Arc::new(AtomicBool::new(false));
        let io = Lingering {
            stream,
            unread: unread.clone(),
            linger: limits.body_timeout,
            closing: None,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(|body| {
                Body::new(Watched {
                    body,
                    ended: false,
                    unread: unread.clone(),
                })
            });
            // Every request knows its client's address (rate limits).
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let header_timeout = limits.header_timeout;
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _place = place;
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection = http.serve_connection(TokioIo::new(io), service);
            tokio::pin!(connection);
            // A connection that breaks off is the client's business.
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stopping.wait_for(|stop| *stop) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a permit: all of them back means all closed.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(limits.shutdown_grace, permits.acquire_many(all))
        .await
        .is_ok();
    drained
}

/// How many connections each client address has open.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    /// A place for one more connection from `ip`, if it has fewer than
    /// `max` (0: no limit).
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Place> {
        if max == 0 {
            return Some(Place(None));
        }
        let key = address_key(ip);
        let mut open = lock(&self.0);
        let count = open.entry(key).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Place(Some((self.clone(), key))))
    }
}

/// One connection's place in its address's count, given back when the
/// connection ends.
struct Place(Option<(Arc<PerAddress>, IpAddr)>);

impl Drop for Place {
    fn drop(&mut self) {
        if let Some((table, key)) = self.0.take() {
            let mut open = lock(&table.0);
            if let Some(count) = open.get_mut(&key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&key);
                }
            }
        }
    }
}

/// The address a client is counted under: an IPv4 address as it is (also
/// written as IPv6), an IPv6 address by its /64 (one subscriber's usual
/// share, which a client can move about in at will).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// A request's body, telling its connection when it is dropped before its
/// end: then the client may still be sending it.
struct Watched {
    body: Incoming,
    ended: bool,
    unread: Arc<AtomicBool>,
}

impl hyper::body::Body for Watched {
    type Data = hyper::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = ready!(Pin::new(&mut self.body).poll_frame(cx));
        // Its end, or a connection that broke off: nothing more will come.
        if !matches!(frame, Some(Ok(_))) || self.body.is_end_stream() {
            self.ended = true;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if !self.ended && !self.body.is_end_stream() {
            self.unread.store(true, Ordering::Relaxed);
        }
    }
}

/// A connection's socket that closes in stages when a request's body was
/// left unread (see the module's documentation): FIN after the answer,
/// then reads until the client closes, for at most `linger`.
struct Lingering {
    stream: TcpStream,
    unread: Arc<AtomicBool>,
    linger: Duration,
    /// When the reading stops, once the write side is shut.
    closing: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AsyncRead for Lingering {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Lingering {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.closing.is_none() {
            ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            if !this.unread.load(Ordering::Relaxed) {
                return Poll::Ready(Ok(()));
            }
            this.closing = Some(Box::pin(tokio::time::sleep(this.linger)));
        }
        let mut scratch = [0u8; 8192];
        loop {
            if let Some(deadline) = this.closing.as_mut() {
                if deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Ok(()));
                }
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
                // The client closed (it read the answer), or broke off.
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {}
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_counted_by_ipv4_address_or_ipv6_64() {
        let key = |text: &str| address_key(text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(key("127.0.0.2"), key("::ffff:127.0.0.2"));
        assert_ne!(key("127.0.0.1"), key("127.0.0.2"));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }

    #[test]
    fn an_address_gets_its_places_back_when_its_connections_end() {
        let table = Arc::new(PerAddress::default());
        let ip: IpAddr = [10, 0, 0, 1].into();
        let held: Vec<Place> = (0..3).filter_map(|_| table.take(ip, 3)).collect();
        assert_eq!(held.len(), 3);
        assert!(table.take(ip, 3).is_none());
        assert!(table.take([10, 0, 0, 2].into(), 3).is_some());
        drop(held);
        assert!(table.take(ip, 3).is_some());
        assert!(lock(&table.0).is_empty());
        assert!((0..10).all(|_| table.take(ip, 0).is_some()));
    }
}
