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
