//! The endpoint does what the OpenAPI files say where an independent API
//! tester (Schemathesis, `scripts/contract-check.sh`) found them apart
//! (issue 36): `lang` is a language tag, negotiated, and the answer says in
//! `Content-Language` what it is in; `page` is 1 to 1,000,000; an integer
//! is any number without a fraction (`26028.0`), never `26028.5`; the admin
//! inputs are refused exactly where their schemas refuse them. Each test
//! names the server change of SERVER_CHANGES.md it covers.

mod common;

use common::{value, Reply, Server};

fn get(server: &Server, path: &str) -> Reply {
    server.get(path, Some(&server.token("cust-anna")))
}

/// S1: a language tag is negotiated down to the program's languages, and
/// `Content-Language` names the one served; a malformed or repeated `lang`
/// is refused with 400 in the contract's error shape.
#[test]
fn lang_is_a_negotiated_language_tag() {
    let server = Server::start();
    for (tag, served, silver) in [
        ("de", "de", "Silber"),
        ("de-AT", "de", "Silber"),
        ("DE-at", "de", "Silber"),
        ("en-GB", "en", "Silver"),
        ("fr", "fr", "Argent"),
        ("fr-CH", "fr", "Argent"),
        ("pt-BR", "pt", "Prata"),
        ("pl", "pl", "Srebro"),
        ("no", "nb", "Sølv"),
        ("nn-NO", "nb", "Sølv"),
        ("AAA", "en", "Silver"),
        ("zh-Hant-TW", "en", "Silver"),
    ] {
        let reply = get(&server, &format!("/v1/program?lang={tag}"));
        assert_eq!(reply.status, 200, "{tag}: {}", reply.body);
        assert_eq!(reply.header("content-language"), Some(served), "{tag}");
        let named = value(&reply)["tiers"][1]["name"].clone();
        assert_eq!(named, silver, "{tag}");
    }
    // No lang: the default language, said so.
    let plain = get(&server, "/v1/program");
    assert_eq!(plain.header("content-language"), Some("en"));
    // Every route that takes lang says what it served.
    for path in [
        "/v1/customer?lang=de-CH",
        "/v1/offers?lang=de-CH",
        "/v1/activity?lang=de-CH",
        "/v1/referrals/ANNA10?lang=de-CH",
    ] {
        let reply = get(&server, path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.header("content-language"), Some("de"), "{path}");
    }
    let redeemed = server
        .post(
            "/v1/redemptions?lang=de",
            &server.token("cust-anna"),
            "lang-1",
            r#"{"reward_id":"r-5eur"}"#,
        )
        .expect("an answer");
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    assert_eq!(redeemed.header("content-language"), Some("de"));
    for bad in [
        "lang=",
        "lang=d",
        "lang=de_AT",
        "lang=de-",
        "lang=de--AT",
        "lang=1de",
        "lang=de-abcdefghi",
        "lang=de%20",
        "lang=de&lang=en",
    ] {
        for path in ["/v1/program", "/v1/customer", "/v1/referrals/ANNA10"] {
            let reply = get(&server, &format!("{path}?{bad}"));
            assert_eq!(reply.status, 400, "{path}?{bad}: {}", reply.body);
            assert_eq!(reply.code(), "bad_request", "{path}?{bad}");
            assert_eq!(reply.header("content-language"), None);
        }
    }
}

/// S2: `page` is a whole number from 1 to 1,000,000; anything else is 400.
#[test]
fn pages_outside_the_documented_range_are_refused() {
    let server = Server::start();
    let last = get(&server, "/v1/activity?page=1000000");
    assert_eq!(last.status, 200, "{}", last.body);
    assert_eq!(value(&last)["items"], serde_json::json!([]));
    for bad in ["0", "1000001", "18472099702", "-1", "x", "1.5", ""] {
        let reply = get(&server, &format!("/v1/activity?page={bad}"));
        assert_eq!(reply.status, 400, "page={bad}: {}", reply.body);
        assert_eq!(reply.code(), "bad_request", "page={bad}");
    }
}

/// S3: every integer of the admin inputs takes an integral number written
/// with a fraction or an exponent, and refuses a fraction (one serde helper,
/// `loyalty_core::contract::whole`).
#[test]
fn integers_are_json_schema_integers() {
    let server = Server::start();
    let order = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-float","customer_id":"cust-anna","total_minor":26028.0}"#,
    );
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(value(&order)["total_minor"], 26028);
    let half = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-half","customer_id":"cust-anna","total_minor":26028.5}"#,
    );
    assert_eq!(half.status, 400, "{}", half.body);
    assert!(half.body.contains("expected an integer"), "{}", half.body);
    let refund = server.admin(
        "POST",
        "/admin/v1/orders/o-float/refunds",
        r#"{"id":"r-float","amount_minor":1e3}"#,
    );
    assert_eq!(refund.status, 201, "{}", refund.body);
    assert_eq!(value(&refund)["amount_minor"], 1000);
    let refund = server.admin(
        "POST",
        "/admin/v1/orders/o-float/refunds",
        r#"{"id":"r-half","amount_minor":0.5}"#,
    );
    assert_eq!(refund.status, 400, "{}", refund.body);
    let auth = format!("Bearer {}", String::from_utf8_lossy(common::ADMIN_KEY));
    let adjust = |key: &str, points: &str| {
        server
            .send(
                "POST",
                "/admin/v1/customers/cust-ben/adjustments",
                &[("Authorization", &auth), ("Idempotency-Key", key)],
                &format!(r#"{{"points":{points},"reason":"Goodwill"}}"#),
            )
            .expect("an answer")
    };
    assert_eq!(adjust("f1", "-10.0").status, 201);
    assert_eq!(adjust("f2", "10.5").status, 400);
    assert_eq!(server.points("cust-ben")["approved"], 90);
}

/// S4, S5: lengths are counted in characters, as the schemas' `maxLength`
/// counts them; an empty e-mail address is refused; a blank reason too.
#[test]
fn lengths_count_characters_and_blank_text_is_refused() {
    let server = Server::start();
    // 254 characters, 400 bytes.
    let long = format!("{}@example.com", "é".repeat(242));
    assert_eq!(long.chars().count(), 254);
    let reply = server.admin(
        "PUT",
        "/admin/v1/customers/cust-long",
        &format!(r#"{{"email":"{long}"}}"#),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let reply = server.admin(
        "PUT",
        "/admin/v1/customers/cust-long",
        &format!(r#"{{"email":"é{long}"}}"#),
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    let empty = server.admin("PUT", "/admin/v1/customers/cust-long", r#"{"email":""}"#);
    assert_eq!(empty.status, 400, "{}", empty.body);
    assert!(empty.body.contains("email"), "{}", empty.body);
    let auth = format!("Bearer {}", String::from_utf8_lossy(common::ADMIN_KEY));
    let adjust = |key: &str, reason: &str| {
        server
            .send(
                "POST",
                "/admin/v1/customers/cust-long/adjustments",
                &[("Authorization", &auth), ("Idempotency-Key", key)],
                &serde_json::json!({ "points": 1, "reason": reason }).to_string(),
            )
            .expect("an answer")
    };
    // 120 characters as sent is the limit, white space around included.
    assert_eq!(adjust("a1", &"x".repeat(120)).status, 201);
    assert_eq!(adjust("a2", &format!(" {}", "x".repeat(120))).status, 400);
    assert_eq!(adjust("a3", "\u{2003}\t").status, 400);
}

/// S6: an order's customer fields are checked whether or not the customer
/// is new (before, a known customer's were ignored, so a request the
/// schema refuses was recorded).
#[test]
fn an_orders_customer_fields_are_checked_for_known_customers_too() {
    let server = Server::start();
    for body in [
        r#"{"id":"o-1","customer_id":"cust-anna","total_minor":100,"email":""}"#,
        r#"{"id":"o-1","customer_id":"cust-anna","total_minor":100,"first_name":" "}"#,
        r#"{"id":"o-1","customer_id":"cust\u0001","total_minor":100}"#,
    ] {
        let reply = server.admin("POST", "/admin/v1/orders", body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
    }
    let fine = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-1","customer_id":"cust-anna","total_minor":100,"email":"anna@example.com","first_name":null}"#,
    );
    assert_eq!(fine.status, 201, "{}", fine.body);
}

/// Not a change: `consent` is `const: true` in the contract, and `false`
/// is refused as before.
#[test]
fn joining_needs_consent_true() {
    let server = Server::start();
    let token = server.token("cust-ben");
    let refused = server
        .post("/v1/club/join", &token, "c1", r#"{"consent":false}"#)
        .expect("an answer");
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.code(), "bad_request");
}
