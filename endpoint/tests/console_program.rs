//! The console's program page (issue #30) over real HTTP:
//! `GET /admin/v1/program` answers the installed program file, the checks
//! `program check` runs on it, its version and what changed since the
//! version installed before it (kept across restarts in the store).

mod common;

use common::Server;
use serde_json::{json, Value};

const DEMO: &str = include_str!("../programs/morgenrot.toml");

#[test]
fn the_program_page_shows_the_installed_file_and_its_checks() {
    let server = Server::start();
    let reply = server.admin("GET", "/admin/v1/program", "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page = reply.json();
    assert_eq!(page["version"], json!(1), "{page}");
    assert!(page["installed_at"]
        .as_str()
        .is_some_and(|at| at.ends_with('Z')));
    assert_eq!(page["source"].as_str(), Some(DEMO));
    assert_eq!(page["file"]["currency"], json!("EUR"));
    assert_eq!(page["default_language"], json!("en"));
    assert!(page["languages"]
        .as_array()
        .is_some_and(|l| l.contains(&json!("de"))));
    let checks = page["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 1, "{page}");
    assert_eq!(checks[0]["level"], json!("ok"));
    assert!(
        checks[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("3 tiers")),
        "{page}"
    );
    assert_eq!(page["previous"], Value::Null);
    assert_eq!(page["changes"], json!([]));
}

#[test]
fn the_program_page_wants_the_admin_key() {
    let server = Server::start();
    let reply = server
        .send("GET", "/admin/v1/program", &[], "")
        .expect("an answer");
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.code(), "unauthorized");
}

#[test]
fn a_new_program_file_is_a_new_version_with_its_changes() {
    let first = Server::start();
    // The same file again is no new version.
    let again = Server::process_sharing(&first);
    assert_eq!(
        again.admin("GET", "/admin/v1/program", "").json()["version"],
        json!(1)
    );
    again.terminate();
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("program.toml");
    let changed = DEMO.replacen("currency = \"EUR\"", "currency = \"CHF\"", 1);
    assert_ne!(changed, DEMO);
    std::fs::write(&file, &changed).expect("the program file");
    let path = file.to_string_lossy().into_owned();
    let second = Server::binary(
        &first.db,
        first.database_url.as_deref(),
        &["--program", &path],
        &[],
        None,
    );
    let page = second.admin("GET", "/admin/v1/program", "").json();
    second.terminate();
    assert_eq!(page["version"], json!(2), "{page}");
    assert_eq!(page["previous"]["version"], json!(1), "{page}");
    assert_eq!(
        page["changes"],
        json!([{"path": "currency", "before": "EUR", "after": "CHF"}])
    );
    assert_eq!(page["file"]["currency"], json!("CHF"));
    assert_eq!(page["checks"][0]["level"], json!("ok"));
}

/// Every customer id the console's list shows, page after page.
fn listed_ids(server: &Server) -> Vec<String> {
    let mut ids = Vec::new();
    let mut path = "/admin/v1/customers?limit=100".to_owned();
    loop {
        let page = server.admin("GET", &path, "").json();
        for customer in page["customers"].as_array().expect("customers") {
            ids.push(customer["id"].as_str().expect("an id").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/admin/v1/customers?limit=100&cursor={cursor}"),
            None => return ids,
        }
    }
}

fn members(server: &Server) -> (Value, Value) {
    let figures = server.admin("GET", "/admin/v1/analytics", "").json();
    (
        figures["current"]["members"].clone(),
        figures["current"]["new_members"].clone(),
    )
}

#[test]
fn the_preview_customer_reads_as_a_member_but_never_counts_or_redeems() {
    let server = Server::start();
    let (members_before, new_before) = members(&server);
    let listed_before = listed_ids(&server);
    let reply = server.admin("POST", "/admin/v1/preview-token", "");
    assert_eq!(reply.status, 201, "{}", reply.body);
    let answer = reply.json();
    assert_eq!(answer["customer_id"], json!("_preview"));
    assert!(answer["languages"]
        .as_array()
        .is_some_and(|l| !l.is_empty()));
    let token = answer["token"].as_str().expect("a token").to_owned();
    // A second token is for the same sample customer.
    assert_eq!(
        server.admin("POST", "/admin/v1/preview-token", "").status,
        201
    );

    let summary = server.get("/v1/customer?lang=de", Some(&token));
    assert_eq!(summary.status, 200, "{}", summary.body);
    let summary = summary.json();
    assert_eq!(summary["state"], json!("member"), "{summary}");
    assert_eq!(summary["points"]["approved"], json!(0), "{summary}");
    assert!(summary["tier"]["id"].is_string(), "{summary}");

    // Read-only: redeeming is refused and books nothing.
    let redeem = server
        .post(
            "/v1/redemptions",
            &token,
            "k-preview",
            r#"{"reward_id":"r-shipping"}"#,
        )
        .expect("an answer");
    assert!(redeem.status >= 400, "{} {}", redeem.status, redeem.body);
    assert_eq!(server.count("ledger WHERE customer_id = '_preview'"), 0);
    assert_eq!(
        server.count("redemptions WHERE customer_id = '_preview'"),
        0
    );

    // Never in the list, never in the figures.
    let listed_after = listed_ids(&server);
    assert!(!listed_after.contains(&"_preview".to_owned()));
    assert_eq!(listed_after, listed_before);
    assert_eq!(members(&server), (members_before, new_before));
    let search = server
        .admin("GET", "/admin/v1/customers?q=_prev", "")
        .json();
    assert_eq!(search["customers"], json!([]), "{search}");
}

#[test]
fn the_preview_token_wants_the_admin_key() {
    let server = Server::start();
    let reply = server
        .send("POST", "/admin/v1/preview-token", &[], "")
        .expect("an answer");
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(server.count("customers WHERE id = '_preview'"), 0);
}

#[test]
fn the_sample_customer_cannot_be_signed_up_ordered_for_or_given_points() {
    let server = Server::start();
    assert_eq!(
        server.admin("POST", "/admin/v1/preview-token", "").status,
        201
    );
    let put = server.admin(
        "PUT",
        "/admin/v1/customers/_preview",
        r#"{"first_name":"Sam"}"#,
    );
    assert_eq!(put.status, 403, "{}", put.body);
    assert_eq!(put.code(), "forbidden");
    let order = server.admin(
        "POST",
        "/admin/v1/orders",
        r#"{"id":"o-preview","customer_id":"_preview","total_minor":5000}"#,
    );
    assert_eq!(order.status, 403, "{}", order.body);
    let auth = format!("Bearer {}", String::from_utf8_lossy(common::ADMIN_KEY));
    let adjust = server
        .send(
            "POST",
            "/admin/v1/customers/_preview/adjustments",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", "adj-preview"),
            ],
            r#"{"points": 50, "reason": "try"}"#,
        )
        .expect("an answer");
    assert_eq!(adjust.status, 403, "{}", adjust.body);
    assert_eq!(server.count("ledger WHERE customer_id = '_preview'"), 0);
    assert_eq!(server.count("orders WHERE customer_id = '_preview'"), 0);
    assert_eq!(
        server.count("customers WHERE id = '_preview' AND state = 'preview'"),
        1
    );
}
