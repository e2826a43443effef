//! The points ledger through the admin API, over real HTTP and SQLite:
//! sign-up, orders with their return window, refunds, adjustments,
//! expiry with the ledger's day moved, referrals paid on the friend's
//! first order, and the ledger itself append-only.

mod common;

use common::{value, Reply, Server};
use serde_json::Value;

fn order(server: &Server, id: &str, customer: &str, total_minor: u64) -> Reply {
    server.admin(
        "POST",
        "/admin/v1/orders",
        &format!(r#"{{"id":"{id}","customer_id":"{customer}","total_minor":{total_minor}}}"#),
    )
}

fn sign_up(server: &Server, id: &str, body: &str) -> Value {
    let reply = server.admin("PUT", &format!("/admin/v1/customers/{id}"), body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    value(&reply)
}

#[test]
fn the_admin_api_takes_only_the_admin_key() {
    let server = Server::start();
    let path = "/admin/v1/customers/cust-anna/ledger";
    let none = server.send("GET", path, &[], "").expect("an answer");
    assert_eq!(none.status, 401);
    assert_eq!(value(&none)["error"]["code"], "unauthorized");
    let customer = server.get(path, Some(&server.token("cust-anna")));
    assert_eq!(
        customer.status, 401,
        "a customer token is not the admin key"
    );
    let near = format!("Bearer {}x", String::from_utf8_lossy(common::ADMIN_KEY));
    let wrong = server
        .send("GET", path, &[("Authorization", &near)], "")
        .expect("an answer");
    assert_eq!(wrong.status, 401);
    assert_eq!(server.admin("GET", path, "").status, 200);
    // Without a key configured, there is no admin API at all.
    let closed = Server::with(|config| config.admin_key = None);
    let reply = closed.admin("GET", path, "");
    assert_eq!(reply.status, 404);
    assert_eq!(value(&reply)["error"]["code"], "not_found");
}

#[test]
fn sign_up_books_the_welcome_bonus_once() {
    let server = Server::start();
    let eva = sign_up(
        &server,
        "cust-eva",
        r#"{"first_name":"Eva","email":"eva@example.com"}"#,
    );
    assert_eq!(eva["created"], true);
    assert_eq!(eva["points"]["approved"], 100);
    assert!(eva["referral_code"]
        .as_str()
        .expect("a code")
        .starts_with("EVA"));
    // Updating the customer books nothing more; joining the club neither.
    let again = server.admin(
        "PUT",
        "/admin/v1/customers/cust-eva",
        r#"{"birthday":"04-12"}"#,
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(value(&again)["created"], false);
    let token = server.token("cust-eva");
    let join = server
        .post("/v1/club/join", &token, "join-1", r#"{"consent":true}"#)
        .expect("an answer");
    assert_eq!(value(&join)["bonus_points"], 0, "{}", join.body);
    assert_eq!(server.points("cust-eva")["approved"], 100);
    // Bad input is refused, naming the field.
    let bad = server.admin(
        "PUT",
        "/admin/v1/customers/cust-x",
        r#"{"birthday":"02-30"}"#,
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("birthday"), "{}", bad.body);
}

#[test]
fn an_order_earns_at_the_tier_rate_pending_for_the_return_window() {
    let server = Server::start();
    // Anna is Silver: 1.25 points per euro; 120 points already pending.
    let reply = order(&server, "5001", "cust-anna", 8_000);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let recorded = value(&reply);
    assert_eq!(recorded["points"], 100);
    assert_eq!(recorded["pending_until"], "2026-12-14");
    assert_eq!(server.points("cust-anna")["pending"], 220);
    assert_eq!(server.points("cust-anna")["approved"], 1250);
    // The same order again (a retry, a second delivery) applies nothing.
    let twice = order(&server, "5001", "cust-anna", 8_000);
    assert_eq!(twice.status, 200);
    assert_eq!(value(&twice)["replayed"], true);
    assert_eq!(server.points("cust-anna")["pending"], 220);
    // The same id with another total is a conflict, not a second order.
    let conflict = order(&server, "5001", "cust-anna", 9_000);
    assert_eq!(conflict.status, 422);
    assert_eq!(value(&conflict)["error"]["code"], "idempotency_conflict");
    // Once the return window has passed, the points count.
    server.set_today("2026-12-14");
    let after = server.points("cust-anna");
    assert_eq!(after["pending"], 0);
    assert_eq!(after["approved"], 1250 + 120 + 100);
    // The customer's history shows the order with its number.
    let page = server.get("/v1/activity?lang=de", Some(&server.token("cust-anna")));
    assert!(page.body.contains("Bestellung #5001"), "{}", page.body);
}

#[test]
fn amounts_beyond_any_real_order_are_refused() {
    let server = Server::start();
    let huge = order(&server, "9901", "cust-ben", 18_000_000_000_000_000_000);
    assert_eq!(huge.status, 400, "{}", huge.body);
    assert!(huge.body.contains("total_minor"), "{}", huge.body);
    assert_eq!(
        order(&server, "9902", "cust-ben", 1_000_000_000_000).status,
        201
    );
    let refund = server.admin(
        "POST",
        "/admin/v1/orders/9902/refunds",
        r#"{"id":"r-huge","amount_minor":1000000000001}"#,
    );
    assert_eq!(refund.status, 400, "{}", refund.body);
    assert_eq!(server.points("cust-ben")["approved"], 100);
}

#[test]
fn an_order_for_a_new_customer_signs_them_up() {
    let server = Server::start();
    let reply = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"6001","customer_id":"cust-finn","total_minor":4990,"first_name":"Finn"}"#,
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(value(&reply)["points"], 49, "Bronze: 1 point per euro");
    let finn = server.points("cust-finn");
    assert_eq!(
        (finn["approved"].clone(), finn["pending"].clone()),
        (100.into(), 49.into())
    );
}

#[test]
fn refunds_take_back_what_the_order_earned() {
    let server = Server::start();
    assert_eq!(order(&server, "7001", "cust-ben", 10_000).status, 201);
    // Within the return window: the pending points are cancelled.
    let refund = |order: &str, id: &str, amount: u64| {
        server.admin(
            "POST",
            &format!("/admin/v1/orders/{order}/refunds"),
            &format!(r#"{{"id":"{id}","amount_minor":{amount}}}"#),
        )
    };
    let first = refund("7001", "r1", 3_000);
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(value(&first)["points"], 30);
    assert_eq!(server.points("cust-ben")["pending"], 70);
    assert_eq!(
        refund("7001", "r1", 3_000).status,
        200,
        "a repeat applies nothing"
    );
    assert_eq!(server.points("cust-ben")["pending"], 70);
    // After it: the rest comes off the balance; refunding more than the
    // order takes back no more than it earned.
    server.set_today("2026-12-20");
    assert_eq!(server.points("cust-ben")["approved"], 170);
    let rest = refund("7001", "r2", 99_000);
    assert_eq!(value(&rest)["points"], 70);
    let ben = server.points("cust-ben");
    assert_eq!(
        (ben["approved"].clone(), ben["lifetime"].clone()),
        (100.into(), 100.into())
    );
    assert_eq!(refund("nope", "r3", 100).status, 404);
}

#[test]
fn adjustments_need_a_reason_and_a_key_and_never_overdraw() {
    let server = Server::start();
    let auth = format!("Bearer {}", String::from_utf8_lossy(common::ADMIN_KEY));
    let adjust = |key: &str, body: &str| {
        server
            .send(
                "POST",
                "/admin/v1/customers/cust-ben/adjustments",
                &[("Authorization", &auth), ("Idempotency-Key", key)],
                body,
            )
            .expect("an answer")
    };
    let goodwill = adjust(
        "k1",
        r#"{"points":40,"reason":"Sorry for the late parcel"}"#,
    );
    assert_eq!(goodwill.status, 201, "{}", goodwill.body);
    assert_eq!(
        adjust(
            "k1",
            r#"{"points":40,"reason":"Sorry for the late parcel"}"#
        )
        .status,
        201
    );
    assert_eq!(server.points("cust-ben")["approved"], 140, "applied once");
    assert_eq!(
        adjust("k2", r#"{"points":-500,"reason":"Too much"}"#).status,
        409
    );
    assert_eq!(adjust("k3", r#"{"points":5,"reason":" "}"#).status, 400);
    let history = server.get("/v1/activity?lang=en", Some(&server.token("cust-ben")));
    assert!(
        history.body.contains("Sorry for the late parcel"),
        "{}",
        history.body
    );
}

#[test]
fn points_expire_by_the_program_rule_and_the_expiry_is_booked_once() {
    let server = Server::start();
    // Anna's 200 points expire on 2026-12-31.
    assert_eq!(
        server.points("cust-anna")["expiring"][0]["at"],
        "2026-12-31"
    );
    server.set_today("2026-12-31");
    let after = server.points("cust-anna");
    assert_eq!(
        after["approved"],
        1250 - 200 + 120,
        "pending points counted, 200 gone"
    );
    assert_eq!(
        after["lifetime"], 1670,
        "expiry does not lower lifetime points"
    );
    let settled = server.admin("POST", "/admin/v1/settle", "");
    assert_eq!(settled.status, 200, "{}", settled.body);
    assert!(value(&settled)["booked"].as_i64().expect("a count") >= 1);
    let again = server.admin("POST", "/admin/v1/settle", "");
    assert_eq!(value(&again)["booked"], 0, "booked once");
    let ledger = value(&server.admin("GET", "/admin/v1/customers/cust-anna/ledger", ""));
    let expiries: Vec<&Value> = ledger["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["kind"] == "expiry")
        .collect();
    assert_eq!(expiries.len(), 1);
    assert_eq!(expiries[0]["points"], -200);
    assert_eq!(
        server.points("cust-anna")["approved"],
        1170,
        "not counted twice"
    );
    let history = server.get("/v1/activity?lang=de", Some(&server.token("cust-anna")));
    assert!(
        history.body.contains("Punkte verfallen"),
        "{}",
        history.body
    );
}

#[test]
fn a_birthday_bonus_is_booked_once_a_year() {
    let server = Server::start();
    sign_up(
        &server,
        "cust-gil",
        r#"{"first_name":"Gil","birthday":"12-03"}"#,
    );
    server.admin("POST", "/admin/v1/settle", "");
    assert_eq!(server.points("cust-gil")["approved"], 100, "not yet");
    server.set_today("2026-12-03");
    server.admin("POST", "/admin/v1/settle", "");
    server.admin("POST", "/admin/v1/settle", "");
    assert_eq!(server.points("cust-gil")["approved"], 150);
}

#[test]
fn the_referrer_earns_on_the_friends_first_paid_order_only() {
    let server = Server::start();
    // Signing up through Anna's code counts the friend; it pays nothing yet.
    let friend = sign_up(
        &server,
        "cust-hana",
        r#"{"first_name":"Hana","referral_code":"anna10"}"#,
    );
    assert_eq!(friend["referral"], "attributed");
    assert_eq!(friend["referred_by"], "cust-anna");
    let anna = server.get("/v1/customer", Some(&server.token("cust-anna")));
    assert_eq!(value(&anna)["referral"]["friends_joined"], 4);
    assert_eq!(server.points("cust-anna")["pending"], 120);
    // The friend's first order: 200 points for Anna, pending alike.
    let first = value(&order(&server, "8001", "cust-hana", 2_000));
    assert_eq!(first["referral"]["referrer_id"], "cust-anna");
    assert_eq!(first["referral"]["points"], 200);
    assert_eq!(server.points("cust-anna")["pending"], 320);
    // The second order pays the referrer nothing.
    let second = value(&order(&server, "8002", "cust-hana", 2_000));
    assert!(second["referral"].is_null(), "{second}");
    assert_eq!(server.points("cust-anna")["pending"], 320);
    server.set_today("2026-12-14");
    assert_eq!(server.points("cust-anna")["approved"], 1250 + 120 + 200);
    // Nobody refers themselves: a code with the same e-mail is not taken.
    sign_up(
        &server,
        "cust-ida",
        r#"{"first_name":"Ida","email":"ida@example.com"}"#,
    );
    let ida = value(&server.admin("GET", "/admin/v1/customers/cust-ida/ledger", ""));
    let code = ida["customer"]["referral_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let second_account = sign_up(
        &server,
        "cust-ida-2",
        &format!(r#"{{"email":"IDA@example.com","referral_code":"{code}"}}"#),
    );
    assert_eq!(second_account["referral"], "own_code");
    assert!(second_account["referred_by"].is_null());
    let unknown = sign_up(&server, "cust-jo", r#"{"referral_code":"NOSUCH1"}"#);
    assert_eq!(unknown["referral"], "unknown_code");
}

#[test]
fn a_friends_first_order_returned_in_full_within_the_window_pays_the_referrer_nothing() {
    let server = Server::start();
    sign_up(
        &server,
        "cust-lou",
        r#"{"first_name":"Lou","referral_code":"ANNA10"}"#,
    );
    assert_eq!(order(&server, "8101", "cust-lou", 3_000).status, 201);
    assert_eq!(server.points("cust-anna")["pending"], 320);
    let refund = |id: &str, amount: u64| {
        server.admin(
            "POST",
            "/admin/v1/orders/8101/refunds",
            &format!(r#"{{"id":"{id}","amount_minor":{amount}}}"#),
        )
    };
    // Part of it back: the referral stands.
    assert_eq!(refund("p1", 1_000).status, 201);
    assert_eq!(server.points("cust-anna")["pending"], 320);
    // The rest back, within the window: cancelled, once.
    assert_eq!(refund("p2", 2_000).status, 201);
    assert_eq!(refund("p3", 500).status, 201, "nothing left to refund");
    let anna = server.points("cust-anna");
    assert_eq!(
        (anna["pending"].clone(), anna["lifetime"].clone()),
        (120.into(), 1670.into())
    );
    let history = server.get("/v1/activity?lang=en", Some(&server.token("cust-anna")));
    assert!(
        history.body.contains("Referral cancelled"),
        "{}",
        history.body
    );
    server.set_today("2026-12-20");
    assert_eq!(server.points("cust-anna")["approved"], 1370);
}

#[test]
fn the_ledger_is_append_only() {
    let server = Server::start();
    let update = server.execute("UPDATE ledger SET points = 99999");
    assert!(update.is_err(), "an update is refused");
    let delete = server.execute("DELETE FROM ledger");
    assert!(delete.is_err(), "a delete is refused");
    assert!(update.unwrap_err().contains("append-only"));
    // The one change let through: an entry's free text replaced by
    // '(erased)' (erasure), every other column kept.
    for refused in [
        "UPDATE ledger SET reason = 'changed'",
        "UPDATE ledger SET reason = '(erased)', label_en = '(erased)', label_de = '(erased)', points = points + 1",
        "UPDATE ledger SET reason = '(erased)', label_en = '(erased)', label_de = '(erased)', booked_on = '2020-01-01'",
        "UPDATE ledger SET reason = '(erased)', label_en = 'x', label_de = '(erased)'",
    ] {
        let update = server.execute(refused);
        assert!(
            update.as_ref().is_err_and(|err| err.contains("append-only")),
            "{refused}: {update:?}"
        );
    }
    let redacted = server.execute(
        "UPDATE ledger SET reason = '(erased)', label_en = '(erased)', label_de = '(erased)' \
         WHERE id = (SELECT MIN(id) FROM ledger)",
    );
    assert_eq!(redacted, Ok(1));
    assert_eq!(server.points("cust-anna")["approved"], 1250);
}

#[test]
fn tiers_by_spend_count_the_last_twelve_months() {
    let program = loyalty_endpoint::program::DEMO
        .replace(
            r#"basis = "lifetime_points""#,
            r#"basis = "spend_12_months""#,
        )
        .replace("threshold = 1000", "threshold = 200")
        .replace("threshold = 2500", "threshold = 500");
    let program = loyalty_endpoint::program::parse(&program).expect("valid");
    let server = Server::with(|config| config.program = Some(program));
    sign_up(&server, "cust-kai", r#"{"first_name":"Kai"}"#);
    assert_eq!(order(&server, "9001", "cust-kai", 25_000).status, 201);
    let summary = value(&server.get("/v1/customer", Some(&server.token("cust-kai"))));
    assert_eq!(summary["tier"]["id"], "silver", "{summary}");
    assert_eq!(summary["tier"]["kind"], "spend");
    assert_eq!(summary["tier"]["value"], 25_000);
    assert_eq!(summary["tier"]["needed_for_upgrade"], 25_000);
    // A year and a day later the order no longer counts.
    server.set_today("2027-12-01");
    let later = value(&server.get("/v1/customer", Some(&server.token("cust-kai"))));
    assert_eq!(later["tier"]["id"], "bronze", "{later}");
}
