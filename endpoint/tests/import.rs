//! `loyalty-endpoint import` and `export` over the binary: the files other
//! loyalty apps document (tests/fixtures/import/), a dry run that writes
//! nothing, an apply that does exactly the plan, once, an undo and the
//! export's round trip; and the same importer over the admin API
//! (`POST /admin/v1/imports`). On PostgreSQL with `LOYALTY_TEST_POSTGRES`.

mod common;

use common::{fresh_postgres, run_binary, Reply, Server, ADMIN_KEY};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

/// A shop: a directory holding copies of the sample files, and its
/// database (a SQLite file there, or a fresh PostgreSQL database).
struct Shop {
    dir: tempfile::TempDir,
    database: Vec<String>,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for entry in std::fs::read_dir(FIXTURES).expect("the sample files") {
            let path = entry.expect("a sample file").path();
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, dir.path().join(name)).expect("a copy");
        }
        let database = match fresh_postgres() {
            Some(url) => vec!["--database".to_owned(), url],
            None => vec![
                "--db".to_owned(),
                dir.path().join("shop.sqlite").display().to_string(),
            ],
        };
        Shop { dir, database }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the binary with the shop's database and day: (ok, stderr, stdout).
    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.database.iter().map(String::as_str));
        all.extend(["--today", "2026-03-01"]);
        run_binary(self.dir.path(), None, &all)
    }

    fn import(&self, name: &str, extra: &[&str]) -> String {
        let path = self.file(name).display().to_string();
        let mut args = vec!["import"];
        args.extend(extra);
        args.push(&path);
        let (ok, err, out) = self.run(&args);
        assert!(ok, "import {name} {extra:?} failed: {err}{out}");
        out
    }

    fn export(&self) -> String {
        let (ok, err, out) = self.run(&["export"]);
        assert!(ok, "export failed: {err}");
        out
    }

    /// Points and tier by e-mail (or id without one), from `export`.
    fn balances(&self) -> BTreeMap<String, (i64, String)> {
        balances_of(&self.export())
    }
}

fn balances_of(export: &str) -> BTreeMap<String, (i64, String)> {
    let mut lines = export.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,email,first_name,points,tier,referral_code,referral_aliases")
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let key = if cells[1].is_empty() {
                cells[0]
            } else {
                cells[1]
            };
            (
                key.to_owned(),
                (cells[3].parse().expect("points"), cells[4].to_owned()),
            )
        })
        .collect()
}

/// Applies a sample file and checks its report: the app the file was told
/// to be from, the totals, and one refused row.
fn applied(shop: &Shop, name: &str, app: &str, totals: &str, refused: &str) -> String {
    let report = shop.import(name, &["--apply"]);
    for expected in [
        format!("({app})"),
        totals.to_owned(),
        format!("refused: {refused}"),
    ] {
        assert!(report.contains(&expected), "{expected}: {report}");
    }
    report
}

/// The lines of the rows an import's report refused.
fn refused_lines(report: &serde_json::Value) -> Vec<i64> {
    report["refused"]
        .as_array()
        .expect("refused rows")
        .iter()
        .map(|r| r["line"].as_i64().expect("a line"))
        .collect()
}

fn id_of(report: &str) -> String {
    report
        .split_whitespace()
        .skip_while(|word| *word != "import")
        .nth(1)
        .expect("the import's id")
        .to_owned()
}

#[test]
fn a_smile_file_dry_run_writes_nothing_and_apply_does_exactly_the_plan_once() {
    let shop = Shop::new();
    let plan = shop.import("smile-points.csv", &[]);
    assert!(plan.contains("dry run:"), "{plan}");
    assert!(plan.contains("rows read: 5"), "{plan}");
    assert!(plan.contains("+300 added"), "{plan}");
    // Both rows of the e-mail given twice are refused, with both lines.
    assert!(
        plan.contains("refused: line 2: ana@example.com is in the file twice (lines 2 and 5)"),
        "{plan}"
    );
    assert!(
        plan.contains("refused: line 5: ana@example.com is in the file twice"),
        "{plan}"
    );
    assert!(
        plan.contains("refused: line 4: points \"52,620\""),
        "{plan}"
    );
    assert!(shop.balances().is_empty(), "a dry run wrote customers");

    let failed = std::fs::read_to_string(shop.file("smile-points.failed.csv"))
        .expect("the failed rows beside the input");
    assert!(failed.starts_with("email,points\n"), "{failed}");
    assert!(failed.contains("dan@example.com,'=SUM(A1)"), "{failed}");
    assert!(failed.contains("\"52,620\""), "{failed}");
    assert!(!failed.contains("ben@"), "{failed}");

    let applied = shop.import("smile-points.csv", &["--apply"]);
    assert!(applied.contains("applied import"), "{applied}");
    let id = id_of(&applied);
    assert_eq!(id.len(), 16, "{applied}");
    // Matched trimmed and without regard to case, created silently: no
    // welcome bonus on top of the imported points.
    let after = shop.balances();
    assert_eq!(after.get("ben@example.com"), Some(&(300, "bronze".into())));
    assert_eq!(after.len(), 1, "{after:?}");

    let again = shop.import("smile-points.csv", &["--apply"]);
    assert!(
        again.contains(&format!("already imported as {id}")),
        "{again}"
    );
    assert_eq!(shop.balances(), after);
}

#[test]
fn set_mode_writes_the_difference_and_refuses_a_negative_balance() {
    let shop = Shop::new();
    shop.import("smile-points.csv", &["--apply"]);
    std::fs::write(
        shop.file("reset.csv"),
        "email,points\nben@example.com,120\nnew@example.com,-5\n",
    )
    .expect("a file");
    let report = shop.import("reset.csv", &["--mode", "set", "--apply"]);
    assert!(report.contains("-180 removed"), "{report}");
    assert!(
        report.contains("refused: line 3: a balance of -5"),
        "{report}"
    );
    assert_eq!(shop.balances()["ben@example.com"].0, 120);
}

#[test]
fn joy_with_semicolons_a_bom_and_crlf_keeps_points_and_names_tiers() {
    let shop = Shop::new();
    let report = shop.import("joy.csv", &["--apply"]);
    assert!(report.contains("(Joy)"), "{report}");
    assert!(report.contains("2 created"), "{report}");
    // "Silber" is the program's silver tier in German.
    assert!(report.contains("\"Silber\" is silver here"), "{report}");
    let balances = shop.balances();
    assert_eq!(
        balances.get("ella@example.com"),
        Some(&(1500, "silver".into()))
    );
    assert_eq!(
        balances.get("fynn@example.com"),
        Some(&(250, "bronze".into()))
    );

    let tiers = shop.import("smile-tiers.csv", &[]);
    assert!(
        tiers.contains("refused: line 3: tier \"Platinum\" matches none"),
        "{tiers}"
    );
    let mapped = shop.import("smile-tiers.csv", &["--tier-map", "Platinum=gold"]);
    assert!(mapped.contains("0 rows refused"), "{mapped}");
    assert!(mapped.contains("\"Platinum\" is gold here"), "{mapped}");
}

#[test]
fn rivo_points_logs_import_signed_history_and_undo_takes_it_back() {
    let shop = Shop::new();
    let report = applied(
        &shop,
        "rivo-points-logs.csv",
        "Rivo",
        "+540 added, -200 removed",
        "line 4: date \"2025-13-01\"",
    );
    let balances = shop.balances();
    assert_eq!(balances["7001"].0, 300);
    assert_eq!(balances["7002"].0, 40);

    let (ok, err, list) = shop.run(&["import", "list"]);
    assert!(ok, "{err}");
    let id = id_of(&report);
    assert!(list.starts_with(&format!("{id} ")), "{list}");
    assert!(list.contains("applied"), "{list}");

    let (ok, err, undone) = shop.run(&["import", "undo", &id]);
    assert!(ok, "{err}");
    assert!(undone.contains("-340 points"), "{undone}");
    let balances = shop.balances();
    assert_eq!(balances["7001"].0, 0);
    assert_eq!(balances["7002"].0, 0);
    let (ok, err, _) = shop.run(&["import", "undo", &id]);
    assert!(!ok && err.contains("undone already"), "{err}");
}

#[test]
fn rivo_balances_and_mapped_columns() {
    let shop = Shop::new();
    let report = shop.import("rivo-balances.csv", &["--apply"]);
    assert!(
        report.contains("refused: line 3: points \"12.5\""),
        "{report}"
    );
    assert_eq!(shop.balances()["gil@example.com"].0, 900);

    let path = shop.file("mapped.csv").display().to_string();
    let (ok, err, _) = shop.run(&["import", &path]);
    assert!(!ok && err.contains("--map column=field"), "{err}");
    let mapped = shop.import(
        "mapped.csv",
        &["--map", "Mail=email", "--map", "Punkte=points", "--apply"],
    );
    assert!(mapped.contains("+70 added"), "{mapped}");
    assert_eq!(shop.balances()["ivo@example.com"].0, 70);
}

#[test]
fn smile_points_transactions_keep_their_days_and_match_by_e_mail() {
    let shop = Shop::new();
    applied(
        &shop,
        "smile-points-transactions.csv",
        "Smile.io",
        "+600 added, -200 removed",
        "line 5: date \"2026-13-01T00:00:00Z\"",
    );
    let balances = shop.balances();
    assert_eq!(balances["ana@example.com"].0, 300);
    assert_eq!(balances["ben@example.com"].0, 100);
    // Smile's own customer ids are not the shop's: nobody is made with one.
    let export = shop.export();
    assert!(!export.contains("304169228"), "{export}");
    // Each entry on the day it happened at Smile.
    let (ok, err, ledger) = shop.run(&["export", "--ledger"]);
    assert!(ok, "{err}");
    for (points, day) in [
        ("500", "2025-10-02"),
        ("-200", "2025-11-20"),
        ("100", "2025-12-07"),
    ] {
        assert!(
            ledger
                .lines()
                .any(|line| line.contains(&format!(",{points},{day},"))),
            "{points} on {day}: {ledger}"
        );
    }
}

#[test]
fn invalid_utf8_is_refused_by_row() {
    let shop = Shop::new();
    let report = shop.import("latin1.csv", &["--apply"]);
    assert!(report.contains("refused: line 3: not UTF-8"), "{report}");
    assert_eq!(shop.balances()["jo@example.com"].0, 10);
}

#[test]
fn export_then_import_into_an_empty_shop_gives_the_same_balances_and_tiers() {
    let old = Shop::new();
    old.import("joy.csv", &["--apply"]);
    old.import("rivo-points-logs.csv", &["--apply"]);
    let exported = old.export();
    let new = Shop::new();
    std::fs::write(new.file("export.csv"), &exported).expect("a file");
    let report = new.import("export.csv", &["--apply"]);
    assert!(report.contains("(loyalty-endpoint)"), "{report}");
    assert_eq!(new.balances(), old.balances());
    assert_eq!(new.balances().len(), 4);
}

// --- the admin API: POST /admin/v1/imports ----------------------------------

/// A file sent to the admin API as its own body: the answer (waits up to
/// 5 minutes: a large import takes a while).
fn upload(server: &Server, query: &str, content_type: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(300)))
        .expect("a timeout");
    let head = format!(
        "POST /admin/v1/imports{query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        String::from_utf8_lossy(ADMIN_KEY),
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("the head");
    // A refusal may close the connection before the whole body is read.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    Reply::parse_bytes(&raw).expect("an answer")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("a sample file")
}

#[test]
fn the_admin_api_dry_runs_applies_once_lists_and_undoes_an_import() {
    let server = Server::start();
    let customers = server.count("customers");
    let plan = upload(&server, "", "text/csv", &fixture("smile-points.csv"));
    assert_eq!(plan.status, 200, "{}", plan.body);
    let report = plan.json();
    assert_eq!(report["app"], "Smile.io");
    assert_eq!(report["format"], "csv");
    assert_eq!(report["mode"], "add");
    assert_eq!(report["applied"], false);
    assert!(
        report.get("id").is_none(),
        "a dry run has no import: {report}"
    );
    assert_eq!(report["rows"], 5);
    assert_eq!(report["created"], 1);
    assert_eq!(report["points_added"], 300);
    assert_eq!(report["points_removed"], 0);
    let lines = refused_lines(&report);
    assert_eq!(lines, [2, 4, 5, 6], "{report}");
    assert!(
        report["refused"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("twice (lines 2 and 5)")),
        "{report}"
    );
    let failed = report["failed_rows"].as_str().expect("the failed rows");
    assert!(failed.starts_with("email,points\n"), "{failed}");
    assert!(failed.contains("dan@example.com,'=SUM(A1)"), "{failed}");
    assert_eq!(server.count("customers"), customers, "a dry run wrote");

    let applied = upload(
        &server,
        "?apply=true",
        "text/csv",
        &fixture("smile-points.csv"),
    );
    assert_eq!(applied.status, 201, "{}", applied.body);
    let applied = applied.json();
    assert_eq!(applied["applied"], true);
    let id = applied["id"].as_str().expect("an applied import's id");
    assert_eq!(id.len(), 16, "{applied}");
    assert_eq!(server.count("customers"), customers + 1);
    let ben = server.count("customers WHERE email = 'ben@example.com'");
    assert_eq!(ben, 1);

    let again = upload(
        &server,
        "?apply=true",
        "text/csv",
        &fixture("smile-points.csv"),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(
        again.json()["already_imported"].is_string(),
        "{}",
        again.body
    );

    let list = server.admin("GET", "/admin/v1/imports", "");
    assert_eq!(list.status, 200, "{}", list.body);
    let list = list.json();
    assert_eq!(list["running"], serde_json::Value::Null);
    assert_eq!(list["imports"][0]["id"], id);
    assert_eq!(list["imports"][0]["points"], 300);
    assert_eq!(list["imports"][0]["state"], "applied");

    let undo = server.admin("POST", &format!("/admin/v1/imports/{id}/undo"), "");
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(undo.json()["points"], -300);
    let twice = server.admin("POST", &format!("/admin/v1/imports/{id}/undo"), "");
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(twice.body.contains("undone already"), "{}", twice.body);
    let unknown = server.admin("POST", "/admin/v1/imports/0123456789abcdef/undo", "");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(unknown.code(), "not_found");
}

#[test]
fn the_admin_api_reads_json_lines_and_set_mode_with_maps() {
    let server = Server::start();
    let lines = concat!(
        "{\"Mail\":\"uma@example.com\",\"Punkte\":40}\n",
        "{\"Mail\":\"vic@example.com\",\"Punkte\":\"52,620\"}\n",
        "not json at all\n",
        "{\"Mail\":\"wes@example.com\",\"Punkte\":7}\n",
    );
    let query = "?apply=true&mode=set&map=Mail%3Demail&map=Punkte%3Dpoints";
    let reply = upload(&server, query, "application/x-ndjson", lines.as_bytes());
    assert_eq!(reply.status, 201, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["format"], "json_lines");
    assert_eq!(report["mode"], "set");
    assert_eq!(report["rows"], 4);
    assert_eq!(report["created"], 2);
    assert_eq!(report["points_added"], 47);
    assert_eq!(report["refused"][0]["line"], 2);
    assert_eq!(report["refused"][1]["line"], 3);
    // The failed rows are the refused lines as they were sent.
    assert_eq!(
        report["failed_rows"],
        "{\"Mail\":\"vic@example.com\",\"Punkte\":\"52,620\"}\nnot json at all\n"
    );
    let wes = server.count("ledger WHERE points = 7 AND kind = 'import'");
    assert_eq!(wes, 1);
}

#[test]
fn the_admin_api_refuses_what_is_not_an_import_with_the_contracts_errors() {
    let server = Server::start();
    let smile = fixture("smile-points.csv");
    // No admin key.
    let anonymous = server
        .send(
            "POST",
            "/admin/v1/imports",
            &[("Content-Type", "text/csv")],
            "email,points\n",
        )
        .expect("an answer");
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    for (query, content_type, body, status, says) in [
        ("?mode=reset", "text/csv", &smile[..], 400, "add or set"),
        ("?apply=yes", "text/csv", &smile[..], 400, "true or false"),
        ("?dry=1", "text/csv", &smile[..], 400, "unknown parameter"),
        ("?map=Mail", "text/csv", &smile[..], 400, "OLD=NEW"),
        ("?dialect=joy", "text/csv", &smile[..], 400, "loyaltylion"),
        (
            "",
            "multipart/form-data; boundary=x",
            &smile[..],
            415,
            "not as a form",
        ),
        ("", "text/csv", b"", 400, "empty"),
        ("", "text/csv", b"id;punkte\n1;2\n", 400, "unknown header"),
    ] {
        let reply = upload(&server, query, content_type, body);
        assert_eq!(
            reply.status, status,
            "{query} {content_type}: {}",
            reply.body
        );
        assert!(reply.body.contains(says), "{query}: {}", reply.body);
        assert_eq!(
            reply.json()["error"]["code"],
            "bad_request",
            "{}",
            reply.body
        );
    }

    // Larger than every other route takes (64 KiB), within the import's
    // own limit.
    let mut big = b"email,points\n".to_vec();
    for n in 0..5_000 {
        big.extend_from_slice(format!("member{n:05}@example.com,{n}\n").as_bytes());
    }
    assert!(big.len() > 64 * 1024);
    let reply = upload(&server, "", "text/csv", &big);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["rows"], 5_000);
    let customer = server.admin("PUT", "/admin/v1/customers/c-1", &" ".repeat(70 * 1024));
    assert_eq!(customer.status, 413, "{}", customer.body);

    let small = Server::with(|config| config.limits.max_import_body = 4096);
    let reply = upload(&small, "", "text/csv", &big);
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert!(
        reply.body.contains("larger than 4096 bytes"),
        "{}",
        reply.body
    );
}

#[test]
fn two_imports_never_run_at_once() {
    let server = Arc::new(Server::start());
    let mut big = b"email,points\n".to_vec();
    for n in 0..4_000 {
        big.extend_from_slice(format!("member{n:05}@example.com,{}\n", n + 1).as_bytes());
    }
    let first = {
        let (server, big) = (server.clone(), big.clone());
        std::thread::spawn(move || upload(&server, "?apply=true", "text/csv", &big))
    };
    // Wait until the first is running.
    let started = std::time::Instant::now();
    loop {
        let list = server.admin("GET", "/admin/v1/imports", "").json();
        if list["running"]["kind"] == "apply" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never showed as running"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = upload(
        &server,
        "?apply=true",
        "text/csv",
        &fixture("smile-points.csv"),
    );
    assert_eq!(second.status, 409, "{}", second.body);
    assert!(
        second.body.contains("another import is running"),
        "{}",
        second.body
    );
    assert_eq!(second.header("retry-after"), Some("5"));
    let undo = server.admin("POST", "/admin/v1/imports/0123456789abcdef/undo", "");
    assert_eq!(undo.status, 409, "{}", undo.body);

    let first = first.join().expect("the first import");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.json()["points_added"], 4_000 * 4_001 / 2);
    let list = server.admin("GET", "/admin/v1/imports", "").json();
    assert_eq!(list["running"], serde_json::Value::Null);
    // Once it is done, the next one runs.
    let second = upload(
        &server,
        "?apply=true",
        "text/csv",
        &fixture("smile-points.csv"),
    );
    assert_eq!(second.status, 201, "{}", second.body);
}

// --- tiers without surprises ---------------------------------------------------

/// The customer's tier as the widget shows it (`GET /v1/customer`).
fn tier_of(server: &Server, customer: &str) -> String {
    let reply = server.get("/v1/customer", Some(&server.token(customer)));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["tier"]["id"]
        .as_str()
        .expect("a tier")
        .to_owned()
}

/// The customer as the admin API shows them (their ledger's `customer`).
fn admin_customer(server: &Server, customer: &str) -> serde_json::Value {
    let reply = server.admin("GET", &format!("/admin/v1/customers/{customer}/ledger"), "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["customer"].clone()
}

const GOLD_WITH_FEW_POINTS: &str = "customer_id,email,first_name,points,tier,referral_code\n\
    c-gold,gold@example.com,Greta,10,Gold,\n\
    c-plain,plain@example.com,Paul,10,,\n";

#[test]
fn a_tier_from_the_file_is_kept_until_its_day_then_the_program_decides() {
    let server = Server::start();
    // The default: twelve months from the import day (2026-11-30).
    let plan = upload(&server, "", "text/csv", GOLD_WITH_FEW_POINTS.as_bytes());
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert_eq!(
        plan.json()["tiers"][0]["until"],
        "2027-11-30",
        "{}",
        plan.body
    );
    let early = upload(
        &server,
        "?tier_until=2026-11-30",
        "text/csv",
        GOLD_WITH_FEW_POINTS.as_bytes(),
    );
    assert_eq!(early.status, 400, "{}", early.body);
    assert!(
        early.body.contains("a day after the import day"),
        "{}",
        early.body
    );

    let query = "?apply=true&tier_until=2027-01-31";
    let applied = upload(&server, query, "text/csv", GOLD_WITH_FEW_POINTS.as_bytes());
    assert_eq!(applied.status, 201, "{}", applied.body);
    let tiers = applied.json()["tiers"].clone();
    assert_eq!(
        tiers,
        serde_json::json!([{"line": 2, "customer": "c-gold", "from_file": "Gold",
                            "tier": "gold", "until": "2027-01-31"}])
    );
    // Gold on the day of the move, with 10 points; the rule for the rest.
    assert_eq!(tier_of(&server, "c-gold"), "gold");
    assert_eq!(tier_of(&server, "c-plain"), "bronze");
    let gold = admin_customer(&server, "c-gold");
    assert_eq!(gold["tier"], "gold");
    assert_eq!(gold["tier_kept_until"], "2027-01-31");
    assert_eq!(
        admin_customer(&server, "c-plain")["tier_kept_until"],
        serde_json::Value::Null
    );

    server.set_today("2027-01-31");
    assert_eq!(
        tier_of(&server, "c-gold"),
        "gold",
        "kept through its last day"
    );
    server.set_today("2027-02-01");
    assert_eq!(
        tier_of(&server, "c-gold"),
        "bronze",
        "then the program's rule"
    );
    let gold = admin_customer(&server, "c-gold");
    assert_eq!(gold["tier"], "bronze");
    assert_eq!(gold["tier_kept_until"], serde_json::Value::Null);
}

#[test]
fn undoing_an_import_takes_its_tiers_away_and_the_subcommand_keeps_them_too() {
    let server = Server::start();
    let applied = upload(
        &server,
        "?apply=true",
        "text/csv",
        GOLD_WITH_FEW_POINTS.as_bytes(),
    );
    assert_eq!(applied.status, 201, "{}", applied.body);
    assert_eq!(tier_of(&server, "c-gold"), "gold");
    let id = applied.json()["id"].as_str().expect("an id").to_owned();
    let undo = server.admin("POST", &format!("/admin/v1/imports/{id}/undo"), "");
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(undo.json()["tier_floors"], 1);
    assert_eq!(tier_of(&server, "c-gold"), "bronze");

    // The subcommand: `--tier-until`, and `export` shows the tier kept.
    let shop = Shop::new();
    std::fs::write(shop.file("gold.csv"), GOLD_WITH_FEW_POINTS).expect("a file");
    let report = shop.import("gold.csv", &["--apply", "--tier-until", "2026-06-30"]);
    assert!(
        report.contains("\"Gold\" is gold here, kept as a floor until 2026-06-30"),
        "{report}"
    );
    assert_eq!(shop.balances()["gold@example.com"], (10, "gold".to_owned()));
    let path = shop.file("gold.csv").display().to_string();
    let (ok, err, _) = shop.run(&["import", "--tier-until", "someday", &path]);
    assert!(!ok && err.contains("not a date"), "{err}");
}

// --- old referral links keep working -------------------------------------------

/// Customers with the links they shared from their old apps, each in its
/// app's documented shape.
const OLD_LINKS: &str = "customer_id,email,first_name,points,tier,referral_code\n\
    c-rivo,rivo@example.com,Rita,10,,https://example.com/?referral_code=4DdQ6WlI95l5ZJ5n\n\
    c-lion,lion@example.com,Leo,10,,https://prz.io/a482k\n\
    c-yotpo,yotpo@example.com,Yara,10,,rwrd.io/ref_CODE33?e\n\
    c-smile,smile@example.com,Sami,10,,https://i.refs.cc/Xy7Kp2Qa\n\
    c-code,code@example.com,Cody,10,,OLDCODE7\n\
    c-taken,taken@example.com,Tom,10,,https://prz.io/a482k\n";

#[test]
fn old_referral_links_of_each_app_lead_to_the_same_welcome_gift() {
    let server = Server::start();
    let applied = upload(&server, "?apply=true", "text/csv", OLD_LINKS.as_bytes());
    assert_eq!(applied.status, 201, "{}", applied.body);
    let report = applied.json();
    assert_eq!(report["referral_aliases"], 5, "{report}");
    // One code leads to one customer: the second row with it is refused.
    assert_eq!(report["refused"][0]["line"], 7, "{report}");
    assert!(
        report["refused"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("already the code of customer c-lion")),
        "{report}"
    );

    // How a friend's browser gets the code from each old link: the shop
    // page's query (the widget reads Rivo's and LoyaltyLion's parameters
    // too), or the path of the app's own short link.
    let links = [
        (
            "c-rivo",
            "https://example.com/?referral_code=4DdQ6WlI95l5ZJ5n",
        ),
        ("c-lion", "https://store.example.com?ll_ref_id=a482k"),
        ("c-lion", "https://prz.io/a482k"),
        ("c-yotpo", "rwrd.io/ref_CODE33?e"),
        ("c-smile", "https://i.refs.cc/Xy7Kp2Qa"),
        ("c-code", "https://shop.example/?ref=oldcode7"),
    ];
    for (n, (customer, link)) in links.iter().enumerate() {
        let code = match link.split_once('?') {
            Some((_, query)) if link.contains("example") => {
                loyalty_core::config::referral_from_query(query)
            }
            _ => loyalty_core::config::referral_from_link(link),
        }
        .unwrap_or_else(|| panic!("a code in {link}"));
        // The invitation: the same gift, under the customer's own code.
        let invite = server.get(&format!("/v1/referrals/{code}?lang=en"), None);
        assert_eq!(invite.status, 200, "{link}: {}", invite.body);
        let own = server
            .admin("GET", &format!("/admin/v1/customers/{customer}/ledger"), "")
            .json()["customer"]["referral_code"]
            .clone();
        assert_eq!(invite.json()["code"], own, "{link}");
        let canonical = server.get(
            &format!("/v1/referrals/{}?lang=en", own.as_str().expect("a code")),
            None,
        );
        assert_eq!(
            invite.json()["friend_gift"],
            canonical.json()["friend_gift"]
        );

        // The friend signs up with the old code: attributed, gift made.
        let friend = format!("friend-{n}");
        let body = format!(r#"{{"email":"{friend}@example.com","referral_code":"{code}"}}"#);
        let reply = server.admin("PUT", &format!("/admin/v1/customers/{friend}"), &body);
        assert_eq!(reply.status, 201, "{link}: {}", reply.body);
        assert_eq!(reply.json()["referral"], "attributed", "{link}");
        assert_eq!(reply.json()["referred_by"], *customer, "{link}");
        let gifts = server.count(&format!("redemptions WHERE id = 'gift-{friend}'"));
        assert_eq!(gifts, 1, "{link}: the friend's welcome gift");
    }

    // Undone, the old codes lead nowhere.
    let id = report["id"].as_str().expect("an id");
    let undo = server.admin("POST", &format!("/admin/v1/imports/{id}/undo"), "");
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(undo.json()["referral_aliases"], 5);
    assert_eq!(server.get("/v1/referrals/a482k", None).status, 404);
}

/// Each member's cells of an export by customer id: (points, tier, own
/// code, old codes).
fn members_of(export: &str) -> BTreeMap<String, (String, String, String, String)> {
    let mut lines = export.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,email,first_name,points,tier,referral_code,referral_aliases")
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 7, "{line}");
            (
                cells[0].to_owned(),
                (
                    cells[3].to_owned(),
                    cells[4].to_owned(),
                    cells[5].to_owned(),
                    cells[6].to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn an_export_carries_old_referral_codes_on_and_the_next_shop_keeps_every_link() {
    // The first move: old links of four apps become aliases.
    let first = Server::start();
    let applied = upload(&first, "?apply=true", "text/csv", OLD_LINKS.as_bytes());
    assert_eq!(applied.status, 201, "{}", applied.body);
    let export = first.admin("GET", "/admin/v1/export", "");
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(
        export.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(export
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let members = members_of(&export.body);
    assert_eq!(members["c-lion"].3, "a482k", "{}", export.body);
    assert_eq!(members["c-rivo"].3, "4ddq6wli95l5zj5n", "{}", export.body);
    // The ledger's export is the other shape.
    let ledger = first.admin("GET", "/admin/v1/export?ledger=true", "");
    assert_eq!(ledger.status, 200, "{}", ledger.body);
    assert!(ledger
        .body
        .starts_with("customer_id,email,points_amount,applied_at,order_id,kind\n"));
    assert_eq!(
        first
            .admin("GET", "/admin/v1/export?ledger=maybe", "")
            .status,
        400
    );
    assert_eq!(first.admin("GET", "/admin/v1/export?all=1", "").status, 400);

    // The second move, into an empty shop: the same balances and tiers, and
    // every code that led to a customer (their own and the old ones) still
    // leads to them, under the new shop's own code.
    let second = Server::start();
    let applied = upload(&second, "?apply=true", "text/csv", export.body.as_bytes());
    assert_eq!(applied.status, 201, "{}", applied.body);
    let report = applied.json();
    assert_eq!(report["app"], "loyalty-endpoint", "{report}");
    assert_eq!(report["refused"], serde_json::json!([]), "{report}");
    let again = members_of(&second.admin("GET", "/admin/v1/export", "").body);
    let mut checked = 0;
    for (customer, (points, tier, own, old)) in &members {
        if !customer.starts_with("c-") {
            continue; // the demo's own customers of each shop
        }
        assert_eq!(again[customer].0, *points, "{customer}");
        assert_eq!(again[customer].1, *tier, "{customer}");
        let new_own = &again[customer].2;
        for code in std::iter::once(own.as_str()).chain(old.split_whitespace()) {
            let invite = second.get(&format!("/v1/referrals/{code}?lang=en"), None);
            assert_eq!(invite.status, 200, "{customer} {code}: {}", invite.body);
            assert_eq!(invite.json()["code"], new_own.as_str(), "{customer} {code}");
            checked += 1;
        }
    }
    // Five customers with an old code each and their own: ten links.
    assert_eq!(checked, 10, "{members:?}");
}

#[test]
fn a_refused_row_writes_nothing_not_even_its_customer() {
    let server = Server::start();
    let customers = server.count("customers");
    // New customers whose only rows are refused (a tier the program does
    // not have, a balance below zero, a code that is someone else's), and
    // a customer whose second row is refused after the first was taken.
    let file = "customer_id,email,first_name,points,tier,referral_code\n\
        n-tier,tier@example.com,Tia,10,Platinum Plus,\n\
        n-minus,minus@example.com,Mia,-5,silver,oldminus1\n\
        n-own,own@example.com,Ole,10,,oldcode9\n\
        n-taken,taken@example.com,Tom,10,,oldcode9\n";
    let plan = upload(&server, "", "text/csv", file.as_bytes());
    assert_eq!(plan.status, 200, "{}", plan.body);
    // The dry run counts only the customer it would really make.
    assert_eq!(plan.json()["created"], 1, "{}", plan.body);
    let applied = upload(&server, "?apply=true", "text/csv", file.as_bytes());
    assert_eq!(applied.status, 201, "{}", applied.body);
    let report = applied.json();
    assert_eq!(report["created"], 1, "{report}");
    let refused = refused_lines(&report);
    assert_eq!(refused, [2, 3, 5], "{report}");
    assert_eq!(server.count("customers"), customers + 1);
    for gone in ["n-tier", "n-minus", "n-taken"] {
        assert_eq!(
            server.count(&format!("customers WHERE id = '{gone}'")),
            0,
            "{gone}"
        );
    }
    // The refused row's old code was not kept either.
    assert_eq!(server.get("/v1/referrals/oldminus1", None).status, 404);
    assert_eq!(server.get("/v1/referrals/oldcode9", None).status, 200);
    // Nor its tier.
    assert_eq!(server.count("customers WHERE tier_floor IS NOT NULL"), 0);
}

#[test]
fn a_referral_column_that_holds_no_code_is_refused_by_line() {
    let server = Server::start();
    let file = "customer_id,email,referral_url\nc-1,one@example.com,https://shop.example/\n\
                c-2,two@example.com,<script>\nc-3,three@example.com,https://prz.io/b9\n";
    let reply = upload(&server, "", "text/csv", file.as_bytes());
    assert_eq!(reply.status, 400, "{}", reply.body);
    // Not a known app's header: named with a map, it reads.
    let query = "?map=referral_url%3Dreferral_code";
    let reply = upload(&server, query, "text/csv", file.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["referral_aliases"], 1, "{report}");
    let lines = refused_lines(&report);
    assert_eq!(lines, [2, 3], "{report}");
}

// --- Yotpo and LoyaltyLion -------------------------------------------------------

#[test]
fn yotpo_exports_and_its_import_template_are_told_by_their_header() {
    let shop = Shop::new();
    let report = shop.import("yotpo-customers.csv", &["--apply"]);
    assert!(report.contains("(Yotpo)"), "{report}");
    // Yotpo warns of "inconsistent point balances" for an e-mail given
    // twice: here both rows are refused, with both lines.
    assert!(
        report.contains("refused: line 2: mia@example.com is in the file twice (lines 2 and 4)"),
        "{report}"
    );
    assert!(
        report.contains("referral links: 2 old codes kept as aliases"),
        "{report}"
    );
    let balances = shop.balances();
    assert_eq!(balances["olle@example.com"], (75, "bronze".to_owned()));
    assert_eq!(balances["noah@example.com"], (0, "bronze".to_owned()));
    assert!(!balances.contains_key("mia@example.com"), "{balances:?}");

    let template = shop.import("yotpo-import-template.csv", &["--apply"]);
    assert!(template.contains("(Yotpo)"), "{template}");
    assert!(template.contains("0 rows refused"), "{template}");
    assert_eq!(shop.balances()["ola@example.com"].0, 1200);
}

#[test]
fn a_loyaltylion_export_reads_with_its_preset() {
    let shop = Shop::new();
    let path = shop.file("loyaltylion-customers.csv").display().to_string();
    let (ok, err, _) = shop.run(&["import", &path]);
    assert!(!ok && err.contains("--dialect loyaltylion"), "{err}");
    let report = shop.import(
        "loyaltylion-customers.csv",
        &["--dialect", "loyaltylion", "--apply"],
    );
    assert!(report.contains("(LoyaltyLion)"), "{report}");
    assert!(report.contains("2 created"), "{report}");
    assert!(report.contains("\"Gold\" is gold here"), "{report}");
    assert!(
        report.contains("referral links: 2 old codes kept as aliases"),
        "{report}"
    );
    // Approved points are the balance; pending and lifetime ones are not.
    let balances = shop.balances();
    assert_eq!(balances["pia@example.com"], (880, "gold".to_owned()));
    assert_eq!(balances["quin@example.com"], (15, "bronze".to_owned()));

    let server = Server::start();
    let body = fixture("loyaltylion-customers.csv");
    let reply = upload(&server, "?dialect=loyaltylion", "text/csv", &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["app"], "LoyaltyLion");
    let reply = upload(&server, "?dialect=smile", "text/csv", &body);
    assert_eq!(reply.status, 400, "{}", reply.body);
}

// --- expiry ---------------------------------------------------------------------

#[test]
fn imported_points_keep_the_files_expiry_or_the_programs_rule_from_the_import_day() {
    // The demo program: points expire 24 months after they count; the
    // server's day is 2026-11-30.
    let server = Server::start();
    let file = "customer_id,points_amount,applied_at,expires_at,order_id,source\n\
        c-exp,100,2025-11-01 10:00:00,2027-03-31,2001,order\n\
        c-exp,50,2024-01-15,,,manual\n\
        c-exp,30,2025-06-01,2026-01-01,,order\n\
        c-exp,20,2025-06-01,someday,,order\n";
    let reply = upload(&server, "?apply=true", "text/csv", file.as_bytes());
    assert_eq!(reply.status, 201, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["app"], "Rivo");
    assert_eq!(report["points_added"], 150, "{report}");
    let refused = &report["refused"];
    assert_eq!(refused[0]["line"], 4, "{report}");
    assert!(
        refused[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("expired on 2026-01-01")),
        "{report}"
    );
    assert_eq!(refused[1]["line"], 5, "{report}");

    let ledger = server
        .admin("GET", "/admin/v1/customers/c-exp/ledger", "")
        .json();
    let entry = |points: i64| {
        ledger["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["kind"] == "import" && e["points"] == points)
            .cloned()
            .unwrap_or_else(|| panic!("an entry of {points}: {ledger}"))
    };
    // The file's date, and the file's expiry.
    assert_eq!(entry(100)["booked_on"], "2025-11-01");
    assert_eq!(entry(100)["expires_on"], "2027-03-31");
    // No expiry in the file: the program's rule from the import day, not
    // from 2024-01-15 (which would have expired them on the day of the move).
    assert_eq!(entry(50)["booked_on"], "2024-01-15");
    assert_eq!(entry(50)["expires_on"], "2028-11-30");
    assert_eq!(server.approved("c-exp"), 150);
    server.set_today("2027-04-01");
    assert_eq!(server.approved("c-exp"), 50, "the file's expiry applied");
}

// --- all or nothing -----------------------------------------------------------

#[test]
fn a_large_import_killed_half_way_leaves_nothing_and_runs_whole_again() {
    const ROWS: i64 = 50_000;
    let shop = Shop::new();
    let mut file = String::from("email,points\n");
    for n in 0..ROWS {
        file.push_str(&format!("member{n:05}@example.com,{}\n", n % 997 + 1));
    }
    let total: i64 = (0..ROWS).map(|n| n % 997 + 1).sum();
    std::fs::write(shop.file("large.csv"), &file).expect("the file");
    let path = shop.file("large.csv").display().to_string();

    let mut args = vec!["import", "--apply", path.as_str()];
    args.extend(shop.database.iter().map(String::as_str));
    args.extend(["--today", "2026-03-01"]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_loyalty-endpoint"))
        .args(&args)
        .current_dir(shop.dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary runs");
    // Half-way: its transaction has been writing for a while and is not
    // done (the whole file takes about a minute in a debug build). On
    // SQLite its uncommitted pages spill into the write-ahead log (the
    // whole import leaves ~20 MB there); on PostgreSQL its transaction is
    // seconds old (the migrations before it are short).
    let wal = shop.file("shop.sqlite-wal");
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let writing = match shop.database[0].as_str() {
            "--db" => std::fs::metadata(&wal).map_or(0, |m| m.len()) > 3 * 1024 * 1024,
            _ => {
                let sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = \
                           current_database() AND pid <> pg_backend_pid() AND xact_start < \
                           now() - interval '5 seconds'";
                common::sql_count(shop.dir.path(), Some(&shop.database[1]), sql) > 0
            }
        };
        if writing {
            break;
        }
        assert!(
            child.try_wait().expect("its state").is_none(),
            "the import finished before it was seen half-way: make the file larger"
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the import never got going"
        );
    }
    assert!(
        child.try_wait().expect("its state").is_none(),
        "the import finished before it was killed: make the file larger"
    );
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("it ends");
    assert!(!status.success(), "{status:?}");

    // Nothing of it: no customer, no entry, no import recorded (counted in
    // the store: an export of 50,000 customers takes minutes on PostgreSQL).
    let count = |sql: &str| {
        let url = (shop.database[0] == "--database").then(|| shop.database[1].as_str());
        common::sql_count(&shop.file("shop.sqlite"), url, sql)
    };
    assert_eq!(count("SELECT COUNT(*) FROM customers"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM ledger"), 0);
    let (ok, err, list) = shop.run(&["import", "list"]);
    assert!(ok, "{err}");
    assert!(list.trim().is_empty(), "{list}");

    // Again: it applies whole.
    let again = std::time::Instant::now();
    let report = shop.import("large.csv", &["--apply"]);
    let took = again.elapsed();
    assert!(report.contains("applied import"), "{report}");
    assert!(report.contains(&format!("{ROWS} created")), "{report}");
    assert_eq!(count("SELECT COUNT(*) FROM customers"), ROWS);
    let sum = "SELECT CAST(SUM(points) AS BIGINT) FROM ledger WHERE kind = 'import'";
    assert_eq!(count(sum), total);
    eprintln!(
        "{ROWS} rows applied in {:.1} s ({:.0} rows/s, this build)",
        took.as_secs_f64(),
        ROWS as f64 / took.as_secs_f64()
    );
}
