//! Orders as history (issue #30): every order carries the instant it was
//! placed; non-members' orders (a guest checkout, `"member": false`) and
//! past orders brought in by an import are recorded for the figures only,
//! without points. Over real HTTP and SQLite (PostgreSQL in the `postgres`
//! step).

mod common;

use common::{run_binary, sql_count, value, Server};
use loyalty_endpoint::webhooks::sign;

const SHOPIFY: &[u8] = b"shopify-app-secret-for-tests";
const WOO: &[u8] = b"woocommerce-webhook-secret";

/// The sales recorded under `where_`.
fn sales(server: &Server, where_: &str) -> i64 {
    server.count(&format!("sales WHERE {where_}"))
}

#[test]
fn an_order_answers_when_it_was_placed_given_or_now() {
    let server = Server::start();
    let given = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-1","customer_id":"anna","total_minor":4990,
            "placed_at":"2026-11-29T23:30:00-02:00"}"#,
    );
    assert_eq!(given.status, 201, "{}", given.body);
    let body = value(&given);
    // Another zone is answered in UTC: the next day there.
    assert_eq!(body["placed_at"], "2026-11-30T01:30:00Z");
    assert_eq!(body["member"], true);
    assert!(body["points"].as_u64().unwrap_or(0) > 0, "{body}");
    // A repeat answers the same instant.
    let again = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-1","customer_id":"anna","total_minor":4990}"#,
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(value(&again)["placed_at"], "2026-11-30T01:30:00Z");
    // Without one: now, on the ledger's day (the tests pin it).
    let now = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-2","customer_id":"anna","total_minor":1000}"#,
    );
    assert_eq!(now.status, 201, "{}", now.body);
    let placed = value(&now)["placed_at"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        placed.starts_with("2026-11-30T") && placed.ends_with('Z'),
        "{placed}"
    );
    assert_eq!(
        sales(
            &server,
            "customer_key = 'anna' AND member = 1 AND source = 'live'"
        ),
        2
    );
    // Not an instant: refused in the contract's shape, nothing recorded.
    for bad in [r#""yesterday""#, r#""2026-11-30""#, "17"] {
        let reply = server.admin(
            "POST",
            "/admin/v1/orders",
            &format!(r#"{{"id":"o-3","customer_id":"anna","total_minor":1,"placed_at":{bad}}}"#),
        );
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert_eq!(value(&reply)["error"]["code"], "bad_request");
    }
    assert_eq!(sales(&server, "id = 'o-3'"), 0);
}

#[test]
fn a_non_members_order_is_recorded_without_points_and_refunds_lower_its_revenue() {
    let server = Server::start();
    let order = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"g-1","customer_id":"shop-guest-9","total_minor":3000,"member":false,
            "placed_at":"2026-11-20T10:00:00Z"}"#,
    );
    assert_eq!(order.status, 201, "{}", order.body);
    let body = value(&order);
    assert_eq!(body["points"], 0);
    assert_eq!(body["member"], false);
    assert_eq!(body["placed_at"], "2026-11-20T10:00:00Z");
    // No customer, no ledger, no points order: a sale only.
    assert_eq!(server.count("customers WHERE id = 'shop-guest-9'"), 0);
    assert_eq!(server.count("ledger WHERE customer_id = 'shop-guest-9'"), 0);
    assert_eq!(server.count("orders"), 0);
    assert_eq!(
        sales(
            &server,
            "id = 'g-1' AND member = 0 AND customer_key = 'shop-guest-9'"
        ),
        1
    );
    // The same order again changes nothing; as a member's it is refused.
    let again = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"g-1","customer_id":"shop-guest-9","total_minor":3000,"member":false}"#,
    );
    assert_eq!(again.status, 200, "{}", again.body);
    let member = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"g-1","customer_id":"shop-guest-9","total_minor":3000}"#,
    );
    assert_eq!(member.status, 422, "{}", member.body);
    assert_eq!(value(&member)["error"]["code"], "idempotency_conflict");
    assert_eq!(server.count("customers WHERE id = 'shop-guest-9'"), 0);
    // A refund lowers its revenue, once, and never below nothing.
    let refund = server.admin(
        "POST",
        "/admin/v1/orders/g-1/refunds",
        r#"{"id":"r-1","amount_minor":1200}"#,
    );
    assert_eq!(refund.status, 201, "{}", refund.body);
    assert_eq!(value(&refund)["points"], 0);
    let twice = server.admin(
        "POST",
        "/admin/v1/orders/g-1/refunds",
        r#"{"id":"r-1","amount_minor":1200}"#,
    );
    assert_eq!(twice.status, 200, "{}", twice.body);
    assert_eq!(sales(&server, "id = 'g-1' AND refunded_minor = 1200"), 1);
    let rest = server.admin(
        "POST",
        "/admin/v1/orders/g-1/refunds",
        r#"{"id":"r-2","amount_minor":5000}"#,
    );
    assert_eq!(rest.status, 201, "{}", rest.body);
    assert_eq!(sales(&server, "id = 'g-1' AND refunded_minor = 3000"), 1);
    // A member's refund lowers its sale's revenue too.
    let paid = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"m-1","customer_id":"ben","total_minor":2000}"#,
    );
    assert_eq!(paid.status, 201, "{}", paid.body);
    let back = server.admin(
        "POST",
        "/admin/v1/orders/m-1/refunds",
        r#"{"id":"r-3","amount_minor":500}"#,
    );
    assert_eq!(back.status, 201, "{}", back.body);
    assert_eq!(
        sales(
            &server,
            "id = 'm-1' AND member = 1 AND refunded_minor = 500"
        ),
        1
    );
}

#[test]
fn past_orders_are_imported_once_with_refusals_by_line_and_no_points() {
    let server = Server::start();
    let csv = "id,customer_id,email,total_minor,refunded_minor,placed_at,member\n\
               h-1,anna,,1000,0,2025-03-01T09:00:00Z,true\n\
               h-2,,guest@example.com,2500,500,2025-03-02,false\n\
               h-3,,,-5,0,2025-03-03,false\n\
               h-4,,,700,,not a day,\n\
               h-1,anna,,1000,0,2025-03-01T09:00:00Z,true\n";
    let reply = server.admin("POST", "/admin/v1/orders/import", csv);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report = value(&reply);
    assert_eq!(report["rows"], 5);
    assert_eq!(report["recorded"], 2);
    assert_eq!(report["already"], 1);
    let refused = report["refused"].as_array().expect("refused");
    let lines: Vec<u64> = refused.iter().filter_map(|r| r["line"].as_u64()).collect();
    assert_eq!(lines, [4, 5], "{report}");
    assert!(refused[0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("total_minor"));
    // History only: no points, no customers, no ledger.
    assert_eq!(server.count("ledger WHERE customer_id = 'anna'"), 0);
    assert_eq!(server.count("customers WHERE id = 'anna'"), 0);
    assert_eq!(sales(&server, "source = 'import'"), 2);
    assert_eq!(
        sales(
            &server,
            "id = 'h-2' AND customer_key LIKE 'email:%' AND refunded_minor = 500"
        ),
        1
    );
    // The e-mail address is kept only as its hash.
    assert_eq!(sales(&server, "customer_key LIKE '%guest%'"), 0);
    // JSON lines, some known already: each id once.
    let lines = r#"{"id":"h-1","customer_id":"anna","total_minor":1000,"placed_at":"2025-03-01T09:00:00Z","member":true}
{"id":"h-5","customer_id":"c-5","total_minor":"1500","placed_at":"2025-04-01T12:00:00+02:00"}
[1,2]
"#;
    let reply = server.admin("POST", "/admin/v1/orders/import", lines);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report = value(&reply);
    assert_eq!(
        (report["rows"].as_u64(), report["recorded"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(report["already"], 1);
    assert_eq!(report["refused"][0]["line"], 3);
    assert_eq!(
        sales(
            &server,
            "id = 'h-5' AND placed_at = '2025-04-01T10:00:00Z' AND member = 0"
        ),
        1
    );
    // A live order with an imported id is refused, not given points.
    let live = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"h-1","customer_id":"anna","total_minor":1000}"#,
    );
    assert_eq!(live.status, 422, "{}", live.body);
    assert_eq!(server.count("ledger WHERE customer_id = 'anna'"), 0);
    // No body, or a blank one, is no file: 400 in the contract's shape.
    for blank in ["", "\n  \n"] {
        let reply = server.admin("POST", "/admin/v1/orders/import", blank);
        assert_eq!(reply.status, 400, "{}", reply.body);
        assert_eq!(value(&reply)["error"]["code"], "bad_request");
    }
    // A file none of whose lines is an order (here another app's export)
    // is refused whole, naming the first line's reason.
    let reply = server.admin(
        "POST",
        "/admin/v1/orders/import",
        "email,points\nanna@example.com,10\n",
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        value(&reply)["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 1")),
        "{}",
        reply.body
    );
    // Without the admin key: refused.
    let anonymous = server
        .send("POST", "/admin/v1/orders/import", &[], csv)
        .expect("an answer");
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
}

#[test]
fn the_import_orders_command_records_a_file_once() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("a dir");
    let file = dir.path().join("orders.csv");
    std::fs::write(
        &file,
        "id,email,total_minor,placed_at\nx-1,a@example.com,100,2024-01-01\nx-2,,bad,2024-01-02\n",
    )
    .expect("the file");
    let db = server.db.display().to_string();
    let mut args = vec!["import-orders", file.to_str().expect("a path")];
    match server.database_url.as_deref() {
        Some(url) => args.extend(["--database", url]),
        None => args.extend(["--db", &db]),
    }
    let (ok, stderr, stdout) = run_binary(dir.path(), None, &args);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("2 rows: 1 recorded, 0 already recorded, 1 refused"),
        "{stdout}"
    );
    assert!(stdout.contains("line 3: total_minor"), "{stdout}");
    let (ok, stderr, stdout) = run_binary(dir.path(), None, &args);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("0 recorded, 1 already recorded"),
        "{stdout}"
    );
    assert_eq!(
        sql_count(
            &server.db,
            server.database_url.as_deref(),
            "SELECT COUNT(*) FROM sales WHERE id LIKE 'x-%'"
        ),
        1
    );
}

fn platforms() -> Server {
    Server::with(|config| {
        config.shopify_secret = Some(SHOPIFY.to_vec());
        config.woocommerce_secret = Some(WOO.to_vec());
    })
}

fn deliver(server: &Server, path: &str, headers: &[(&str, &str)], body: &str) -> serde_json::Value {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    let reply = server.send("POST", path, &all, body).expect("an answer");
    assert_eq!(reply.status, 200, "{}", reply.body);
    value(&reply)
}

fn shopify(server: &Server, topic: &str, body: &str) -> serde_json::Value {
    let signature = sign(SHOPIFY, body.as_bytes());
    deliver(
        server,
        "/webhooks/shopify",
        &[
            ("X-Shopify-Topic", topic),
            ("X-Shopify-Hmac-Sha256", &signature),
        ],
        body,
    )
}

fn woo(server: &Server, body: &str) -> serde_json::Value {
    let signature = sign(WOO, body.as_bytes());
    deliver(
        server,
        "/webhooks/woocommerce",
        &[
            ("X-WC-Webhook-Topic", "order.updated"),
            ("X-WC-Webhook-Signature", &signature),
        ],
        body,
    )
}

#[test]
fn platform_orders_carry_their_creation_time_and_guests_are_recorded_without_points() {
    let server = platforms();
    let member = r#"{"id":501,"order_number":1501,"created_at":"2026-11-28T10:02:11-05:00",
        "subtotal_price":"20.00","customer":{"id":77,"first_name":"Lena"}}"#;
    let outcome = shopify(&server, "orders/paid", member);
    assert_eq!(
        outcome["orders"][0]["placed_at"], "2026-11-28T15:02:11Z",
        "{outcome}"
    );
    assert_eq!(
        sales(
            &server,
            "id = 'shopify-501' AND member = 1 AND customer_key = '77'"
        ),
        1
    );
    let guest = r#"{"id":502,"order_number":1502,"created_at":"2026-11-29T08:00:00Z",
        "email":"Walk.In@example.com","subtotal_price":"12.50","customer":null}"#;
    let outcome = shopify(&server, "orders/paid", guest);
    assert_eq!(outcome["applied"], true, "{outcome}");
    assert_eq!(outcome["orders"][0]["member"], false);
    assert_eq!(outcome["orders"][0]["points"], 0);
    assert_eq!(server.count("orders"), 1);
    assert_eq!(server.count("customers WHERE id = '77'"), 1);
    assert_eq!(
        sales(
            &server,
            "id = 'shopify-502' AND member = 0 AND customer_key LIKE 'email:%' \
                        AND total_minor = 1250 AND placed_at = '2026-11-29T08:00:00Z'"
        ),
        1
    );
    // The guest's refund lowers the sale's revenue, once.
    let refund = r#"{"id":9001,"order_id":502,"refund_line_items":[{"subtotal":"2.50"}]}"#;
    let outcome = shopify(&server, "refunds/create", refund);
    assert_eq!(outcome["refunds"][0]["points"], 0, "{outcome}");
    shopify(&server, "refunds/create", refund);
    assert_eq!(
        sales(&server, "id = 'shopify-502' AND refunded_minor = 250"),
        1
    );
    // WooCommerce: `date_created_gmt` (UTC without a zone); a guest is
    // customer 0, known by the billing address' hash.
    let woo_guest = r#"{"id":880,"number":"880","status":"processing","customer_id":0,
        "date_created":"2026-11-27T23:59:59","date_created_gmt":"2026-11-27T22:59:59",
        "total":"30.00","shipping_total":"0.00","total_tax":"0.00",
        "billing":{"email":"walk.in@example.com"},"refunds":[]}"#;
    let outcome = woo(&server, woo_guest);
    assert_eq!(
        outcome["orders"][0]["placed_at"], "2026-11-27T22:59:59Z",
        "{outcome}"
    );
    // The same person across platforms: one key.
    assert_eq!(
        sql_count(
            &server.db,
            server.database_url.as_deref(),
            "SELECT COUNT(DISTINCT customer_key) FROM sales WHERE member = 0"
        ),
        1
    );
    let cancelled = woo_guest.replace("processing", "cancelled");
    woo(&server, &cancelled);
    assert_eq!(sales(&server, "id = 'wc-880' AND refunded_minor = 3000"), 1);
    assert_eq!(
        server.count("ledger WHERE order_id = 'wc-880' OR order_id = 'shopify-502'"),
        0
    );
}
