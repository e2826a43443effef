//! Rewards that work at the shop's checkout: every redemption's code is
//! made on the shop's platform (the stand-ins of Shopify's Admin GraphQL
//! API and WooCommerce's coupons route, over real HTTP) exactly once, the
//! points are never kept for a code that was not made, and every state has
//! a way forward: confirmed, released with the points back, or pending
//! until a replay or the reconciler finishes it.

mod common;
mod standin;

use common::{value, Reply, Server, ADMIN_KEY};
use loyalty_endpoint::platform::Connector;
use standin::{Kind, StandIn};
use std::time::Duration;

/// A server whose rewards' codes are made on `platform`, waiting at most
/// `budget` for it.
fn server_on(platform: &StandIn, budget: Duration) -> Server {
    let settings = platform.settings();
    Server::with(move |config| {
        config.issuing.platform = Some(Connector::new(settings).expect("a connector"));
        config.issuing.budget = budget;
        config.shopify_secret = Some(b"shopify-webhook-secret".to_vec());
        config.woocommerce_secret = Some(b"woo-webhook-secret".to_vec());
    })
}

/// A shop customer `id` with an e-mail address and `points` to spend (and
/// the program's welcome bonus): their spendable points.
fn customer(server: &Server, id: &str, points: i64) -> i64 {
    let reply = server.admin(
        "PUT",
        &format!("/admin/v1/customers/{id}"),
        &format!(r#"{{"first_name":"Ada","email":"{id}@example.com"}}"#),
    );
    assert!(reply.status == 201 || reply.status == 200, "{}", reply.body);
    let auth = format!("Bearer {}", String::from_utf8_lossy(ADMIN_KEY));
    let key = format!("fund-{id}");
    let reply = server
        .send(
            "POST",
            &format!("/admin/v1/customers/{id}/adjustments"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &key),
            ],
            &format!(r#"{{"points":{points},"reason":"test balance"}}"#),
        )
        .expect("an answer");
    assert_eq!(reply.status, 201, "{}", reply.body);
    server.approved(id)
}

fn redeem(server: &Server, id: &str, reward: &str, key: &str) -> Reply {
    let body = format!(r#"{{"reward_id":"{reward}"}}"#);
    server
        .post("/v1/redemptions", &server.token(id), key, &body)
        .expect("an answer")
}

fn redemptions(server: &Server, id: &str) -> serde_json::Value {
    let reply = server.get("/v1/redemptions", Some(&server.token(id)));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page: loyalty_core::contract::RedemptionPage =
        common::decode(&reply.body).expect("a page the contract accepts");
    serde_json::to_value(page).expect("json")
}

/// The platform's record of `code`.
fn record<'a>(codes: &'a [serde_json::Value], code: &str) -> &'a serde_json::Value {
    codes
        .iter()
        .find(|c| c["code"].as_str().map(str::to_ascii_uppercase).as_deref() == Some(code))
        .unwrap_or_else(|| panic!("{code} is on the platform: {codes:?}"))
}

/// Redeems every reward of the demo program and returns each code.
fn redeem_all(server: &Server, id: &str) -> Vec<(String, String)> {
    let mut codes = Vec::new();
    for reward in ["r-shipping", "r-5eur", "r-10pct", "r-mug"] {
        let reply = redeem(server, id, reward, &format!("key-{reward}"));
        assert_eq!(reply.status, 200, "{reward}: {}", reply.body);
        let body = value(&reply);
        assert_eq!(body["state"], "active", "{body}");
        let code = body["coupon"]["code"].as_str().expect("a code").to_owned();
        codes.push((reward.to_owned(), code));
    }
    codes
}

#[test]
fn every_reward_kind_becomes_a_code_on_shopify() {
    let shopify = StandIn::start(Kind::Shopify);
    let server = server_on(&shopify, Duration::from_secs(8));
    let start = customer(&server, "1001", 5000);
    let codes = redeem_all(&server, "1001");
    let made = shopify.codes();
    assert_eq!(made.len(), 4, "one code per redemption: {made:?}");
    for (reward, code) in &codes {
        let input = &record(&made, code)["input"];
        assert_eq!(input["usageLimit"], 1, "{reward}");
        assert_eq!(input["appliesOncePerCustomer"], true, "{reward}");
        assert_eq!(
            input["context"]["customers"]["add"][0], "gid://shopify/Customer/1001",
            "{reward}: only this customer"
        );
        assert_eq!(input["startsAt"], "2026-11-30T00:00:00Z", "{reward}");
        let gets = &input["customerGets"];
        match reward.as_str() {
            "r-shipping" => assert_eq!(record(&made, code)["type"], "DiscountCodeFreeShipping"),
            "r-5eur" => {
                assert_eq!(gets["value"]["discountAmount"]["amount"], "5.00");
                assert_eq!(
                    input["minimumRequirement"]["subtotal"]["greaterThanOrEqualToSubtotal"],
                    "20.00"
                );
                assert_eq!(
                    input["endsAt"], "2027-02-27T23:59:59Z",
                    "90 days by default"
                );
            }
            "r-10pct" => {
                assert_eq!(gets["value"]["percentage"], 0.1);
                assert_eq!(input["endsAt"], "2026-12-29T23:59:59Z", "valid_days = 30");
            }
            "r-mug" => {
                assert_eq!(gets["value"]["percentage"], 1.0);
                assert_eq!(
                    gets["items"]["products"]["productsToAdd"][0],
                    "gid://shopify/Product/1042"
                );
                assert_eq!(input["combinesWith"]["orderDiscounts"], true);
            }
            _ => unreachable!(),
        }
    }
    // The customer sees each code again, with the link that applies it.
    let list = redemptions(&server, "1001");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["reward_id"], "r-mug", "newest first");
    for item in items {
        assert_eq!(item["state"], "active");
        let code = item["coupon"]["code"].as_str().expect("a code");
        assert_eq!(
            item["coupon"]["apply_url"],
            format!("https://{}/discount/{code}?redirect=%2Fcart", standin::SHOP)
        );
    }
    assert_eq!(server.approved("1001"), start - 300 - 500 - 800 - 1500);
}

#[test]
fn every_reward_kind_becomes_a_coupon_on_woocommerce() {
    let woo = StandIn::start(Kind::Woo);
    let server = server_on(&woo, Duration::from_secs(8));
    customer(&server, "7", 5000);
    let codes = redeem_all(&server, "7");
    let made = woo.codes();
    assert_eq!(made.len(), 4, "{made:?}");
    for (reward, code) in &codes {
        let sent = &record(&made, code)["received"];
        assert_eq!(sent["usage_limit"], 1, "{reward}");
        assert_eq!(sent["usage_limit_per_user"], 1, "{reward}");
        assert_eq!(sent["email_restrictions"][0], "7@example.com", "{reward}");
        match reward.as_str() {
            "r-shipping" => assert_eq!(sent["free_shipping"], true),
            "r-5eur" => {
                assert_eq!(
                    (sent["discount_type"].as_str(), sent["amount"].as_str()),
                    (Some("fixed_cart"), Some("5.00"))
                );
                assert_eq!(sent["minimum_amount"], "20.00");
                assert_eq!(sent["individual_use"], true);
            }
            "r-10pct" => assert_eq!(
                (sent["discount_type"].as_str(), sent["amount"].as_str()),
                (Some("percent"), Some("10"))
            ),
            "r-mug" => {
                assert_eq!(sent["product_ids"][0], 1042);
                assert_eq!(sent["amount"], "100");
                assert_eq!(sent["limit_usage_to_x_items"], 1);
            }
            _ => unreachable!(),
        }
    }
    let list = redemptions(&server, "7");
    for item in list["items"].as_array().expect("items") {
        let code = item["coupon"]["code"].as_str().expect("a code");
        let url = format!("http://{}/?loyalty_apply={code}", woo.addr);
        assert_eq!(item["coupon"]["apply_url"], url);
    }
}

#[test]
fn a_lost_answer_after_the_code_was_made_finds_it_instead_of_making_another() {
    for kind in [Kind::Shopify, Kind::Woo] {
        let platform = StandIn::start(kind);
        let server = server_on(&platform, Duration::from_secs(8));
        let start = customer(&server, "1002", 1000);
        platform.faults(serde_json::json!({"script": ["drop_after_create", "429", "500"]}));
        let reply = redeem(&server, "1002", "r-5eur", "lost-1");
        assert_eq!(reply.status, 200, "{kind:?}: {}", reply.body);
        let code = value(&reply)["coupon"]["code"]
            .as_str()
            .expect("code")
            .to_owned();
        assert_eq!(
            platform.code_names(),
            vec![code.clone()],
            "{kind:?}: exactly one code"
        );
        // A replay answers the same code and makes nothing.
        let again = redeem(&server, "1002", "r-5eur", "lost-1");
        assert_eq!(again.body, reply.body, "{kind:?}");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(platform.codes().len(), 1, "{kind:?}");
        assert_eq!(server.approved("1002"), start - 500, "{kind:?}");
    }
}

#[test]
fn throttling_and_server_errors_are_waited_out() {
    let shopify = StandIn::start(Kind::Shopify);
    let server = server_on(&shopify, Duration::from_secs(10));
    customer(&server, "1003", 1000);
    shopify.faults(serde_json::json!({"script": ["throttled", "429", "500", "user_error_internal"], "retry_after": 1}));
    let reply = redeem(&server, "1003", "r-shipping", "busy-1");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(shopify.codes().len(), 1);
    let (_, log) = shopify.control("GET", "/_standin/requests", "");
    assert!(
        log.as_array().map_or(0, Vec::len) >= 5,
        "it asked again: {log}"
    );
}

#[test]
fn a_refused_code_gives_the_points_back_and_says_so() {
    let shopify = StandIn::start(Kind::Shopify);
    let server = server_on(&shopify, Duration::from_secs(4));
    // Not a Shopify customer id: no code limited to them can be made.
    let start = customer(&server, "cust-web", 1000);
    let reply = redeem(&server, "cust-web", "r-5eur", "refused-1");
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.code(), "reward_not_issued");
    assert_eq!(server.approved("cust-web"), start, "the points are back");
    assert!(shopify.codes().is_empty());
    let again = redeem(&server, "cust-web", "r-5eur", "refused-1");
    assert_eq!(
        (again.status, again.code()),
        (409, "reward_not_issued".to_owned())
    );
    assert_eq!(
        server.approved("cust-web"),
        start,
        "a replay gives nothing twice"
    );
    let list = redemptions(&server, "cust-web");
    assert_eq!(list["items"][0]["state"], "released");
    assert!(list["items"][0].get("coupon").is_none(), "no code to show");
    // The history shows the points going and coming back.
    let history = value(&server.get("/v1/activity", Some(&server.token("cust-web"))));
    let items = history["items"].as_array().expect("items");
    assert_eq!(items[0]["points"], 500, "{history}");
    assert_eq!(items[0]["kind"], "earned");
    assert_eq!(items[1]["points"], -500);
    assert!(
        items[1]["code"].is_null(),
        "a code that does not work is not shown"
    );
}

#[test]
fn a_platform_that_is_down_gives_the_points_back() {
    let woo = StandIn::start(Kind::Woo);
    let server = server_on(&woo, Duration::from_secs(2));
    let start = customer(&server, "1004", 1000);
    drop(woo);
    let reply = redeem(&server, "1004", "r-5eur", "down-1");
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.code(), "reward_not_issued");
    assert_eq!(server.approved("1004"), start);
}

#[test]
fn an_unknown_outcome_stays_pending_until_a_replay_or_the_reconciler_finishes_it() {
    let shopify = StandIn::start(Kind::Shopify);
    let server = server_on(&shopify, Duration::from_secs(2));
    let start = customer(&server, "1005", 2000);
    shopify.faults(serde_json::json!({"script": ["timeout", "timeout", "timeout", "timeout"], "timeout_ms": 3000}));
    let reply = redeem(&server, "1005", "r-5eur", "slow-1");
    assert_eq!(reply.status, 202, "{}", reply.body);
    let body = value(&reply);
    assert_eq!(body["state"], "pending");
    assert!(
        body.get("coupon").is_none(),
        "no code before the platform confirms it"
    );
    assert_eq!(
        server.approved("1005"),
        start - 500,
        "the points are reserved"
    );
    let list = redemptions(&server, "1005");
    assert_eq!(list["items"][0]["state"], "pending");
    assert_eq!(list["items"][0]["idempotency_key"], "slow-1");
    let history = value(&server.get("/v1/activity", Some(&server.token("1005"))));
    assert_eq!(history["items"][0]["state"], "pending");
    assert!(history["items"][0]["code"].is_null());
    // The platform answers again: the same key now gets the code.
    shopify.faults(serde_json::json!({}));
    let again = redeem(&server, "1005", "r-5eur", "slow-1");
    assert_eq!(again.status, 200, "{}", again.body);
    let code = value(&again)["coupon"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert_eq!(
        shopify.code_names().iter().filter(|c| **c == code).count(),
        1
    );
    // A second one left pending is finished by the reconciler.
    shopify.faults(serde_json::json!({"script": ["timeout", "timeout", "timeout", "timeout"], "timeout_ms": 3000}));
    let pending = redeem(&server, "1005", "r-5eur", "slow-2");
    assert_eq!(pending.status, 202, "{}", pending.body);
    shopify.faults(serde_json::json!({}));
    let pending_list = value(&server.admin("GET", "/admin/v1/redemptions?state=pending", ""));
    assert_eq!(
        pending_list["redemptions"].as_array().map(Vec::len),
        Some(1),
        "{pending_list}"
    );
    let report = value(&server.admin("POST", "/admin/v1/reconcile", ""));
    assert_eq!(report["confirmed"], 1, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    let list = redemptions(&server, "1005");
    assert_eq!(list["items"][0]["state"], "active");
    let replay = redeem(&server, "1005", "r-5eur", "slow-2");
    assert_eq!(
        replay.status, 200,
        "the key answers the code now: {}",
        replay.body
    );
    assert_eq!(shopify.codes().len(), 2);
    assert_eq!(server.approved("1005"), start - 1000);
}

#[test]
fn orders_mark_codes_used_and_cancelled_orders_give_them_back() {
    for kind in [Kind::Shopify, Kind::Woo] {
        let platform = StandIn::start(kind);
        let server = server_on(&platform, Duration::from_secs(8));
        customer(&server, "1006", 1000);
        let reply = redeem(&server, "1006", "r-5eur", "use-1");
        let code = value(&reply)["coupon"]["code"]
            .as_str()
            .expect("code")
            .to_owned();
        let (path, secret, topic, body) = match kind {
            Kind::Shopify => (
                "/webhooks/shopify",
                &b"shopify-webhook-secret"[..],
                "orders/paid",
                serde_json::json!({"id": 9001, "order_number": 1234, "customer": {"id": 1006},
                    "subtotal_price": "30.00", "discount_codes": [{"code": code.to_lowercase(), "amount": "5.00", "type": "fixed_amount"}]}),
            ),
            Kind::Woo => (
                "/webhooks/woocommerce",
                &b"woo-webhook-secret"[..],
                "order.updated",
                serde_json::json!({"id": 9001, "number": "1234", "status": "processing", "customer_id": 1006,
                    "total": "30.00", "coupon_lines": [{"code": code.to_lowercase()}]}),
            ),
        };
        let text = body.to_string();
        let signature = loyalty_endpoint::domain::webhooks::sign(secret, text.as_bytes());
        let (topic_header, signature_header) = match kind {
            Kind::Shopify => ("X-Shopify-Topic", "X-Shopify-Hmac-Sha256"),
            Kind::Woo => ("X-WC-Webhook-Topic", "X-WC-Webhook-Signature"),
        };
        let headers = [
            ("Content-Type", "application/json"),
            (topic_header, topic),
            (signature_header, signature.as_str()),
        ];
        let sent = server
            .send("POST", path, &headers, &text)
            .expect("an answer");
        assert!(sent.status < 300, "{kind:?}: {}", sent.body);
        let list = redemptions(&server, "1006");
        assert_eq!(list["items"][0]["state"], "used", "{kind:?}: {list}");
        assert_eq!(list["items"][0]["used_order"], "1234");
        assert_eq!(list["items"][0]["coupon"]["code"], code.as_str());
        assert!(
            list["items"][0]["coupon"].get("apply_url").is_none(),
            "a used code is not applied"
        );
        if kind == Kind::Woo {
            let cancelled = serde_json::json!({"id": 9001, "number": "1234", "status": "cancelled",
                "customer_id": 1006, "total": "30.00", "coupon_lines": [{"code": code}]})
            .to_string();
            let signature = loyalty_endpoint::domain::webhooks::sign(secret, cancelled.as_bytes());
            let headers = [
                ("Content-Type", "application/json"),
                (topic_header, "order.updated"),
                (signature_header, signature.as_str()),
            ];
            let sent = server
                .send("POST", path, &headers, &cancelled)
                .expect("an answer");
            assert!(sent.status < 300, "{}", sent.body);
            let list = redemptions(&server, "1006");
            assert_eq!(
                list["items"][0]["state"], "active",
                "WooCommerce gave the use back"
            );
        }
    }
}

/// A signed Shopify `orders/paid` webhook for order 1235 that used `code`.
fn shopify_order_used(server: &Server, customer: &str, code: &str) {
    let text = serde_json::json!({"id": 9002, "order_number": 1235, "customer": {"id": customer},
        "subtotal_price": "30.00", "discount_codes": [{"code": code, "amount": "5.00", "type": "fixed_amount"}]})
    .to_string();
    let signature =
        loyalty_endpoint::domain::webhooks::sign(b"shopify-webhook-secret", text.as_bytes());
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Shopify-Topic", "orders/paid"),
        ("X-Shopify-Hmac-Sha256", signature.as_str()),
    ];
    let sent = server
        .send("POST", "/webhooks/shopify", &headers, &text)
        .expect("an answer");
    assert!(sent.status < 300, "{}", sent.body);
}

/// The customer's list as `code -> (state, used_order)`.
fn states(server: &Server, id: &str) -> std::collections::BTreeMap<String, (String, String)> {
    let list = redemptions(server, id);
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["coupon"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                (
                    item["state"].as_str().unwrap_or_default().to_owned(),
                    item["used_order"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn a_code_s_state_follows_the_platform_when_no_webhook_says() {
    let platform = StandIn::start(Kind::Shopify);
    // The shop's clock on the ledger's day, whatever the day the test runs.
    let (status, _) = platform.control(
        "PUT",
        "/_standin/clock",
        r#"{"now":"2026-11-30T12:00:00Z"}"#,
    );
    assert_eq!(status, 200);
    let server = server_on(&platform, Duration::from_secs(8));
    customer(&server, "1010", 2000);
    let codes: Vec<String> = ["r-5eur", "r-10pct", "r-shipping"]
        .iter()
        .map(|reward| {
            let reply = redeem(&server, "1010", reward, &format!("follow-{reward}"));
            assert_eq!(reply.status, 200, "{}", reply.body);
            value(&reply)["coupon"]["code"]
                .as_str()
                .expect("a code")
                .to_owned()
        })
        .collect();
    let pass = |what: &str| {
        let report = value(&server.admin("POST", "/admin/v1/reconcile", ""));
        let counts: Vec<u64> = ["used", "active_again", "expired", "missing"]
            .iter()
            .map(|k| report[k].as_u64().unwrap_or(u64::MAX))
            .collect();
        eprintln!("{what}: {report}");
        counts
    };
    let lookups = || {
        let (_, requests) = platform.control("GET", "/_standin/requests", "");
        requests.as_array().map_or(0, |r| {
            r.iter()
                .filter(|r| r.to_string().contains("LoyaltyFind"))
                .count()
        })
    };
    let before = lookups();
    assert_eq!(pass("nothing happened"), [0, 0, 0, 0]);
    assert_eq!(lookups() - before, 3, "each active code looked up once");
    let active = ("active".to_owned(), String::new());
    assert!(states(&server, "1010").values().all(|s| *s == active));

    // A checkout used the first code; its webhook was lost.
    let (status, used) = platform.control(
        "POST",
        "/_standin/redeem",
        &format!(r#"{{"code":"{}"}}"#, codes[0]),
    );
    assert_eq!(status, 200, "{used}");
    assert_eq!(pass("used at the checkout"), [1, 0, 0, 0]);
    let now = states(&server, "1010");
    assert_eq!(
        now[&codes[0]],
        ("used".to_owned(), String::new()),
        "used, the order not known yet"
    );
    assert_eq!(now[&codes[1]], active);
    // The webhook comes late: the order is filled in, nothing else moves.
    shopify_order_used(&server, "1010", &codes[0].to_lowercase());
    assert_eq!(
        states(&server, "1010")[&codes[0]],
        ("used".to_owned(), "1235".to_owned())
    );

    // The shop's clock passes the codes' end: Shopify counts them EXPIRED.
    let (status, _) = platform.control(
        "PUT",
        "/_standin/clock",
        r#"{"now":"2030-01-01T00:00:00Z"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(pass("the end passed on the platform"), [0, 0, 2, 0]);
    let now = states(&server, "1010");
    assert_eq!(now[&codes[1]].0, "expired");
    assert_eq!(now[&codes[2]].0, "expired");
    assert_eq!(now[&codes[0]].0, "used", "a used code stays used");

    // The shop owner deletes the used code: reported, not changed.
    let (status, _) = platform.control("POST", "/_standin/reset", "");
    assert_eq!(status, 200);
    assert_eq!(pass("deleted in the shop"), [0, 0, 0, 1]);
    assert_eq!(states(&server, "1010")[&codes[0]].0, "used");
    let admin = value(&server.admin("GET", "/admin/v1/redemptions?state=used", ""));
    assert!(
        admin.to_string().contains("no longer has this code"),
        "the admin API says why: {admin}"
    );
}

#[test]
fn codes_past_their_day_expire_and_the_program_decides_about_the_points() {
    for refund in [false, true] {
        let text = loyalty_endpoint::program::DEMO.replace(
            "refund_expired_rewards = false",
            &format!("refund_expired_rewards = {refund}"),
        );
        let program = loyalty_endpoint::program::parse(&text).expect("a program");
        let server = Server::with(move |config| config.program = Some(program));
        let start = customer(&server, "1007", 1000);
        let reply = redeem(&server, "1007", "r-10pct", "old-1");
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(value(&reply)["coupon"]["expires_at"], "2026-12-29");
        server.set_today("2026-12-29");
        value(&server.admin("POST", "/admin/v1/reconcile", ""));
        assert_eq!(
            redemptions(&server, "1007")["items"][0]["state"],
            "active",
            "its last day"
        );
        server.set_today("2026-12-30");
        let report = value(&server.admin("POST", "/admin/v1/reconcile", ""));
        assert_eq!(report["expired"], 1, "{report}");
        assert_eq!(redemptions(&server, "1007")["items"][0]["state"], "expired");
        assert_eq!(
            server.approved("1007"),
            if refund { start } else { start - 800 },
            "refund = {refund}"
        );
    }
}

#[test]
fn a_crash_at_any_step_is_finished_after_the_restart() {
    for kind in [Kind::Shopify, Kind::Woo] {
        for step in ["reserved", "issued"] {
            let platform = StandIn::start(kind);
            let dir = tempfile::tempdir().expect("a folder");
            let db = dir.path().join("loyalty.sqlite");
            let url = common::fresh_postgres();
            let mut env = platform.env();
            env.push(("LOYALTY_TEST_CRASH_AT", step.to_owned()));
            let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut first =
                Server::binary(&db, url.as_deref(), &["--fault-control"], &env_ref, None);
            let start = customer(&first, "1010", 1000);
            let body = r#"{"reward_id":"r-5eur"}"#;
            let lost = first.post("/v1/redemptions", &first.token("1010"), "crash-1", body);
            assert!(
                lost.is_none(),
                "{kind:?} {step}: the process died mid-redeem: {lost:?}"
            );
            let status = first
                .wait_exit(Duration::from_secs(10))
                .expect("it stopped");
            assert!(!status.success(), "{kind:?} {step}: aborted");
            let made = platform.codes().len();
            assert_eq!(made, usize::from(step == "issued"), "{kind:?} {step}");
            // Restarted without the crash: the redemption waits, then is finished.
            let env = platform.env();
            let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let second = Server::binary(&db, url.as_deref(), &[], &env_ref, None);
            assert_eq!(
                second.approved("1010"),
                start - 500,
                "{kind:?} {step}: reserved"
            );
            let report = value(&second.admin("POST", "/admin/v1/reconcile", ""));
            assert_eq!(report["pending"], 0, "{kind:?} {step}: {report}");
            let list = redemptions(&second, "1010");
            assert_eq!(
                list["items"][0]["state"], "active",
                "{kind:?} {step}: {list}"
            );
            let code = list["items"][0]["coupon"]["code"]
                .as_str()
                .expect("code")
                .to_owned();
            assert_eq!(
                platform.code_names(),
                vec![code.clone()],
                "{kind:?} {step}: one code"
            );
            let replay = second
                .post("/v1/redemptions", &second.token("1010"), "crash-1", body)
                .expect("an answer");
            assert_eq!(replay.status, 200, "{kind:?} {step}: {}", replay.body);
            assert_eq!(value(&replay)["coupon"]["code"], code.as_str());
            assert_eq!(second.approved("1010"), start - 500, "{kind:?} {step}");
        }
    }
}

/// The exactly-once suite: 1,000 redeems (100 keys, each sent ten times at
/// once, from 20 customers who cannot all afford theirs) against a platform
/// that fails 20% of calls and drops 10% of its answers after making the
/// code. Afterwards, and after the reconciler: nothing pending; every
/// active redemption has exactly one code on the platform and every code
/// there an active redemption; a released one took no points; every key
/// answers one redemption and one code; no balance below zero.
#[test]
fn exactly_once_while_the_platform_fails() {
    for kind in [Kind::Shopify, Kind::Woo] {
        let platform = StandIn::start(kind);
        // A short budget: a call that times out leaves its redeem pending.
        let server = server_on(&platform, Duration::from_secs(1));
        let customers: Vec<String> = (0..20).map(|i| format!("{}", 2000 + i)).collect();
        let mut start = std::collections::BTreeMap::new();
        for id in &customers {
            // 1,000 + 100 welcome points: two of five 500-point redeems fail.
            start.insert(id.clone(), customer(&server, id, 1000));
        }
        let kinds = match kind {
            Kind::Shopify => serde_json::json!(["500", "429", "timeout", "throttled"]),
            Kind::Woo => serde_json::json!(["500", "429", "timeout"]),
        };
        platform.faults(serde_json::json!({
            "fail_rate": 0.2, "drop_after_create_rate": 0.1,
            "kinds": kinds, "retry_after": 0, "timeout_ms": 1500,
        }));
        let mut sends: Vec<(String, String)> = Vec::new();
        for (i, id) in customers.iter().enumerate() {
            for k in 0..5 {
                for _ in 0..10 {
                    sends.push((id.clone(), format!("eo-{i}-{k}")));
                }
            }
        }
        // A fixed shuffle: the same key's sends land at different times.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in (1..sends.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            sends.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let answers = std::sync::Mutex::new(Vec::new());
        let queue = std::sync::Mutex::new(sends);
        std::thread::scope(|scope| {
            for _ in 0..40 {
                scope.spawn(|| loop {
                    let Some((id, key)) = queue.lock().expect("queue").pop() else {
                        break;
                    };
                    let reply = server.post(
                        "/v1/redemptions",
                        &server.token(&id),
                        &key,
                        r#"{"reward_id":"r-5eur"}"#,
                    );
                    answers.lock().expect("answers").push((id, key, reply));
                });
            }
        });
        let answers = answers.into_inner().expect("answers");
        assert_eq!(answers.len(), 1000);
        let mut by_key: std::collections::BTreeMap<String, Vec<(u16, serde_json::Value)>> =
            std::collections::BTreeMap::new();
        for (_, key, reply) in &answers {
            let reply = reply
                .as_ref()
                .unwrap_or_else(|| panic!("{kind:?}: an answer to {key}"));
            assert!(
                matches!(reply.status, 200 | 202 | 409),
                "{kind:?} {key}: {} {}",
                reply.status,
                reply.body
            );
            by_key
                .entry(key.clone())
                .or_default()
                .push((reply.status, value(reply)));
        }
        for (key, replies) in &by_key {
            let ids: std::collections::BTreeSet<String> = replies
                .iter()
                .filter_map(|(_, body)| body["id"].as_str().map(str::to_owned))
                .collect();
            assert!(
                ids.len() <= 1,
                "{kind:?} {key}: one redemption per key: {ids:?}"
            );
            let codes: std::collections::BTreeSet<String> = replies
                .iter()
                .filter_map(|(_, body)| body["coupon"]["code"].as_str().map(str::to_owned))
                .collect();
            assert!(
                codes.len() <= 1,
                "{kind:?} {key}: one code per key: {codes:?}"
            );
        }
        // The reconciler finishes whatever is left pending.
        let mut passes = 0;
        loop {
            passes += 1;
            let left = value(&server.admin("GET", "/admin/v1/redemptions?state=pending", ""));
            if left["redemptions"].as_array().is_none_or(Vec::is_empty) {
                break;
            }
            assert!(
                passes < 40,
                "{kind:?}: still pending after {passes} passes: {left}"
            );
            value(&server.admin("POST", "/admin/v1/reconcile", ""));
        }
        platform.faults(serde_json::json!({}));
        // This suite's customers' (the demo's seeded ones are there too).
        let theirs = |state: &str| -> Vec<serde_json::Value> {
            let path = format!("/admin/v1/redemptions?state={state}");
            let list = value(&server.admin("GET", &path, ""));
            let all = list["redemptions"].as_array().cloned().unwrap_or_default();
            all.into_iter()
                .filter(|r| customers.iter().any(|c| r["customer_id"] == c.as_str()))
                .collect()
        };
        let active = theirs("active");
        let released = theirs("released");
        let on_platform = platform.code_names();
        let mut counted = std::collections::BTreeMap::new();
        for code in &on_platform {
            *counted.entry(code.clone()).or_insert(0) += 1;
        }
        for redemption in &active {
            let code = redemption["code"].as_str().expect("a code");
            assert_eq!(
                counted.get(code),
                Some(&1),
                "{kind:?}: exactly one {code} on the platform"
            );
        }
        for redemption in &released {
            let code = redemption["code"].as_str().expect("a code");
            assert!(
                !counted.contains_key(code),
                "{kind:?}: released {code} is not on the platform"
            );
        }
        let active_codes: std::collections::BTreeSet<&str> =
            active.iter().filter_map(|r| r["code"].as_str()).collect();
        for code in &on_platform {
            assert!(
                active_codes.contains(code.as_str()),
                "{kind:?}: {code} on the platform belongs to an active redemption"
            );
        }
        assert!(!active.is_empty(), "{kind:?}: some redeems went through");
        // Balances: what was taken is exactly what the active ones cost.
        for id in &customers {
            let taken = active
                .iter()
                .filter(|r| r["customer_id"] == id.as_str())
                .count() as i64;
            let now = server.approved(id);
            assert!(now >= 0, "{kind:?} {id}: never negative");
            assert_eq!(
                now,
                start[id] - 500 * taken,
                "{kind:?} {id}: {taken} active"
            );
            assert!(taken <= 2, "{kind:?} {id}: at most what they could afford");
        }
        // Every key now answers its end, the same each time.
        for (key, replies) in &by_key {
            let (id, _, _) = answers.iter().find(|(_, k, _)| k == key).expect("sent");
            let first = server
                .post(
                    "/v1/redemptions",
                    &server.token(id),
                    key,
                    r#"{"reward_id":"r-5eur"}"#,
                )
                .expect("an answer");
            let again = server
                .post(
                    "/v1/redemptions",
                    &server.token(id),
                    key,
                    r#"{"reward_id":"r-5eur"}"#,
                )
                .expect("an answer");
            assert_eq!(
                (first.status, &first.body),
                (again.status, &again.body),
                "{kind:?} {key}"
            );
            assert!(
                matches!(first.status, 200 | 409),
                "{kind:?} {key}: {}",
                first.body
            );
            if let Some(code) = value(&first)["coupon"]["code"].as_str() {
                assert!(active_codes.contains(code), "{kind:?} {key}");
                for (_, body) in replies {
                    if let Some(earlier) = body["coupon"]["code"].as_str() {
                        assert_eq!(earlier, code, "{kind:?} {key}: the same code as before");
                    }
                }
            }
        }
        let pending_at_first = by_key
            .values()
            .filter(|replies| replies.iter().any(|(status, _)| *status == 202))
            .count();
        eprintln!(
            "{kind:?}: 1000 redeems, {pending_at_first} keys answered pending, {} active, {} released, {} reconciler passes, {} platform requests",
            active.len(),
            released.len(),
            passes,
            platform.control("GET", "/_standin/requests", "").1.as_array().map_or(0, Vec::len)
        );
    }
}

#[test]
fn a_referred_friend_gets_their_first_order_code_on_the_platform() {
    let shopify = StandIn::start(Kind::Shopify);
    let server = server_on(&shopify, Duration::from_secs(8));
    customer(&server, "3001", 10);
    let code = value(&server.admin("PUT", "/admin/v1/customers/3001", "{}"))["referral_code"]
        .as_str()
        .expect("the referrer's code")
        .to_owned();
    let friend = server.admin(
        "PUT",
        "/admin/v1/customers/3002",
        &format!(r#"{{"first_name":"Bo","email":"bo@example.com","referral_code":"{code}"}}"#),
    );
    assert_eq!(friend.status, 201, "{}", friend.body);
    assert_eq!(value(&friend)["referral"], "attributed");
    let list = redemptions(&server, "3002");
    let gift = &list["items"][0];
    assert_eq!(gift["reward_id"], "friend-gift", "{list}");
    assert_eq!(gift["title"], "€5 off the first order");
    assert_eq!(gift["state"], "active");
    assert_eq!(gift["points_spent"], 0);
    let made = shopify.codes();
    let gift_code = gift["coupon"]["code"].as_str().expect("a code");
    let input = &record(&made, gift_code)["input"];
    assert_eq!(
        input["customerGets"]["value"]["discountAmount"]["amount"],
        "5.00"
    );
    assert_eq!(
        input["context"]["customers"]["add"][0],
        "gid://shopify/Customer/3002"
    );
    assert_eq!(input["endsAt"], "2027-01-28T23:59:59Z", "valid_days = 60");
    // The referrer gets none; signing up again makes no second one.
    assert!(redemptions(&server, "3001")["items"]
        .as_array()
        .is_some_and(Vec::is_empty));
    let again = server.admin("PUT", "/admin/v1/customers/3002", r#"{"first_name":"Bo"}"#);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(shopify.codes().len(), 1);
}

#[test]
fn the_platform_s_credentials_never_show() {
    const SHOWN_NEVER: &str = "NEVER-SHOWN-8c1f0e";
    for kind in [Kind::Shopify, Kind::Woo] {
        let platform = StandIn::start(kind);
        let dir = tempfile::tempdir().expect("a folder");
        let log = dir.path().join("endpoint.log");
        let mut env = platform.env();
        // Credentials the platform refuses: every call fails with 401.
        for (name, value) in env.iter_mut() {
            if *name == "LOYALTY_SHOPIFY_ADMIN_TOKEN" {
                *value = format!("shpat_{SHOWN_NEVER}");
            }
            if *name == "LOYALTY_WOO_SECRET" {
                *value = format!("cs_{SHOWN_NEVER}");
            }
        }
        let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let db = dir.path().join("loyalty.sqlite");
        let url = common::fresh_postgres();
        let args = [
            "--log",
            "debug",
            "--log-format",
            "json",
            "--platform-budget",
            "2",
        ];
        let mut server = Server::binary(&db, url.as_deref(), &args, &env_ref, Some(&log));
        customer(&server, "1030", 1000);
        let reply = redeem(&server, "1030", "r-5eur", "secret-1");
        assert_eq!(
            (reply.status, reply.code()),
            (409, "reward_not_issued".to_owned()),
            "{kind:?}"
        );
        let released = server.admin("GET", "/admin/v1/redemptions?state=released", "");
        assert!(
            released.body.contains("401"),
            "{kind:?}: the reason is kept: {}",
            released.body
        );
        let list = server.get("/v1/redemptions", Some(&server.token("1030")));
        server.terminate();
        server.wait_exit(Duration::from_secs(10));
        let logged = std::fs::read_to_string(&log).expect("the log");
        assert!(
            logged.contains("refused"),
            "{kind:?}: the refusal is logged"
        );
        for (what, text) in [
            ("the log", logged.as_str()),
            ("the answer", reply.body.as_str()),
            ("the admin API", released.body.as_str()),
            ("the list", list.body.as_str()),
        ] {
            assert!(
                !text.contains(SHOWN_NEVER),
                "{kind:?}: {what} shows the credential"
            );
        }
    }
}

#[test]
fn the_shop_s_currency_and_time_zone_are_read_at_start() {
    let shopify = StandIn::start_with(
        Kind::Shopify,
        &["--currency", "USD", "--timezone-offset", "-0800"],
    );
    let connector = Connector::new(shopify.settings()).expect("a connector");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let findings = runtime.block_on(connector.preflight("EUR", true));
    assert!(
        findings
            .iter()
            .any(|f| f.contains("\"USD\"") && f.contains("\"EUR\"")),
        "the currency mismatch is found: {findings:?}"
    );
    let server = Server::with(move |config| config.issuing.platform = Some(connector));
    customer(&server, "1040", 1000);
    let reply = redeem(&server, "1040", "r-10pct", "tz-1");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let code = value(&reply)["coupon"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let made = shopify.codes();
    // The last day shown (2026-12-29) ends at midnight in the shop's zone.
    assert_eq!(
        record(&made, &code)["input"]["endsAt"],
        "2026-12-29T23:59:59-08:00"
    );
    // A shop in the program's currency: nothing to say.
    let euro = StandIn::start(Kind::Shopify);
    let connector = Connector::new(euro.settings()).expect("a connector");
    assert!(runtime
        .block_on(connector.preflight("EUR", true))
        .is_empty());
}

/// A code that expired unused, its points not given back, is reissued by
/// the shop owner once, at no points: a new code for the same reward,
/// made on the platform like a redeem's, listed for the customer first;
/// nothing else can be reissued.
#[test]
fn an_expired_code_is_reissued_once_at_no_points() {
    for kind in [None, Some(Kind::Shopify), Some(Kind::Woo)] {
        let platform = kind.map(StandIn::start);
        let server = match &platform {
            Some(platform) => server_on(platform, Duration::from_secs(5)),
            None => Server::start(),
        };
        let start = customer(&server, "1020", 1000);
        let reply = redeem(&server, "1020", "r-10pct", "old-1");
        assert_eq!(reply.status, 200, "{kind:?}: {}", reply.body);
        let first = value(&reply);
        let id = first["id"].as_str().expect("an id").to_owned();
        let first_code = first["coupon"]["code"].as_str().expect("a code").to_owned();
        let reissue =
            |id: &str| server.admin("POST", &format!("/admin/v1/redemptions/{id}/reissue"), "");
        // Still usable: nothing to reissue.
        let early = reissue(&id);
        assert_eq!(early.status, 409, "{kind:?}: {}", early.body);
        assert_eq!(early.code(), "bad_request");
        server.set_today("2026-12-30");
        let report = value(&server.admin("POST", "/admin/v1/reconcile", ""));
        assert!(report["expired"].as_u64() >= Some(1), "{kind:?}: {report}");
        assert_eq!(redemptions(&server, "1020")["items"][0]["state"], "expired");
        assert_eq!(server.approved("1020"), start - 800);

        let made = reissue(&id);
        assert_eq!(made.status, 201, "{kind:?}: {}", made.body);
        let made = value(&made);
        let new_id = format!("reissue-{id}");
        assert_eq!(made["id"], new_id.as_str(), "{made}");
        assert_eq!(made["reissue_of"], id.as_str());
        let outcome = if kind.is_some() {
            "confirmed"
        } else {
            "nothing"
        };
        assert_eq!(made["outcome"], outcome, "{kind:?}: {made}");
        let line = &made["redemption"];
        assert_eq!(line["state"], "active", "{made}");
        assert_eq!(line["points_spent"], 0);
        assert_eq!(line["reward_id"], "r-10pct");
        assert_eq!(
            line["expires_at"], "2027-01-28",
            "the reward's 30 days from today"
        );
        let code = line["code"].as_str().expect("a code").to_owned();
        assert_ne!(code, first_code);
        // No points taken; the customer sees the new code first.
        assert_eq!(server.approved("1020"), start - 800, "{kind:?}");
        let list = redemptions(&server, "1020");
        assert_eq!(list["items"][0]["coupon"]["code"], code.as_str(), "{list}");
        assert_eq!(list["items"][0]["state"], "active");
        assert_eq!(list["items"][1]["state"], "expired");
        if let Some(platform) = &platform {
            let names = platform.code_names();
            assert_eq!(names.len(), 2, "{kind:?}: {names:?}");
            assert!(names.contains(&code), "{kind:?}: {names:?}");
        }
        // Once: again answers the same reissue; the reissue itself is usable.
        let again = reissue(&id);
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(value(&again)["redemption"]["code"], code.as_str());
        assert_eq!(reissue(&new_id).status, 409);
        if let Some(platform) = &platform {
            assert_eq!(platform.code_names().len(), 2, "{kind:?}: made once");
        }
        let unknown = reissue("red-999999");
        assert_eq!(unknown.status, 404, "{}", unknown.body);
        assert_eq!(unknown.code(), "not_found");
        // The console's page says it was reissued; the audit log has it.
        let page = value(&server.admin("GET", "/admin/v1/customers/1020", ""));
        let lines = page["redemptions"].as_array().expect("redemptions");
        let old = lines
            .iter()
            .find(|l| l["id"] == id.as_str())
            .expect("the first");
        assert_eq!(old["reissuable"], false, "{page}");
        assert_eq!(old["reissued_as"], new_id.as_str());
        let audit = value(&server.admin("GET", "/admin/v1/audit?customer_id=1020", ""));
        assert_eq!(audit["events"][0]["action"], "reissue", "{audit}");
    }
}

/// A code whose points came back when it expired is not reissued: the
/// customer can redeem again.
#[test]
fn an_expired_code_whose_points_came_back_is_not_reissued() {
    let text = loyalty_endpoint::program::DEMO.replace(
        "refund_expired_rewards = false",
        "refund_expired_rewards = true",
    );
    let program = loyalty_endpoint::program::parse(&text).expect("a program");
    let server = Server::with(move |config| config.program = Some(program));
    customer(&server, "1021", 1000);
    let reply = redeem(&server, "1021", "r-10pct", "old-1");
    let id = value(&reply)["id"].as_str().expect("an id").to_owned();
    server.set_today("2026-12-30");
    value(&server.admin("POST", "/admin/v1/reconcile", ""));
    let page = value(&server.admin("GET", "/admin/v1/customers/1021", ""));
    assert_eq!(page["redemptions"][0]["state"], "expired", "{page}");
    assert_eq!(page["redemptions"][0]["reissuable"], false, "{page}");
    let refused = server.admin("POST", &format!("/admin/v1/redemptions/{id}/reissue"), "");
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("points came back"),
        "{}",
        refused.body
    );
}
