//! Safe by default (#20), through real HTTP on loopback and the real binary:
//! no start without a real secret, coupon codes from the random source,
//! test routes only with their flag, counters that cannot grow without
//! bound, every error in the JSON error shape, JSON objects only as bodies,
//! and clients that are idle or slow cannot starve the others.

mod common;

use common::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Runs the binary in a fresh folder (see [`common::run_binary`]).
fn run(secret: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    common::run_binary(dir.path(), secret, args)
}

const SERVE: [&str; 5] = ["serve", "--addr", "127.0.0.1:0", "--exit-after", "1"];

#[test]
fn serve_refuses_to_start_without_a_secret_of_32_bytes_unless_demo() {
    let (ok, stderr, _) = run(None, &SERVE);
    assert!(!ok, "started without a secret");
    assert!(stderr.contains("LOYALTY_SECRET is not set"), "{stderr}");
    assert!(stderr.contains("--demo"), "{stderr}");

    for short in ["", "x", &"s".repeat(31)] {
        let (ok, stderr, _) = run(Some(short), &SERVE);
        assert!(!ok, "started with a {}-byte secret", short.len());
        assert!(stderr.contains("LOYALTY_SECRET"), "{stderr}");
    }
    // An explicit short secret is refused even in demo mode.
    let (ok, _, _) = run(Some("short"), &[&SERVE[..], &["--demo"]].concat());
    assert!(!ok);

    let (ok, _, stdout) = run(Some(&"s".repeat(32)), &SERVE);
    assert!(ok && stdout.contains("listening"), "{stdout}");
    let (ok, stderr, stdout) = run(None, &[&SERVE[..], &["--demo"]].concat());
    assert!(ok && stdout.contains("listening"), "{stdout}");
    assert!(stderr.contains("public demo secret"), "{stderr}");
}

#[test]
fn the_token_command_refuses_without_a_secret_too() {
    let (ok, stderr, stdout) = run(None, &["token", "--customer", "cust-anna"]);
    assert!(!ok && stdout.is_empty(), "minted a token: {stdout}");
    assert!(stderr.contains("LOYALTY_SECRET"), "{stderr}");
    let (ok, _, stdout) = run(Some(&"k".repeat(40)), &["token", "--customer", "cust-anna"]);
    assert!(ok && stdout.trim().split('.').count() == 3, "{stdout}");
    let (ok, _, stdout) = run(None, &["token", "--customer", "cust-anna", "--demo"]);
    assert!(ok && stdout.trim().split('.').count() == 3, "{stdout}");
}

/// Redeems the free-delivery reward for Dora and returns the coupon code.
fn redeem_code(server: &Server) -> String {
    let token = server.token("cust-dora");
    let reply = server
        .post(
            "/v1/redemptions",
            &token,
            "key-1",
            r#"{"reward_id":"r-shipping"}"#,
        )
        .expect("an answer");
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["coupon"]["code"]
        .as_str()
        .expect("a code")
        .to_owned()
}

#[test]
fn coupon_codes_come_from_the_random_source_not_the_secret() {
    // Same secret, same database seed, same customer, reward and key: with
    // codes derived from the secret these two would be equal.
    let first = redeem_code(&Server::start());
    let second = redeem_code(&Server::start());
    assert_ne!(first, second);
    for code in [&first, &second] {
        let symbols: String = code.chars().filter(|c| *c != '-').skip(2).collect();
        assert!(code.starts_with("MR-") && code.len() == 14, "{code}");
        assert_eq!(symbols.len(), 10, "{code}");
        assert!(
            symbols
                .chars()
                .all(|c| "ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(c)),
            "{code}"
        );
    }
}

#[test]
fn test_routes_exist_only_with_their_flag() {
    let server = Server::with(|config| config.fault_control = false);
    for (method, path) in [
        ("GET", "/_stats"),
        ("DELETE", "/_stats"),
        ("PUT", "/_faults"),
    ] {
        let reply = server.send(method, path, &[], "{}").expect("an answer");
        assert_eq!(reply.status, 404, "{method} {path}");
        assert_eq!(reply.code(), "not_found", "{method} {path}");
    }
    let with_flag = Server::start();
    assert_eq!(with_flag.get("/_stats", None).status, 200);
}

#[test]
fn request_counters_are_per_route_template_and_stay_small() {
    let server = Server::start();
    for i in 0..1500 {
        server.get(&format!("/v1/made-up-{i}"), None);
        server.get(&format!("/nowhere/{i}?x={i}"), None);
    }
    let token = server.token("cust-anna");
    server.get("/v1/customer", Some(&token));
    let stats = server.get("/_stats", None).json();
    let requests = stats["requests"].as_object().expect("requests");
    assert!(requests.len() <= 4, "{requests:?}");
    assert_eq!(requests["GET (no route)"], 3000);
    assert_eq!(requests["GET /v1/customer"], 1);
    let body = server.get("/_stats", None).body;
    assert!(body.len() < 1000, "{} bytes of stats", body.len());
}

/// The contract's error shape: `{"error": {"code", "message"}}` as JSON.
fn assert_error_shape(reply: &common::Reply, status: u16, code: &str, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{what}: {:?}",
        reply.header("content-type")
    );
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{what}: {}", reply.body);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: {}",
        reply.body
    );
}

#[test]
fn every_error_wherever_it_arises_is_the_json_error_shape() {
    let server = Server::start();
    let token = server.token("cust-anna");
    let auth = format!("Bearer {token}");
    let bearer = [("Authorization", auth.as_str())];
    let cases: [(&str, &str, &str, u16, &str); 5] = [
        ("GET", "/v1/activity?page=abc", "", 400, "bad_request"),
        (
            "GET",
            "/v1/activity?page=99999999999",
            "",
            400,
            "bad_request",
        ),
        ("GET", "/v1/no-such-route", "", 404, "not_found"),
        ("DELETE", "/v1/customer", "", 405, "bad_request"),
        ("PATCH", "/v1/redemptions", "{}", 405, "bad_request"),
    ];
    for (method, path, body, status, code) in cases {
        let reply = server.send(method, path, &bearer, body).expect("an answer");
        assert_error_shape(&reply, status, code, &format!("{method} {path}"));
    }
    // A body far over the limit (64 KiB): refused from its announced length,
    // before it is read.
    let reply = raw_exchange(
        &server,
        &format!(
            "POST /v1/redemptions HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
             Idempotency-Key: k-huge\r\nContent-Length: 10485760\r\n\r\n{{\"reward_id\":\""
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains(r#""code":"payload_too_large""#), "{reply}");
}

/// Sends `request` as it is and reads until the error body is in (or the
/// connection ends, or 5 s pass).
fn raw_exchange(server: &Server, request: &str) -> String {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buffer[..n]);
        if String::from_utf8_lossy(&raw).contains("\"}}") {
            break;
        }
    }
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn the_fault_switch_takes_whole_hostile_answers_the_contract_routes_do_not() {
    let server = Server::start();
    // The browser tests' largest hostile answer: 100,000 expiring entries.
    let entries = vec![r#"{"points":200,"at":"2026-12-31"}"#; 100_000].join(",");
    let answer = format!(r#"{{"state":"member","points":{{"expiring":[{entries}]}}}}"#);
    let faults = serde_json::json!({ "bodies": { "/v1/customer": answer } }).to_string();
    assert!(faults.len() > 3_000_000, "{} bytes", faults.len());
    let reply = server
        .send("PUT", "/_faults", &[], &faults)
        .expect("an answer");
    assert_eq!(reply.status, 200, "{}", reply.body);
    // And the answer is what the customer route now sends.
    let token = server.token("cust-anna");
    let summary = server.get("/v1/customer", Some(&token));
    assert_eq!(summary.body.len(), answer.len());
    // A contract route still refuses a body of that size.
    let reply = server
        .post("/v1/redemptions", &token, "k-big", &faults)
        .expect("an answer");
    assert_error_shape(&reply, 413, "payload_too_large", "a 3 MB redeem");
}

#[test]
fn a_json_array_body_is_refused_and_redeems_nothing() {
    let server = Server::start();
    let token = server.token("cust-dora");
    let before = server.count("redemptions");
    for body in [r#"["r-shipping"]"#, r#""r-shipping""#, "null", "42"] {
        let reply = server
            .post("/v1/redemptions", &token, &format!("k-{body}"), body)
            .expect("an answer");
        assert_error_shape(&reply, 400, "bad_request", body);
    }
    assert_eq!(server.count("redemptions"), before);
    let reply = server
        .send("PUT", "/_faults", &[], r#"[0.5]"#)
        .expect("an answer");
    assert_error_shape(&reply, 400, "bad_request", "faults as an array");
}

#[test]
fn idle_connections_are_closed_and_cannot_starve_other_clients() {
    let server = Server::with(|config| {
        config.limits.header_timeout = Duration::from_secs(1);
        config.limits.max_connections = 20;
    });
    // Twice as many idle clients as the server serves at once.
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(server.addr).expect("connect"))
        .collect();
    let started = Instant::now();
    let reply = server.get("/v1/health", None);
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    // And an idle connection is closed by the server, not kept forever.
    let mut first = idle.into_iter().next().expect("one");
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut buffer = [0u8; 512];
    let read = first.read(&mut buffer);
    assert!(read.is_ok(), "the idle connection was not closed: {read:?}");
    // A kept-alive connection left idle after a request is closed too.
    let mut kept = TcpStream::connect(server.addr).expect("connect");
    kept.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    kept.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("send");
    let mut answer = Vec::new();
    while !String::from_utf8_lossy(&answer).contains("\"ok\":true") {
        let n = kept.read(&mut buffer).expect("an answer");
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buffer[..n]);
    }
    let idle_since = Instant::now();
    let after = kept.read(&mut buffer);
    assert!(
        matches!(after, Ok(0)) && idle_since.elapsed() < Duration::from_secs(4),
        "the kept-alive idle connection stayed open: {after:?} after {:?}",
        idle_since.elapsed()
    );
}

#[test]
fn a_body_sent_too_slowly_is_refused_without_holding_the_server() {
    let server = Server::with(|config| {
        config.limits.body_timeout = Duration::from_secs(1);
    });
    let token = server.token("cust-dora");
    let before = server.count("redemptions");
    let started = Instant::now();
    let text = raw_exchange(
        &server,
        &format!(
            "POST /v1/redemptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Idempotency-Key: slow\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{{\"reward"
        ),
    );
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains(r#""code":"bad_request""#), "{text}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(server.count("redemptions"), before);
}
