//! Running it in production (#38), through the real binary: logs with
//! request ids and never a secret, metrics that move by exactly what a
//! session did (the shop's platform's calls and the redemptions waiting
//! for it too), readiness, a SIGTERM in the middle of a burst of writes
//! losing nothing, and a backup taken while writes go on.

mod common;
mod standin;

use common::{run_binary, Server, ADMIN_KEY, SECRET};
use standin::{Kind, StandIn};
use std::collections::BTreeMap;
use std::time::Duration;

const SHOPIFY_SECRET: &str = "operations-test-shopify-app-secret-123";

fn admin_key() -> String {
    String::from_utf8_lossy(ADMIN_KEY).into_owned()
}

/// A signed Shopify `orders/paid` for a new customer with an e-mail.
fn shopify_order(server: &Server, id: u64, email: &str, signature: Option<&str>) -> common::Reply {
    let body = format!(
        r#"{{"id":{id},"order_number":{id},"subtotal_price":"49.90","customer":{{"id":{},"first_name":"Ops","email":"{email}"}}}}"#,
        8_000_000 + id
    );
    let signed = loyalty_endpoint::webhooks::sign(SHOPIFY_SECRET.as_bytes(), body.as_bytes());
    let signature = signature.unwrap_or(&signed).to_owned();
    server
        .send(
            "POST",
            "/webhooks/shopify",
            &[
                ("X-Shopify-Topic", "orders/paid"),
                ("X-Shopify-Hmac-Sha256", &signature),
                ("Content-Type", "application/json"),
            ],
            &body,
        )
        .expect("an answer")
}

fn redeem(server: &Server, customer: &str, key: &str, reward: &str) -> Option<common::Reply> {
    server.post(
        "/v1/redemptions",
        &server.token(customer),
        key,
        &format!(r#"{{"reward_id":"{reward}"}}"#),
    )
}

#[test]
fn logs_carry_request_ids_and_never_a_secret() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("endpoint.log");
    let mut server = Server::binary(
        &dir.path().join("loyalty.sqlite"),
        None,
        &["--demo", "--log-format", "json"],
        &[
            ("RUST_LOG", "trace"),
            ("SHOPIFY_API_SECRET", SHOPIFY_SECRET),
        ],
        Some(&log),
    );
    let token = server.token("cust-dora");
    let summary = server.get("/v1/customer", Some(&token));
    assert_eq!(summary.status, 200);
    let id = summary.header("x-request-id").expect("an id").to_owned();
    assert_eq!(id.len(), 32, "{id}");
    // A sane id of the client's is kept; a bad one is replaced, never echoed.
    let kept = server
        .send(
            "GET",
            "/v1/nothing-here",
            &[("X-Request-Id", "shop-ticket-4711")],
            "",
        )
        .expect("an answer");
    assert_eq!(kept.header("x-request-id"), Some("shop-ticket-4711"));
    assert_eq!(kept.json()["error"]["request_id"], "shop-ticket-4711");
    for bad in [
        "a".repeat(65),
        "two words".into(),
        "x\u{7f}y".into(),
        "grüße".into(),
    ] {
        let reply = server.send("GET", "/v1/nothing-here", &[("X-Request-Id", &bad)], "");
        let Some(reply) = reply else { continue };
        match reply.header("x-request-id") {
            Some(given) => {
                assert_ne!(given, bad);
                assert_eq!(given.len(), 32, "{given}");
            }
            // A header HTTP itself does not allow: refused by the parser.
            None => assert_eq!(reply.status, 400, "{bad:?}"),
        }
        assert!(!reply.body.contains(bad.as_str()));
    }
    let redeemed = redeem(&server, "cust-dora", "logs-1", "r-5eur").expect("an answer");
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    let code = redeemed.json()["coupon"]["code"]
        .as_str()
        .expect("a code")
        .to_owned();
    let email = "secret.shopper@example.org";
    let put = server.admin(
        "PUT",
        "/admin/v1/customers/cust-ops",
        &format!(r#"{{"first_name":"Ops","email":"{email}"}}"#),
    );
    assert_eq!(put.status, 201, "{}", put.body);
    let applied = shopify_order(&server, 1, "webhook.buyer@example.org", None);
    assert_eq!(applied.status, 200, "{}", applied.body);
    let forged = shopify_order(&server, 2, "forged@example.org", Some("Zm9yZ2Vk"));
    assert_eq!(forged.status, 401);
    server.terminate();
    assert!(server
        .wait_exit(Duration::from_secs(15))
        .is_some_and(|status| status.success()));

    let text = std::fs::read_to_string(&log).expect("the log");
    let signature = loyalty_endpoint::webhooks::sign(SHOPIFY_SECRET.as_bytes(), b"x");
    let secrets = [
        String::from_utf8_lossy(SECRET).into_owned(),
        admin_key(),
        SHOPIFY_SECRET.to_owned(),
        token,
        code,
        email.to_owned(),
        "webhook.buyer@example.org".to_owned(),
        "forged@example.org".to_owned(),
        signature,
    ];
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "the log holds {secret:?}");
    }
    // Every line is JSON; the request lines say what a shop owner quotes.
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let answered = |route: &str| {
        lines
            .iter()
            .any(|line| line["message"] == "answered" && line["span"]["route"] == route)
    };
    assert!(answered("/v1/customer"));
    assert!(answered("/v1/redemptions"));
    assert!(lines
        .iter()
        .any(|line| line["span"]["request_id"] == id.as_str()));
    assert!(lines
        .iter()
        .any(|line| line["span"]["request_id"] == "shop-ticket-4711"));
    for event in [
        "migrations applied",
        "listening",
        "redemption",
        "webhook",
        "webhook refused",
        "stopped",
    ] {
        assert!(
            lines.iter().any(|line| line["message"] == event),
            "no {event:?} line"
        );
    }
    // The raw path of an unknown route is never a label or a field.
    assert!(!text.contains("nothing-here"));
}

/// Every HTTP test's server logs at `trace` into a file that the harness
/// reads when the server is dropped (`common::Watched`): a value it
/// watches that the log holds fails the test. Here a request id, which the
/// log holds as it should, is watched on purpose: the drop fails, in
/// process and for the binary.
#[test]
fn the_harness_fails_a_test_whose_server_logged_a_watched_value() {
    let dir = tempfile::tempdir().expect("dir");
    let servers = [
        Server::start(),
        Server::binary(&dir.path().join("loyalty.sqlite"), None, &[], &[], None),
    ];
    for server in servers {
        let reply = server.get("/v1/customer", Some(&server.token("cust-anna")));
        let id = reply.header("x-request-id").expect("an id").to_owned();
        let log = server.log.clone();
        server.watch(&id);
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(server)));
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            dropped.is_err(),
            "{id} was in the log unnoticed ({} lines)",
            text.lines().count()
        );
    }
}

/// The metrics' values by name and labels, from the text format.
fn scrape(addr: &str) -> BTreeMap<String, f64> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("the metrics listener");
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("ask");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    let (_, body) = raw.split_once("\r\n\r\n").expect("a body");
    body.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

fn moved(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>, name: &str) -> f64 {
    after.get(name).copied().unwrap_or(0.0) - before.get(name).copied().unwrap_or(0.0)
}

#[test]
fn metrics_move_by_exactly_what_a_session_did() {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let metrics = format!("127.0.0.1:{port}");
    let server = Server::binary(
        &dir.path().join("loyalty.sqlite"),
        None,
        &["--demo", "--metrics-addr", &metrics],
        &[("SHOPIFY_API_SECRET", SHOPIFY_SECRET)],
        None,
    );
    let before = scrape(&metrics);
    let token = server.token("cust-dora");
    for _ in 0..3 {
        assert_eq!(server.get("/v1/customer", Some(&token)).status, 200);
    }
    assert_eq!(
        redeem(&server, "cust-dora", "m-1", "r-5eur")
            .expect("answer")
            .status,
        200
    );
    assert_eq!(
        redeem(&server, "cust-dora", "m-1", "r-5eur")
            .expect("answer")
            .status,
        200
    );
    assert_eq!(
        redeem(&server, "cust-ben", "m-2", "r-10pct")
            .expect("answer")
            .status,
        409
    );
    assert_eq!(
        shopify_order(&server, 11, "m@example.org", None).status,
        200
    );
    assert_eq!(
        shopify_order(&server, 12, "n@example.org", Some("Zm9yZ2Vk")).status,
        401
    );
    let after = scrape(&metrics);

    let price = 500.0; // r-5eur in the demo program
    let expect = [
        (r#"loyalty_redemptions_total{outcome="redeemed"}"#, 1.0),
        (r#"loyalty_redemptions_total{outcome="replayed"}"#, 1.0),
        (
            r#"loyalty_redemptions_total{outcome="insufficient_points"}"#,
            1.0,
        ),
        ("loyalty_points_redeemed_total", price),
        (
            r#"loyalty_webhooks_total{platform="shopify",topic="orders/paid",outcome="applied"}"#,
            1.0,
        ),
        (
            r#"loyalty_webhooks_total{platform="shopify",topic="orders/paid",outcome="refused_signature"}"#,
            1.0,
        ),
        // The webhook's order: 49.90 at Bronze's 1 point per euro, and the
        // new customer's welcome bonus.
        (r#"loyalty_points_issued_total{kind="order"}"#, 49.0),
        (r#"loyalty_points_issued_total{kind="welcome"}"#, 100.0),
        (
            r#"http_server_request_duration_seconds_count{http_route="/v1/customer",http_request_method="GET",http_response_status_code="200"}"#,
            3.0,
        ),
        (
            r#"http_server_request_duration_seconds_count{http_route="/v1/redemptions",http_request_method="POST",http_response_status_code="200"}"#,
            2.0,
        ),
    ];
    for (name, delta) in expect {
        assert_eq!(moved(&before, &after, name), delta, "{name}");
    }
    assert!(after.contains_key(r#"loyalty_db_connections{state="in_use"}"#));
    assert!(after.contains_key(r#"loyalty_db_connections{state="waiting"}"#));
}

/// A free address on this machine for a metrics listener.
fn metrics_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    format!("127.0.0.1:{port}")
}

/// The series of `loyalty_platform_calls_total` for one platform,
/// operation and outcome.
fn calls(platform: &str, operation: &str, outcome: &str) -> String {
    format!(
        r#"loyalty_platform_calls_total{{platform="{platform}",operation="{operation}",outcome="{outcome}"}}"#
    )
}

/// The sum of every series of `metric` whose labels begin with `labels`.
fn total(scraped: &BTreeMap<String, f64>, metric: &str, labels: &str) -> f64 {
    let prefix = format!("{metric}{{{labels}");
    scraped
        .iter()
        .filter(|(name, _)| name.starts_with(&prefix))
        .map(|(_, value)| value)
        .sum()
}

/// The binary on `platform`'s stand-in with metrics at `metrics`, a
/// platform budget of two seconds, the reconciler only when asked (its
/// own pass waits an hour), and its log as JSON into `log`; once its
/// start-up checks of the shop have been counted (WooCommerce's stand-in
/// has no settings routes: three refused reads).
fn on_platform(platform: &StandIn, dir: &std::path::Path, metrics: &str) -> Server {
    let env = platform.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = [
        "--metrics-addr",
        metrics,
        "--platform-budget",
        "2",
        "--reconcile-every",
        "3600",
        "--log-format",
        "json",
    ];
    let url = common::fresh_postgres();
    let db = dir.join("loyalty.sqlite");
    let log = dir.join("endpoint.log");
    let server = Server::binary(&db, url.as_deref(), &args, &env, Some(&log));
    let (name, reads) = match platform.kind {
        Kind::Shopify => ("shopify", 1.0),
        Kind::Woo => ("woocommerce", 3.0),
    };
    let labels = format!(r#"platform="{name}",operation="read_"#);
    for _ in 0..200 {
        if total(&scrape(metrics), "loyalty_platform_calls_total", &labels) >= reads {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let checked = scrape(metrics);
    let expect: &[(&str, &str, f64)] = match platform.kind {
        Kind::Shopify => &[("read_shop", "ok", 1.0)],
        Kind::Woo => &[
            ("read_shop", "refused", 1.0),
            ("read_shipping", "refused", 2.0),
        ],
    };
    for (operation, outcome, count) in expect {
        let series = calls(name, operation, outcome);
        assert_eq!(checked.get(&series), Some(count), "{series}");
    }
    server
}

/// A shop customer `id` (a number: Shopify's customer id) with 5,000
/// points to spend.
fn funded(server: &Server, id: &str) {
    let reply = server.admin(
        "PUT",
        &format!("/admin/v1/customers/{id}"),
        &format!(r#"{{"first_name":"Ada","email":"{id}@example.com"}}"#),
    );
    assert!(matches!(reply.status, 200 | 201), "{}", reply.body);
    let reply = server
        .send(
            "POST",
            &format!("/admin/v1/customers/{id}/adjustments"),
            &[
                ("Authorization", &format!("Bearer {}", admin_key())),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &format!("fund-{id}")),
            ],
            r#"{"points":5000,"reason":"test balance"}"#,
        )
        .expect("an answer");
    assert_eq!(reply.status, 201, "{}", reply.body);
}

/// Every call to the shop's platform is counted by operation and outcome
/// where the connector sends it, retries included, and timed; each is one
/// log line; the redemptions waiting for the platform and the oldest's age
/// are gauges. A session on each platform: a redeem made at once, one
/// throttled first (and on WooCommerce a server error), one whose answer
/// was lost (the code found made), one left pending by a platform that
/// does not answer (the gauges say 1 and its age), then the reconciler
/// makes it (the gauges say 0) and looks the other codes up.
#[test]
fn platform_calls_and_waiting_redemptions_are_measured() {
    for kind in [Kind::Shopify, Kind::Woo] {
        let platform = StandIn::start(kind);
        let dir = tempfile::tempdir().expect("dir");
        let metrics = metrics_addr();
        let mut server = on_platform(&platform, dir.path(), &metrics);
        let name = match kind {
            Kind::Shopify => "shopify",
            Kind::Woo => "woocommerce",
        };
        funded(&server, "1001");
        let before = scrape(&metrics);

        let made = redeem(&server, "1001", "m-ok", "r-5eur").expect("an answer");
        assert_eq!(made.status, 200, "{kind:?}: {}", made.body);
        let busy = match kind {
            Kind::Shopify => serde_json::json!(["429", "throttled"]),
            Kind::Woo => serde_json::json!(["429", "500"]),
        };
        platform.faults(serde_json::json!({"script": busy, "retry_after": 0}));
        let waited = redeem(&server, "1001", "m-busy", "r-5eur").expect("an answer");
        assert_eq!(waited.status, 200, "{kind:?}: {}", waited.body);
        platform.faults(serde_json::json!({"script": ["drop_after_create"]}));
        let lost = redeem(&server, "1001", "m-lost", "r-5eur").expect("an answer");
        assert_eq!(lost.status, 200, "{kind:?}: {}", lost.body);
        platform.faults(serde_json::json!({"script": ["timeout"], "timeout_ms": 3000}));
        let slow = redeem(&server, "1001", "m-slow", "r-5eur").expect("an answer");
        assert_eq!(slow.status, 202, "{kind:?}: {}", slow.body);
        let waiting = scrape(&metrics);
        platform.faults(serde_json::json!({}));
        let report = server.admin("POST", "/admin/v1/reconcile", "");
        assert_eq!(report.json()["confirmed"], 1, "{kind:?}: {}", report.body);
        assert_eq!(report.json()["pending"], 0, "{kind:?}: {}", report.body);
        let after = scrape(&metrics);

        assert_eq!(waiting.get("loyalty_redemptions_waiting"), Some(&1.0));
        let age = waiting
            .get("loyalty_redemption_oldest_waiting_seconds")
            .copied()
            .unwrap_or_default();
        // Reserved before the two seconds the platform was given.
        assert!((1.5..120.0).contains(&age), "{kind:?}: {age}");
        assert_eq!(after.get("loyalty_redemptions_waiting"), Some(&0.0));
        assert_eq!(
            after.get("loyalty_redemption_oldest_waiting_seconds"),
            Some(&0.0)
        );
        // Each try of each operation, by what it met.
        let (throttled, server_errors) = match kind {
            Kind::Shopify => (2.0, 0.0),
            Kind::Woo => (1.0, 1.0),
        };
        let expect = [
            ("create_code", "ok", 3.0),
            ("create_code", "throttled", throttled),
            ("create_code", "server_error", server_errors),
            ("create_code", "dropped", 1.0),
            ("create_code", "exists", 1.0),
            ("create_code", "timeout", 1.0),
            ("find_code", "ok", 1.0),
            // The three codes made before the pass; not the one it made.
            ("follow_code", "ok", 3.0),
        ];
        let mut per_operation: BTreeMap<&str, f64> = BTreeMap::new();
        for (operation, outcome, delta) in expect {
            let series = calls(name, operation, outcome);
            assert_eq!(moved(&before, &after, &series), delta, "{series}");
            *per_operation.entry(operation).or_default() += delta;
        }
        // Nothing else was asked, and each call was timed.
        let everything = format!(r#"platform="{name}""#);
        assert_eq!(
            total(&after, "loyalty_platform_calls_total", &everything)
                - total(&before, "loyalty_platform_calls_total", &everything),
            per_operation.values().sum::<f64>(),
            "{kind:?}"
        );
        for (operation, count) in per_operation {
            let series = format!(
                r#"loyalty_platform_call_duration_seconds_count{{platform="{name}",operation="{operation}"}}"#
            );
            assert_eq!(moved(&before, &after, &series), count, "{series}");
        }
        // A redemption's code made: the four at once or after waiting, and
        // the one whose outcome was not known in time.
        for (outcome, count) in [("issued", 4.0), ("unknown", 1.0), ("refused", 0.0)] {
            let series = format!(
                r#"loyalty_platform_issues_total{{platform="{name}",outcome="{outcome}"}}"#
            );
            assert_eq!(moved(&before, &after, &series), count, "{series}");
        }
        let series = format!(r#"loyalty_platform_issue_seconds_count{{platform="{name}"}}"#);
        assert_eq!(moved(&before, &after, &series), 5.0, "{series}");

        // One log line per call: operation, outcome, status, latency, try.
        server.terminate();
        assert!(server.wait_exit(Duration::from_secs(15)).is_some());
        let text = std::fs::read_to_string(dir.path().join("endpoint.log")).expect("the log");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .filter(|line: &serde_json::Value| line["message"] == "platform call")
            .collect();
        let creates: Vec<(String, u64)> = lines
            .iter()
            .filter(|line| line["operation"] == "create_code")
            .map(|line| {
                assert_eq!(line["platform"], name);
                assert!(line["latency_ms"].is_u64(), "{line}");
                let outcome = line["outcome"].as_str().unwrap_or_default().to_owned();
                let level = if matches!(outcome.as_str(), "ok" | "exists") {
                    "INFO"
                } else {
                    "WARN"
                };
                assert_eq!(line["level"], level, "{line}");
                (outcome, line["attempt"].as_u64().unwrap_or_default())
            })
            .collect();
        let throttled_tries: Vec<(String, u64)> = match kind {
            Kind::Shopify => vec![
                ("throttled".into(), 1),
                ("throttled".into(), 2),
                ("ok".into(), 3),
            ],
            Kind::Woo => vec![
                ("throttled".into(), 1),
                ("server_error".into(), 2),
                ("ok".into(), 3),
            ],
        };
        let mut expected = vec![("ok".to_owned(), 1)];
        expected.extend(throttled_tries);
        expected.extend([
            ("dropped".to_owned(), 1),
            ("exists".to_owned(), 2),
            ("timeout".to_owned(), 1),
            ("ok".to_owned(), 1),
        ]);
        assert_eq!(creates, expected, "{kind:?}");
        assert_eq!(
            lines.len(),
            8 + 1 + 3 + if kind == Kind::Woo { 3 } else { 1 },
            "{kind:?}: creates, a find, the follows and the start-up reads"
        );
        // The line says nothing of the code, the customer or the keys.
        for reply in [&made, &waited, &lost] {
            let code = reply.json()["coupon"]["code"]
                .as_str()
                .expect("a code")
                .to_owned();
            assert!(!text.contains(&code), "{kind:?}: the log holds {code}");
        }
        assert!(!text.contains("1001@example.com"));
        for (variable, value) in platform.env() {
            if ["TOKEN", "KEY", "SECRET"]
                .iter()
                .any(|w| variable.contains(w))
            {
                assert!(!text.contains(&value), "{kind:?}: the log holds {variable}");
            }
        }
    }
}

/// A call the platform refuses (credentials it does not take) is counted
/// as refused, and the redemption as refused: its points are back.
#[test]
fn refused_platform_calls_are_counted_as_refused() {
    for kind in [Kind::Shopify, Kind::Woo] {
        let platform = StandIn::start(kind);
        let dir = tempfile::tempdir().expect("dir");
        let metrics = metrics_addr();
        let mut env = platform.env();
        for (name, value) in env.iter_mut() {
            if matches!(*name, "LOYALTY_SHOPIFY_ADMIN_TOKEN" | "LOYALTY_WOO_SECRET") {
                value.push_str("-not-this-one");
            }
        }
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let args = ["--metrics-addr", &metrics, "--platform-budget", "2"];
        let url = common::fresh_postgres();
        let db = dir.path().join("loyalty.sqlite");
        let server = Server::binary(&db, url.as_deref(), &args, &env, None);
        let name = match kind {
            Kind::Shopify => "shopify",
            Kind::Woo => "woocommerce",
        };
        funded(&server, "1002");
        let before = scrape(&metrics);
        let reply = redeem(&server, "1002", "m-refused", "r-5eur").expect("an answer");
        assert_eq!(reply.status, 409, "{kind:?}: {}", reply.body);
        let after = scrape(&metrics);
        let series = calls(name, "create_code", "refused");
        assert_eq!(moved(&before, &after, &series), 1.0, "{series}");
        let everything = format!(r#"platform="{name}",operation="create_code""#);
        assert_eq!(
            total(&after, "loyalty_platform_calls_total", &everything)
                - total(&before, "loyalty_platform_calls_total", &everything),
            1.0,
            "{kind:?}: a refusal is not tried again"
        );
        let series =
            format!(r#"loyalty_platform_issues_total{{platform="{name}",outcome="refused"}}"#);
        assert_eq!(moved(&before, &after, &series), 1.0, "{series}");
        assert_eq!(after.get("loyalty_redemptions_waiting"), Some(&0.0));
    }
}

#[test]
fn readiness_turns_503_and_a_sigterm_mid_burst_loses_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("loyalty.sqlite");
    // Each redemption takes 300 ms (an injected latency): some are in
    // flight when the signal comes.
    let args = [
        "--demo",
        "--shutdown-delay",
        "1",
        "--faults",
        r#"{"latency_ms": 300, "path_prefix": "/v1/redemptions"}"#,
    ];
    // On the PostgreSQL database of LOYALTY_TEST_POSTGRES when set.
    let url = common::fresh_postgres();
    let mut server = Server::binary(&db, url.as_deref(), &args, &[], None);
    assert_eq!(server.get("/livez", None).status, 200);
    let ready = server.get("/readyz", None);
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.json()["status"], "ready");
    // Carla has 4,200 points: 40 redemptions of 100 keys each can't all
    // pass, so the ledger must never overdraw either.
    let keys: Vec<String> = (0..40).map(|n| format!("burst-{n}")).collect();
    let answers: Vec<(String, Option<(u16, String)>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = keys
            .iter()
            .map(|key| {
                let server = &server;
                scope.spawn(move || {
                    let reply = redeem(server, "cust-carla", key, "r-shipping");
                    (key.clone(), reply.map(|r| (r.status, r.body)))
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150));
        server.terminate();
        // Within the shutdown delay (1 s), readiness says no: asked until
        // the signal is handled (a loaded machine takes a few
        // milliseconds), never past half the delay.
        let asked = std::time::Instant::now();
        let during = loop {
            let reply = server.get("/readyz", None);
            if reply.status == 503 || asked.elapsed() > Duration::from_millis(500) {
                break reply;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(during.status, 503, "{}", during.body);
        assert_eq!(during.json()["checks"]["shutting_down"], true);
        handles
            .into_iter()
            .map(|handle| handle.join().expect("thread"))
            .collect()
    });
    let status = server.wait_exit(Duration::from_secs(20)).expect("it stops");
    assert!(status.success(), "{status:?}");
    drop(server);

    // Started again on the same file: every key asked again.
    let again = Server::binary(&db, url.as_deref(), &["--demo"], &[], None);
    let mut applied = 0;
    for (key, first) in &answers {
        let retry = redeem(&again, "cust-carla", key, "r-shipping").expect("an answer");
        match first {
            // What was answered is replayed, byte for byte.
            Some((status, body)) if *status < 500 => {
                assert_eq!((retry.status, &retry.body), (*status, body), "{key}");
            }
            // What got no answer is applied now, or replayed if it was.
            _ => assert!(matches!(retry.status, 200 | 409), "{key}: {}", retry.body),
        }
        if retry.status == 200 {
            applied += 1;
        }
    }
    assert!(applied > 0);
    assert_eq!(
        again.count("redemptions WHERE customer_id = 'cust-carla'"),
        applied,
        "each applied key redeemed exactly once"
    );
    drop(again);
    let store = match &url {
        Some(url) => ["--database", url.as_str()],
        None => ["--db", db.to_str().expect("path")],
    };
    let check = [&["check-db"], &store[..], &["--today", common::TODAY]].concat();
    let (ok, stderr, stdout) = run_binary(dir.path(), None, &check);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("ledger: ok"), "{stdout}");
}

#[test]
fn a_backup_taken_during_writes_opens_checks_and_is_a_prefix_of_the_ledger() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("loyalty.sqlite");
    let backup = dir.path().join("backup.sqlite");
    let server = Server::binary(&db, None, &["--demo"], &[], None);
    let (ok, stderr, stdout) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for n in 0..150 {
                let reply = server.send(
                    "POST",
                    "/admin/v1/customers/cust-ben/adjustments",
                    &[
                        ("Authorization", &format!("Bearer {}", admin_key())),
                        ("Idempotency-Key", &format!("b-{n}")),
                        ("Content-Type", "application/json"),
                    ],
                    r#"{"points": 10, "reason": "Backup test"}"#,
                );
                assert_eq!(reply.expect("an answer").status, 201);
            }
        });
        std::thread::sleep(Duration::from_millis(200));
        let result = run_binary(
            dir.path(),
            None,
            &[
                "backup",
                "--db",
                db.to_str().expect("path"),
                "--to",
                backup.to_str().expect("path"),
            ],
        );
        writer.join().expect("the writer");
        result
    });
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("ledger: ok"), "{stdout}");
    let (ok, _, stdout) = run_binary(
        dir.path(),
        None,
        &[
            "check-db",
            "--db",
            backup.to_str().expect("path"),
            "--today",
            common::TODAY,
        ],
    );
    assert!(ok, "{stdout}");
    let copied = common::ledger_rows(&backup, None);
    let now = common::ledger_rows(&db, None);
    assert!(copied.len() < now.len(), "the copy was taken mid-burst");
    assert!(copied.len() > 30, "{} rows", copied.len());
    assert_eq!(
        copied,
        now[..copied.len()],
        "the copy is a prefix of the ledger"
    );
    // Backing up onto an existing file is refused.
    let (ok, stderr, _) = run_binary(
        dir.path(),
        None,
        &[
            "backup",
            "--db",
            db.to_str().expect("path"),
            "--to",
            backup.to_str().expect("path"),
        ],
    );
    assert!(!ok && stderr.contains("exists already"), "{stderr}");
}
