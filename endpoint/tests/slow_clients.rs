//! Slow connections cannot starve real customers (#32), over real HTTP on
//! loopback: a thousand connections from one address sending their
//! request heads a byte at a time, reconnecting as they are closed, while
//! a client from another address is served. In a file of its own, so that
//! no other test's traffic shares the two cores with it.

mod common;

use common::{Reply, Server};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A connection to `to` from the loopback address `from` (Linux routes all
/// of 127.0.0.0/8 to this machine), blocking.
fn connect_from(from: [u8; 4], to: SocketAddr) -> std::io::Result<TcpStream> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::from((from, 0)))?;
        socket.connect(to).await
    })?;
    let stream = stream.into_std()?;
    stream.set_nonblocking(false)?;
    Ok(stream)
}

/// One request from `from`: its answer and how long it took, connecting
/// included.
fn timed_get(from: [u8; 4], to: SocketAddr, path: &str, token: &str) -> (Option<Reply>, Duration) {
    let started = Instant::now();
    let reply = (|| {
        let mut stream = connect_from(from, to).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).ok()?;
        Reply::parse(&raw)
    })();
    (reply, started.elapsed())
}

#[test]
fn a_thousand_slow_connections_from_one_address_do_not_starve_another() {
    loyalty_endpoint::server::raise_open_files();
    // Serving at most 1,000 connections at once, as on a machine whose
    // open-file limit is 1,024; the other limits are the defaults.
    let server = Server::with(|config| config.limits.max_connections = 1000);
    let addr = server.addr;
    let token = server.token("cust-anna");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // 1,100 connections from 127.0.0.1, each sending its request head a
    // byte at a time, reconnecting whenever the server closes one.
    let attacker = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let head = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            let open = |_| {
                let stream = TcpStream::connect(addr).ok()?;
                stream.set_nonblocking(true).ok()?;
                Some((stream, 0usize))
            };
            let mut slow: Vec<Option<(TcpStream, usize)>> = (0..1100).map(open).collect();
            let (mut reconnects, mut rounds) = (0u64, 0u64);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for entry in slow.iter_mut() {
                    let alive = entry.as_mut().is_some_and(|(stream, sent)| {
                        let byte = [head.get(*sent).copied().unwrap_or(b'a')];
                        // Nonblocking: a byte that does not fit now is
                        // sent in a later round.
                        match stream.write(&byte) {
                            Ok(n) => {
                                *sent += n;
                                true
                            }
                            Err(err) => err.kind() == std::io::ErrorKind::WouldBlock,
                        }
                    });
                    if !alive && reconnects < 20_000 {
                        reconnects += 1;
                        *entry = open(0);
                    }
                }
                rounds += 1;
                std::thread::sleep(Duration::from_millis(200));
            }
            let held = slow.iter().filter(|entry| entry.is_some()).count();
            (held, reconnects, rounds)
        })
    };
    std::thread::sleep(Duration::from_secs(1));
    // Another client, from 127.0.0.2, for longer than the head timeout.
    let mut worst = Duration::ZERO;
    let mut answered = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(7) {
        for path in ["/v1/health", "/v1/customer"] {
            let (reply, took) = timed_get([127, 0, 0, 2], addr, path, &token);
            let status = reply.map(|r| r.status);
            assert_eq!(status, Some(200), "{path} after {:?}", started.elapsed());
            assert!(took < Duration::from_secs(1), "{path} took {took:?}");
            worst = worst.max(took);
            answered += 1;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (held, reconnects, rounds) = attacker.join().expect("the slow client ends");
    eprintln!(
        "{answered} requests from 127.0.0.2 answered, the slowest in {worst:?}, while \
         127.0.0.1 held {held} slow connections ({reconnects} reconnects, {rounds} rounds)"
    );
    assert!(rounds >= 5, "{rounds}");
}
