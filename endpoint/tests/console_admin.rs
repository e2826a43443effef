//! The shop owner's console (issue #30) over real HTTP: signing in for a
//! session cookie (its attributes, CSRF, the failed sign-ins' limits,
//! expiry, signing out), the bearer key beside it, customers listed and
//! searched a page at a time, one customer's export and erasure, the audit
//! log, and the console's files with their headers.

mod common;

use common::{Reply, Server, ADMIN_KEY};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

fn key() -> String {
    String::from_utf8_lossy(ADMIN_KEY).into_owned()
}

/// A signed-in console: its cookie and CSRF token.
struct Console {
    cookie: String,
    csrf: String,
}

fn sign_in_from(server: &Server, key: &str, headers: &[(&str, &str)]) -> Reply {
    let body = json!({ "key": key }).to_string();
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    server
        .send("POST", "/admin/v1/session", &all, &body)
        .expect("an answer")
}

fn sign_in(server: &Server) -> Console {
    let reply = sign_in_from(server, &key(), &[]);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let set = reply.header("set-cookie").expect("a cookie").to_owned();
    let cookie = set
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("loyalty_admin="))
        .expect("the session cookie")
        .to_owned();
    // The cookie is a credential: never in the log.
    server.watch(&cookie);
    let csrf = reply.json()["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    Console { cookie, csrf }
}

impl Console {
    fn send(&self, server: &Server, method: &str, path: &str, csrf: Option<&str>) -> Reply {
        let cookie = format!("loyalty_admin={}", self.cookie);
        let mut headers = vec![("Cookie", cookie.as_str())];
        if let Some(csrf) = csrf {
            headers.push(("X-CSRF-Token", csrf));
        }
        server.send(method, path, &headers, "").expect("an answer")
    }
}

fn put_customer(server: &Server, id: &str, first_name: &str, email: &str) {
    let body = json!({ "first_name": first_name, "email": email }).to_string();
    let reply = server.admin("PUT", &format!("/admin/v1/customers/{id}"), &body);
    assert!(reply.status == 201 || reply.status == 200, "{}", reply.body);
}

fn order(server: &Server, id: &str, customer: &str, total: u64) {
    let body = json!({ "id": id, "customer_id": customer, "total_minor": total }).to_string();
    let reply = server.admin("POST", "/admin/v1/orders", &body);
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[test]
fn signing_in_gives_a_strict_cookie_and_a_live_session() {
    let server = Server::start();
    let reply = sign_in_from(&server, &key(), &[]);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let cookie = reply.header("set-cookie").expect("a cookie");
    let value = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("loyalty_admin="))
        .expect("loyalty_admin=");
    server.watch(value);
    assert_eq!(value.len(), 43, "32 random bytes in base64url: {cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    // Plain HTTP from 127.0.0.1: no Secure (a browser would drop it).
    assert!(!cookie.contains("Secure"), "{cookie}");
    let body = reply.json();
    assert_eq!(body["idle_minutes"], 30);
    assert!(body["expires_at"]
        .as_str()
        .expect("expires_at")
        .ends_with('Z'));
    // Through a proxy that says HTTPS: Secure.
    let proxied = sign_in_from(&server, &key(), &[("X-Forwarded-Proto", "https")]);
    let cookie = proxied.header("set-cookie").expect("a cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
    if let Some(value) = cookie
        .split(';')
        .next()
        .and_then(|p| p.strip_prefix("loyalty_admin="))
    {
        server.watch(value);
    }

    // The cookie reads the session back (a reload) and the admin API.
    let console = sign_in(&server);
    let again = console.send(&server, "GET", "/admin/v1/session", None);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["csrf_token"], console.csrf.as_str());
    let list = console.send(&server, "GET", "/admin/v1/customers", None);
    assert_eq!(list.status, 200, "{}", list.body);

    // A wrong key: 401, no cookie.
    let wrong = sign_in_from(&server, "not-the-admin-key-but-long-enough-xx", &[]);
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert_eq!(wrong.code(), "unauthorized");
    assert!(wrong.header("set-cookie").is_none());
    // No cookie, or a made-up one: 401.
    let none = server
        .send("GET", "/admin/v1/session", &[], "")
        .expect("an answer");
    assert_eq!(none.status, 401);
    let made_up = server
        .send(
            "GET",
            "/admin/v1/customers",
            &[("Cookie", "loyalty_admin=made-up")],
            "",
        )
        .expect("an answer");
    assert_eq!(made_up.status, 401, "{}", made_up.body);
}

#[test]
fn a_console_write_needs_its_csrf_token() {
    let server = Server::start();
    put_customer(&server, "cust-csrf", "Ida", "ida@example.com");
    let console = sign_in(&server);
    let erase = "/admin/v1/customers/cust-csrf/erase";
    let without = console.send(&server, "POST", erase, None);
    assert_eq!(without.status, 403, "{}", without.body);
    assert_eq!(without.code(), "forbidden");
    let wrong = console.send(&server, "POST", erase, Some("not-the-token"));
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    // Another session's token is wrong too.
    let other = sign_in(&server);
    let crossed = console.send(&server, "POST", erase, Some(&other.csrf));
    assert_eq!(crossed.status, 403, "{}", crossed.body);
    // Nothing was erased by the refused tries.
    let page = server.admin("GET", "/admin/v1/customers/cust-csrf", "");
    assert_eq!(page.json()["customer"]["first_name"], "Ida");
    let right = console.send(&server, "POST", erase, Some(&console.csrf));
    assert_eq!(right.status, 200, "{}", right.body);
    // Reads need no token.
    let read = console.send(&server, "GET", "/admin/v1/customers/cust-csrf", None);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["customer"]["state"], "erased");
    // The bearer key needs none either.
    let audit = server.admin("GET", "/admin/v1/audit?customer_id=cust-csrf", "");
    let events = audit.json()["events"].clone();
    assert_eq!(events[0]["action"], "erase");
    assert_eq!(events[0]["actor"], "session");
}

#[test]
fn failed_sign_ins_are_limited_per_address_and_in_total() {
    let server = Server::with(|config| config.trust_forwarded_for = true);
    let from = |ip: &str, key: &str| sign_in_from(&server, key, &[("X-Forwarded-For", ip)]);
    let wrong = "wrong-key-wrong-key-wrong-key-wrong-key";
    for _ in 0..5 {
        assert_eq!(from("203.0.113.7", wrong).status, 401);
    }
    // The sixth try from that address is refused, even with the right key.
    let limited = from("203.0.113.7", &key());
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.code(), "rate_limited");
    let wait: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(wait > 800 && wait <= 900, "{wait}");
    // Another address still signs in.
    assert_eq!(from("203.0.113.8", &key()).status, 201);
    // 100 failures in all (5 so far) from many addresses close sign-in
    // for everyone; the success above did not reset the count.
    for n in 0..95 {
        let reply = from(&format!("198.51.100.{}", n % 95 + 1), wrong);
        assert_eq!(reply.status, 401, "try {n}: {}", reply.body);
    }
    let closed = from("192.0.2.55", &key());
    assert_eq!(closed.status, 429, "{}", closed.body);
    assert!(closed.header("retry-after").is_some());
    // Every failure is in the audit log.
    let audit = server.admin("GET", "/admin/v1/audit", "");
    let events = audit.json()["events"].as_array().expect("events").clone();
    let failed = events
        .iter()
        .filter(|e| e["action"] == "sign_in_failed")
        .count();
    assert_eq!(failed, 100);
    assert!(events.iter().any(|e| e["action"] == "sign_in"));
}

#[test]
fn without_the_flag_the_forwarded_address_is_not_trusted() {
    let server = Server::start();
    let wrong = "wrong-key-wrong-key-wrong-key-wrong-key";
    for n in 0..5 {
        let ip = format!("198.51.100.{n}");
        let reply = sign_in_from(&server, wrong, &[("X-Forwarded-For", &ip)]);
        assert_eq!(reply.status, 401);
    }
    // All five came from 127.0.0.1, whatever they claimed.
    let reply = sign_in_from(&server, &key(), &[("X-Forwarded-For", "192.0.2.1")]);
    assert_eq!(reply.status, 429, "{}", reply.body);
}

#[test]
fn a_session_ends_when_idle_and_when_signed_out() {
    let server = Server::with(|config| config.admin_session_idle = Some(Duration::from_secs(2)));
    let console = sign_in(&server);
    // Used within its idle time, it lives on.
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(900));
        let reply = console.send(&server, "GET", "/admin/v1/customers", None);
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    std::thread::sleep(Duration::from_millis(2300));
    let expired = console.send(&server, "GET", "/admin/v1/customers", None);
    assert_eq!(expired.status, 401, "{}", expired.body);
    assert_eq!(
        expired.json()["error"]["message"],
        "the session has expired"
    );

    // Signing out needs the CSRF token, clears the cookie and ends it.
    let console = sign_in(&server);
    let refused = console.send(&server, "DELETE", "/admin/v1/session", None);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let out = console.send(&server, "DELETE", "/admin/v1/session", Some(&console.csrf));
    assert_eq!(out.status, 204, "{}", out.body);
    let cleared = out.header("set-cookie").expect("a cookie");
    assert!(cleared.starts_with("loyalty_admin=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let after = console.send(&server, "GET", "/admin/v1/session", None);
    assert_eq!(after.status, 401, "{}", after.body);
    let audit = server.admin("GET", "/admin/v1/audit", "");
    let actions: Vec<String> = audit.json()["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(actions[0], "sign_out", "{actions:?}");
}

#[test]
fn the_bearer_key_still_works_and_a_wrong_one_does_not() {
    let server = Server::start();
    put_customer(&server, "cust-key", "Jo", "jo@example.com");
    let reply = server.admin("GET", "/admin/v1/customers/cust-key", "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let wrong = server
        .send(
            "GET",
            "/admin/v1/customers/cust-key",
            &[(
                "Authorization",
                "Bearer wrong-key-wrong-key-wrong-key-wrong",
            )],
            "",
        )
        .expect("an answer");
    assert_eq!(wrong.status, 401);
    // A customer's token is never the key, nor a session.
    let token = server.token("cust-key");
    let customer = server.get("/admin/v1/customers", Some(&token));
    assert_eq!(customer.status, 401);
}

/// Every id of a search, page by page (`limit` each).
fn all_pages(server: &Server, query: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/admin/v1/customers?limit={limit}{query}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let reply = server.admin("GET", &path, "");
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        let page = reply.json();
        let rows = page["customers"].as_array().expect("customers");
        assert!(rows.len() <= limit);
        ids.extend(
            rows.iter()
                .map(|c| c["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("the pages never ended");
}

#[test]
fn customers_are_searched_by_id_email_and_name_a_page_at_a_time() {
    let server = Server::start();
    // The customers there from the start (the demo's).
    let seeded = all_pages(&server, "", 100);
    for n in 0..23 {
        let name = if n % 3 == 0 { "Maria" } else { "Tom" };
        let email = format!("shopper{n:02}@Example.COM");
        put_customer(&server, &format!("c-{n:03}"), name, &email);
    }
    put_customer(&server, "vip-1", "Marianne", "m.x@other.example");
    order(&server, "o-1", "c-005", 4_000);

    // Everyone, highest id first, across pages: no duplicate, no gap.
    let everyone = all_pages(&server, "", 5);
    let mut expected: Vec<String> = (0..23).map(|n| format!("c-{n:03}")).collect();
    expected.push("vip-1".into());
    expected.extend(seeded);
    expected.sort();
    expected.reverse();
    assert_eq!(everyone, expected);
    let unique: BTreeSet<&String> = everyone.iter().collect();
    assert_eq!(unique.len(), everyone.len());

    // An id's start.
    assert_eq!(all_pages(&server, "&q=c-01", 4).len(), 10);
    assert_eq!(all_pages(&server, "&q=vip-1", 4), vec!["vip-1"]);
    // Part of an e-mail address, any case.
    assert_eq!(
        all_pages(&server, "&q=SHOPPER07%40example", 4),
        vec!["c-007"]
    );
    assert_eq!(all_pages(&server, "&q=example.com", 7).len(), 23);
    // A first name's start, any case: 8 Marias and Marianne.
    let marias = all_pages(&server, "&q=mari", 2);
    assert_eq!(marias.len(), 9, "{marias:?}");
    // A name's middle is no match; a LIKE wildcard is taken as itself.
    assert!(all_pages(&server, "&q=aria", 5).is_empty());
    assert!(all_pages(&server, "&q=%25", 5).is_empty());

    // A row: balance, state, the last order's day.
    let reply = server.admin("GET", "/admin/v1/customers?q=c-005", "");
    let row = &reply.json()["customers"][0];
    assert_eq!(row["state"], "member");
    assert_eq!(row["email"], "shopper05@example.com");
    // The order's placed_at: today (the pinned ledger day) at this moment's
    // time of day.
    let last = row["last_order_at"].as_str().unwrap_or_default();
    assert!(
        last.starts_with(&format!("{}T", common::TODAY)) && last.ends_with('Z') && last.len() == 20,
        "{last}"
    );
    assert!(row["balance"].as_u64().is_some());

    // Bad limits and cursors are refused in the contract's shape.
    for bad in ["limit=0", "limit=101", "limit=x", "cursor=%21%21"] {
        let reply = server.admin("GET", &format!("/admin/v1/customers?{bad}"), "");
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert_eq!(reply.code(), "bad_request");
    }
}

/// Greta's goodwill adjustment, whose reason names her, under key `adj-1`.
fn adjust_greta(server: &Server) -> Reply {
    server
        .send(
            "POST",
            "/admin/v1/customers/cust-greta/adjustments",
            &[
                (
                    "Authorization",
                    &format!("Bearer {}", String::from_utf8_lossy(ADMIN_KEY)),
                ),
                ("Idempotency-Key", "adj-1"),
            ],
            r#"{"points": 50, "reason": "sorry, Greta: the parcel was lost"}"#,
        )
        .expect("an answer")
}

#[test]
fn export_and_erase_keep_the_figures_and_drop_the_person() {
    let server = Server::start();
    let email = "greta.garbo@example.org";
    put_customer(&server, "cust-greta", "Greta", email);
    order(&server, "o-greta-1", "cust-greta", 12_345);
    let adjust = adjust_greta(&server);
    assert_eq!(adjust.status, 201, "{}", adjust.body);
    assert!(adjust.body.contains("Greta"), "{}", adjust.body);
    let ledger_before = server.admin("GET", "/admin/v1/customers/cust-greta/ledger", "");
    let before: Value = ledger_before.json();
    let points_before = server
        .admin("GET", "/admin/v1/customers/cust-greta", "")
        .json()["customer"]["balance"]
        .clone();
    let ledger_sum = || {
        common::sql_count(
            &server.db,
            server.database_url.as_deref(),
            "SELECT CAST(SUM(points) AS BIGINT) FROM ledger WHERE customer_id = 'cust-greta'",
        )
    };
    let sum_before = ledger_sum();

    // The page: the customer, their summary, orders.
    let page = server.admin("GET", "/admin/v1/customers/cust-greta", "");
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!(page["customer"]["first_name"], "Greta");
    assert_eq!(page["summary"]["first_name"], "Greta");
    assert_eq!(page["orders"][0]["id"], "o-greta-1");
    assert_eq!(page["orders"][0]["total_minor"], 12_345);
    assert!(page["customer"]["referral_code"].is_string());
    // A past order brought in as history shows too, older, without points.
    let history = "id,customer_id,email,total_minor,refunded_minor,placed_at,member\n\
                   h-greta-1,cust-greta,,2000,0,2024-05-01T10:00:00Z,true\n";
    let imported = server.admin("POST", "/admin/v1/orders/import", history);
    assert_eq!(imported.status, 200, "{}", imported.body);
    let page = server
        .admin("GET", "/admin/v1/customers/cust-greta", "")
        .json();
    let orders = page["orders"].as_array().cloned().unwrap_or_default();
    assert_eq!(orders.len(), 2, "{page}");
    assert_eq!(orders[0]["id"], "o-greta-1");
    assert!(orders[0]["points"].as_u64().unwrap_or(0) > 0, "{page}");
    assert_eq!(orders[1]["id"], "h-greta-1");
    assert_eq!(orders[1]["placed_at"], "2024-05-01T10:00:00Z");
    assert_eq!(orders[1]["points"], 0);

    // The export: an attachment with everything about them.
    let export = server.admin("GET", "/admin/v1/customers/cust-greta/export", "");
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(
        export.header("content-disposition"),
        Some("attachment; filename=\"customer-cust-greta.json\"")
    );
    let exported = export.json();
    assert_eq!(exported["customer"]["email"], email);
    assert_eq!(exported["customer"]["first_name"], "Greta");
    assert_eq!(exported["orders"][0]["id"], "o-greta-1");
    assert!(exported["ledger"].as_array().expect("ledger").len() >= 2);
    let audited: Vec<&str> = exported["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(audited, vec!["export", "adjust"], "{}", export.body);

    // Erase: 200, and again the first time's answer.
    let erased = server.admin("POST", "/admin/v1/customers/cust-greta/erase", "");
    assert_eq!(erased.status, 200, "{}", erased.body);
    let first = erased.json();
    assert_eq!(first["id"], "cust-greta");
    std::thread::sleep(Duration::from_millis(1100));
    let again = server.admin("POST", "/admin/v1/customers/cust-greta/erase", "");
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["erased_at"], first["erased_at"]);

    // Gone from the page, the list, the export and the widget.
    let page = server.admin("GET", "/admin/v1/customers/cust-greta", "");
    let page_text = page.body.clone();
    for gone in ["Greta", email, "greta.garbo"] {
        assert!(!page_text.contains(gone), "{gone} in {page_text}");
    }
    let page = page.json();
    assert_eq!(page["customer"]["state"], "erased");
    assert!(page["customer"]["email"].is_null());
    assert!(page["customer"]["referral_code"].is_null());
    let found = server.admin("GET", "/admin/v1/customers?q=cust-greta", "");
    assert_eq!(found.json()["customers"].as_array().map(Vec::len), Some(1));
    assert!(found.json()["customers"][0]["email"].is_null());
    let export = server.admin("GET", "/admin/v1/customers/cust-greta/export", "");
    assert!(!export.body.contains(email) && !export.body.contains("Greta"));
    let widget = server.get("/v1/customer", Some(&server.token("cust-greta")));
    assert_eq!(widget.status, 200, "{}", widget.body);
    assert!(!widget.body.contains("Greta"), "{}", widget.body);
    let widget = widget.json();
    assert!(widget["first_name"].is_null());
    assert!(widget["referral"].is_null());
    assert_eq!(widget["points"]["approved"], 0);

    // The figures stay: the same ledger, the same balance for the shop;
    // only the adjustment's reason (free text that named her) is gone.
    let ledger_after = server.admin("GET", "/admin/v1/customers/cust-greta/ledger", "");
    assert!(
        !ledger_after.body.contains("Greta"),
        "{}",
        ledger_after.body
    );
    let mut expected = before["entries"].clone();
    for entry in expected.as_array_mut().expect("entries") {
        if entry["kind"] == "adjustment" {
            assert_eq!(entry["reason"], "sorry, Greta: the parcel was lost");
            entry["reason"] = "(erased)".into();
        }
    }
    assert_eq!(ledger_after.json()["entries"], expected);
    assert_eq!(
        common::sql_count(
            &server.db,
            server.database_url.as_deref(),
            "SELECT COUNT(*) FROM ledger WHERE reason LIKE '%parcel%' OR label_en LIKE '%parcel%' \
             OR label_de LIKE '%parcel%'",
        ),
        0
    );
    // The adjustment sent again under its key: the first answer's status,
    // nothing booked twice, and no name kept for the replay.
    let replay = adjust_greta(&server);
    assert_eq!(replay.status, 201, "{}", replay.body);
    assert!(!replay.body.contains("Greta"), "{}", replay.body);
    assert_eq!(page["customer"]["balance"], points_before);
    assert_eq!(page["orders"][0]["total_minor"], 12_345);
    assert_eq!(ledger_sum(), sum_before);
    assert!(sum_before > 0);

    // An unknown customer: 404 everywhere.
    for (method, path) in [
        ("GET", "/admin/v1/customers/nobody"),
        ("GET", "/admin/v1/customers/nobody/export"),
        ("POST", "/admin/v1/customers/nobody/erase"),
    ] {
        let reply = server.admin(method, path, "");
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert_eq!(reply.code(), "not_found");
    }

    // The audit log about them, newest first, by the key.
    let audit = server.admin("GET", "/admin/v1/audit?customer_id=cust-greta", "");
    let events = audit.json()["events"].as_array().expect("events").clone();
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["export", "erase", "export", "adjust"]);
    assert!(events.iter().all(|e| e["actor"] == "key"));
    assert!(events.iter().all(|e| e["customer_id"] == "cust-greta"));
}

/// A temporary console build.
fn console_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Console</title>",
    )
    .expect("index");
    std::fs::write(dir.path().join("console-1a2b.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    std::fs::write(dir.path().join("console-1a2b.js"), "export default 1;").expect("js");
    dir
}

#[test]
fn the_console_is_served_with_strict_headers() {
    let dir = console_dir();
    let path = dir.path().to_path_buf();
    let server = Server::with(move |config| config.console_dir = Some(path));
    let get = |path: &str| server.send("GET", path, &[], "").expect("an answer");

    let index = get("/admin/");
    assert_eq!(index.status, 200, "{}", index.body);
    assert!(index.body.contains("<title>Console</title>"));
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-store"));
    let csp = index.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("referrer-policy"), Some("no-referrer"));

    let wasm = get("/admin/console-1a2b.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert!(wasm.header("content-security-policy").is_some());
    let js = get("/admin/console-1a2b.js");
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(js.body, "export default 1;");

    // A client-side route is the index; a missing file is a 404.
    let route = get("/admin/customers/cust-1");
    assert_eq!(route.status, 200);
    assert!(route.body.contains("<title>Console</title>"));
    assert_eq!(route.header("cache-control"), Some("no-store"));
    let missing = get("/admin/missing-file.js");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "not_found");
    // Nothing outside the folder, and the API is no file.
    assert_eq!(get("/admin/../Cargo.toml").status, 404);
    assert_eq!(get("/admin/%2e%2e/Cargo.toml").status, 404);
    let api = get("/admin/v1/nothing-here");
    assert_eq!(api.status, 404);
    assert_eq!(api.code(), "not_found");
    assert_eq!(get("/admin/v1/customers").status, 401);
    let bare = get("/admin");
    assert_eq!(bare.status, 308);
    assert_eq!(bare.header("location"), Some("/admin/"));
    // Files are read, not written.
    let put = server
        .send("PUT", "/admin/index.html", &[], "x")
        .expect("an answer");
    assert_eq!(put.status, 405);
}

#[test]
fn an_erased_friend_leaves_no_name_in_the_referrer_s_ledger() {
    let server = Server::start();
    let rosa = server.admin(
        "PUT",
        "/admin/v1/customers/cust-rosa",
        r#"{"first_name":"Rosa","email":"rosa@example.com"}"#,
    );
    assert!(rosa.status == 201 || rosa.status == 200, "{}", rosa.body);
    let code = server
        .admin("GET", "/admin/v1/customers/cust-rosa", "")
        .json()["customer"]["referral_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!code.is_empty());
    let finn =
        json!({"first_name": "Finnegan", "email": "finn@example.com", "referral_code": code});
    let reply = server.admin("PUT", "/admin/v1/customers/cust-finn", &finn.to_string());
    assert_eq!(reply.status, 201, "{}", reply.body);
    order(&server, "o-finn-1", "cust-finn", 5_000);
    // Rosa earned for Finnegan's first order; her widget names him.
    let rosa_ledger = server.admin("GET", "/admin/v1/customers/cust-rosa/ledger", "");
    assert!(
        rosa_ledger.body.contains("referral"),
        "{}",
        rosa_ledger.body
    );
    let activity = server.get("/v1/activity", Some(&server.token("cust-rosa")));
    assert!(activity.body.contains("Finnegan"), "{}", activity.body);

    let erased = server.admin("POST", "/admin/v1/customers/cust-finn/erase", "");
    assert_eq!(erased.status, 200, "{}", erased.body);
    // His name is nowhere in what Rosa's records show: not in her ledger,
    // her export or her widget's history.
    for (what, body) in [
        (
            "ledger",
            server
                .admin("GET", "/admin/v1/customers/cust-rosa/ledger", "")
                .body,
        ),
        (
            "export",
            server
                .admin("GET", "/admin/v1/customers/cust-rosa/export", "")
                .body,
        ),
        (
            "activity",
            server
                .get("/v1/activity", Some(&server.token("cust-rosa")))
                .body,
        ),
    ] {
        assert!(!body.contains("Finnegan"), "{what}: {body}");
    }
    assert_eq!(
        common::sql_count(
            &server.db,
            server.database_url.as_deref(),
            "SELECT COUNT(*) FROM ledger WHERE label_en LIKE '%Finnegan%' OR label_de LIKE '%Finnegan%' OR reason LIKE '%Finnegan%'",
        ),
        0
    );
}
