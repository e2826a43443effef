//! Serving connections with limits, so that idle or slow clients cannot
//! starve the others: how many connections are served at once, how long a
//! client may take to send its request headers (also between requests on a
//! kept-alive connection) and its body, and how large a body may be.

use crate::config::Limits;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Layer;

/// Raises the soft limit on open files to the hard one (as far as the
/// system allows), so that many clients at once do not run the process
/// out of file descriptors; returns the limit in force.
pub fn raise_open_files() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// Serves `app` on `listener` until `shutdown` completes: HTTP/1.1, at most
/// `limits.max_connections` connections at once, each closed when its
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
        let _ = stream.set_nodelay(true);
        // Every request knows its client's address (rate limits).
        let service = TowerToHyperService::new(
            axum::Extension(axum::extract::ConnectInfo(peer)).layer(app.clone()),
        );
        let header_timeout = limits.header_timeout;
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection = http.serve_connection(TokioIo::new(stream), service);
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
