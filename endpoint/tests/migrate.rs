//! Databases made by the endpoint before sqlx (commit 75080ac) open with
//! this one and migrate in place: every customer, ledger entry, redemption
//! and idempotency key is kept, and the endpoint answers as the old one
//! did (its answers were recorded beside the databases:
//! `tests/fixtures/make-pre-sqlx.sh`). On SQLite, and on PostgreSQL with
//! `LOYALTY_TEST_POSTGRES`.

mod common;

use common::*;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// A server on a copy of the old database, and what the old one answered.
fn old_database() -> (Server, Value) {
    let mut recorded = String::new();
    let server = Server::with(|config| match &config.database_url {
        Some(url) => {
            let dump = std::fs::read_to_string(format!("{FIXTURES}/pre-sqlx.postgres.sql"))
                .expect("the PostgreSQL fixture");
            sql_execute(&config.db_path, Some(url), &dump).expect("the old dump loads");
            recorded = std::fs::read_to_string(format!("{FIXTURES}/pre-sqlx.postgres.json"))
                .expect("recorded answers");
        }
        None => {
            std::fs::copy(format!("{FIXTURES}/pre-sqlx.sqlite"), &config.db_path)
                .expect("the SQLite fixture");
            recorded = std::fs::read_to_string(format!("{FIXTURES}/pre-sqlx.sqlite.json"))
                .expect("recorded answers");
        }
    });
    let recorded = serde_json::from_str(&recorded).expect("recorded answers are JSON");
    (server, recorded)
}

#[test]
fn an_old_database_migrates_in_place_and_answers_the_same() {
    let (server, old) = old_database();
    // Nothing lost: the rows the old session wrote are all there.
    assert_eq!(server.count("customers"), 5);
    assert_eq!(server.count("redemptions"), 1);
    assert_eq!(server.count("idempotency"), 3);
    assert_eq!(server.count("orders WHERE id = 'o-1'"), 1);
    assert_eq!(server.count("refunds WHERE id = 'rf-1'"), 1);
    let entries = server.count("ledger");
    assert!(entries > 30, "{entries} ledger entries");
    // The referrer's row named the friend ("Referral: Eve"); migration 0015
    // keeps only "Referral" (her name is shown from her order while she is
    // there, so the history below reads the same).
    assert_eq!(
        server.count(
            "ledger WHERE kind = 'referral' AND (reason LIKE '%Eve%' OR label_en LIKE '%Eve%' \
             OR label_de LIKE '%Eve%')"
        ),
        0
    );
    assert_eq!(server.count("ledger WHERE kind = 'referral'"), 1);
    // The migrations are recorded now.
    assert!(server.count("_sqlx_migrations") >= 1);

    for (customer, summary) in old["customers"].as_object().expect("customers") {
        let reply = server.get("/v1/customer", Some(&server.token(customer)));
        assert_eq!(reply.status, 200, "{customer}: {}", reply.body);
        assert_eq!(&reply.json(), summary, "{customer}'s summary");
    }
    let reply = server.get("/v1/activity", Some(&server.token("cust-anna")));
    assert_eq!(reply.json(), old["activity"], "Anna's history");
    let ledger = server.admin("GET", "/admin/v1/customers/cust-eve/ledger", "");
    let mut ledger = ledger.json();
    // Fields added to the answer since the old version (#39): new, not changed.
    let customer = ledger["customer"].as_object_mut().expect("the customer");
    assert_eq!(customer.remove("tier"), Some(serde_json::json!("bronze")));
    assert_eq!(
        customer.remove("tier_kept_until"),
        Some(serde_json::Value::Null)
    );
    assert_eq!(ledger, old["ledger"], "Eve's ledger");

    // The old idempotency keys still replay the old answers (same code).
    let dora = server.token("cust-dora");
    let replay = server
        .post(
            "/v1/redemptions",
            &dora,
            "red-1",
            r#"{"reward_id":"r-5eur"}"#,
        )
        .expect("an answer");
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.json(), old["redeem"]);
    let replay = server
        .post("/v1/club/join", &dora, "join-1", r#"{"consent":true}"#)
        .expect("an answer");
    assert_eq!(replay.json(), old["join"]);
    let conflict = server
        .post(
            "/v1/redemptions",
            &dora,
            "red-1",
            r#"{"reward_id":"r-10pct"}"#,
        )
        .expect("an answer");
    assert_eq!(conflict.status, 422, "{}", conflict.body);
    assert_eq!(server.count("redemptions"), 1, "replays redeem nothing");

    // And the ledger goes on where it was.
    let fresh = server
        .post(
            "/v1/redemptions",
            &dora,
            "red-2",
            r#"{"reward_id":"r-5eur"}"#,
        )
        .expect("an answer");
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    let before = old["redeem"]["points"]["approved"]
        .as_i64()
        .expect("points");
    assert_eq!(
        fresh.json()["points"]["approved"].as_i64(),
        Some(before + 100 - 500),
        "Dora's balance after a new redemption (the club's welcome bonus was 100)"
    );
    assert_eq!(server.count("ledger"), entries + 1);
    // The write left Dora's balance snapshot beside her ledger.
    assert_eq!(server.count("balances WHERE customer_id = 'cust-dora'"), 1);
}
