//! The program is a file (#20): `program check`, `serve --program`, and a
//! changed file taking effect on restart while customers keep their points.
//! Through the real binary and real HTTP.

mod common;

use common::Server;
use loyalty_endpoint::program;

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let (ok, stderr, stdout) = common::run_binary(dir, None, args);
    (ok, format!("{stdout}{stderr}"))
}

#[test]
fn program_check_accepts_the_demo_file_and_names_every_broken_field() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("ok.toml"), program::DEMO).expect("write");
    let (ok, text) = run(dir.path(), &["program", "check", "ok.toml"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("ok: Morgenrot Coffee Club (EUR): 3 tiers"),
        "{text}"
    );

    let broken = program::DEMO
        .replace("points_price = 800", "points_price = 0")
        .replace(r#"min_tier = "gold""#, r#"min_tier = "diamond""#);
    std::fs::write(dir.path().join("broken.toml"), broken).expect("write");
    let (ok, text) = run(dir.path(), &["program", "check", "broken.toml"]);
    assert!(!ok, "{text}");
    assert!(text.contains("2 problem(s)"), "{text}");
    assert!(
        text.contains("rewards[2].points_price: must be 1 to"),
        "{text}"
    );
    assert!(
        text.contains(r#"offers[2].min_tier: "diamond" is not a tier"#),
        "{text}"
    );

    // serve refuses to start on it, with the same messages.
    let (ok, text) = run(
        dir.path(),
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "--program",
            "broken.toml",
        ],
    );
    assert!(!ok && text.contains("offers[2].min_tier"), "{text}");
}

#[test]
fn the_program_served_is_the_file_and_a_new_file_takes_effect_on_restart() {
    let mine = program::parse(
        &program::DEMO
            .replace("Morgenrot Coffee Club", "Harbour Tea Club")
            .replace("points_price = 300", "points_price = 250")
            .replace("[welcome]\npoints = 100", "[welcome]\npoints = 75"),
    )
    .expect("valid");
    // With --demo, so that the demo customers are there.
    let server = Server::with(|config| {
        config.program = Some(mine);
        config.demo = true;
    });
    let reply = server.get("/v1/program?lang=en", None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["name"], "Harbour Tea Club");
    assert_eq!(body["rewards"][0]["points_price"], 250);
    assert_eq!(body["earning"][0]["points_text"], "75 points welcome bonus");
    // Joining grants the file's welcome bonus.
    let token = server.token("cust-ben");
    let joined = server
        .post("/v1/club/join", &token, "join-1", r#"{"consent":true}"#)
        .expect("an answer");
    assert_eq!(joined.json()["bonus_points"], 75, "{}", joined.body);
}

#[test]
fn a_shops_own_program_starts_without_the_demo_customers() {
    let mine = program::parse(program::DEMO).expect("valid");
    let server = Server::with(|config| config.program = Some(mine));
    assert_eq!(server.count("customers"), 0);
    assert_eq!(server.count("ledger"), 0);
}

#[test]
fn a_reward_dropped_from_the_file_is_switched_off_and_old_redemptions_stay() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("loyalty.sqlite");
    let secret = "s".repeat(32);
    let db_path = db.to_string_lossy().into_owned();
    let start = |file: &str| {
        let args = [
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--exit-after",
            "1",
            "--program",
            file,
            "--db",
            &db_path,
            // The demo customers are seeded with --demo only.
            "--demo",
        ];
        let (ok, stderr, _) = common::run_binary(dir.path(), Some(&secret), &args);
        assert!(ok, "{stderr}");
    };
    std::fs::write(dir.path().join("a.toml"), program::DEMO).expect("write");
    start("a.toml");
    // A redemption of the mug, then a program without it.
    common::sql_execute(
        &db,
        None,
        "INSERT INTO redemptions (id, customer_id, reward_id, points_spent, code, expires_at, created_at)
         VALUES ('red-1', 'cust-carla', 'r-mug', 1500, 'MR-AAAAA-BBBBB', '2026-12-31', '2026-11-30')",
    )
    .expect("a redemption");
    // The mug's block: from its [[rewards]] to the first offer.
    let from = program::DEMO
        .find("[[rewards]]\nid = \"r-mug\"")
        .expect("the mug in the demo");
    let to = program::DEMO.find("[[offers]]").expect("offers after it");
    let without_mug = format!("{}{}", &program::DEMO[..from], &program::DEMO[to..]);
    assert_ne!(without_mug, program::DEMO);
    std::fs::write(dir.path().join("b.toml"), without_mug).expect("write");
    start("b.toml");
    let number = |sql: &str| -> i64 { common::sql_count(&db, None, sql) };
    let active = number("SELECT active FROM rewards WHERE id = 'r-mug'");
    assert_eq!(active, 0);
    let kept = number("SELECT COUNT(*) FROM redemptions WHERE reward_id = 'r-mug'");
    assert_eq!(kept, 1);
    let carla = number("SELECT SUM(points) FROM ledger WHERE customer_id = 'cust-carla'");
    assert_eq!(
        carla, 4200,
        "customers keep their points across program changes"
    );
}
