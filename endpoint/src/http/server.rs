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
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = &mut shutdown => return,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    eprintln!("loyalty-endpoint: cannot accept a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let _ = stream.set_nodelay(true);
        // Every request knows its client's address (rate limits).
        let service = TowerToHyperService::new(
            axum::Extension(axum::extract::ConnectInfo(peer)).layer(app.clone()),
        );
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            // A connection that breaks off is the client's business.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
