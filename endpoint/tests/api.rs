//! The reference endpoint over real HTTP and a real SQLite file.

mod common;

use common::{now, Reply, Server, SECRET};
use loyalty_core::contract::{ActivityPage, Offers, Program, Redemption, Summary};
use loyalty_endpoint::faults::Faults;
use loyalty_endpoint::token;

#[test]
fn valid_token_reads_the_customer_summary() {
    let server = Server::start();
    let reply = server.get("/v1/customer?lang=de", Some(&server.token("cust-anna")));
    assert_eq!(reply.status, 200);
    let summary: Summary = common::decode(&reply.body).expect("contract summary");
    assert_eq!(summary.points.approved, 1250);
    assert_eq!(summary.tier.map(|t| t.name), Some("Silber".to_owned()));
    assert_eq!(
        summary.referral.and_then(|r| r.url),
        Some("https://shop.example/?ref=ANNA10".to_owned())
    );
}

#[test]
fn forged_expired_tampered_and_missing_tokens_are_rejected() {
    let server = Server::start();
    let forged = token::mint(b"not-the-secret", "cust-anna", now(), 900);
    let expired = token::mint(SECRET, "cust-anna", now() - 1000, 900);
    let valid = server.token("cust-anna");
    let (head, rest) = valid.split_once('.').expect("jwt");
    let (_, signature) = rest.split_once('.').expect("jwt");
    let evil_payload = base64_url(&format!(
        r#"{{"sub":"cust-carla","iat":{},"exp":{}}}"#,
        now(),
        now() + 900
    ));
    let tampered = format!("{head}.{evil_payload}.{signature}");
    for (token, code) in [
        (forged.as_str(), "unauthorized"),
        (expired.as_str(), "token_expired"),
        (tampered.as_str(), "unauthorized"),
        ("not-a-token", "unauthorized"),
    ] {
        let reply = server.get("/v1/customer", Some(token));
        assert_eq!(
            (reply.status, reply.code()),
            (401, code.to_owned()),
            "{token}"
        );
    }
    let reply = server.get("/v1/customer", None);
    assert_eq!(
        (reply.status, reply.code()),
        (401, "unauthorized".to_owned())
    );
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[test]
fn program_is_public_and_localised() {
    let server = Server::start();
    let en: Program = common::decode(&server.get("/v1/program", None).body).expect("en");
    let de: Program = common::decode(&server.get("/v1/program?lang=de", None).body).expect("de");
    assert_eq!(en.name, "Morgenrot Coffee Club");
    assert_eq!(de.name, "Morgenrot Kaffeeklub");
    assert_eq!(en.tiers.len(), 3);
    assert_eq!(de.tiers[1].name, "Silber");
    assert!(en.rewards.iter().any(|r| r.id == "r-5eur"));
}

#[test]
fn same_redeem_twice_with_one_key_applies_once() {
    let server = Server::start();
    let token = server.token("cust-anna");
    let body = r#"{"reward_id":"r-5eur"}"#;
    let first = server
        .post("/v1/redemptions", &token, "key-1", body)
        .expect("reply");
    let again = server
        .post("/v1/redemptions", &token, "key-1", body)
        .expect("reply");
    assert_eq!(first.status, 200);
    assert_eq!(first.body, again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let redemption: Redemption = common::decode(&first.body).expect("redemption");
    assert_eq!(redemption.points.approved, 750);
    assert_eq!(server.count("redemptions"), 1);
    assert_eq!(server.approved("cust-anna"), 750);
}

#[test]
fn concurrent_redeems_with_one_key_apply_once() {
    let server = Server::start();
    let token = server.token("cust-carla");
    let body = r#"{"reward_id":"r-10pct"}"#;
    let replies: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| scope.spawn(|| server.post("/v1/redemptions", &token, "same-key", body)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread").expect("reply"))
            .collect()
    });
    assert!(replies
        .iter()
        .all(|r| r.status == 200 && r.body == replies[0].body));
    assert_eq!(
        server.count("redemptions WHERE customer_id = 'cust-carla'"),
        1
    );
    assert_eq!(server.approved("cust-carla"), 4200 - 800);
}

#[test]
fn a_key_reused_for_another_request_is_refused() {
    let server = Server::start();
    let token = server.token("cust-anna");
    server
        .post("/v1/redemptions", &token, "k", r#"{"reward_id":"r-5eur"}"#)
        .expect("reply");
    let other = server
        .post(
            "/v1/redemptions",
            &token,
            "k",
            r#"{"reward_id":"r-shipping"}"#,
        )
        .expect("reply");
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_conflict".to_owned())
    );
    assert_eq!(server.count("redemptions"), 1);
}

#[test]
fn redeem_rules_are_enforced() {
    let server = Server::start();
    let ben = server.token("cust-ben");
    let poor = server
        .post("/v1/redemptions", &ben, "a", r#"{"reward_id":"r-5eur"}"#)
        .expect("reply");
    assert_eq!(
        (poor.status, poor.code()),
        (409, "insufficient_points".to_owned())
    );
    let anna = server.token("cust-anna");
    let missing_key = server
        .send(
            "POST",
            "/v1/redemptions",
            &[("Authorization", &format!("Bearer {anna}"))],
            r#"{"reward_id":"r-5eur"}"#,
        )
        .expect("reply");
    assert_eq!(missing_key.status, 400);
    let unknown = server
        .post("/v1/redemptions", &anna, "b", r#"{"reward_id":"nope"}"#)
        .expect("reply");
    assert_eq!(unknown.code(), "not_available");
    let garbage = server
        .post("/v1/redemptions", &anna, "c", "{not json")
        .expect("reply");
    assert_eq!(garbage.status, 400);
    assert_eq!(server.count("redemptions"), 0);
    assert_eq!(server.approved("cust-anna"), 1250);
}

#[test]
fn joining_needs_consent_and_credits_the_bonus_once() {
    let server = Server::start();
    let ben = server.token("cust-ben");
    let refused = server
        .post("/v1/club/join", &ben, "j0", r#"{"consent":false}"#)
        .expect("reply");
    assert_eq!(refused.status, 400);
    let joined = server
        .post("/v1/club/join", &ben, "j1", r#"{"consent":true}"#)
        .expect("reply");
    assert_eq!(joined.json()["bonus_points"], 100);
    let again = server
        .post("/v1/club/join", &ben, "j2", r#"{"consent":true}"#)
        .expect("reply");
    assert_eq!(again.json()["bonus_points"], 0);
    assert_eq!(server.approved("cust-ben"), 200);
    assert_eq!(
        server.count("customers WHERE club_member = 1 AND id = 'cust-ben'"),
        1
    );
}

#[test]
fn a_token_only_ever_acts_for_its_own_customer() {
    let server = Server::start();
    let anna = server.token("cust-anna");
    server
        .post("/v1/redemptions", &anna, "x", r#"{"reward_id":"r-5eur"}"#)
        .expect("reply");
    assert_eq!(server.approved("cust-anna"), 750);
    assert_eq!(server.approved("cust-carla"), 4200);
    // Query parameters naming another customer are ignored.
    let reply = server.get(
        "/v1/customer?customer=cust-carla&sub=cust-carla",
        Some(&anna),
    );
    assert_eq!(reply.json()["first_name"], "Anna");
    // A body naming another customer is ignored: the token decides.
    server
        .post(
            "/v1/redemptions",
            &anna,
            "y",
            r#"{"reward_id":"r-shipping","customer_id":"cust-carla"}"#,
        )
        .expect("reply");
    assert_eq!(server.approved("cust-carla"), 4200);
    assert_eq!(
        server.count("redemptions WHERE customer_id = 'cust-carla'"),
        0
    );
}

#[test]
fn replayed_requests_apply_nothing() {
    let server = Server::start();
    let anna = server.token("cust-anna");
    let body = r#"{"reward_id":"r-5eur"}"#;
    let first = server
        .post("/v1/redemptions", &anna, "captured", body)
        .expect("reply");
    // The same request captured and sent again, three times.
    for _ in 0..3 {
        let replay = server
            .post("/v1/redemptions", &anna, "captured", body)
            .expect("reply");
        assert_eq!((replay.status, &replay.body), (200, &first.body));
        assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    }
    // The same key with another customer's token is that customer's key:
    // it redeems nothing of Anna's and shows nothing of hers.
    let carla = server.token("cust-carla");
    let other = server
        .post("/v1/redemptions", &carla, "captured", body)
        .expect("reply");
    assert_ne!(other.body, first.body);
    assert_eq!(server.approved("cust-anna"), 1250 - 500);
    assert_eq!(
        server.count("redemptions WHERE customer_id = 'cust-anna'"),
        1
    );
    // A token replayed after it expired is refused.
    let expired = token::mint(SECRET, "cust-anna", now() - 2000, 900);
    let late = server
        .post("/v1/redemptions", &expired, "late", body)
        .expect("reply");
    assert_eq!(
        (late.status, late.code()),
        (401, "token_expired".to_owned())
    );
    assert_eq!(server.approved("cust-anna"), 750);
}

#[test]
fn offers_are_locked_by_membership_and_tier() {
    let server = Server::start();
    let ben: Offers = common::decode(
        &server
            .get("/v1/offers", Some(&server.token("cust-ben")))
            .body,
    )
    .expect("offers");
    assert!(ben
        .offers
        .iter()
        .all(|o| o.locked.is_some() && o.code.is_none()));
    let anna: Offers = common::decode(
        &server
            .get("/v1/offers", Some(&server.token("cust-anna")))
            .body,
    )
    .expect("offers");
    let gold = anna
        .offers
        .iter()
        .find(|o| o.id == "o-gold")
        .expect("gold offer");
    assert!(gold.locked.is_some() && gold.code.is_none());
    let advent = anna
        .offers
        .iter()
        .find(|o| o.id == "o-advent")
        .expect("advent");
    assert_eq!(advent.code.as_deref(), Some("ADVENT-EARLY"));
}

#[test]
fn activity_is_paged_newest_first() {
    let server = Server::start();
    let token = server.token("cust-anna");
    let first: ActivityPage =
        common::decode(&server.get("/v1/activity", Some(&token)).body).expect("page 1");
    let third: ActivityPage =
        common::decode(&server.get("/v1/activity?page=3", Some(&token)).body).expect("page 3");
    assert_eq!(first.items.len(), 10);
    assert!(first.has_more);
    assert!(first.items[0].date >= first.items[9].date);
    // Anna's ledger holds 27 entries: 10, 10, 7.
    assert_eq!(third.items.len(), 7);
    assert!(!third.has_more);
}

#[test]
fn etag_revalidation_answers_not_modified() {
    let server = Server::start();
    let token = server.token("cust-anna");
    let first = server.get("/v1/customer", Some(&token));
    let etag = first.header("etag").expect("etag").to_owned();
    let auth = format!("Bearer {token}");
    let revalidate = || {
        server
            .send(
                "GET",
                "/v1/customer",
                &[("Authorization", &auth), ("If-None-Match", &etag)],
                "",
            )
            .expect("reply")
    };
    let again = revalidate();
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    server
        .post(
            "/v1/redemptions",
            &token,
            "e",
            r#"{"reward_id":"r-shipping"}"#,
        )
        .expect("reply");
    let changed = revalidate();
    assert_eq!(changed.status, 200);
}

#[test]
fn cors_answers_only_configured_shop_origins() {
    let server = Server::start();
    let allowed = server
        .send(
            "OPTIONS",
            "/v1/customer",
            &[("Origin", "https://shop.example")],
            "",
        )
        .expect("reply");
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert!(allowed
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("idempotency-key")));
    let other = server
        .send(
            "GET",
            "/v1/program",
            &[("Origin", "https://evil.example")],
            "",
        )
        .expect("reply");
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn a_preflight_may_ask_for_the_headers_a_shop_pages_scripts_add() {
    // An analytics fetch wrapper adds a tracing header to every request.
    let server = Server::start();
    let preflight = |origin: &str, asked: &str| {
        server
            .send(
                "OPTIONS",
                "/v1/customer",
                &[
                    ("Origin", origin),
                    ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", asked),
                ],
                "",
            )
            .expect("reply")
    };
    let allowed = preflight(
        "https://shop.example",
        "authorization,x-trace-id,traceparent",
    );
    assert_eq!(allowed.status, 204);
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap_or_default();
    for name in [
        "authorization",
        "idempotency-key",
        "x-trace-id",
        "traceparent",
    ] {
        assert!(
            headers.split(", ").any(|h| h == name),
            "{name} in {headers:?}"
        );
    }
    // Not for other origins, and never a header value smuggled in.
    let other = preflight("https://evil.example", "x-trace-id");
    assert_eq!(other.header("access-control-allow-headers"), None);
    let odd = preflight("https://shop.example", "x-a, x b");
    let headers = odd
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(
        !headers.contains("x b") && headers.contains("idempotency-key"),
        "{headers}"
    );
}

#[test]
fn injected_faults_break_answers_as_configured() {
    let errors = Server::with_faults(Faults {
        error_rate: 1.0,
        error_status: Some(429),
        retry_after: Some(3),
        ..Faults::default()
    });
    let reply = errors.get("/v1/program", None);
    assert_eq!(
        (reply.status, reply.header("retry-after")),
        (429, Some("3"))
    );
    assert_eq!(reply.code(), "rate_limited");

    let malformed = Server::with_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let reply = malformed.get("/v1/program", None);
    assert_eq!(reply.status, 200);
    assert!(common::decode::<Program>(&reply.body).is_err());

    let dropping = Server::with_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let token = dropping.token("cust-anna");
    let lost = dropping.post("/v1/redemptions", &token, "d", r#"{"reward_id":"r-5eur"}"#);
    assert_eq!(lost, None, "the connection drops mid-answer");
    // ... after the server committed: the effect happened exactly once.
    assert_eq!(dropping.count("redemptions"), 1);
}

/// A small xorshift generator for the randomized test below (seed printed
/// on failure, so a failing schedule can be replayed).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn randomized_redeems_under_drops_errors_and_concurrency_apply_exactly_once_per_key() {
    let seed = std::env::var("LOYALTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| now() | 1);
    let server = Server::with_faults(Faults {
        drop_rate: 0.3,
        error_rate: 0.2,
        error_status: Some(503),
        method: Some("POST".into()),
        ..Faults::default()
    });
    let token = server.token("cust-dora");
    let body = r#"{"reward_id":"r-shipping"}"#;
    let keys: Vec<String> = (0..8).map(|i| format!("key-{seed}-{i}")).collect();
    // Six shoppers' tabs send 20 redeems each, every one with a key drawn at
    // random from the pool: double clicks, retries and concurrent sends.
    let sent: Vec<(usize, Option<Reply>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6u64)
            .map(|tab| {
                let (server, token, keys) = (&server, &token, &keys);
                scope.spawn(move || {
                    let mut dice = Dice(seed.wrapping_mul(tab + 7) | 1);
                    (0..20)
                        .map(|_| {
                            let key = dice.below(keys.len() as u64) as usize;
                            (key, server.post("/v1/redemptions", token, &keys[key], body))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    // Later, each key is retried until it gets an answer, faults and all.
    let mut finals = Vec::new();
    for key in &keys {
        let reply = (0..200)
            .find_map(|_| {
                server
                    .post("/v1/redemptions", &token, key, body)
                    .filter(|r| r.status == 200)
            })
            .unwrap_or_else(|| panic!("seed {seed}: {key} never got an answer"));
        finals.push(reply);
    }
    for (key, reply) in sent.iter().filter_map(|(k, r)| r.as_ref().map(|r| (k, r))) {
        if reply.status == 200 {
            assert_eq!(
                reply.body, finals[*key].body,
                "seed {seed}: one key, two answers"
            );
        } else {
            assert_eq!(
                reply.status, 503,
                "seed {seed}: unexpected {}",
                reply.status
            );
        }
    }
    let attempts = sent.len() + keys.len();
    assert_eq!(
        server.count("redemptions WHERE customer_id = 'cust-dora'"),
        keys.len() as i64,
        "seed {seed}: {attempts} attempts for {} keys",
        keys.len()
    );
    assert_eq!(server.approved("cust-dora"), 9000 - 300 * keys.len() as i64);
}

#[test]
fn static_files_are_served_precompressed_with_caching_by_kind() {
    let server = Server::with_static(&[
        ("widget/loyalty-widget.js", b"loader"),
        ("widget/loyalty-widget.js.br", b"loader, brotli"),
        ("widget/loyalty-widget-web-0a1b.js", b"glue"),
        ("widget/loyalty-widget-web-0a1b.js.br", b"glue, brotli"),
        ("widget/loyalty-widget-web-0a1b.js.gz", b"glue, gzip"),
        ("index.html", b"<!doctype html>"),
    ]);
    let get = |path: &str, encodings: &str| {
        server
            .send("GET", path, &[("Accept-Encoding", encodings)], "")
            .expect("an answer")
    };
    // The hashed glue: brotli when asked for, gzip otherwise, cached a year.
    let glue = get("/widget/loyalty-widget-web-0a1b.js", "gzip, br");
    assert_eq!(glue.body, "glue, brotli");
    assert_eq!(glue.header("content-encoding"), Some("br"));
    assert_eq!(
        glue.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let gzip = get("/widget/loyalty-widget-web-0a1b.js", "gzip");
    assert_eq!(gzip.body, "glue, gzip");
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    let plain = get("/widget/loyalty-widget-web-0a1b.js", "identity");
    assert_eq!(plain.body, "glue");
    assert_eq!(plain.header("content-encoding"), None);
    // The loader keeps its stable URL: five minutes.
    let loader = get("/widget/loyalty-widget.js", "br");
    assert_eq!(loader.body, "loader, brotli");
    assert_eq!(loader.header("cache-control"), Some("public, max-age=300"));
    // Anything else is asked again each time.
    let page = get("/index.html", "br");
    assert_eq!(page.body, "<!doctype html>");
    assert_eq!(page.header("cache-control"), Some("no-cache"));
}
