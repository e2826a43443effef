//! `loyalty-endpoint import` and `export` over the binary: the files other
//! loyalty apps document (tests/fixtures/import/), a dry run that writes
//! nothing, an apply that does exactly the plan, once, an undo and the
//! export's round trip. On PostgreSQL with `LOYALTY_TEST_POSTGRES`.

mod common;

use common::{fresh_postgres, run_binary};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
        Some("customer_id,email,first_name,points,tier,referral_code")
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
    assert_eq!(id_of(&plan), id_of(&applied));
    // Matched trimmed and without regard to case, created silently: no
    // welcome bonus on top of the imported points.
    let after = shop.balances();
    assert_eq!(after.get("ben@example.com"), Some(&(300, "bronze".into())));
    assert_eq!(after.len(), 1, "{after:?}");

    let again = shop.import("smile-points.csv", &["--apply"]);
    assert!(
        again.contains(&format!("already imported as {}", id_of(&plan))),
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
    let report = shop.import("rivo-points-logs.csv", &["--apply"]);
    assert!(report.contains("(Rivo)"), "{report}");
    assert!(report.contains("+540 added, -200 removed"), "{report}");
    assert!(
        report.contains("refused: line 4: date \"2025-13-01\""),
        "{report}"
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
